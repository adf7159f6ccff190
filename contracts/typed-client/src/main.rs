//! Calls the typed `Bench` service through the generated `BenchClient`, with the BENCH script
//! args of ipc-client (`[op, calls: u32 LE, size: u32 LE]` after the common header).
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_ipc::{Payload, Source};
use ckb_std::ckb_types::prelude::*;
use demo_proto::{op, over, scenario, typed::BenchClient};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let Ok(script) = ckb_std::high_level::load_script() else {
        return 1;
    };
    let args: Vec<u8> = script.args().unpack();
    if args.first() == Some(&scenario::KV) {
        return match kv() {
            Ok(()) => 0,
            Err(code) => code,
        };
    }
    if args.first() == Some(&scenario::OVER_LIMIT) {
        let mode = args.get(scenario::ARGS_HEADER_LEN).copied();
        return match over_limit(mode) {
            Ok(()) => 0,
            Err(code) => code,
        };
    }
    let Some((op, calls, size)) = demo_proto::bench_params(&args) else {
        return 2;
    };
    if op == op::NOOP {
        return 0;
    }
    let Ok((read, write)) = ckb_ipc::spawn_server(1, Source::CellDep, &[]) else {
        return 3;
    };
    let mut bench = BenchClient::from_channel(
        ckb_ipc::Channel::new(read, write).with_max_payload(demo_proto::MAX_PAYLOAD),
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
    let max = demo_proto::MAX_PAYLOAD;
    // A molecule `bytes` is its 4-byte length, then the bytes.
    let (limit, len) = match mode {
        Some(over::REQUEST_ONE) => (max, max - 4 + 1),
        Some(over::RESPONSE_ONE) => (over::RESPONSE_LIMIT, over::RESPONSE_LIMIT - 4 + 1),
        Some(over::RESPONSE_TWICE) => (over::RESPONSE_LIMIT, 2 * over::RESPONSE_LIMIT - 4),
        _ => return Err(21),
    };
    let mut bench =
        BenchClient::from_channel(ckb_ipc::Channel::new(read, write).with_max_payload(limit));
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

/// Uses the key-value service at cell dep 1 and checks every answer; the error is the number of
/// the check that failed.
fn kv() -> Result<(), i8> {
    use demo_proto::typed::{Entry, KeyValueClient, KvError};
    let (read, write) = ckb_ipc::spawn_server(1, Source::CellDep, &[]).map_err(|_| 10)?;
    let mut kv = KeyValueClient::new(read, write);
    let check = |ok: bool, code: i8| if ok { Ok(()) } else { Err(code) };
    check(kv.get(b"missing".to_vec()) == Ok(None), 11)?;
    check(
        kv.put(b"user/alice".to_vec(), b"100".to_vec()) == Ok(Ok(None)),
        12,
    )?;
    check(
        kv.put(b"user/bob".to_vec(), b"7".to_vec()) == Ok(Ok(None)),
        13,
    )?;
    check(kv.put(b"pool".to_vec(), b"x".to_vec()) == Ok(Ok(None)), 14)?;
    check(
        kv.put(b"user/alice".to_vec(), b"90".to_vec()) == Ok(Ok(Some(b"100".to_vec()))),
        15,
    )?;
    check(
        kv.get(b"user/alice".to_vec()) == Ok(Some(b"90".to_vec())),
        16,
    )?;
    check(kv.count() == Ok(3), 17)?;
    let users = kv.scan(b"user/".to_vec()).map_err(|_| 18)?;
    let expected = alloc::vec![
        Entry {
            key: b"user/alice".to_vec(),
            value: b"90".to_vec()
        },
        Entry {
            key: b"user/bob".to_vec(),
            value: b"7".to_vec()
        },
    ];
    check(users == expected, 19)?;
    // Typed refusals, apart from transport errors; the store goes on serving.
    check(
        kv.put(alloc::vec![b'k'; 65], Vec::new()) == Ok(Err(KvError::KEY_TOO_LONG)),
        20,
    )?;
    check(
        kv.put(b"big".to_vec(), alloc::vec![0; 4097]) == Ok(Err(KvError::VALUE_TOO_LONG)),
        21,
    )?;
    check(kv.remove(b"pool".to_vec()) == Ok(Some(b"x".to_vec())), 22)?;
    check(kv.count() == Ok(2), 23)?;
    Ok(())
}

// ckb-std's allocator; built with the `heap-stats` feature (`make build-heap-stats`, for
// `make bench`'s heap table), the same allocator counting its bytes (demo_proto::heap_stats).
// Down here so that the feature moves no line above: panic locations, so the binaries, stay
// as they are without it.
#[cfg(not(feature = "heap-stats"))]
ckb_std::default_alloc!(FIXED_HEAP, HEAP, 64);
#[cfg(feature = "heap-stats")]
demo_proto::heap_stats_alloc!(FIXED_HEAP, HEAP, 64);
