//! A client written with ckb-script-ipc-common 1.1.0 calling the ckb-ipc `json-server` at cell
//! dep 1: echo (small and 8 KiB), add, and an error code. With BENCH script args it makes
//! `calls` calls of one kind instead, for `make bench`.
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_script_ipc_common::channel::Channel;
use ckb_script_ipc_common::error::{IpcError, ProtocolErrorCode};
use ckb_std::ckb_constants::Source;
use ckb_std::ckb_types::prelude::*;
use test_proto::json::{Req, Resp};

ckb_std::entry!(program_entry);
// Room for JSON: a 64 KiB byte array is about 250 KB of text.
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 2 * 1024 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let Ok(script) = ckb_std::high_level::load_script() else {
        return 1;
    };
    let args: Vec<u8> = script.args().unpack();
    match args.first() {
        Some(&test_proto::scenario::BENCH) => bench(&args),
        _ => compat(),
    }
}

/// `[BENCH, index, code hash, hash type, op, calls: u32 LE, size: u32 LE]`, as owned-client's.
fn bench(args: &[u8]) -> i8 {
    let Some((op, calls, size)) = test_proto::bench_params(args) else {
        return 20;
    };
    if op == test_proto::op::NOOP {
        return 0;
    }
    let Ok((read, write)) = ckb_script_ipc_common::spawn::spawn_server(1, Source::CellDep, &[])
    else {
        return 21;
    };
    let mut channel = Channel::new(read, write);
    let data = alloc::vec![0x5au8; size];
    for i in 0..u64::from(calls) {
        let ok = match op {
            test_proto::op::ADD => {
                matches!(channel.call::<Req, Resp>("add", Req::Add(i, 1)), Ok(Resp::Add(s)) if s == i + 1)
            }
            _ => {
                matches!(channel.call::<Req, Resp>("echo", Req::Echo(data.clone())), Ok(Resp::Echo(b)) if b.len() == size)
            }
        };
        if !ok {
            return 22;
        }
    }
    0
}

fn compat() -> i8 {
    let Ok((read, write)) = ckb_script_ipc_common::spawn::spawn_server(1, Source::CellDep, &[])
    else {
        return 1;
    };
    let mut channel = Channel::new(read, write);
    let small = b"hello from ckb-script-ipc".to_vec();
    match channel.call::<Req, Resp>("echo", Req::Echo(small.clone())) {
        Ok(Resp::Echo(back)) if back == small => {}
        _ => return 2,
    }
    let large: Vec<u8> = (0..8192u32).map(|i| (i % 251) as u8).collect();
    match channel.call::<Req, Resp>("echo", Req::Echo(large.clone())) {
        Ok(Resp::Echo(back)) if back == large => {}
        _ => return 3,
    }
    match channel.call::<Req, Resp>("add", Req::Add(40, 2)) {
        Ok(Resp::Add(42)) => {}
        _ => return 4,
    }
    match channel.call::<Req, Resp>("fail", Req::Fail(27)) {
        Err(IpcError::ProtocolError(ProtocolErrorCode::DeserializeError)) => {}
        _ => return 5,
    }
    // Our server goes on serving after an error answer.
    match channel.call::<Req, Resp>("add", Req::Add(1, 2)) {
        Ok(Resp::Add(3)) => 0,
        _ => 6,
    }
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
