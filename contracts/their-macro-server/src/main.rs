//! The `Bench` service served by ckb-script-ipc's generated server, as its users write one.
#![no_std]
#![no_main]

use alloc::vec::Vec;
use demo_proto::script_ipc::Bench;

ckb_std::entry!(program_entry);
// Room for JSON: a 64 KiB byte array is about 250 KB of text.
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 2 * 1024 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

struct Service;

impl Bench for Service {
    fn add(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    fn echo(&mut self, data: Vec<u8>) -> Vec<u8> {
        data
    }
}

fn program_entry() -> i8 {
    match ckb_script_ipc_common::spawn::run_server(Service.server()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

// ckb-std's allocator; built with the `heap-stats` feature (`make build-heap-stats`, for
// `make bench`'s heap table), the same allocator counting its bytes (demo_proto::heap_stats).
// Down here so that the feature moves no line above: panic locations, so the binaries, stay
// as they are without it.
#[cfg(not(feature = "heap-stats"))]
ckb_std::default_alloc!(FIXED_HEAP, HEAP, 64);
#[cfg(feature = "heap-stats")]
demo_proto::heap_stats_alloc!(FIXED_HEAP, HEAP, 64);
