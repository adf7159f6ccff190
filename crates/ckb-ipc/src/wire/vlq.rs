//! VLQ: unsigned LEB128 over `u64` (7 bits a byte, low group first, high bit = more follows).
//!
//! Encoding never allocates; decoding works on whatever prefix of the stream has arrived and
//! says "need more" instead of failing, so a reader can feed it partial reads.

use crate::error::IpcError;

/// The longest VLQ a `u64` needs: 10 bytes, the last one holding a single bit.
pub const MAX_VLQ_LEN: usize = 10;

/// Bytes needed to encode `value`.
#[inline]
pub const fn encoded_len(value: u64) -> usize {
    // ceil(bits / 7) without a division (32 cycles on CKB-VM): (x * 147) >> 10 equals x / 7
    // for every x up to 70, which covers bits + 6 <= 70.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    ((bits + 6) * 147) >> 10
}

/// Encodes `value` at the start of `out` and returns the number of bytes written.
#[inline]
pub fn encode(value: u64, out: &mut [u8; MAX_VLQ_LEN]) -> usize {
    put(value, out)
}

/// Encodes `value` at the start of `out`, which must hold [`encoded_len`]`(value)` bytes;
/// returns the bytes written (fewer only if `out` is too short).
///
/// The length is known up front ([`encoded_len`], which the header writer computes anyway), so
/// each byte costs one branch instead of two (measured: ~25 cycles less for the 5-byte method
/// id of a typed service's request).
#[inline]
pub fn put(mut value: u64, out: &mut [u8]) -> usize {
    let n = encoded_len(value);
    let Some(bytes) = out.get_mut(..n) else {
        // Too short: the bytes that fit, every one with its continuation bit.
        for slot in out.iter_mut() {
            *slot = (value as u8) | 0x80;
            value >>= 7;
        }
        return out.len();
    };
    if let Some((last, init)) = bytes.split_last_mut() {
        for slot in init {
            *slot = (value as u8) | 0x80;
            value >>= 7;
        }
        *last = value as u8;
    }
    n
}

/// Decodes one VLQ from the start of `buf`.
///
/// `Ok(Some((value, len)))` when complete, `Ok(None)` when `buf` ends inside the VLQ (read more),
/// `Err(VlqOverflow)` when the value cannot fit a `u64`: an 11th byte, or a 10th byte above 1.
#[inline(never)]
pub fn decode(buf: &[u8]) -> Result<Option<(u64, usize)>, IpcError> {
    let mut value = 0u64;
    let mut shift = 0u32;
    for (i, &byte) in buf.iter().enumerate() {
        // The 10th byte holds bit 63 alone; a larger one (or an 11th byte) does not fit.
        if shift == 63 && byte > 1 {
            return Err(IpcError::VlqOverflow);
        }
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(Some((value, i.saturating_add(1))));
        }
        shift = shift.saturating_add(7);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    fn enc(v: u64) -> Vec<u8> {
        let mut out = [0u8; MAX_VLQ_LEN];
        let n = encode(v, &mut out);
        out[..n].to_vec()
    }

    #[test]
    fn known_values() {
        assert_eq!(enc(0), [0]);
        assert_eq!(enc(127), [0x7f]);
        assert_eq!(enc(128), [0x80, 0x01]);
        assert_eq!(enc(16384), [0x80, 0x80, 0x01]);
        assert_eq!(
            enc(1 << 63),
            [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]
        );
        assert_eq!(
            enc(u64::MAX),
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
    }

    #[test]
    fn round_trip_and_length() {
        for v in [
            0,
            1,
            127,
            128,
            255,
            16383,
            16384,
            (1 << 32) - 1,
            1 << 32,
            1 << 63,
            u64::MAX - 1,
            u64::MAX,
        ] {
            let bytes = enc(v);
            assert_eq!(bytes.len(), encoded_len(v), "len of {v}");
            assert_eq!(
                decode(&bytes).unwrap(),
                Some((v, bytes.len())),
                "decode {v}"
            );
            // Every strict prefix asks for more bytes instead of failing.
            for cut in 0..bytes.len() {
                assert_eq!(decode(&bytes[..cut]).unwrap(), None);
            }
        }
    }

    #[test]
    fn encoded_len_matches_for_every_bit_length() {
        for bits in 0..64 {
            for v in [1u64 << bits, (1u64 << bits) - 1, (1u64 << bits) | 1] {
                assert_eq!(encoded_len(v), enc(v).len(), "{v:#x}");
            }
        }
        assert_eq!(encoded_len(u64::MAX), 10);
    }

    #[test]
    fn put_into_a_short_buffer_writes_what_fits() {
        let mut out = [0u8; 2];
        assert_eq!(put(16384, &mut out), 2);
        assert_eq!(out, [0x80, 0x80]);
        assert_eq!(put(5, &mut []), 0);
        let mut out = [0u8; 3];
        assert_eq!(put(16384, &mut out), 3);
        assert_eq!(out, [0x80, 0x80, 0x01]);
    }

    #[test]
    fn non_minimal_encodings_are_accepted() {
        // LEB128 allows padding with 0x80 groups; ckb-script-ipc-common decodes these too.
        assert_eq!(decode(&[0x80, 0x00]).unwrap(), Some((0, 2)));
        assert_eq!(decode(&[0xff, 0x80, 0x00]).unwrap(), Some((127, 3)));
    }

    #[test]
    fn overflow_is_rejected() {
        // 10th byte above 1 would need bit 64.
        let mut bad = [0xffu8; 10];
        bad[9] = 0x02;
        assert_eq!(decode(&bad), Err(IpcError::VlqOverflow));
        // Overlong: 11 bytes (10th has the continuation bit).
        let overlong = [
            0x80u8, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00,
        ];
        assert_eq!(decode(&overlong), Err(IpcError::VlqOverflow));
        // 10 continuation bytes fail as soon as the 10th is seen, not later.
        assert_eq!(decode(&[0x80u8; 10]), Err(IpcError::VlqOverflow));
        assert_eq!(decode(&[0x80u8; 9]).unwrap(), None);
    }
}
