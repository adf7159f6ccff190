//! The `Bench` service served by ckb-script-ipc's generated server, as its users write one.
#![no_std]
#![no_main]

use alloc::vec::Vec;
use test_proto::script_ipc::Bench;

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

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
