//! The cycle floor, client side: spawns `floor-server` by cell-dep index and makes `calls`
//! round trips with raw syscalls (integers with `ckb_ipc::le`, as `floor-server`). Script args
//! as owned-client's BENCH scenario:
//! `[scenario, index, code hash (32), hash type, op, calls: u32 LE, size: u32 LE]`.
#![no_std]
#![no_main]

use alloc::vec;
use alloc::vec::Vec;
use ckb_ipc::le;
use ckb_std::ckb_constants::Source;
use ckb_std::ckb_types::prelude::*;
use ckb_std::{high_level, syscalls};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let Ok(script) = high_level::load_script() else {
        return 1;
    };
    let args: Vec<u8> = script.args().unpack();
    if args.len() < 35 + 9 {
        return 2;
    }
    let index = args[1] as usize;
    if args[35] == 0xff {
        return 0; // the baseline: everything but the spawn
    }
    let is_add = args[35] == 0;
    let calls = u32::from_le_bytes(args[36..40].try_into().unwrap_or_default());
    let size = u32::from_le_bytes(args[40..44].try_into().unwrap_or_default()) as usize;

    let (Ok((r1, w1)), Ok((r2, w2))) = (syscalls::pipe(), syscalls::pipe()) else {
        return 3;
    };
    let argv = [if is_add { c"add" } else { c"echo" }.as_ptr().cast::<i8>()];
    let fds = [r2, w1, 0];
    let mut pid = 0u64;
    let mut spawn_args = syscalls::SpawnArgs {
        argc: 1,
        argv: argv.as_ptr(),
        process_id: &mut pid,
        inherited_fds: fds.as_ptr(),
    };
    if syscalls::spawn(index, Source::CellDep, 0, 0, &mut spawn_args).is_err() {
        return 4;
    }

    let msg_len = if is_add { 16 } else { size };
    let mut req = vec![0u8; msg_len + 4];
    req[..4].copy_from_slice(&(msg_len as u32).to_le_bytes());
    let mut resp = vec![0u8; size.max(8) + 4];
    for i in 0..calls as u64 {
        if is_add {
            let _ = le::put_u64_at(&mut req, 4, i).and(le::put_u64_at(&mut req, 12, 1));
        }
        if syscalls::write(w2, &req) != Ok(req.len()) {
            return 5;
        }
        let mut got = match syscalls::read(r1, &mut resp) {
            Ok(n) => n,
            Err(_) => return 6,
        };
        let want = if is_add { 12 } else { size + 4 };
        while got < want {
            match syscalls::read(r1, &mut resp[got..want]) {
                Ok(n) if n > 0 => got += n,
                _ => return 7,
            }
        }
        if is_add && le::u64_at(&resp, 4) != Some(i + 1) {
            return 8;
        }
    }
    let _ = (syscalls::close(w2), syscalls::close(r1));
    0
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
