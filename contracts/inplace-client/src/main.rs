//! The in-place level, client side: the BENCH scenario (`test_proto::scenario`), each
//! request built in place in a static buffer and each answer read where it
//! arrived. No allocator: the script args are read into a stack buffer too.
#![no_std]
#![no_main]

use ckb_ipc::le;
use ckb_ipc::Channel;
use ckb_ipc::IpcError;
use ckb_std::ckb_constants::Source;
use test_proto::{method, op, scenario};

ckb_std::entry!(program_entry);
// No heap (ckb_ipc::no_heap!) at the end of this file.

/// The largest answer, with room for its header (bss: costs no deployed byte).
const BUFFER: usize = test_proto::MAX_PAYLOAD as usize + 64;

fn program_entry() -> i8 {
    match run() {
        Ok(()) => 0,
        Err(code) => code,
    }
}

fn run() -> Result<(), i8> {
    let mut script = [0u8; 512];
    let args = ckb_ipc::script_args(&mut script).map_err(fail)?;
    if args.first() != Some(&scenario::BENCH) {
        return Err(3);
    }
    let index = usize::from(*args.get(1).ok_or(1)?);
    let (op, calls, size) = test_proto::bench_params(args).ok_or(4)?;
    if op == op::NOOP {
        return Ok(()); // the baseline: everything but the spawn
    }
    let bytes = ckb_ipc::static_buffer!(BUFFER).ok_or(4)?;
    let (read, write) = ckb_ipc::spawn_server(index, Source::CellDep, &[]).map_err(fail)?;
    let mut ch = Channel::with_fixed_buffer(read, write, bytes);
    match op {
        op::ADD => {
            for i in 0..u64::from(calls) {
                let sum = ch
                    .call_in_place(
                        method::ADD,
                        |out| {
                            out.extend_from_slice(&i.to_le_bytes())?;
                            out.extend_from_slice(&1u64.to_le_bytes())
                        },
                        |reply| {
                            let sum = reply.into_result()?;
                            Ok(sum.len() == 8 && le::u64_at(sum, 0) == Some(i + 1))
                        },
                    )
                    .map_err(fail)?;
                if !sum {
                    return Err(5);
                }
            }
        }
        op::ECHO => {
            // The first request, made ahead (as the floor's client makes its buffer).
            ch.next_request()
                .and_then(|mut out| out.resize(size, 0x5a))
                .map_err(fail)?;
            for _ in 0..calls {
                // The answer is the next request, as it stands: nothing is copied.
                let echoed = ch
                    .relay(
                        method::ECHO,
                        |_| Ok(()),
                        |reply| Ok(reply.into_result()?.len()),
                    )
                    .map_err(fail)?;
                if echoed != size {
                    return Err(6);
                }
            }
        }
        _ => return Err(4),
    }
    Ok(())
}

/// The exit code of `e`, after a debug line saying what it was (formatted on the stack).
fn fail(e: IpcError) -> i8 {
    ckb_ipc::debug_line(format_args!("inplace-client: {e}"));
    match e {
        IpcError::ErrorCode(_) => 10,
        IpcError::PayloadTooLarge { .. } => 11,
        _ => 12,
    }
}

// No heap (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at the end of
// the file so that the feature moves no line above it).
bench_alloc::allocator!(no_heap);
