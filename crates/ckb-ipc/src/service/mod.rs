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

use crate::buffer::{Frame, HeapBuffer};
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
///
/// The arguments are encoded straight into the channel's buffer and the answer is decoded
/// where it arrived (the borrowed level of [`Channel::call_in_place`]): no packet is allocated. A
/// [`Payload`] argument or result keeps a buffer of its own instead (its bytes are not copied).
pub fn call<R, W, A, T>(channel: &mut Channel<R, W>, id: u64, args: A) -> Result<T, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    A: Encode,
    T: Decode,
{
    send_args(channel, id, args)?;
    match receive::<R, W, T, ()>(channel, false)? {
        Ok(value) => Ok(value),
        // Not fallible: no answer decodes as the error.
        Err(()) => Err(IpcError::Deserialize),
    }
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
    send_args(channel, id, args)?;
    receive(channel, true)
}

/// Sends a request of `args`: encoded in place in the channel's buffer, or a [`Payload`] sent
/// from its own.
fn send_args<R, W, A>(channel: &mut Channel<R, W>, id: u64, args: A) -> Result<(), IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    A: Encode,
{
    if A::SENT_AS_IS {
        let request = RequestPacket::new(id, args.into_payload());
        channel.send_request(&request)?;
        // Its buffer is free once sent: the answer is read into it instead of a new one (an
        // allocation and a free less per call of a relay that sends back what it gets).
        channel.recycle(request.into_payload());
        return Ok(());
    }
    channel.send_in_place(id, |frame| encode_into(frame, &args))
}

/// Encodes `value` as the frame's whole payload, after making room for all of it at once.
fn encode_into<T: Encode>(frame: &mut Frame<'_, HeapBuffer>, value: &T) -> Result<(), IpcError> {
    frame.clear();
    frame.reserve(value.encoded_len())?;
    value.encode_to(frame.vec_mut());
    Ok(())
}

/// Receives the answer: `T` for code 0, `E` for [`SERVICE_ERROR`] when `fallible`, decoded
/// where it arrived unless one of them keeps the payload's buffer ([`Decode::ZERO_COPY`]).
#[inline(always)]
fn receive<R, W, T, E>(
    channel: &mut Channel<R, W>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    T: Decode,
    E: Decode,
{
    if T::ZERO_COPY || (fallible && E::ZERO_COPY) {
        receive_owned(channel, fallible)
    } else {
        receive_borrowed(channel, fallible)
    }
}

/// [`receive`] when `T` or `E` keeps the payload's buffer: left to the compiler to inline or
/// not, which does better there than forcing it.
fn receive_owned<R, W, T, E>(
    channel: &mut Channel<R, W>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    T: Decode,
    E: Decode,
{
    let resp = channel.receive_response()?;
    match resp.error_code() {
        0 => T::from_payload(resp.into_payload()).map(Ok),
        SERVICE_ERROR if fallible => E::from_payload(resp.into_payload()).map(Err),
        code => Err(IpcError::ErrorCode(code)),
    }
}

/// [`receive`] decoding where the answer arrived. Inlined, with the read of the packet, into
/// the caller (measured: ~70 cycles a call less for `add(u64, u64)` than a call returning the
/// answer through memory).
#[inline(always)]
fn receive_borrowed<R, W, T, E>(
    channel: &mut Channel<R, W>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
    T: Decode,
    E: Decode,
{
    channel.receive_reply(|reply| match reply.error_code() {
        0 => T::decode(reply.payload()).map(Ok),
        SERVICE_ERROR if fallible => E::decode(reply.payload()).map(Err),
        code => Err(IpcError::ErrorCode(code)),
    })
}

/// Server side: the arguments of the request in `frame`, or the error code that refuses them
/// (the frame then emptied). A [`Payload`] argument takes the frame's buffer (no copy).
pub fn decode_args<A: Decode>(frame: &mut Frame<'_, HeapBuffer>) -> Result<A, u64> {
    let args = if A::ZERO_COPY {
        A::from_payload(frame.take_payload())
    } else {
        A::decode(frame.as_slice())
    };
    args.map_err(|_| {
        frame.clear();
        ProtocolErrorCode::DeserializeError as u64
    })
}

/// Server side: writes a method's return value into `frame` as the answer; returns its error
/// code (0, or the wire code of a value that could not be stored). A [`Payload`] is adopted
/// as it is (no copy).
pub fn answer<T: Encode>(frame: &mut Frame<'_, HeapBuffer>, value: T) -> u64 {
    if T::SENT_AS_IS {
        frame.put_payload(value.into_payload());
        return 0;
    }
    match encode_into(frame, &value) {
        Ok(()) => 0,
        Err(e) => e.wire_code(),
    }
}

/// Server side: a `Result` method's value as the answer: `Err(e)` is [`SERVICE_ERROR`] with
/// `e` as payload.
pub fn answer_result<T: Encode, E: Encode>(
    frame: &mut Frame<'_, HeapBuffer>,
    value: Result<T, E>,
) -> u64 {
    match value {
        Ok(v) => answer(frame, v),
        Err(e) => match answer(frame, e) {
            0 => SERVICE_ERROR,
            code => code,
        },
    }
}

/// Server side: the answer to a method id the service does not have.
pub fn unknown_method(frame: &mut Frame<'_, HeapBuffer>) -> u64 {
    frame.clear();
    UNKNOWN_METHOD
}

/// Runs an in-place handler on an owned request (a generated server used as a plain
/// [`RequestHandler`](crate::channel::RequestHandler)): the answer is made in the request's
/// buffer.
pub fn serve_request(
    request: RequestPacket,
    handle: impl FnOnce(u64, &mut Frame<'_, HeapBuffer>) -> u64,
) -> ResponsePacket {
    let method = request.method_id();
    let payload = request.into_payload();
    let start = payload.headroom();
    let mut buffer = HeapBuffer::from_vec(payload.into_buffer());
    let mut frame = Frame::new(&mut buffer, start);
    let code = handle(method, &mut frame);
    let start = frame.start;
    ResponsePacket::new(code, Payload::from_parts(buffer.take(), start))
}
