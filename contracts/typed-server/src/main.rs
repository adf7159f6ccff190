//! The typed `Bench` service (demo_proto::typed), served with `#[ckb_ipc::service]`'s server.
#![no_std]
#![no_main]

use ckb_ipc::{Payload, ServerOptions};
use demo_proto::typed::{Bench, BenchServer};

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
    let options = ServerOptions::new().max_payload(demo_proto::MAX_PAYLOAD);
    let served = ckb_ipc::run_server_with(options, BenchServer(Service));
    match served {
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
