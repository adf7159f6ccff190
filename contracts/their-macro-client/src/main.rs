//! Calls the `Bench` service through ckb-script-ipc's generated client, with the BENCH script
//! args of owned-client (`[op, calls: u32 LE, size: u32 LE]` after the common header).
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_std::ckb_constants::Source;
use ckb_std::ckb_types::prelude::*;
use test_proto::{op, script_ipc::BenchClient};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 2 * 1024 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let Ok(script) = ckb_std::high_level::load_script() else {
        return 1;
    };
    let args: Vec<u8> = script.args().unpack();
    let Some((op, calls, size)) = test_proto::bench_params(&args) else {
        return 2;
    };
    if op == op::NOOP {
        return 0;
    }
    // ckb-script-ipc-common's own spawn_server passes its inherited fds without the 0 the
    // syscall needs; in this binary the word after them is not 0 and the spawn fails (exit 3
    // here before this workaround). Spawn with ckb-ipc and hand the fds to their pipes: what
    // is measured is their IPC.
    let Ok((read, write)) = ckb_ipc::spawn_server(1, Source::CellDep, &[]) else {
        return 3;
    };
    let read = ckb_script_ipc_common::pipe::Pipe::from(read.into_fd());
    let write = ckb_script_ipc_common::pipe::Pipe::from(write.into_fd());
    let mut bench = BenchClient::new(read, write);
    let data = alloc::vec![0x5au8; size];
    for i in 0..u64::from(calls) {
        // Their client panics on transport errors: a broken call fails the script either way.
        let ok = match op {
            op::ADD => bench.add(i, 1) == i + 1,
            _ => bench.echo(data.clone()).len() == size,
        };
        if !ok {
            return 4;
        }
    }
    0
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
