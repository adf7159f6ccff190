//! Calls the typed `Bench` service through the generated `BenchClient`, with the BENCH script
//! args of owned-client (`[op, calls: u32 LE, size: u32 LE]` after the common header).
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_ipc::{Payload, Source};
use ckb_std::ckb_types::prelude::*;
use test_proto::{op, over, scenario, typed::BenchClient};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let Ok(script) = ckb_std::high_level::load_script() else {
        return 1;
    };
    let args: Vec<u8> = script.args().unpack();
    if args.first() == Some(&scenario::OVER_LIMIT) {
        let mode = args.get(scenario::ARGS_HEADER_LEN).copied();
        return match over_limit(mode) {
            Ok(()) => 0,
            Err(code) => code,
        };
    }
    let Some((op, calls, size)) = test_proto::bench_params(&args) else {
        return 2;
    };
    if op == op::NOOP {
        return 0;
    }
    let Ok((read, write)) = ckb_ipc::spawn_server(1, Source::CellDep, &[]) else {
        return 3;
    };
    let mut bench = BenchClient::from(
        ckb_ipc::Channel::new(read, write).with_max_payload(test_proto::MAX_PAYLOAD),
    );
    let mut data = Payload::from_slice(&alloc::vec![0x5au8; size]);
    for i in 0..u64::from(calls) {
        let ok = match op {
            op::ADD => bench.add(i, 1) == Ok(i + 1),
            _ => match bench.echo(core::mem::take(&mut data)) {
                // The answer goes out again as the next request, as a relay would.
                Ok(back) => {
                    data = back;
                    data.len() == size
                }
                Err(_) => false,
            },
        };
        if !ok {
            return 4;
        }
    }
    0
}

/// A typed echo over the server's limit (its molecule `bytes` one byte over), or an answer over
/// this client's limit, then an add on the same client; prints
/// `over-limit: <outcome>; then add = <sum>`.
fn over_limit(mode: Option<u8>) -> Result<(), i8> {
    let (read, write) = ckb_ipc::spawn_server(1, Source::CellDep, &[]).map_err(|_| 20)?;
    let max = test_proto::MAX_PAYLOAD;
    // A molecule `bytes` is its 4-byte length, then the bytes.
    let (limit, len) = match mode {
        Some(over::REQUEST_ONE) => (max, max - 4 + 1),
        Some(over::RESPONSE_ONE) => (over::RESPONSE_LIMIT, over::RESPONSE_LIMIT - 4 + 1),
        Some(over::RESPONSE_TWICE) => (over::RESPONSE_LIMIT, 2 * over::RESPONSE_LIMIT - 4),
        _ => return Err(21),
    };
    let mut bench = BenchClient::from(ckb_ipc::Channel::new(read, write).with_max_payload(limit));
    let mut data = Payload::with_capacity(len as usize);
    for _ in 0..len {
        data.push(0x5a);
    }
    let outcome = match bench.echo(data) {
        Ok(back) => alloc::format!("{} bytes back", back.len()),
        Err(e) => alloc::format!("{e:?}"),
    };
    let sum = bench.add(40, 2).map_err(|_| 22)?;
    ckb_std::syscalls::debug(alloc::format!("over-limit: {outcome}; then add = {sum}"));
    Ok(())
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
