//! The Rust `BenchClient` (test_proto::typed) calling a TypeScript server of the same trait:
//! ckb-js-vm spawned by data hash with argv `["-t", hex(JS cell data hash ++ hash type)]`,
//! running `tests/js/src/bench-server.ts` (the generated `BenchHandler`). Script args: the
//! ckb-js-vm cell's data hash (32 bytes), then the JS cell's data hash and hash type (33).
//! Prints a line per check and the server's exit code once it has hung up; exits with the
//! number of the first check that failed, else 0.
#![no_std]
#![no_main]

use alloc::format;
use alloc::vec::Vec;
use ckb_ipc::service::{SERVICE_ERROR, UNKNOWN_METHOD};
use ckb_ipc::{IpcError, Payload, RequestPacket, ScriptHashType};
use ckb_std::ckb_types::prelude::*;
use ckb_std::syscalls::debug;
use test_proto::typed::{BenchClient, BenchMethods};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

fn program_entry() -> i8 {
    match run() {
        Ok(()) => 0,
        Err(check) => {
            debug(format!("typed-js-client: check {check} failed"));
            check
        }
    }
}

fn run() -> Result<(), i8> {
    let script = ckb_std::high_level::load_script().map_err(|_| 1)?;
    let args: Vec<u8> = script.args().unpack();
    let vm = args.get(..32).ok_or(2)?;
    let target = args.get(32..65).ok_or(2)?;
    let mut hex = alloc::string::String::with_capacity(67);
    for b in target {
        hex.push_str(&format!("{b:02x}"));
    }
    hex.push('\0');
    let hex = core::ffi::CStr::from_bytes_with_nul(hex.as_bytes()).map_err(|_| 3)?;
    let server = ckb_ipc::ServerProcess::spawn_cell(vm, ScriptHashType::Data2, &[c"-t", hex])
        .map_err(|_| 4)?;
    let pid = server.pid();
    let mut bench = BenchClient::from(server.into_channel());
    let check = |ok: bool, number: i8| if ok { Ok(()) } else { Err(number) };

    let sum = bench.add(40, 2);
    debug(format!("add(40, 2) = {sum:?}"));
    check(sum == Ok(42), 10)?;
    // u64 arithmetic in JavaScript (bigint), wrapping as the Rust server does.
    check(bench.add(u64::MAX, 2) == Ok(1), 11)?;
    let data: Vec<u8> = (0..1024u32).map(|i| (i * 7) as u8).collect();
    let back = bench.echo(Payload::from_slice(&data));
    debug(format!(
        "echo 1024 bytes = {:?}",
        back.as_ref().map(|b| b.len())
    ));
    check(back.as_deref() == Ok(&data[..]), 12)?;
    // Below the typed layer, on the same channel: an unknown id, and a payload that is no
    // `AddArgs` (15 bytes, not 16), which the generated handler answers with 27.
    let mut channel: ckb_ipc::Channel<_, _> = bench.into();
    let unknown = channel.call(&RequestPacket::new(7, Payload::new()));
    let unknown = unknown.map(|r| r.error_code());
    debug(format!("unknown method: {unknown:?}"));
    check(unknown == Ok(UNKNOWN_METHOD), 13)?;
    let bad = RequestPacket::new(BenchMethods::ADD, Payload::from_slice(&[0; 15]));
    let bad = channel.call(&bad).map(|r| r.error_code());
    debug(format!("add of 15 bytes: {bad:?}"));
    check(bad == Ok(27), 14)?;
    check(bad != Ok(SERVICE_ERROR), 14)?;
    let mut bench = BenchClient::from(channel);
    check(bench.add(1, 2) == Ok(3), 15)?;
    // A batch, which the generated handler answers item by item (under either transport).
    let batch = bench.batch(|b| {
        (
            b.add(40, 2),
            b.echo(Payload::from_slice(b"ping")),
            b.add(u64::MAX, 1),
        )
    });
    let batch = batch.map(|(sum, echo, wrapped)| (sum, echo.map(|e| e.len()), wrapped));
    debug(format!("typed batch = {batch:?}"));
    check(batch == Ok((Ok(42), Ok(4), Ok(0))), 16)?;
    let sums = bench.batch(|b| (0..16).map(|i| b.add(i, 1)).collect::<Vec<_>>());
    let sums_ok = sums.is_ok_and(|s| s.iter().zip(1..).all(|(sum, i)| *sum == Ok(i)));
    debug(format!("16 adds in a batch: {sums_ok}"));
    check(sums_ok, 17)?;
    check(bench.add(2, 3) == Ok(5), 18)?;
    drop(bench);
    // The client has hung up: a server of tests/js/gen/ckb-ipc-transport.ts returns from runServer and exits
    // 0; one of the published @ckb-js-std/ipc throws "Unexpected end of stream" (exit -7).
    let code = ckb_ipc::wait(pid).map_err(|e: IpcError| {
        debug(format!("wait: {e:?}"));
        5
    })?;
    debug(format!("js server exit code {code}"));
    Ok(())
}
