//! The in-place server level over arbitrary client bytes: `Channel::execute_in_place` on a
//! `FixedBuffer` of 64..=4096 bytes, answering in place (echo, add, an answer that grows, and
//! error codes too long for the room in front of the payload), against an owned server with the
//! same limit (`Channel::new(..).with_max_payload(size - 29)` + `execute`) and the same methods.
//! Never a panic, never an allocation during the fixed run, and the same answers and the same
//! end, up to the first answer the fixed buffer had no room for (the owned server has a heap:
//! only it can answer a grown payload whatever sits in the buffer): a growing call refused
//! (28) while it was being served, or a batch's items refused alone (28) where their answers
//! outgrew the buffer, the others answered as the owned server answers them.
#![no_main]

use std::cell::RefCell;

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::{decode_header, split_packet, BATCH_METHOD, MAX_HEADER_LEN};
use ckb_ipc::RX_PAD;
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

/// The refusal of a request the buffer had no room for: `IpcError::TooLong`'s wire code.
const NO_ROOM: [u8; 3] = [0, 28, 0];

/// The complete packets laid end to end in `bytes` (a server's answers), each whole.
fn packets(mut bytes: &[u8]) -> Vec<&[u8]> {
    let mut all = Vec::new();
    while let Ok((_, _, rest)) = split_packet(bytes, u64::MAX) {
        all.push(&bytes[..bytes.len() - rest.len()]);
        bytes = rest;
    }
    all
}

/// The requests of `stream` as a server reads them, in order: each method id and the payload
/// bytes present (a server answers each request once, so the n-th answer is the n-th's).
fn requests(mut stream: &[u8]) -> Vec<(u64, &[u8])> {
    let mut all = Vec::new();
    while let Ok(Some((header, n))) = decode_header(stream, u64::MAX) {
        let rest = &stream[n..];
        let len = rest
            .len()
            .min(usize::try_from(header.payload_len).unwrap_or(usize::MAX));
        all.push((header.code, &rest[..len]));
        stream = &rest[len..];
    }
    all
}

fuzz_target!(|data: &[u8]| {
    let (sizes, choice, stream) = common::split(data);
    let size = 64 + (choice as usize) % (4096 - 64 + 1);

    // Room for every answer up front, so the writer does not allocate during the count: each
    // request of 3 bytes or more is answered with at most its payload or `methods::GROWN` bytes, and a
    // header of at most MAX_HEADER_LEN.
    let out = RefCell::new(Vec::with_capacity(stream.len() * 110 + 64));
    // Where in the answers a GROW found no room (its handler answered other than 0): an answer
    // that starts there is to the request it served. Room for a note a handler call (a call a
    // request or item, of 3 bytes or more), so none allocates during the fixed run.
    let grow_refused = RefCell::new(Vec::with_capacity(stream.len() / 3 + 1));
    let mut bytes = vec![0u8; size];
    let (result, largest) = largest_allocation_during(|| {
        let mut ch = Channel::with_fixed_buffer(
            ChunkedReader::new(stream, &sizes),
            Shared(&out),
            &mut bytes,
        );
        ch.execute_in_place(|method, frame| {
            let code = in_place(method, frame);
            let mut refused = grow_refused.borrow_mut();
            if method == GROW && code != 0 && refused.len() < refused.capacity() {
                refused.push(out.borrow().len());
            }
            code
        })
    });
    assert_eq!(largest, 0, "the fixed run allocated");
    let out = out.into_inner();
    let grow_refused = grow_refused.into_inner();

    let max = (size - RX_PAD - MAX_HEADER_LEN) as u64;
    let mut server = Channel::new(ChunkedReader::new(stream, &sizes), VecWriter::default())
        .with_max_payload(max);
    let owned_result = server.execute(&mut owned);
    let expected = server.into_inner().1.bytes;

    let (fixed, owned_answers) = (packets(&out), packets(&expected));
    assert_eq!(
        fixed.concat(),
        out,
        "buffer {size}: the answers are whole packets"
    );
    let sent = requests(stream);
    let mut at = 0;
    let mut refused_items = false;
    for (n, (&answer, &expected)) in fixed.iter().zip(&owned_answers).enumerate() {
        at += answer.len();
        if answer == expected {
            continue;
        }
        let (method, payload) = sent[n];
        if answer == NO_ROOM {
            // A growing call the buffer had no room for, refused while it was being served;
            // the rest is not compared.
            assert!(
                grow_refused.contains(&(at - answer.len())),
                "buffer {size}: answer {n} refused, never served"
            );
            assert_eq!(method, GROW, "buffer {size}: answer {n}");
            return;
        }
        // A batch: each item answered as the owned server answers it, or refused alone for
        // room (28).
        assert_eq!(method, BATCH_METHOD, "buffer {size}: answer {n}");
        let (items, fixed_items, owned_items) = (
            requests(payload).len(),
            packets(payload_of(answer)),
            packets(payload_of(expected)),
        );
        assert_eq!(fixed_items.len(), items, "buffer {size}: answer {n}");
        assert_eq!(owned_items.len(), items, "buffer {size}: answer {n}");
        for (i, (f, o)) in fixed_items.iter().zip(&owned_items).enumerate() {
            assert!(
                f == o || *f == NO_ROOM,
                "buffer {size}: answer {n}, item {i}"
            );
        }
        refused_items = true;
    }
    if refused_items {
        // As many answers, the same end.
        assert_eq!(fixed.len(), owned_answers.len(), "buffer {size}");
        assert_eq!(result, owned_result, "buffer {size}");
        return;
    }
    assert_eq!(out, expected, "buffer {size}");
    assert_eq!(result, owned_result, "buffer {size}");
    if let Err(e) = result {
        assert_ne!(e, IpcError::Eof);
    }
});

/// The payload of the packet `packet`.
fn payload_of(packet: &[u8]) -> &[u8] {
    split_packet(packet, u64::MAX).map_or(&[], |(_, payload, _)| payload)
}
