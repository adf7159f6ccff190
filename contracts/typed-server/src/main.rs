//! The typed `Bench` service (demo_proto::typed), served with `#[ckb_ipc::service]`'s server.
#![no_std]
#![no_main]

use ckb_ipc::Payload;
use demo_proto::typed::{Bench, BenchServer};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
ckb_std::default_alloc!(FIXED_HEAP, HEAP, 64);

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
    let served = ckb_ipc::spawn::inherited_channel()
        .map(|ch| ch.with_max_payload(demo_proto::MAX_PAYLOAD))
        .and_then(|mut ch| ch.execute(&mut BenchServer(Service)));
    match served {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
