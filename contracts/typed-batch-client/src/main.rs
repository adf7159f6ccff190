//! Typed batches: the generated `BenchClient::batch` with the BENCH script args of
//! owned-client (`[op, calls: u32 LE, size: u32 LE, K]` after the common header: `calls`
//! batches of K calls), and the BATCH scenario (`test_proto::batch::SCENARIO`). Apart from
//! `typed-client`, so the single calls `make bench` measures there run the code they ran before
//! batches existed.
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_ipc::{Payload, Source};
use ckb_std::ckb_types::prelude::*;
use test_proto::{op, typed::BenchClient};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let Ok(script) = ckb_std::high_level::load_script() else {
        return 1;
    };
    let args: Vec<u8> = script.args().unpack();
    if args.first() == Some(&test_proto::batch::SCENARIO) {
        return match batch_scenario() {
            Ok(()) => 0,
            Err(code) => code,
        };
    }
    let (Some((op, calls, size)), Some(k)) = (
        test_proto::bench_params(&args),
        test_proto::batch::size(&args),
    ) else {
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
    let data = Payload::from_slice(&alloc::vec![0x5au8; size]);
    match batches(&mut bench, op, calls, &data, k) {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// `calls` typed batches of `k` adds (of i and 1) or echoes of `data`: the handles of a batch
/// of up to 16 in an array (nothing allocated for them: 126 cycles a call less than a `Vec` at
/// 16, measured), of a larger one in a `Vec` (an array of 64 results cost more in moves than
/// the `Vec`'s allocation, measured).
fn batches(
    bench: &mut BenchClient,
    op: u8,
    calls: u32,
    data: &Payload,
    k: usize,
) -> Result<(), i8> {
    for c in 0..u64::from(calls) {
        let first = c * k as u64;
        let ok = match k {
            1 => batch_of::<1>(bench, op, first, data)?,
            4 => batch_of::<4>(bench, op, first, data)?,
            16 => batch_of::<16>(bench, op, first, data)?,
            _ => batch_in_vec(bench, op, first, data, k)?,
        };
        if !ok {
            return Err(6);
        }
    }
    Ok(())
}

/// One batch of `K` calls from `first` on, the handles in an array; whether every answer is
/// right.
fn batch_of<const K: usize>(
    bench: &mut BenchClient,
    op: u8,
    first: u64,
    data: &Payload,
) -> Result<bool, i8> {
    Ok(if op == op::ADD {
        let sums = bench
            .batch(|b| core::array::from_fn::<_, K, _>(|i| b.add(first + i as u64, 1)))
            .map_err(|_| 5)?;
        sums.iter().zip(first + 1..).all(|(sum, i)| *sum == Ok(i))
    } else {
        let echoes = bench
            .batch(|b| core::array::from_fn::<_, K, _>(|_| b.echo(data.clone())))
            .map_err(|_| 5)?;
        echoes
            .iter()
            .all(|e| e.as_ref().is_ok_and(|e| e.len() == data.len()))
    })
}

/// [`batch_of`] for a size known only at run time: the handles in a `Vec`.
fn batch_in_vec(
    bench: &mut BenchClient,
    op: u8,
    first: u64,
    data: &Payload,
    k: usize,
) -> Result<bool, i8> {
    Ok(if op == op::ADD {
        let sums = bench
            .batch(|b| {
                (first..first + k as u64)
                    .map(|i| b.add(i, 1))
                    .collect::<Vec<_>>()
            })
            .map_err(|_| 5)?;
        sums.iter().zip(first + 1..).all(|(sum, i)| *sum == Ok(i))
    } else {
        let echoes = bench
            .batch(|b| (0..k).map(|_| b.echo(data.clone())).collect::<Vec<_>>())
            .map_err(|_| 5)?;
        echoes
            .iter()
            .all(|e| e.as_ref().is_ok_and(|e| e.len() == data.len()))
    })
}

fn batch_scenario() -> Result<(), i8> {
    let (read, write) = ckb_ipc::spawn_server(1, Source::CellDep, &[]).map_err(|_| 30)?;
    let mut bench = BenchClient::new(read, write);
    // 300 bytes: an answer whose header is longer than the request's room for it.
    let long: Vec<u8> = (0..300u32).map(|i| (i % 251) as u8).collect();
    let outcome = bench.batch(|b| {
        (
            b.add(40, 2),
            b.echo(Payload::from_slice(b"ping")),
            b.add(u64::MAX, 1),
            b.echo(Payload::from_slice(&long)),
        )
    });
    let outcome = match outcome {
        Ok((sum, echo, wrapped, long_echo)) => alloc::format!(
            "{sum:?}, {:?}, {wrapped:?}, {:?}",
            echo.map(|e| alloc::string::String::from_utf8_lossy(&e).into_owned()),
            long_echo.map(|e| e.as_slice() == long.as_slice())
        ),
        Err(e) => alloc::format!("{e:?}"),
    };
    let then = match bench.add(1, 2) {
        Ok(sum) => alloc::format!("{sum}"),
        Err(e) => alloc::format!("{e:?}"),
    };
    ckb_std::syscalls::debug(alloc::format!("typed batch: {outcome}; then add = {then}"));
    Ok(())
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
