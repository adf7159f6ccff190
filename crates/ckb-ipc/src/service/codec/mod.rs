//! Molecule encoding of Rust values, for typed service payloads.
//!
//! | Rust | molecule |
//! |---|---|
//! | `u8`, `i8` | `byte` |
//! | `u16`..`u128`, `i16`..`i128` | `array [byte; N]`, little-endian |
//! | `usize`, `isize` | `Uint64`, `Int64` (a value the target's `usize` cannot hold is an error) |
//! | `bool` | `byte`, 0 or 1 |
//! | `[u8; N]` | `array [byte; N]` |
//! | `Vec<u8>`, `String`, `[u8]`, `str` | `fixvec<byte>` (`bytes`) |
//! | `Vec<T>`, `[T]` | `fixvec<T>` if `T` has a fixed size, else `dynvec<T>` |
//! | `Option<T>` | `option T` |
//! | `()` | nothing (zero bytes) |
//! | tuples | `struct` if every field has a fixed size, else `table` |
//! | ckb-gen-types entities (`Script`, `Byte32`, `OutPoint`, ...) | themselves |
//!
//! Decoding checks every length and offset against the bytes it has, and rejects anything
//! left over: a hostile payload is `IpcError::Deserialize`, never a panic, and no length read
//! from it allocates more than the bytes present can fill.
//!
//! `str` and `[T]` (behind a reference) only encode: they are what a client sends for a `&str`
//! or `&[T]` argument, which the server reads back as `String` or `Vec<T>`.
//!
//! `Option<T>` assumes `T` never encodes to zero bytes (those read back as `None`): molecule's
//! `option` has the same rule, so `Option<()>` and `Option<Option<T>>` do not round-trip.
//!
//! One file a job:
//! - `traits`: [`Encode`], [`Decode`], [`to_payload`], and the impls for `Payload` and
//!   references;
//! - `schema`: [`Schema`], the `.mol` text of the types;
//! - `primitives`: integers, `bool`, `()`, `[u8; N]`, `str` and `String`;
//! - `sequences`: `Vec<T>`, `[T]` ([`Element`], [`Seq`]) and `Option<T>`;
//! - `tables`: molecule `struct`s and `table`s ([`FieldReader`], the field helpers of
//!   `#[derive(Molecule)]`, the offset headers), tuples;
//! - `entities`: the ckb-gen-types entities.
//!
//! Here: the u32 header numbers every layout reads and writes.

use alloc::vec::Vec;

use crate::error::IpcError;

mod entities;
mod primitives;
mod schema;
mod sequences;
mod tables;
#[cfg(test)]
mod tests;
mod traits;

pub use schema::Schema;
pub use sequences::{Element, Seq};
pub use tables::{
    decode_offsets, dyn_field, encode_fields, encode_offsets, fields_fixed_size, fields_len,
    DynEncode, FieldReader,
};
pub use traits::{to_payload, Decode, Encode};

const BAD: IpcError = IpcError::Deserialize;

/// The little-endian u32 at `at`, if the bytes reach that far.
fn u32_at(bytes: &[u8], at: usize) -> Result<usize, IpcError> {
    let b: [u8; 4] = bytes
        .get(at..at.checked_add(4).ok_or(BAD)?)
        .ok_or(BAD)?
        .try_into()
        .map_err(|_| BAD)?;
    Ok(u32::from_le_bytes(b) as usize)
}

/// Appends a molecule header number (sizes and counts are u32 on the wire).
fn push_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}
