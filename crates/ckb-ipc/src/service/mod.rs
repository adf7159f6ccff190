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

pub mod codec;
#[cfg(feature = "json")]
pub mod json;

pub use codec::{Decode, Encode};

use crate::channel::Channel;
use crate::error::{IpcError, ProtocolErrorCode};
use crate::io::{ReadVec, Write};
use crate::packet::{Payload, RequestPacket, ResponsePacket};

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

/// Client side of a method returning `T`: sends `args`, decodes the answer.
pub fn call<R, W, A, T>(channel: &mut Channel<R, W>, id: u64, args: A) -> Result<T, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    A: Encode,
    T: Decode,
{
    let resp = channel.call(&RequestPacket::new(id, args.into_payload()))?;
    match resp.error_code() {
        0 => decode_result(channel, resp.into_payload()),
        code => Err(IpcError::ErrorCode(code)),
    }
}

/// Decodes a response payload; a buffer the value does not keep goes back to the channel.
fn decode_result<R, W, T>(channel: &mut Channel<R, W>, payload: Payload) -> Result<T, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    T: Decode,
{
    if T::ZERO_COPY {
        return T::from_payload(payload);
    }
    let value = T::decode(&payload)?;
    channel.recycle(payload);
    Ok(value)
}

/// Client side of a method returning `Result<T, E>`.
pub fn call_fallible<R, W, A, T, E>(
    channel: &mut Channel<R, W>,
    id: u64,
    args: A,
) -> Result<Result<T, E>, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    A: Encode,
    T: Decode,
    E: Decode,
{
    let resp = channel.call(&RequestPacket::new(id, args.into_payload()))?;
    match resp.error_code() {
        0 => Ok(Ok(decode_result(channel, resp.into_payload())?)),
        SERVICE_ERROR => Ok(Err(decode_result(channel, resp.into_payload())?)),
        code => Err(IpcError::ErrorCode(code)),
    }
}

/// Server side: the arguments of `req` and, when they did not keep it, the request's buffer
/// for the response; or the response that refuses them.
pub fn args<A: Decode>(req: RequestPacket) -> Result<(A, Option<Payload>), ResponsePacket> {
    let refuse = |_| ResponsePacket::error(ProtocolErrorCode::DeserializeError as u64);
    let payload = req.into_payload();
    if A::ZERO_COPY {
        return A::from_payload(payload).map(|a| (a, None)).map_err(refuse);
    }
    let args = A::decode(&payload).map_err(refuse)?;
    Ok((args, Some(payload)))
}

/// Server side: a method's return value as a response, written into `spare` if given.
pub fn respond<T: Encode>(value: T, spare: Option<Payload>) -> ResponsePacket {
    ResponsePacket::ok(value.into_payload_in(spare))
}

/// Server side: a `Result` method's value as a response.
pub fn respond_result<T: Encode, E: Encode>(
    value: Result<T, E>,
    spare: Option<Payload>,
) -> ResponsePacket {
    match value {
        Ok(v) => respond(v, spare),
        Err(e) => ResponsePacket::new(SERVICE_ERROR, e.into_payload_in(spare)),
    }
}

/// The response to a method id the service does not have.
pub fn unknown_method() -> ResponsePacket {
    ResponsePacket::error(UNKNOWN_METHOD)
}
