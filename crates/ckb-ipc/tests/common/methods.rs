//! The reference methods of the in-place tests, served on both levels: the in-place handler and
//! the owned one answer every request with the same bytes. Shared by the integration tests
//! (`borrowed.rs`) and the `serve_fixed` fuzz target, which includes this file.
// Not every test binary that has `mod common` serves these.
#![allow(dead_code)]

use ckb_ipc::{Buffer, Frame, HeapBuffer, Payload, RequestPacket, ResponsePacket};

/// Answers the payload as it came.
pub const ECHO: u64 = 1;
/// Two `u64` LE in, their wrapping sum out; [`BAD_ARGS`] for any other payload.
pub const ADD: u64 = 2;
/// Answers [`GROWN`] bytes, more than it got, whatever it got.
pub const GROW: u64 = 3;
/// Answers the request's payload with error code 2^64-2: a header longer than the room in
/// front of the payload, sent apart.
pub const LONG_CODE: u64 = 4;
/// Answers error code 2^64-1 and no payload.
pub const LONG_CODE_EMPTY: u64 = 5;
/// The length of a [`GROW`] answer.
pub const GROWN: usize = 300;
/// The answer to an [`ADD`] of anything but 16 bytes.
pub const BAD_ARGS: u64 = 1001;
/// The answer to any other method.
pub const UNKNOWN: u64 = 1000;

/// The methods in place: the answer's code. A [`GROW`] the buffer has no room for is answered
/// with the refusal's wire code (28) and no payload.
pub fn in_place<B: Buffer>(method: u64, frame: &mut Frame<'_, B>) -> u64 {
    let code = match method {
        ECHO => return 0,
        ADD if frame.len() == 16 => {
            let p = frame.as_slice();
            let a = u64::from_le_bytes(p[..8].try_into().unwrap());
            let b = u64::from_le_bytes(p[8..].try_into().unwrap());
            frame.truncate(8);
            frame
                .as_mut_slice()
                .copy_from_slice(&a.wrapping_add(b).to_le_bytes());
            return 0;
        }
        ADD => BAD_ARGS,
        GROW => match frame.resize(GROWN, b'g') {
            Ok(()) => return 0,
            Err(e) => e.wire_code(),
        },
        LONG_CODE => return u64::MAX - 1,
        LONG_CODE_EMPTY => u64::MAX,
        _ => UNKNOWN,
    };
    frame.clear();
    code
}

/// The same methods in place on the heap through owned payloads, as a typed server serves a
/// `Payload` argument and result: each payload taken out of the frame, the owned level's
/// answer given back (an echo's the very payload taken).
pub fn swapping(method: u64, frame: &mut Frame<'_, HeapBuffer>) -> u64 {
    let taken = frame.take_payload();
    if method == ECHO {
        frame.put_payload(taken);
        return 0;
    }
    let answer = owned(RequestPacket::new(method, taken));
    let code = answer.error_code();
    frame.put_payload(answer.into_payload());
    code
}

/// The same methods on the owned level.
pub fn owned(req: RequestPacket) -> ResponsePacket {
    let mut payload = req.payload().to_vec();
    let code = match req.method_id() {
        ECHO => 0,
        ADD if payload.len() == 16 => {
            let a = u64::from_le_bytes(payload[..8].try_into().unwrap());
            let b = u64::from_le_bytes(payload[8..].try_into().unwrap());
            payload = a.wrapping_add(b).to_le_bytes().to_vec();
            0
        }
        GROW => {
            payload.resize(GROWN, b'g');
            0
        }
        LONG_CODE => u64::MAX - 1,
        method => {
            payload.clear();
            match method {
                ADD => BAD_ARGS,
                LONG_CODE_EMPTY => u64::MAX,
                _ => UNKNOWN,
            }
        }
    };
    ResponsePacket::new(code, Payload::from_slice(&payload))
}
