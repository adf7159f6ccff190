//! The in-place level, server side: echo and add of `test_proto::method`, with no heap:
//! each answer written in place over its request in a static buffer. No allocator: the script
//! has no heap, and nothing in it could allocate.
#![no_std]
#![no_main]

use ckb_ipc::{le, FixedBuffer, Frame};
use test_proto::{error, method};

ckb_std::entry!(program_entry);
// No heap (ckb_ipc::no_heap!) at the end of this file.

// ANCHOR: inplace-server
/// The largest request, with room for its header (bss: costs no deployed byte).
const BUFFER: usize = test_proto::MAX_PAYLOAD as usize + 64;

fn program_entry() -> i8 {
    let Some(bytes) = ckb_ipc::static_buffer!(BUFFER) else {
        return 1;
    };
    match ckb_ipc::run_server_in_place(bytes, serve) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Turns the request in `frame` into its answer; returns the error code.
fn serve(method: u64, frame: &mut Frame<'_, FixedBuffer<'_>>) -> u64 {
    let code = match method {
        method::ECHO => return 0,
        method::ADD => match parse_add(frame.as_slice()).map(|(a, b)| a.checked_add(b)) {
            Some(Some(sum)) => {
                frame.truncate(8);
                match le::put_u64_at(frame.as_mut_slice(), 0, sum) {
                    Some(()) => return 0,
                    None => error::BAD_ARGS,
                }
            }
            Some(None) => error::OVERFLOW,
            None => error::BAD_ARGS,
        },
        _ => error::UNKNOWN_METHOD,
    };
    // An error answer carries no payload.
    frame.clear();
    code
}

/// The two little-endian `u64`s of an add's 16 bytes ([`le`]: one load each on CKB-VM).
fn parse_add(payload: &[u8]) -> Option<(u64, u64)> {
    if payload.len() != 16 {
        return None;
    }
    Some((le::u64_at(payload, 0)?, le::u64_at(payload, 8)?))
}
// ANCHOR_END: inplace-server

// No heap (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at the end of
// the file so that the feature moves no line above it).
bench_alloc::allocator!(no_heap);
