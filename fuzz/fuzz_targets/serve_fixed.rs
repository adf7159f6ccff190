//! The in-place server level over arbitrary client bytes: `Channel::execute_in_place` on a
//! `FixedBuffer` of 64..=4096 bytes, answering in place (echo, add, an answer that grows, and
//! error codes too long for the room in front of the payload), against an owned server with the
//! same limit (`Channel::new(..).with_max_payload(size - 29)` + `execute`) and the same methods.
//! Never a panic, never an allocation during the fixed run, and the same bytes written back and
//! the same end, up to the first answer the fixed buffer had no room for (the owned server has
//! a heap: only it can answer a grown payload whatever sits in the buffer).
#![no_main]

use std::cell::{Cell, RefCell};

use ckb_ipc::RX_PAD;
use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::MAX_HEADER_LEN;
use ckb_ipc::{Channel, IpcError};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

// The reference methods and the allocation tracker of the integration tests, shared.
#[path = "../../crates/ckb-ipc/tests/common/methods.rs"]
mod methods;
#[path = "../../crates/ckb-ipc/tests/common/tracking.rs"]
mod tracking;

use methods::{in_place, owned, GROW};
use tracking::{largest_allocation_during, Tracking};

#[global_allocator]
static ALLOC: Tracking = Tracking;

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

fuzz_target!(|data: &[u8]| {
    let (sizes, choice, stream) = common::split(data);
    let size = 64 + (choice as usize) % (4096 - 64 + 1);

    // Room for every answer up front, so the writer does not allocate during the count: each
    // request of 3 bytes or more is answered with at most its payload or `methods::GROWN` bytes, and a
    // header of at most MAX_HEADER_LEN.
    let out = RefCell::new(Vec::with_capacity(stream.len() * 110 + 64));
    let mut bytes = vec![0u8; size];
    let no_room_at = Cell::new(None);
    let (result, largest) = largest_allocation_during(|| {
        let mut ch = Channel::with_fixed_buffer(
            ChunkedReader::new(stream, &sizes),
            Shared(&out),
            &mut bytes,
        );
        ch.execute_in_place(|method, frame| {
            let code = in_place(method, frame);
            // A GROW answered with anything but 0 found no room.
            if method == GROW && code != 0 && no_room_at.get().is_none() {
                no_room_at.set(Some(out.borrow().len()));
            }
            code
        })
    });
    assert_eq!(largest, 0, "the fixed run allocated");
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
