//! The borrowed server level over arbitrary client bytes: `Channel::execute_in_place` on a
//! `FixedBuffer` of 64..=4096 bytes, answering in place (echo, add, an answer that grows, and
//! error codes too long for the room in front of the payload), against an owned server with the
//! same limit (`Channel::new(..).with_max_payload(size - 29)` + `execute`) and the same methods.
//! Never a panic, never an allocation during the fixed run, and the same bytes written back and
//! the same end, up to the first answer the fixed buffer had no room for (the owned server has
//! a heap: only it can answer a grown payload whatever sits in the buffer).
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ckb_ipc::{Buffer, Frame};
use ckb_ipc::RX_PAD;
use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::MAX_HEADER_LEN;
use ckb_ipc::{Channel, IpcError, Payload, RequestPacket, ResponsePacket};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// Counts the allocations made while `COUNTING` is set.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes to the system allocator as it is.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const ECHO: u64 = 1;
const ADD: u64 = 2;
/// Answers `GROWN` bytes, whatever it got.
const GROW: u64 = 3;
/// Answers the payload with code 2^64-2: a header longer than the room in front of it.
const LONG_CODE: u64 = 4;
/// Answers code 2^64-1 and no payload.
const LONG_CODE_EMPTY: u64 = 5;
const GROWN: usize = 300;
const BAD_ARGS: u64 = 1001;
const UNKNOWN: u64 = 1000;

/// The writer of the fixed run, shared with its handler, which notes how much had been
/// written when it found no room.
struct Shared<'a>(&'a RefCell<Vec<u8>>);

impl ckb_ipc::io::ErrorType for Shared<'_> {
    type Error = core::convert::Infallible;
}

impl ckb_ipc::io::Write for Shared<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// The methods in place: the answer's code, and `false` when it did not fit (then answered
/// with its wire code, 28, and no payload).
fn in_place<B: Buffer>(method: u64, frame: &mut Frame<'_, B>) -> (u64, bool) {
    let code = match method {
        ECHO => return (0, true),
        ADD if frame.len() == 16 => {
            let p = frame.as_slice();
            let a = u64::from_le_bytes(p[..8].try_into().unwrap());
            let b = u64::from_le_bytes(p[8..].try_into().unwrap());
            frame.truncate(8);
            frame
                .as_mut_slice()
                .copy_from_slice(&a.wrapping_add(b).to_le_bytes());
            return (0, true);
        }
        ADD => BAD_ARGS,
        GROW => match frame.resize(GROWN, b'g') {
            Ok(()) => return (0, true),
            Err(e) => {
                frame.clear();
                return (e.wire_code(), false);
            }
        },
        LONG_CODE => return (u64::MAX - 1, true),
        LONG_CODE_EMPTY => u64::MAX,
        _ => UNKNOWN,
    };
    frame.clear();
    (code, true)
}

/// The same methods on the owned level.
fn owned(req: RequestPacket) -> ResponsePacket {
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

fuzz_target!(|data: &[u8]| {
    let (sizes, choice, stream) = common::split(data);
    let size = 64 + (choice as usize) % (4096 - 64 + 1);

    // Room for every answer up front, so the writer does not allocate during the count: each
    // request of 3 bytes or more is answered with at most its payload or GROWN bytes, and a
    // header of at most MAX_HEADER_LEN.
    let out = RefCell::new(Vec::with_capacity(stream.len() * 110 + 64));
    let mut bytes = vec![0u8; size];
    let no_room_at = Cell::new(None);
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let result = {
        let mut ch = Channel::with_fixed_buffer(
            ChunkedReader::new(stream, &sizes),
            Shared(&out),
            &mut bytes,
        );
        ch.execute_in_place(|method, frame| {
            let (code, fitted) = in_place(method, frame);
            if !fitted && no_room_at.get().is_none() {
                no_room_at.set(Some(out.borrow().len()));
            }
            code
        })
    };
    COUNTING.store(false, Ordering::Relaxed);
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0, "the fixed run allocated");
    let out = out.into_inner();

    let max = (size - RX_PAD - MAX_HEADER_LEN) as u64;
    let mut server = Channel::new(ChunkedReader::new(stream, &sizes), VecWriter::default())
        .with_max_payload(max);
    let owned_result = server.execute(&mut owned);
    let expected = server.into_inner().1.bytes;

    match no_room_at.get() {
        None => {
            assert_eq!(out, expected, "buffer {size}");
            assert_eq!(result, owned_result, "buffer {size}");
        }
        Some(at) => {
            // The same up to the answer that did not fit, which is 28.
            assert_eq!(out[..at], expected[..at.min(expected.len())], "buffer {size}");
            assert_eq!(out[at..at + 3], [0, 28, 0], "buffer {size}");
        }
    }
    if let Err(e) = result {
        assert_ne!(e, IpcError::Eof);
    }
});
