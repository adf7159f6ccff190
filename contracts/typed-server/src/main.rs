//! The typed `Bench` service (test_proto::typed), served with `#[ckb_ipc::service]`'s server.
#![no_std]
#![no_main]

use ckb_ipc::{Payload, ServerOptions};
use test_proto::typed::{Bench, BenchServer};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

struct Service;

impl Bench for Service {
    fn add(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    fn echo(&mut self, data: Payload) -> Payload {
        data
    }
}

fn program_entry() -> i8 {
    let options = ServerOptions::new().max_payload(test_proto::MAX_PAYLOAD);
    // `make bench` builds it discoverable too (feature `discovery`), to measure what that costs.
    #[cfg(not(feature = "discovery"))]
    let served = ckb_ipc::run_server_with(options, BenchServer(Service));
    #[cfg(feature = "discovery")]
    let served = ckb_ipc::run_server_with(
        options,
        ckb_ipc::service::Discoverable::new(ckb_ipc::description!(), BenchServer(Service)),
    );
    match served {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
