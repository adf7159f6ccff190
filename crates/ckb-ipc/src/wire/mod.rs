//! The wire format: packet headers made of VLQs. See `docs/wire-format.md`.
//!
//! ```text
//! request  = version:VLQ  method_id:VLQ   payload_length:VLQ  payload
//! response = version:VLQ  error_code:VLQ  payload_length:VLQ  payload
//! ```
//!
//! Requests and responses share one header shape (the middle field is the method id in one and
//! the error code in the other), so one encoder and one decoder serve both. This layer does
//! not allocate and knows nothing about pipes.

pub mod vlq;

use crate::error::IpcError;

/// The only protocol version there is.
pub const VERSION: u8 = 0;

/// The longest header this crate writes: a 1-byte version and two 10-byte VLQs.
pub const MAX_HEADER_LEN: usize = 1 + 2 * vlq::MAX_VLQ_LEN;

/// The shortest header: version, a code and a length of one byte each.
pub const MIN_HEADER_LEN: usize = 3;

/// The reserved method id of a batch: its payload is complete request packets laid end to end
/// (none of them a batch), its answer (code 0) the response packets, one per request, in order
/// (`docs/wire-format.md`). `#[service]` gives no method an id in `0x7fff_fff0..=0x7fff_ffff`.
pub const BATCH_METHOD: u64 = 0x7fff_fffe;

/// A decoded packet header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// `method_id` in a request, `error_code` in a response.
    pub code: u64,
    /// Length of the payload that follows the header.
    pub payload_len: u64,
}

/// Bytes the header for (`code`, `payload_len`) takes.
#[inline]
pub const fn header_len(code: u64, payload_len: u64) -> usize {
    1 + vlq::encoded_len(code) + vlq::encoded_len(payload_len)
}

/// Encodes a version-0 header into `out`; returns its length.
#[inline]
pub fn encode_header(code: u64, payload_len: u64, out: &mut [u8; MAX_HEADER_LEN]) -> usize {
    put_header(code, payload_len, out)
}

/// Encodes a version-0 header at the start of `out`, which must hold
/// [`header_len`]`(code, payload_len)` bytes; returns the bytes written.
#[inline]
pub fn put_header(code: u64, payload_len: u64, out: &mut [u8]) -> usize {
    // The common header in three stores (measured: ~25 cycles less than the VLQ writer's).
    if let (Some(bytes), Some(header)) = (
        short_header_bytes(code, payload_len),
        out.get_mut(..MIN_HEADER_LEN),
    ) {
        header.copy_from_slice(&bytes);
        return MIN_HEADER_LEN;
    }
    let Some((version, rest)) = out.split_first_mut() else {
        return 0;
    };
    *version = VERSION;
    let n = vlq::put(code, rest);
    let m = vlq::put(payload_len, rest.get_mut(n..).unwrap_or_default());
    n.saturating_add(m).saturating_add(1)
}

/// The header [`put_header`] writes for a code and a length under 128 each (3 bytes); `None`
/// for any other.
#[inline(always)]
pub(crate) fn short_header_bytes(code: u64, payload_len: u64) -> Option<[u8; MIN_HEADER_LEN]> {
    ((code | payload_len) < 0x80).then_some([VERSION, code as u8, payload_len as u8])
}

/// The header [`put_header`] writes for a typed service's call of a few arguments (a 5-byte
/// method id and a one-byte length: `[0, id as a VLQ, len]`, 7 bytes), for 7 stores, where the
/// VLQ writer loops (measured: ~25 cycles an item of a typed batch less); `None` for any other
/// header.
/// Apart from `put_header`, whose every caller would carry it (~50 cycles more on a call of
/// 1 KiB on the in-place level, measured).
#[inline(always)]
pub(crate) fn id_header_bytes(code: u64, payload_len: u64) -> Option<[u8; 7]> {
    if !(1 << 28..1 << 35).contains(&code) || payload_len >= 0x80 {
        return None;
    }
    Some([
        VERSION,
        code as u8 | 0x80,
        (code >> 7) as u8 | 0x80,
        (code >> 14) as u8 | 0x80,
        (code >> 21) as u8 | 0x80,
        (code >> 28) as u8,
        payload_len as u8,
    ])
}

/// Decodes a header from the start of `buf`.
///
/// `Ok(None)` means `buf` ends inside the header: read more and call again. A version other than
/// 0 and a payload length above `max_payload` are refused as soon as they are seen, so a hostile
/// length prefix is never allocated.
#[inline(always)]
pub fn decode_header(buf: &[u8], max_payload: u64) -> Result<Option<(Header, usize)>, IpcError> {
    // The common cases, a one-byte version and code and a length of one or two bytes
    // (payloads under 16 KiB), in a few instructions; everything else (and every refusal)
    // through the general decoder.
    let (code, payload_len, header_len) = match *buf {
        [VERSION, code @ 0..=0x7f, len @ 0..=0x7f, ..] => (code, u64::from(len), 3),
        [VERSION, code @ 0..=0x7f, low @ 0x80..=0xff, high @ 0..=0x7f, ..] => {
            (code, u64::from(low & 0x7f) | u64::from(high) << 7, 4)
        }
        _ => return decode_header_wide(buf, max_payload),
    };
    if payload_len > max_payload {
        return decode_header_general(buf, max_payload);
    }
    let header = Header {
        code: u64::from(code),
        payload_len,
    };
    Ok(Some((header, header_len)))
}

/// [`decode_header`] for the next most common headers: a code of up to 5 bytes (the 31-bit
/// method ids of typed services, which are 5-byte VLQs, and service error codes) and a length
/// of up to 3 (payloads under 2 MiB), each VLQ read unrolled; anything else through
/// [`decode_header_general`]. Apart from `decode_header` so the channels that only ever see
/// one-byte codes carry no more inlined code (measured: ~140 cycles a request less than the
/// general decoder for a 5-byte method id).
#[inline(never)]
fn decode_header_wide(buf: &[u8], max_payload: u64) -> Result<Option<(Header, usize)>, IpcError> {
    if let [VERSION, rest @ ..] = buf {
        if let Some((code, n)) = short_vlq::<5>(rest) {
            let after = rest.get(n..).unwrap_or_default();
            if let Some((payload_len, m)) = short_vlq::<3>(after) {
                if payload_len <= max_payload {
                    let header = Header { code, payload_len };
                    return Ok(Some((header, n + m + 1)));
                }
            }
        }
    }
    decode_header_general(buf, max_payload)
}

/// A complete VLQ of at most `MAX` bytes at the start of `buf`: its value and length. `None`
/// for anything else (cut off, or longer), which [`decode_header_general`] then sorts out.
#[inline(always)]
fn short_vlq<const MAX: usize>(buf: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for i in 0..MAX {
        let byte = *buf.get(i)?;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Some((value, i + 1));
        }
    }
    None
}

/// [`decode_header`] for any header: its three VLQs in one pass over the bytes (small code:
/// this is the rare path, the others being [`decode_header`]'s and
/// [`decode_header_wide`]'s; no [`vlq::decode`] call per field, whose 400 bytes it spares).
#[inline(never)]
fn decode_header_general(
    buf: &[u8],
    max_payload: u64,
) -> Result<Option<(Header, usize)>, IpcError> {
    // The field being read (0 version, 1 code, 2 length), the code once read, and the VLQ
    // in progress.
    let (mut field, mut code) = (0u8, 0u64);
    let (mut value, mut shift) = (0u64, 0u32);
    // Bytes read so far (not `enumerate`, whose overflow check would link a panic).
    let mut len = 0usize;
    for &byte in buf {
        len = len.saturating_add(1);
        // The 10th byte of a VLQ holds bit 63 alone; a larger one (or an 11th byte) does not
        // fit a u64 (as in vlq::decode).
        if shift == 63 && byte > 1 {
            return Err(IpcError::VlqOverflow);
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 != 0 {
            shift = shift.saturating_add(7);
            continue;
        }
        match field {
            // The version is refused as soon as it is read: anything but the single byte 0.
            // Written in more bytes, even of value 0, a header could be longer than
            // MAX_HEADER_LEN, the room a fixed buffer keeps for it; no peer writes it so.
            0 if value != u64::from(VERSION) || len > 1 => {
                return Err(IpcError::UnsupportedVersion(value))
            }
            0 => {}
            1 => code = value,
            _ if value > max_payload => {
                return Err(IpcError::PayloadTooLarge {
                    len: value,
                    max: max_payload,
                })
            }
            _ => {
                let header = Header {
                    code,
                    payload_len: value,
                };
                return Ok(Some((header, len)));
            }
        }
        field = field.saturating_add(1);
        (value, shift) = (0, 0);
    }
    Ok(None)
}

/// The complete packet at the start of `bytes` (a batch's payload): its header, its payload
/// and the bytes after it. A header cut off, or a payload longer than the bytes left, is
/// [`IpcError::UnexpectedEof`]; a payload over `max_payload` and a bad version or VLQ are
/// refused as [`decode_header`] refuses them. Nothing is allocated: every length is checked
/// against the bytes present.
#[inline]
pub fn split_packet(bytes: &[u8], max_payload: u64) -> Result<(Header, &[u8], &[u8]), IpcError> {
    // The common item (a one-byte code and length) without the general decoder's layers.
    if let Some((code, len)) = short_header(bytes) {
        let rest = bytes.get(MIN_HEADER_LEN..).unwrap_or_default();
        if let (true, Some((payload, after))) = (
            u64::from(len) <= max_payload,
            rest.split_at_checked(usize::from(len)),
        ) {
            let header = Header {
                code: u64::from(code),
                payload_len: u64::from(len),
            };
            return Ok((header, payload, after));
        }
    }
    split_packet_general(bytes, max_payload)
}

/// The bytes the typed method's call at the start of `bytes` takes, header and payload, if it
/// is one ([`id_header`]) within `max_payload` (and, if `requests`, not a batch); its payload
/// may end past `bytes` ([`scan`] checks the end).
/// The code is not assembled: a batch is told by its header's six bytes (measured: ~14 cycles
/// an item of a batch of 64 typed adds less).
#[inline(always)]
fn id_step(bytes: &[u8], max_payload: u64, requests: bool) -> Option<usize> {
    let w = id_word(bytes)?;
    let len = w >> 48 & 0x7f;
    let nested = requests && w & 0xffff_ffff_ffff == BATCH_ID_WORD;
    (len <= max_payload && !nested).then_some(7 + len as usize)
}

/// The version and code bytes of a batch's header, as [`id_word`] has them: [`BATCH_METHOD`]
/// is a 5-byte VLQ, and no other encoding of it has that shape.
const BATCH_ID_WORD: u64 = {
    let mut word = 0u64; // the version, 0
    let mut i = 0;
    while i < 5 {
        let group = BATCH_METHOD >> (7 * i) & 0x7f;
        let more = if i < 4 { 0x80 } else { 0 };
        word |= (group | more) << (8 * (i + 1));
        i += 1;
    }
    word
};

/// [`split_packet`] with typed methods' calls ([`id_header`]) inline: the typed servers'
/// batches on the heap.
#[inline]
pub(crate) fn split_packet_ids(
    bytes: &[u8],
    max_payload: u64,
) -> Result<(Header, &[u8], &[u8]), IpcError> {
    match split_id(bytes, max_payload) {
        Some(packet) => Ok(packet),
        None => split_packet(bytes, max_payload),
    }
}

/// The typed method's call at the start of `bytes` ([`id_header`]), if it is one within
/// `max_payload` and all there: its header, its payload and the bytes after it.
#[inline(always)]
fn split_id(bytes: &[u8], max_payload: u64) -> Option<(Header, &[u8], &[u8])> {
    let (header, rest) = id_header(bytes)?;
    // payload_len < 128 (id_header).
    let (payload, after) = rest.split_at_checked(header.payload_len as usize)?;
    (header.payload_len <= max_payload).then_some((header, payload, after))
}

/// The first `N` bytes of `bytes`, read as one word ([`crate::unaligned::load`]).
#[inline(always)]
fn word<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    crate::unaligned::load_at(bytes, 0)
}

/// The code and length of the header at the start of `bytes` if it is the shortest (a version
/// 0, a code and a length of one byte each): a word load and a mask where four bytes are
/// there (~10 cycles, where three byte loads and their branches take ~20).
#[inline(always)]
fn short_header(bytes: &[u8]) -> Option<(u8, u8)> {
    if let Some(w) = word::<4>(bytes) {
        let w = u32::from_le_bytes(w);
        return (w & 0x0080_80ff == 0).then_some(((w >> 8) as u8, (w >> 16) as u8));
    }
    match *bytes {
        [VERSION, code @ 0..=0x7f, len @ 0..=0x7f] => Some((code, len)),
        _ => None,
    }
}

/// The header of a typed service's call of a few arguments: a 5-byte code (a method id) and a
/// one-byte length, checked with one mask on a word where eight bytes are there (~30 cycles,
/// where the general decoder takes ~140); the bytes after it.
#[inline(always)]
fn id_header(bytes: &[u8]) -> Option<(Header, &[u8])> {
    let w = id_word(bytes)?;
    let code = (w >> 8 & 0x7f)
        | (w >> 16 & 0x7f) << 7
        | (w >> 24 & 0x7f) << 14
        | (w >> 32 & 0x7f) << 21
        | (w >> 40 & 0x7f) << 28;
    let header = Header {
        code,
        payload_len: w >> 48 & 0x7f,
    };
    Some((header, bytes.get(7..)?))
}

/// The first seven bytes of `bytes` as a word (its low bytes), if they are the header of a
/// typed method's call ([`id_header`]).
#[inline(always)]
fn id_word(bytes: &[u8]) -> Option<u64> {
    // Version 0, four code bytes with their continuation bits, a last code byte and a length
    // without.
    const MASK: u64 = 0x0080_8080_8080_80ff;
    const ID: u64 = 0x0000_0080_8080_8000;
    let w = match word::<8>(bytes) {
        Some(w) => u64::from_le_bytes(w),
        None => match *bytes {
            [VERSION, a, b, c, d, e, len] => u64::from_le_bytes([0, a, b, c, d, e, len, 0]),
            _ => return None,
        },
    };
    (w & MASK == ID).then_some(w)
}

/// [`split_packet`] for any header, out of line: a typed method's call first
/// ([`id_header`]), then the general decoder.
#[inline(never)]
fn split_packet_general(
    bytes: &[u8],
    max_payload: u64,
) -> Result<(Header, &[u8], &[u8]), IpcError> {
    if let Some(packet) = split_id(bytes, max_payload) {
        return Ok(packet);
    }
    let (header, header_len) = decode_header(bytes, max_payload)?.ok_or(IpcError::UnexpectedEof)?;
    let body = bytes.get(header_len..).unwrap_or_default();
    let len = usize::try_from(header.payload_len).map_err(|_| IpcError::UnexpectedEof)?;
    let (payload, rest) = body.split_at_checked(len).ok_or(IpcError::UnexpectedEof)?;
    Ok((header, payload, rest))
}

/// The packets laid end to end in `bytes` (a batch's payload or its answer), in order: each
/// its header and payload, or the error that ends the run ([`split_packet`]).
#[derive(Clone, Debug)]
pub struct Packets<'a> {
    rest: &'a [u8],
    max_payload: u64,
}

impl<'a> Packets<'a> {
    /// The packets of `bytes`, each payload at most `max_payload` bytes.
    pub fn new(bytes: &'a [u8], max_payload: u64) -> Self {
        Self {
            rest: bytes,
            max_payload,
        }
    }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<(Header, &'a [u8]), IpcError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        Some(match split_packet(self.rest, self.max_payload) {
            Ok((header, payload, rest)) => {
                self.rest = rest;
                Ok((header, payload))
            }
            Err(e) => {
                self.rest = &[];
                Err(e)
            }
        })
    }
}

/// Checks a batch's payload before any of it is served: complete requests end to end, each
/// payload within `max_payload`, none of them a batch (that is [`IpcError::Deserialize`]).
/// Returns how many there are.
pub fn check_batch(bytes: &[u8], max_payload: u64) -> Result<usize, IpcError> {
    count_packets(bytes, max_payload, true)
}

/// How many complete packets `bytes` holds end to end, each payload within `max_payload` (and,
/// if `requests`, none of them a batch); the error of the first that is not ([`split_packet`]).
/// One pass that only steps over the common packets (~20 cycles each, half of
/// [`Packets`]'), since every batch is checked so before it is served or read.
pub fn count_packets(bytes: &[u8], max_payload: u64, requests: bool) -> Result<usize, IpcError> {
    scan::<false>(bytes, max_payload, requests)
}

/// [`count_packets`]; with `IDS`, typed methods' calls ([`id_header`]) are stepped over inline
/// too (the typed servers' batches on the heap: ~150 cycles an item less, measured), where the
/// raw servers' loops keep only the one-byte case inline.
#[inline]
pub(crate) fn scan<const IDS: bool>(
    bytes: &[u8],
    max_payload: u64,
    requests: bool,
) -> Result<usize, IpcError> {
    let (mut at, mut count) = (0usize, 0usize);
    while let Some(rest) = bytes.get(at..).filter(|rest| !rest.is_empty()) {
        // A typed server's items are typed calls: those first there (measured: ~10 cycles an
        // item of a batch of 64 typed adds less than after the shortest header).
        let typed = match IDS {
            true => id_step(rest, max_payload, requests),
            false => None,
        };
        let step = match (typed, short_header(rest)) {
            (Some(step), _) => step,
            (None, Some((_, len))) if u64::from(len) <= max_payload => {
                MIN_HEADER_LEN + usize::from(len)
            }
            (None, _) => {
                let (header, _, after) = split_packet_general(rest, max_payload)?;
                if requests && header.code == BATCH_METHOD {
                    return Err(IpcError::Deserialize);
                }
                rest.len() - after.len()
            }
        };
        at = at.saturating_add(step);
        count = count.saturating_add(1);
    }
    // A step past the end: the last packet's payload is not all there.
    if at > bytes.len() {
        return Err(IpcError::UnexpectedEof);
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    #[test]
    fn header_round_trip() {
        for (code, len) in [
            (0, 0),
            (1, 16),
            (127, 128),
            // Typed services: 5-byte method ids, service error codes of 2 bytes, lengths of
            // up to 3 bytes (decode_header_wide), and just past what it takes.
            (0x7fff_ffff, 0),
            (0x7fff_ffff, 1024),
            (0x101, (1 << 21) - 1),
            ((1 << 35) - 1, 1 << 21),
            (1 << 35, 5),
            (u64::MAX, 1 << 20),
            (0xdead, u64::MAX),
        ] {
            let mut out = [0u8; MAX_HEADER_LEN];
            let n = encode_header(code, len, &mut out);
            assert_eq!(n, header_len(code, len));
            let (h, used) = decode_header(&out[..n], u64::MAX).unwrap().unwrap();
            assert_eq!((h.code, h.payload_len, used), (code, len, n));
            for cut in 0..n {
                assert_eq!(decode_header(&out[..cut], u64::MAX).unwrap(), None);
            }
        }
    }

    #[test]
    fn batches_are_checked_against_the_bytes_present() {
        let mut batch = [0u8; 64];
        let mut at = 0;
        for (code, payload) in [(2u64, &b"0123456789abcdef"[..]), (1, b""), (3, b"x")] {
            at += put_header(code, payload.len() as u64, &mut batch[at..]);
            batch[at..at + payload.len()].copy_from_slice(payload);
            at += payload.len();
        }
        let batch = &batch[..at];
        assert_eq!(check_batch(batch, 16), Ok(3));
        assert_eq!(check_batch(&[], 16), Ok(0));
        let seen: Vec<_> = Packets::new(batch, 16).map(|p| p.unwrap().0.code).collect();
        assert_eq!(seen, [2, 1, 3]);
        // Every cut inside an item is the end of the stream inside a packet.
        for cut in 1..batch.len() {
            if [19, 22].contains(&cut) {
                continue; // an item boundary
            }
            assert_eq!(
                check_batch(&batch[..cut], 16),
                Err(IpcError::UnexpectedEof),
                "{cut}"
            );
        }
        assert!(matches!(
            check_batch(batch, 15),
            Err(IpcError::PayloadTooLarge { .. })
        ));
        // A length of 2^60 in a 13-byte batch: refused, nothing allocated.
        let mut huge = [0u8; MAX_HEADER_LEN];
        let n = encode_header(2, 1 << 60, &mut huge);
        assert_eq!(
            check_batch(&huge[..n], u64::MAX),
            Err(IpcError::UnexpectedEof)
        );
        // A batch in a batch.
        assert_eq!(
            check_batch(&[0, 0xfe, 0xff, 0xff, 0xff, 0x07, 0], 16),
            Err(IpcError::Deserialize)
        );
        assert_eq!(
            check_batch(&[1, 2, 0], 16),
            Err(IpcError::UnsupportedVersion(1))
        );
    }

    #[test]
    fn the_fast_paths_split_as_the_general_decoder_does() {
        // One-byte codes, typed method ids (5-byte codes, id_header), longer lengths, cut off.
        for code in [
            0,
            5,
            127,
            128,
            1 << 28,
            0x7fff_ffff,
            0x7fff_fffe,
            (1 << 35) - 1,
            1 << 35,
        ] {
            for len in [0usize, 1, 16, 127, 128] {
                let mut packet = [0u8; MAX_HEADER_LEN + 160];
                let n = put_header(code, len as u64, &mut packet);
                let packet = &packet[..n + len + 2];
                for max in [u64::MAX, 16] {
                    for cut in [packet.len(), n + len, n + len.saturating_sub(1), n - 1] {
                        let bytes = &packet[..cut];
                        assert_eq!(
                            split_packet(bytes, max),
                            split_packet_general(bytes, max),
                            "{code} {len} {max} {cut}"
                        );
                        assert_eq!(split_packet_ids(bytes, max), split_packet(bytes, max));
                        if let Some(id) = id_header_bytes(code, len as u64) {
                            assert_eq!(&id[..], &packet[..n], "{code} {len}");
                        }
                        let one = split_packet_general(bytes, max).map(|_| 1);
                        if cut == n + len || one.is_err() {
                            let nested = one.and_then(|c| match code {
                                BATCH_METHOD => Err(IpcError::Deserialize),
                                _ => Ok(c),
                            });
                            assert_eq!(count_packets(bytes, max, true), nested, "{code} {len}");
                            assert_eq!(scan::<true>(bytes, max, true), nested, "{code} {len}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn limits_are_checked_before_anything_else() {
        let mut out = [0u8; MAX_HEADER_LEN];
        let n = encode_header(1, 1 << 60, &mut out);
        assert_eq!(
            decode_header(&out[..n], 1024),
            Err(IpcError::PayloadTooLarge {
                len: 1 << 60,
                max: 1024
            })
        );
        let n = encode_header(0x7fff_ffff, 1025, &mut out);
        assert_eq!(
            decode_header(&out[..n], 1024),
            Err(IpcError::PayloadTooLarge {
                len: 1025,
                max: 1024
            })
        );
        // Version 1 is refused from its first byte on.
        assert_eq!(
            decode_header(&[1], 1024),
            Err(IpcError::UnsupportedVersion(1))
        );
        assert_eq!(
            decode_header(&[0x80, 0x01], 1024),
            Err(IpcError::UnsupportedVersion(128))
        );
        // 0 in more than one byte (the fuzz target serve_fixed found a 24-byte header so).
        let long_zero = [0x80, 0x80, 0x00, 0x01, 0x00];
        assert_eq!(
            decode_header(&long_zero, 1024),
            Err(IpcError::UnsupportedVersion(0))
        );
        assert_eq!(decode_header(&long_zero[..2], 1024), Ok(None));
    }
}
