//! The client side of the code `#[service]` generates: a method's arguments sent, its
//! answer received and decoded.

use super::{Decode, Encode, SERVICE_ERROR};
use crate::buffer::Buffer;
use crate::channel::{Channel, Reply};
use crate::error::IpcError;
use crate::io::{Reader, Writer};
use crate::packet::RequestPacket;

/// Client side of a method returning `T`: sends `args`, decodes the answer.
///
/// The arguments are encoded straight into the channel's buffer and the answer is decoded
/// where it arrived (the in-place level of [`Channel::call_in_place`]): no packet is allocated,
/// so over a [`FixedBuffer`](crate::FixedBuffer) a call of types that need no heap (integers,
/// `bool`, `[u8; N]`, tuples and derived types of those) needs none. A
/// [`Payload`](crate::Payload) argument keeps a buffer of its own instead (its bytes are not
/// copied), and so does a `Payload` result over a heap buffer (over a fixed one it is copied
/// out of it).
pub fn call<R, W, B, A, T>(channel: &mut Channel<R, W, B>, id: u64, args: A) -> Result<T, IpcError>
where
    R: Reader,
    W: Writer,
    B: Buffer,
    A: Encode,
    T: Decode,
{
    send_args(channel, id, args)?;
    match receive::<R, W, B, T, ()>(channel, false)? {
        Ok(value) => Ok(value),
        // Not fallible: no answer decodes as the error.
        Err(()) => Err(IpcError::Deserialize),
    }
}

/// Client side of a method returning `Result<T, E>`.
pub fn call_fallible<R, W, B, A, T, E>(
    channel: &mut Channel<R, W, B>,
    id: u64,
    args: A,
) -> Result<Result<T, E>, IpcError>
where
    R: Reader,
    W: Writer,
    B: Buffer,
    A: Encode,
    T: Decode,
    E: Decode,
{
    send_args(channel, id, args)?;
    receive(channel, true)
}

/// Sends a request of `args`: encoded in place in the channel's buffer, or a
/// [`Payload`](crate::Payload) sent from its own.
fn send_args<R, W, B, A>(channel: &mut Channel<R, W, B>, id: u64, args: A) -> Result<(), IpcError>
where
    R: Reader,
    W: Writer,
    B: Buffer,
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
    channel.send_in_place(id, |frame| frame.encode(&args))
}

/// Receives the answer: `T` for code 0, `E` for [`SERVICE_ERROR`] when `fallible`, decoded
/// where it arrived unless one of them keeps the payload's buffer ([`Decode::ZERO_COPY`]) and
/// the channel's is on the heap.
#[inline(always)]
fn receive<R, W, B, T, E>(
    channel: &mut Channel<R, W, B>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError>
where
    R: Reader,
    W: Writer,
    B: Buffer,
    T: Decode,
    E: Decode,
{
    // A fixed buffer keeps its bytes: a `Payload` answer is copied out of it.
    if (T::ZERO_COPY || (fallible && E::ZERO_COPY)) && B::GROWS {
        receive_owned(channel, fallible)
    } else {
        receive_borrowed(channel, fallible)
    }
}

/// [`receive`] when `T` or `E` keeps the payload's buffer (and the buffer is the heap's): left
/// to the compiler to inline or not, which does better there than forcing it.
fn receive_owned<R, W, B, T, E>(
    channel: &mut Channel<R, W, B>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError>
where
    R: Reader,
    W: Writer,
    B: Buffer,
    T: Decode,
    E: Decode,
{
    let resp = B::owned_response(channel)?;
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
fn receive_borrowed<R, W, B, T, E>(
    channel: &mut Channel<R, W, B>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError>
where
    R: Reader,
    W: Writer,
    B: Buffer,
    T: Decode,
    E: Decode,
{
    channel.receive_reply(|reply| decode_reply(reply, fallible))
}

/// A method's answer, decoded where it is: `T` for code 0, `E` for [`SERVICE_ERROR`] when
/// `fallible`, else the code as [`IpcError::ErrorCode`] (a call's or a batch item's).
#[inline(always)]
pub(crate) fn decode_reply<T: Decode, E: Decode>(
    reply: Reply<'_>,
    fallible: bool,
) -> Result<Result<T, E>, IpcError> {
    match reply.error_code() {
        0 => T::decode(reply.payload()).map(Ok),
        SERVICE_ERROR if fallible => E::decode(reply.payload()).map(Err),
        code => Err(IpcError::ErrorCode(code)),
    }
}
