//! The in-place level's batches, client side: the BENCH scenario (`test_proto::scenario`) in
//! batches of K calls (`test_proto::batch::size`), each batch built in place in a static buffer
//! and each answer read where it arrived. No allocator. Apart from `inplace-client`, so the
//! single calls `make bench` measures there run the code they ran before batches existed.
#![no_std]
#![no_main]

use ckb_ipc::le;
use ckb_ipc::Channel;
use ckb_ipc::IpcError;
use ckb_std::ckb_constants::Source;
use test_proto::{method, op, scenario};

ckb_std::entry!(program_entry);
// No heap (ckb_ipc::no_heap!) at the end of this file.

/// The largest batch, with room for its header (bss: costs no deployed byte).
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
    let k = test_proto::batch::size(args).ok_or(4)?;
    if op == op::NOOP {
        return Ok(()); // the baseline: everything but the spawn
    }
    let bytes = ckb_ipc::static_buffer!(BUFFER).ok_or(4)?;
    let (read, write) = ckb_ipc::spawn_server(index, Source::CellDep, &[]).map_err(fail)?;
    let mut ch = Channel::with_fixed_buffer(read, write, bytes);
    batches(&mut ch, op, calls, size, k)
}

/// `calls` batches of `k` adds (of i and 1) or echoes of `size` bytes, each built in place
/// and each answer checked where it arrived.
fn batches<B: ckb_ipc::Buffer>(
    ch: &mut Channel<ckb_ipc::Pipe, ckb_ipc::Pipe, B>,
    op: u8,
    calls: u32,
    size: usize,
    k: usize,
) -> Result<(), i8> {
    let data = [0x5au8; 64];
    let data = data.get(..size).ok_or(4)?;
    for c in 0..u64::from(calls) {
        let first = c * k as u64;
        let ok = ch
            .call_batch_in_place(
                |batch| {
                    (first..first + k as u64).try_for_each(|i| match op {
                        op::ADD => batch.push_with(method::ADD, 16, |out| {
                            let _ = le::put_u64_at(out, 0, i).and(le::put_u64_at(out, 8, 1));
                        }),
                        _ => batch.push(method::ECHO, data),
                    })
                },
                |replies| {
                    let mut ok = replies.len() == k;
                    for (i, reply) in (first..).zip(replies) {
                        ok &= match op {
                            op::ADD => {
                                let sum = reply.into_result()?;
                                sum.len() == 8 && le::u64_at(sum, 0) == Some(i + 1)
                            }
                            _ => reply.into_result()?.len() == size,
                        };
                    }
                    Ok(ok)
                },
            )
            .map_err(fail)?;
        if !ok {
            return Err(5);
        }
    }
    Ok(())
}

/// The exit code of `e`, after a debug line saying what it was (formatted on the stack).
fn fail(e: IpcError) -> i8 {
    ckb_ipc::debug_line(format_args!("inplace-batch-client: {e}"));
    match e {
        IpcError::ErrorCode(_) => 10,
        IpcError::PayloadTooLarge { .. } => 11,
        _ => 12,
    }
}

// No heap (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at the end of
// the file so that the feature moves no line above it).
bench_alloc::allocator!(no_heap);
