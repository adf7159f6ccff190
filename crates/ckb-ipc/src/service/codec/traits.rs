//! The codec's traits: [`Encode`] and [`Decode`], [`ServiceType`] (how the macros name
//! both), and their impls for `Payload` (the zero-copy `bytes`) and for references.

use alloc::string::String;
use alloc::vec::Vec;

use super::primitives::{bytes_schema, declare_bytes, decode_bytes};
use super::{append_in_capacity, append_to_vec, Output, Schema};
use crate::error::IpcError;
use crate::packet::Payload;

/// A value with a molecule encoding.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a molecule type (`ckb_ipc::service`)",
    label = "not a molecule type",
    note = "supported: u8..u128, i8..i128, usize, isize, bool, (), [u8; N], String, Vec<T>, Option<T>, tuples of up to 6, ckb_ipc::Payload, ckb-gen-types entities (Script, Byte32, ...) and structs and enums with #[derive(ckb_ipc::Molecule)]; &str and &[T] as arguments only"
)]
pub trait Encode {
    /// `Some(n)` if every value encodes to exactly `n` bytes (molecule `byte`, `array`, `struct`).
    const FIXED_SIZE: Option<usize>;
    /// `true` if [`into_payload`](Self::into_payload) sends the value's own buffer (a
    /// [`Payload`]): a client then sends it as it is instead of encoding it into the channel's.
    const SENT_AS_IS: bool = false;
    /// Writes the encoding to `out`, which has room for exactly
    /// [`encoded_len`](Self::encoded_len) bytes (in a channel's buffer, heap or fixed: encoding
    /// allocates nothing).
    fn encode(&self, out: &mut Output<'_>);
    /// Bytes [`encode`](Self::encode) writes; one that writes another count is refused as
    /// [`IpcError::Serialize`] (nothing is sent).
    fn encoded_len(&self) -> usize;
    /// Appends the encoding to `out` (on the heap). Nothing is appended if
    /// [`encode`](Self::encode) wrote another count than [`encoded_len`](Self::encoded_len)
    /// said, or the heap had no room: [`to_payload`] says which.
    fn encode_to(&self, out: &mut Vec<u8>) {
        let _ = append_to_vec(out, self.encoded_len(), |o| self.encode(o));
    }
    /// The molecule type this encodes as (`byte`, `Uint64`, `Bytes`, ...).
    fn schema_name() -> String;
    /// Adds the molecule declarations the type needs to `schema`.
    fn schema_declare(schema: &mut Schema);
    /// The encoding as a packet payload, what a client sends and a server answers for a
    /// [`SENT_AS_IS`](Self::SENT_AS_IS) type. [`Payload`] overrides it to reuse its own buffer
    /// (no copy). The default is [`to_payload`], empty where that is an error.
    fn into_payload(self) -> Payload
    where
        Self: Sized,
    {
        to_payload(&self).unwrap_or_default()
    }
}

/// A value that can be read back from its molecule encoding (all of `bytes`, nothing left over).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a molecule type (`ckb_ipc::service`)",
    label = "not a molecule type",
    note = "supported: u8..u128, i8..i128, usize, isize, bool, (), [u8; N], String, Vec<T>, Option<T>, tuples of up to 6, ckb_ipc::Payload, ckb-gen-types entities (Script, Byte32, ...) and structs and enums with #[derive(ckb_ipc::Molecule)]; &str and &[T] as arguments only"
)]
pub trait Decode: Sized {
    /// `true` if [`from_payload`](Self::from_payload) keeps the payload's buffer; otherwise the
    /// buffer is free for reuse once decoded.
    const ZERO_COPY: bool = false;
    /// Reads a value from exactly `bytes`; anything malformed or left over is
    /// [`IpcError::Deserialize`].
    fn decode(bytes: &[u8]) -> Result<Self, IpcError>;
    /// Decodes a whole packet payload. [`Payload`] overrides it to keep the
    /// buffer it arrived in (no copy).
    fn from_payload(payload: Payload) -> Result<Self, IpcError> {
        Self::decode(&payload)
    }
}

/// A type a service method can take or return: one that encodes and decodes.
///
/// `#[ckb_ipc::service]` (and `#[derive(Molecule)]`, for fields) names every argument and
/// result type through it (`<T as ServiceType>::Type`, which is `T`) rather than through
/// [`Encode`] and [`Decode`]: an unsupported type is then one error, at the type as written,
/// naming it and listing what is supported, instead of an error per generated use followed by
/// rustc's list of every `Encode` impl (the blanket impl is `do_not_recommend`, so rustc has no
/// other impls to list).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a molecule type (`ckb_ipc::service`)",
    label = "not a molecule type",
    note = "supported: u8..u128, i8..i128, usize, isize, bool, (), [u8; N], String, Vec<T>, Option<T>, tuples of up to 6, ckb_ipc::Payload, ckb-gen-types entities (Script, Byte32, ...) and structs and enums with #[derive(ckb_ipc::Molecule)]; &str and &[T] as arguments only"
)]
pub trait ServiceType {
    /// `Self`.
    type Type: Encode + Decode;
}

#[diagnostic::do_not_recommend]
impl<T: Encode + Decode> ServiceType for T {
    type Type = T;
}

/// `Payload` is the zero-copy `bytes` of services: encoding writes its 4-byte length into the
/// headroom in front of it, decoding steps over the length in the buffer it arrived in.
impl Encode for Payload {
    const FIXED_SIZE: Option<usize> = None;
    const SENT_AS_IS: bool = true;
    fn encode(&self, out: &mut Output<'_>) {
        self.as_slice().encode(out)
    }
    fn encoded_len(&self) -> usize {
        4 + self.len()
    }
    bytes_schema!();
    fn into_payload(mut self) -> Payload {
        let len = (self.len() as u32).to_le_bytes();
        if self.prepend(&len) {
            self
        } else {
            // A copy with room for the length: a `Payload` encodes to its `encoded_len`, so
            // this is never the empty default. Infallible, unlike `to_payload`: the `Result`
            // cost echo ~10 cycles a call on each side.
            to_payload(&self).unwrap_or_default()
        }
    }
}

impl Decode for Payload {
    const ZERO_COPY: bool = true;
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        decode_bytes(bytes).map(Payload::from_slice)
    }
    fn from_payload(mut payload: Payload) -> Result<Self, IpcError> {
        decode_bytes(&payload)?;
        payload.advance(4);
        Ok(payload)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    const FIXED_SIZE: Option<usize> = T::FIXED_SIZE;
    #[inline]
    fn encode(&self, out: &mut Output<'_>) {
        (**self).encode(out)
    }
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }
    fn schema_name() -> String {
        T::schema_name()
    }
    fn schema_declare(schema: &mut Schema) {
        T::schema_declare(schema)
    }
}

/// Encodes `value` into a payload with room for the packet header: [`IpcError::Serialize`] if
/// its encoding is not of its [`encoded_len`](Encode::encoded_len).
pub fn to_payload<T: Encode + ?Sized>(value: &T) -> Result<Payload, IpcError> {
    let len = value.encoded_len();
    let mut payload = Payload::with_capacity(len);
    append_in_capacity(payload.buffer_mut(), len, |out| value.encode(out))?;
    Ok(payload)
}
