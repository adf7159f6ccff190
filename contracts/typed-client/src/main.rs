//! Calls the typed `Bench` service through the generated `BenchClient`, with the BENCH script
//! args of ipc-client (`[op, calls: u32 LE, size: u32 LE]` after the common header).
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_ipc::{Payload, Source};
use ckb_std::ckb_types::prelude::*;
use demo_proto::{op, scenario, typed::BenchClient};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
ckb_std::default_alloc!(FIXED_HEAP, HEAP, 64);

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
