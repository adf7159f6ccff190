//! The typed client without a heap: `BenchClient` (test_proto::typed) over a
//! `Channel::with_fixed_buffer`, in a script declared with `ckb_ipc::no_heap!()`, calling
//! typed-server (cell dep 1). Script args: `[calls: u32][a: u64][b: u64][expected: u64]`, all
//! little-endian: call `i` (from 0) is `add(a + i, b)`, which must answer `expected + i`
//! (wrapping). Exit codes: 0, or what [`run`] says.
#![no_std]
#![no_main]

use ckb_ipc::{Channel, IpcError, Source};
use test_proto::typed::BenchClient;

ckb_std::entry!(program_entry);
// Any allocation aborts the script: the typed calls below must need none.
ckb_ipc::no_heap!();

fn program_entry() -> i8 {
    match run() {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// 1: bad args; 2: the spawn failed; 3: a call failed (`IpcError`, printed); 4: a wrong sum.
fn run() -> Result<(), i8> {
    let mut script = [0u8; 256];
    let args = ckb_ipc::script_args(&mut script).map_err(|e| fail(e, 1))?;
    let (calls, a, b, expected) = parse(args).ok_or(1)?;
    check_sums(calls, a, b, expected)
}

// ANCHOR: typed-fixed-client
/// Room for the largest packet of `add` (two `u64` in, one out) and its header.
const BUFFER: usize = 64;

/// `calls` typed calls of `add` to the server at cell dep 1, over a stack buffer: no heap.
fn check_sums(calls: u32, a: u64, b: u64, expected: u64) -> Result<(), i8> {
    let (read, write) = ckb_ipc::spawn_server(1, Source::CellDep, &[]).map_err(|e| fail(e, 2))?;
    let mut bytes = [0u8; BUFFER];
    let mut bench = BenchClient::from(Channel::with_fixed_buffer(read, write, &mut bytes));
    for i in 0..u64::from(calls) {
        let sum = bench.add(a.wrapping_add(i), b).map_err(|e| fail(e, 3))?;
        if sum != expected.wrapping_add(i) {
            ckb_ipc::debug_line(format_args!("typed-fixed-client: add #{i} answered {sum}"));
            return Err(4);
        }
    }
    Ok(())
}
// ANCHOR_END: typed-fixed-client

fn parse(args: &[u8]) -> Option<(u32, u64, u64, u64)> {
    if args.len() != 28 {
        return None;
    }
    let u64_at = |at: usize| Some(u64::from_le_bytes(args.get(at..at + 8)?.try_into().ok()?));
    let calls = u32::from_le_bytes(args.get(..4)?.try_into().ok()?);
    Some((calls, u64_at(4)?, u64_at(12)?, u64_at(20)?))
}

/// `code`, after a debug line saying what `e` was (formatted on the stack).
fn fail(e: IpcError, code: i8) -> i8 {
    ckb_ipc::debug_line(format_args!("typed-fixed-client: {e}"));
    code
}
