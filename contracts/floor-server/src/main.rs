//! The cycle floor, server side: hand-written framing (`u32` LE length, then bytes) straight
//! over the pipe syscalls, no library but `ckb_ipc::le` (an integer in one load or store, as
//! the library's scripts read theirs: the floor stays a floor). argv[0] picks the operation:
//! "add" or "echo".
#![no_std]
#![no_main]

use ckb_ipc::le;
use ckb_std::error::SysError;
use ckb_std::{env, syscalls};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

const MAX: usize = 512 * 1024 + 4;

fn program_entry() -> i8 {
    let is_add = env::argv().first().is_some_and(|a| a.to_bytes() == b"add");
    let mut fds = [0u64; 2];
    if syscalls::inherited_fds(&mut fds) < 2 {
        return 1;
    }
    let [rfd, wfd] = fds;
    // A static buffer: CKB-VM memory starts zeroed, so this costs nothing at startup (a heap
    // vec![0; MAX] would be zeroed by hand, 400k cycles, and skew the spawn measurement).
    static mut BUF: [u8; MAX] = [0; MAX];
    // SAFETY: the only reference to BUF, in a single-threaded program.
    let buf: &mut [u8; MAX] = unsafe { &mut *core::ptr::addr_of_mut!(BUF) };
    loop {
        // One read brings a whole message written in one write.
        let mut got = match syscalls::read(rfd, buf) {
            Ok(0) | Err(SysError::OtherEndClosed) => return 0,
            Ok(n) => n,
            Err(_) => return 2,
        };
        if got < 4 {
            return 3;
        }
        let len = le::u32_at(buf, 0).unwrap_or_default() as usize;
        if len + 4 > MAX {
            return 4;
        }
        while got < len + 4 {
            match syscalls::read(rfd, &mut buf[got..len + 4]) {
                Ok(n) if n > 0 => got += n,
                _ => return 5,
            }
        }
        let out_len = if is_add {
            let a = le::u64_at(buf, 4).unwrap_or_default();
            let b = le::u64_at(buf, 12).unwrap_or_default();
            let _ = le::put_u64_at(buf, 4, a.wrapping_add(b)).and(le::put_u32_at(buf, 0, 8));
            12
        } else {
            len + 4
        };
        if syscalls::write(wfd, &buf[..out_len]) != Ok(out_len) {
            return 6;
        }
    }
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
