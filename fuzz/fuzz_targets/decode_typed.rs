//! Typed decoding (`ckb_ipc::service::Decode`) of arbitrary bytes, what a server does with a
//! request's payload and a client with an answer: derived unions (every kind of variant, ids
//! set by hand, a union in a union, in vectors and in a table) and the vector and tuple types
//! beside them. The first byte picks the type, the rest are the bytes. Never a panic; an error
//! is `Deserialize`; a value decoded encodes back to exactly the bytes (one encoding per value);
//! no allocation larger than a few times the input.
#![no_main]

use ckb_ipc::service::{Decode, Encode};
use libfuzzer_sys::fuzz_target;

// The unions of the property tests and the allocation tracker of the integration tests, shared.
#[path = "../../crates/ckb-ipc/tests/common/tracking.rs"]
mod tracking;
#[path = "../../crates/ckb-ipc/tests/common/unions.rs"]
mod unions;

use tracking::Tracking;
use unions::{check_decode, Action, Inner, Plan};

#[global_allocator]
static ALLOC: Tracking = Tracking;

fn check<T: Encode + Decode + std::fmt::Debug>(bytes: &[u8]) {
    if let Err(e) = check_decode::<T>(bytes) {
        panic!("{e}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    match choice % 7 {
        0 => check::<Action>(bytes),
        1 => check::<Vec<Action>>(bytes),
        2 => check::<Plan>(bytes),
        3 => check::<(Inner, Option<Action>, u8)>(bytes),
        4 => check::<Vec<Option<u32>>>(bytes),
        5 => check::<Vec<(u8, String)>>(bytes),
        _ => check::<(u64, Vec<Vec<u8>>, Option<[u8; 4]>)>(bytes),
    }
});
