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
    // 1 byte for values below 2^7, +1 for every further 7 bits.
    let bits = 64 - (value | 1).leading_zeros() as usize;
    bits.div_ceil(7)
}

/// Encodes `value` at the start of `out` and returns the number of bytes written.
#[inline]
pub fn encode(mut value: u64, out: &mut [u8; MAX_VLQ_LEN]) -> usize {
    let mut n = 0;
    for slot in out.iter_mut() {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        n += 1;
        if value == 0 {
            *slot = byte;
            break;
        }
        *slot = byte | 0x80;
    }
    n
}

/// Decodes one VLQ from the start of `buf`.
///
/// `Ok(Some((value, len)))` when complete, `Ok(None)` when `buf` ends inside the VLQ (read more),
/// `Err(VlqOverflow)` when the value cannot fit a `u64`: an 11th byte, or a 10th byte above 1.
#[inline]
pub fn decode(buf: &[u8]) -> Result<Option<(u64, usize)>, IpcError> {
    let mut value = 0u64;
    for (i, &byte) in buf.iter().enumerate() {
        if i == MAX_VLQ_LEN - 1 && byte > 1 {
            return Err(IpcError::VlqOverflow);
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
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
        assert_eq!(enc(1 << 63), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
        assert_eq!(enc(u64::MAX), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    }

    #[test]
    fn round_trip_and_length() {
        for v in [0, 1, 127, 128, 255, 16383, 16384, (1 << 32) - 1, 1 << 32, 1 << 63, u64::MAX - 1, u64::MAX] {
            let bytes = enc(v);
            assert_eq!(bytes.len(), encoded_len(v), "len of {v}");
            assert_eq!(decode(&bytes).unwrap(), Some((v, bytes.len())), "decode {v}");
            // Every strict prefix asks for more bytes instead of failing.
            for cut in 0..bytes.len() {
                assert_eq!(decode(&bytes[..cut]).unwrap(), None);
            }
        }
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
        let overlong = [0x80u8, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x81, 0x00];
        assert_eq!(decode(&overlong), Err(IpcError::VlqOverflow));
        // 10 continuation bytes fail as soon as the 10th is seen, not later.
        assert_eq!(decode(&[0x80u8; 10]), Err(IpcError::VlqOverflow));
        assert_eq!(decode(&[0x80u8; 9]).unwrap(), None);
    }
}
