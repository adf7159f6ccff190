//! Typed services: a trait in, a client and a server out (`#[ckb_ipc::service]`), with
//! molecule-encoded payloads ([`codec`]).
//!
//! A method's arguments travel as the request payload: nothing for none, the argument itself
//! for one, a tuple (molecule `struct` or `table`) for more. Its return value travels as the
//! response payload. For a method returning `Result<T, E>`, `Err(e)` is the error code
//! [`SERVICE_ERROR`] with `e` as payload, kept apart from transport errors ([`IpcError`]).
//!
//! Arguments and results are any type with a molecule encoding ([`ServiceType`]; the table in
//! [`codec`]). An argument may also be borrowed, `&str` or `&[T]`: the client sends it as the
//! `String` or `Vec<T>` it would be, and the server decodes that and lends it to the trait
//! method, which is written with the same `&str`/`&[T]` (no copy on the client, one owned
//! value on the server). A type without an encoding is a compile error at the type, listing the
//! supported ones.

mod client;
pub mod codec;
#[cfg(feature = "json")]
pub mod json;
mod server;

pub use client::{call, call_fallible};
pub use codec::{Decode, Encode};
pub use server::{answer, answer_result, decode_args, serve_request, unknown_method};

use crate::buffer::{Frame, HeapBuffer};
use crate::error::IpcError;

/// A type a service method can take or return: one that encodes and decodes.
///
/// `#[ckb_ipc::service]` (and `#[derive(Molecule)]`, for fields) names every argument and
/// result type through it (`<T as ServiceType>::Type`, which is `T`) rather than through
/// [`Encode`] and [`Decode`]: an unsupported type is then one error, at the type as written,
/// naming it and listing what is supported, instead of an error per generated use followed by
/// rustc's list of every `Encode` impl (the blanket impl is `do_not_recommend`, so rustc has no
/// other impls to list).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a molecule type (`ckb_ipc::service::codec`)",
    label = "not a molecule type",
    note = "supported: u8..u128, i8..i128, usize, isize, bool, (), [u8; N], String, Vec<T>, Option<T>, tuples of up to 6, ckb_ipc::Payload, ckb-gen-types entities (Script, Byte32, ...) and structs with #[derive(ckb_ipc::Molecule)]; &str and &[T] as arguments only"
)]
pub trait ServiceType {
    /// `Self`.
    type Type: Encode + Decode;
}

#[diagnostic::do_not_recommend]
impl<T: Encode + Decode> ServiceType for T {
    type Type = T;
}

/// The answer to a method id the server does not have. Service codes start above the protocol's
/// (0..=28) and stay below 2^31, which every peer's VLQ decoder reads.
pub const UNKNOWN_METHOD: u64 = 0x100;

/// The error code of a method's `Err(e)`; the payload is `e`.
pub const SERVICE_ERROR: u64 = 0x101;

/// The default id of a method: FNV-1a of `"Trait::method"`, in 31 bits. It does not move when
/// methods are added or reordered; `#[method(id = N)]` sets one by hand.
pub const fn method_id(name: &str) -> u64 {
    let mut rest = name.as_bytes();
    let mut hash: u32 = 0x811c_9dc5;
    while let [first, tail @ ..] = rest {
        hash ^= *first as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        rest = tail;
    }
    (hash & 0x7fff_ffff) as u64
}

/// Encodes `value` as the frame's whole payload, after making room for all of it at once (the
/// client's request and the server's answer).
fn encode_into<T: Encode>(frame: &mut Frame<'_, HeapBuffer>, value: &T) -> Result<(), IpcError> {
    frame.clear();
    frame.reserve(value.encoded_len())?;
    value.encode_to(frame.vec_mut());
    Ok(())
}
