//! The layouts byte for byte, sizes on the wire, and malformed bytes refused.
//!
//! Compiled only for `cargo test` (`#[cfg(test)] mod tests` in `codec/mod.rs`): an `unwrap` here is a
//! test's assertion on bytes the test wrote, never in a script.

use super::primitives::narrow;
use super::*;
use alloc::string::String;
use alloc::vec::Vec;
extern crate std;
use std::vec;

fn round<T: Encode + Decode + PartialEq + core::fmt::Debug>(v: T) -> Vec<u8> {
    let mut out = Vec::new();
    v.encode_to(&mut out);
    assert_eq!(out.len(), v.encoded_len());
    assert_eq!(T::decode(&out).unwrap(), v);
    out
}

#[test]
fn molecule_layouts() {
    assert_eq!(round(0x0102u16), [2, 1]);
    assert_eq!(round(true), [1]);
    assert_eq!(round(vec![7u8, 8]), [2, 0, 0, 0, 7, 8]);
    assert_eq!(round(String::from("hi")), [2, 0, 0, 0, b'h', b'i']);
    assert_eq!(round(Option::<u8>::None), [] as [u8; 0]);
    assert_eq!(round(Some(5u8)), [5]);
    assert_eq!(round(vec![1u16, 2]), [2, 0, 0, 0, 1, 0, 2, 0]);
    // (u64, u64) is a struct: 16 bytes, the layout of the raw add.
    assert_eq!(round((1u64, 2u64)).len(), 16);
    assert_eq!(round((0x0102u16, 7u8, [8u8, 9], true)), [2, 1, 7, 8, 9, 1]);
    // (u8, Vec<u8>) is a table: total 4+8, offsets 12 and 13, then the fields.
    assert_eq!(
        round((9u8, vec![3u8])),
        [18, 0, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0, 9, 1, 0, 0, 0, 3]
    );
    // dynvec of bytes.
    assert_eq!(
        round(vec![vec![1u8], vec![]]),
        [21, 0, 0, 0, 12, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    );
    assert_eq!(round(vec![String::from("a")]).len(), 4 + 4 + 5);
    round((1u8, String::from("x"), Some(vec![1u32, 2]), [0u8; 3]));
}

#[test]
fn sizes_are_64_bit_on_the_wire_and_narrowed_without_truncation() {
    assert_eq!(round(7usize), 7u64.to_le_bytes());
    assert_eq!(round(-7isize), (-7i64).to_le_bytes());
    assert_eq!(usize::schema_name(), "Uint64");
    assert_eq!(isize::schema_name(), "Int64");
    assert_eq!(usize::decode(&[1, 2, 3]), Err(BAD));
    // The check usize and isize decode through: a value the target type cannot hold is
    // refused (on a 64-bit target every Uint64 fits a usize, so u32 shows the refusal).
    assert_eq!(narrow::<u32, u64>(u64::from(u32::MAX)), Ok(u32::MAX));
    assert_eq!(narrow::<u32, u64>(u64::from(u32::MAX) + 1), Err(BAD));
    assert_eq!(narrow::<i32, i64>(i64::from(i32::MIN) - 1), Err(BAD));
    #[cfg(target_pointer_width = "32")]
    assert_eq!(usize::decode(&(1u64 << 32).to_le_bytes()), Err(BAD));
}

#[test]
fn bad_bytes_are_errors() {
    assert_eq!(u64::decode(&[1, 2, 3]), Err(BAD));
    assert_eq!(bool::decode(&[2]), Err(BAD));
    assert_eq!(Vec::<u8>::decode(&[5, 0, 0, 0, 1]), Err(BAD));
    assert_eq!(Vec::<u8>::decode(&[0xff, 0xff, 0xff, 0xff]), Err(BAD));
    assert_eq!(String::decode(&[1, 0, 0, 0, 0xff]), Err(BAD));
    assert_eq!(
        <(u8, Vec<u8>)>::decode(&[18, 0, 0, 0, 12, 0, 0, 0, 99, 0, 0, 0]),
        Err(BAD)
    );
    assert_eq!(<(u64, u64)>::decode(&[0; 17]), Err(BAD));
    assert_eq!(<(u64, u64)>::decode(&[0; 15]), Err(BAD));
    assert_eq!(<(u8, [u8; 2], bool)>::decode(&[1, 2, 3, 2]), Err(BAD));
    assert_eq!(Vec::<Vec<u8>>::decode(&[8, 0, 0, 0, 3, 0, 0, 0]), Err(BAD));
    assert_eq!(Vec::<u16>::decode(&[0xff, 0xff, 0xff, 0x7f]), Err(BAD));
}
