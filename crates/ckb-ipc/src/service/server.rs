//! The server side of the code `#[service]` generates: a request's arguments decoded, a
//! method's value written over them as the answer.

use super::{Decode, Encode, SERVICE_ERROR, UNKNOWN_METHOD};
use crate::buffer::{Frame, HeapBuffer};
use crate::error::ProtocolErrorCode;
use crate::packet::{Payload, RequestPacket, ResponsePacket};

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
    match frame.encode(&value) {
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

/// Server side: one method's arm of the dispatch, out of line, so that an arm saves only the
/// registers it needs, not the ten of the largest (measured, an item of a typed batch of adds:
/// ~15 cycles less by itself, ~45 with the answer's common path calling nothing,
/// `Frame::encode`; a single typed add ~50 less).
#[inline(never)]
pub fn serve_method<F>(frame: &mut Frame<'_, HeapBuffer>, serve: F) -> u64
where
    F: FnOnce(&mut Frame<'_, HeapBuffer>) -> u64,
{
    serve(frame)
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
