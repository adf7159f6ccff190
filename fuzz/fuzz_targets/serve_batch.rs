//! Batches over arbitrary items: the fuzzer's bytes are the payload of one batch
//! (`wire::BATCH_METHOD`), served by `Channel::execute` (owned), by `execute_in_place` on the heap
//! and over a fixed buffer with room for every answer. The levels must write the same bytes,
//! the fixed run allocate nothing, and the answer be the one the same requests get one by one
//! (or the batch refused whole with the code of its first bad item): the oracle of
//! `crates/ckb-ipc/tests/common/batches.rs`, shared with the property tests.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

#[path = "../../crates/ckb-ipc/tests/common/batches.rs"]
mod batches;
#[path = "../../crates/ckb-ipc/tests/common/methods.rs"]
mod methods;
#[path = "../../crates/ckb-ipc/tests/common/tracking.rs"]
mod tracking;

#[global_allocator]
static ALLOC: tracking::Tracking = tracking::Tracking;

fuzz_target!(|data: &[u8]| {
    let (sizes, _, items) = common::split(data);
    batches::check_batch_on_every_level(items, &sizes);
});
