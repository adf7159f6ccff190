//! Demo IPC client: runs the scenario its script args name (see `test_proto::scenario`) against
//! `owned-server`, checks every answer, and fails the script with a distinct code when one is off.
#![no_std]
#![no_main]

use alloc::format;
use alloc::vec::Vec;
use ckb_ipc::{
    le, Channel, IpcError, Payload, Pipe, RequestPacket, ResponsePacket, ScriptHashType, Source,
};
use ckb_std::ckb_types::prelude::*;
use ckb_std::{high_level, syscalls};
use test_proto::{error, method, op, over, scenario};

ckb_std::entry!(program_entry);
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

/// Why the script failed: the exit code tells which check it was.
struct Fail(i8);

impl From<IpcError> for Fail {
    fn from(e: IpcError) -> Self {
        syscalls::debug(format!("ipc error: {e}"));
        Fail(100)
    }
}

fn ensure(ok: bool, code: i8) -> Result<(), Fail> {
    if ok {
        Ok(())
    } else {
        Err(Fail(code))
    }
}

struct Args {
    scenario: u8,
    index: usize,
    code_hash: [u8; 32],
    hash_type: ScriptHashType,
    params: Vec<u8>,
}

fn program_entry() -> i8 {
    match run() {
        Ok(()) => 0,
        Err(Fail(code)) => code,
    }
}

fn run() -> Result<(), Fail> {
    let script = high_level::load_script().map_err(IpcError::Sys)?;
    let raw: Vec<u8> = script.args().unpack();
    ensure(raw.len() >= scenario::ARGS_HEADER_LEN, 1)?;
    let mut code_hash = [0u8; 32];
    code_hash.copy_from_slice(raw.get(2..34).ok_or(Fail(1))?);
    let hash_type = match raw.get(34) {
        Some(0) => ScriptHashType::Data,
        Some(1) => ScriptHashType::Type,
        Some(2) => ScriptHashType::Data1,
        Some(4) => ScriptHashType::Data2,
        _ => return Err(Fail(2)),
    };
    let args = Args {
        scenario: raw.first().copied().ok_or(Fail(1))?,
        index: usize::from(raw.get(1).copied().ok_or(Fail(1))?),
        code_hash,
        hash_type,
        params: raw
            .get(scenario::ARGS_HEADER_LEN..)
            .unwrap_or_default()
            .to_vec(),
    };
    match args.scenario {
        scenario::DEMO => demo(&args),
        scenario::BY_INDEX => basic_calls(&mut open(&args)?),
        scenario::BY_CODE_HASH => {
            let (r, w) = ckb_ipc::spawn_cell_server(&args.code_hash, args.hash_type, &[])?;
            basic_calls(&mut Channel::new(r, w))
        }
        scenario::MANY_CALLS => many_calls(&mut open(&args)?),
        scenario::ERROR_CODE => error_codes(&mut open(&args)?),
        scenario::LARGE_PAYLOAD => large_payload(&mut open(&args)?),
        scenario::TWO_SERVERS => two_servers(&args),
        scenario::NESTED => nested(&args),
        scenario::CLOSE_AND_WAIT => close_and_wait(&args),
        scenario::ARGV => argv(&args),
        scenario::BENCH => bench(&args),
        scenario::SPAWN_ONLY => {
            let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &[])?;
            drop((r, w));
            Ok(())
        }
        scenario::NOOP => Ok(()),
        scenario::PROBE => probe(&args),
        scenario::THEIR_SERVER => their_server(&mut open(&args)?),
        scenario::JS_SERVER => js_server(&args),
        test_proto::batch::SCENARIO => batch(&args),
        scenario::OVER_LIMIT => over_limit(&args),
        scenario::BROKEN => broken(&args),
        scenario::SPAWN_BY_HASH => {
            let outcome = match ckb_ipc::spawn_cell_server(&args.code_hash, args.hash_type, &[]) {
                Ok(_) => alloc::string::String::from("ok"),
                Err(e) => format!("{e:?}"),
            };
            syscalls::debug(format!("spawn: {outcome}"));
            Ok(())
        }
        _ => Err(Fail(3)),
    }
}

fn open(args: &Args) -> Result<Channel<Pipe, Pipe>, Fail> {
    let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &[])?;
    Ok(Channel::new(r, w).with_max_payload(test_proto::MAX_PAYLOAD))
}

fn add_request(a: u64, b: u64) -> RequestPacket {
    let mut p = Payload::with_capacity(16);
    p.extend_from_slice(&a.to_le_bytes());
    p.extend_from_slice(&b.to_le_bytes());
    RequestPacket::new(method::ADD, p)
}

fn add(ch: &mut Channel<Pipe, Pipe>, a: u64, b: u64) -> Result<u64, Fail> {
    let sum = ch.call(&add_request(a, b))?.into_result()?;
    let bytes: [u8; 8] = sum.as_slice().try_into().map_err(|_| Fail(10))?;
    Ok(u64::from_le_bytes(bytes))
}

fn echo(ch: &mut Channel<Pipe, Pipe>, data: &[u8]) -> Result<(), Fail> {
    let resp = ch.call(&RequestPacket::new(method::ECHO, Payload::from_slice(data)))?;
    ensure(resp.is_ok() && resp.payload() == data, 11)
}

fn basic_calls(ch: &mut Channel<Pipe, Pipe>) -> Result<(), Fail> {
    ensure(add(ch, 40, 2)? == 42, 12)?;
    echo(ch, b"hello, server")?;
    echo(ch, b"")?;
    Ok(())
}

/// The transaction `make demo` runs: a few calls, each printed with the cycles it took.
fn demo(args: &Args) -> Result<(), Fail> {
    let t0 = syscalls::current_cycles();
    let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &[])?;
    let mut ch = Channel::new(r, w);
    let t1 = syscalls::current_cycles();
    syscalls::debug(format!(
        "spawn_server(cell dep #{}): {} cycles",
        args.index,
        t1 - t0
    ));

    let calls: [(&str, RequestPacket); 4] = [
        ("add(40, 2)", add_request(40, 2)),
        (
            "echo(\"hello, CKB\")",
            RequestPacket::new(method::ECHO, Payload::from_slice(b"hello, CKB")),
        ),
        (
            "echo(1 KiB)",
            RequestPacket::new(method::ECHO, Payload::from_slice(&[7u8; 1024])),
        ),
        (
            "fail(0xdead)",
            RequestPacket::new(method::FAIL, Payload::from_slice(&0xdeadu64.to_le_bytes())),
        ),
    ];
    for (name, req) in calls {
        let before = syscalls::current_cycles();
        let resp = ch.call(&req)?;
        let after = syscalls::current_cycles();
        let shown = match (resp.error_code(), resp.payload().len()) {
            (0, 8) => format!(
                "ok {}",
                u64::from_le_bytes(resp.payload().try_into().map_err(|_| Fail(13))?)
            ),
            (0, n) => format!("ok, {n} bytes back"),
            (code, _) => format!("error code {code:#x}"),
        };
        syscalls::debug(format!("{name} -> {shown}: {} cycles", after - before));
    }
    Ok(())
}

fn many_calls(ch: &mut Channel<Pipe, Pipe>) -> Result<(), Fail> {
    let mut data = Vec::new();
    for i in 0..300u64 {
        ensure(add(ch, i, i * i)? == i + i * i, 20)?;
        data.push(i as u8);
        echo(ch, &data)?;
    }
    Ok(())
}

fn error_codes(ch: &mut Channel<Pipe, Pipe>) -> Result<(), Fail> {
    for code in [0xdeadu64, 29, 1 << 40, u64::MAX] {
        let req = RequestPacket::new(method::FAIL, Payload::from_slice(&code.to_le_bytes()));
        let resp = ch.call(&req)?;
        ensure(resp.error_code() == code && resp.payload().is_empty(), 30)?;
        ensure(resp.into_result() == Err(IpcError::ErrorCode(code)), 31)?;
        // The server goes on serving after an error answer.
        ensure(add(ch, 1, 2)? == 3, 32)?;
    }
    let resp = ch.call(&add_request(u64::MAX, 1))?;
    ensure(resp.error_code() == error::OVERFLOW, 33)?;
    let resp = ch.call(&RequestPacket::new(0x7777, Payload::new()))?;
    ensure(resp.error_code() == error::UNKNOWN_METHOD, 34)?;
    let resp = ch.call(&RequestPacket::new(
        method::ADD,
        Payload::from_slice(b"short"),
    ))?;
    ensure(resp.error_code() == error::BAD_ARGS, 35)
}

fn large_payload(ch: &mut Channel<Pipe, Pipe>) -> Result<(), Fail> {
    let mut p = Payload::with_capacity(test_proto::LARGE_PAYLOAD);
    for i in 0..test_proto::LARGE_PAYLOAD {
        p.push((i % 251) as u8);
    }
    let resp = ch.call(&RequestPacket::new(method::ECHO, p))?;
    ensure(
        resp.is_ok() && resp.payload().len() == test_proto::LARGE_PAYLOAD,
        50,
    )?;
    let ok = resp
        .payload()
        .iter()
        .enumerate()
        .all(|(i, &b)| b == (i % 251) as u8);
    ensure(ok, 51)?;
    // And the channel still works for small calls after it.
    ensure(add(ch, 5, 6)? == 11, 52)
}

fn pid_of(ch: &mut Channel<Pipe, Pipe>) -> Result<u64, Fail> {
    let resp = ch
        .call(&RequestPacket::new(method::PID, Payload::new()))?
        .into_result()?;
    Ok(u64::from_le_bytes(
        resp.as_slice().try_into().map_err(|_| Fail(60))?,
    ))
}

fn two_servers(args: &Args) -> Result<(), Fail> {
    let mut a = open(args)?;
    let (r, w) = ckb_ipc::spawn_cell_server(&args.code_hash, args.hash_type, &[])?;
    let mut b = Channel::new(r, w);
    let (pa, pb) = (pid_of(&mut a)?, pid_of(&mut b)?);
    ensure(pa != pb && pa != 0 && pb != 0, 61)?;
    for i in 0..10u64 {
        ensure(add(&mut a, i, 1)? == i + 1, 62)?;
        ensure(add(&mut b, i, 2)? == i + 2, 63)?;
    }
    Ok(())
}

fn nested(args: &Args) -> Result<(), Fail> {
    let mut ch = open(args)?;
    let mut p = Payload::new();
    p.push(args.index as u8);
    p.extend_from_slice(&20u64.to_le_bytes());
    p.extend_from_slice(&22u64.to_le_bytes());
    let resp = ch
        .call(&RequestPacket::new(method::NESTED_ADD, p))?
        .into_result()?;
    ensure(resp.as_slice() == 42u64.to_le_bytes(), 70)
}

fn close_and_wait(args: &Args) -> Result<(), Fail> {
    let server = ckb_ipc::ServerProcess::spawn(args.index, Source::CellDep, &[])?;
    let pid = server.pid();
    let mut ch = server.into_channel();
    ensure(add(&mut ch, 1, 1)? == 2, 80)?;
    drop(ch);
    ensure(ckb_ipc::wait(pid)? == 0, 81)
}

fn argv(args: &Args) -> Result<(), Fail> {
    let argv = [c"alpha", c"", c"gamma=3"];
    let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &argv)?;
    let mut ch = Channel::new(r, w);
    let resp = ch
        .call(&RequestPacket::new(method::ARGV, Payload::new()))?
        .into_result()?;
    ensure(resp.as_slice() == b"alpha\0\0gamma=3\0", 90)
}

fn bench(args: &Args) -> Result<(), Fail> {
    let (op, calls, size) = test_proto::parse_bench_params(&args.params).ok_or(Fail(4))?;
    if op == op::NOOP {
        return Ok(()); // the baseline: everything but the spawn
    }
    let mut ch = open(args)?;
    match op {
        op::ADD => {
            // One request, its arguments rewritten in place for every call.
            let mut req = add_request(0, 1);
            for i in 0..u64::from(calls) {
                le::put_u64_at(req.payload_mut(), 0, i).ok_or(Fail(5))?;
                let sum = ch.call(&req)?.into_result()?;
                ensure(sum.len() == 8 && le::u64_at(&sum, 0) == Some(i + 1), 5)?;
                ch.recycle(sum);
            }
        }
        op::ECHO => {
            let data = Payload::from_slice(&alloc::vec![0x5a; size]);
            let mut req = RequestPacket::new(method::ECHO, data);
            for _ in 0..calls {
                let resp: ResponsePacket = ch.call(&req)?;
                ensure(resp.payload().len() == size, 6)?;
                // The next request reuses the answer's buffer, as a relay would, and the
                // channel reads the next answer into the old request's.
                let old = core::mem::replace(
                    &mut req,
                    RequestPacket::new(method::ECHO, resp.into_payload()),
                );
                ch.recycle(old.into_payload());
            }
        }
        _ => return Err(Fail(4)),
    }
    Ok(())
}

/// A channel to the server at the args' index, spawned with argv `[params]` (a `bad` mode).
fn bad_peer_channel(args: &Args) -> Result<Channel<Pipe, Pipe>, Fail> {
    let mut mode = args.params.clone();
    mode.push(0);
    let mode = core::ffi::CStr::from_bytes_with_nul(&mode).map_err(|_| Fail(4))?;
    let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &[mode])?;
    Ok(Channel::new(r, w))
}

/// Calls a (possibly hostile) server once and prints what came of it.
fn probe(args: &Args) -> Result<(), Fail> {
    let mut ch = bad_peer_channel(args)?;
    let outcome = match ch.call(&RequestPacket::new(
        method::ECHO,
        Payload::from_slice(b"ping"),
    )) {
        Ok(resp) => format!(
            "response code {:#x} payload {:?}",
            resp.error_code(),
            resp.payload()
        ),
        Err(e) => format!("{e:?}"),
    };
    syscalls::debug(format!("probe: {outcome}"));
    Ok(())
}

/// An honest peer passing the other side's limit (see `test_proto::over`), then an add on the
/// same channel: the refused packet must neither deadlock nor break the channel.
fn over_limit(args: &Args) -> Result<(), Fail> {
    let max = test_proto::MAX_PAYLOAD as usize;
    let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &[])?;
    let fd = w.fd();
    let mut ch = Channel::new(r, w).with_max_payload(test_proto::MAX_PAYLOAD);
    let outcome = match args.params.first().copied() {
        Some(over::REQUEST_ONE) => ch.call(&RequestPacket::new(method::ECHO, filled(max + 1)?)),
        Some(over::REQUEST_TWICE) => {
            stream_request(fd, method::ECHO, 2 * max)?;
            ch.receive_response()
        }
        Some(mode @ (over::RESPONSE_ONE | over::RESPONSE_TWICE)) => {
            let limit = over::RESPONSE_LIMIT;
            ch = ch.with_max_payload(limit);
            let len = if mode == over::RESPONSE_ONE {
                limit + 1
            } else {
                2 * limit
            };
            ch.call(&RequestPacket::new(method::ECHO, filled(len as usize)?))
        }
        _ => return Err(Fail(4)),
    };
    let outcome = match outcome {
        Ok(resp) => format!(
            "code {} with {} bytes",
            resp.error_code(),
            resp.payload().len()
        ),
        Err(e) => format!("{e:?}"),
    };
    let sum = add(&mut ch, 40, 2)?;
    syscalls::debug(format!("over-limit: {outcome}; then add = {sum}"));
    Ok(())
}

/// `len` bytes of 0x5a with headroom, built without a second copy of them.
fn filled(len: usize) -> Result<Payload, Fail> {
    let mut p = Payload::with_capacity(len);
    let chunk = [0x5au8; 4096];
    while p.len() < len {
        p.extend_from_slice(
            chunk
                .get(..(len - p.len()).min(chunk.len()))
                .ok_or(Fail(5))?,
        );
    }
    Ok(p)
}

/// Writes a request of `len` bytes the way a streaming client would: the header alone, then
/// the body in 16 KiB writes from one buffer (no payload in memory).
fn stream_request(fd: u64, method_id: u64, len: usize) -> Result<(), Fail> {
    let mut header = [0u8; ckb_ipc::wire::MAX_HEADER_LEN];
    let n = ckb_ipc::wire::encode_header(method_id, len as u64, &mut header);
    write_all(fd, header.get(..n).ok_or(Fail(5))?)?;
    let chunk = [0x5au8; 16 * 1024];
    let mut left = len;
    while left > 0 {
        let part = chunk.get(..left.min(chunk.len())).ok_or(Fail(5))?;
        write_all(fd, part)?;
        left -= part.len();
    }
    Ok(())
}

fn write_all(fd: u64, mut bytes: &[u8]) -> Result<(), Fail> {
    while !bytes.is_empty() {
        let n = syscalls::write(fd, bytes).map_err(IpcError::Sys)?;
        bytes = bytes.get(n..).filter(|_| n > 0).ok_or(Fail(6))?;
    }
    Ok(())
}

/// A bad server's answer breaks the channel: the second call must fail at once.
fn broken(args: &Args) -> Result<(), Fail> {
    let mut ch = bad_peer_channel(args)?;
    let ping = RequestPacket::new(method::ECHO, Payload::from_slice(b"ping"));
    let first = ch.call(&ping).map(|r| r.error_code());
    let before = syscalls::current_cycles();
    let second = ch.call(&ping).map(|r| r.error_code());
    let spent = syscalls::current_cycles() - before;
    syscalls::debug(format!(
        "broken: {first:?}, then {second:?} (broken: {}, syscall-free: {})",
        ch.is_broken(),
        spent < 1000
    ));
    Ok(())
}

/// `bytes` as serde_json writes a `Vec<u8>`: `[1,2,3]`.
fn json_list(bytes: &[u8]) -> alloc::string::String {
    let mut out = alloc::string::String::from("[");
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!("{b}"));
    }
    out.push(']');
    out
}

/// Calls a ckb-script-ipc-common server: method id 0, serde_json payloads, byte for byte.
fn their_server(ch: &mut Channel<Pipe, Pipe>) -> Result<(), Fail> {
    let mut call_json =
        |json: &str| ch.call(&RequestPacket::new(0, Payload::from_slice(json.as_bytes())));
    let resp = call_json(r#"{"Add":[40,2]}"#)?;
    ensure(resp.is_ok() && resp.payload() == br#"{"Add":42}"#, 110)?;
    let small = json_list(b"hi");
    let resp = call_json(&format!(r#"{{"Echo":{small}}}"#))?;
    ensure(
        resp.is_ok() && resp.payload() == format!(r#"{{"Echo":{small}}}"#).as_bytes(),
        111,
    )?;
    let large: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
    let large = format!(r#"{{"Echo":{}}}"#, json_list(&large));
    let resp = call_json(&large)?;
    ensure(resp.is_ok() && resp.payload() == large.as_bytes(), 112)?;
    // Their server answers an error with the code and an empty payload, then stops serving.
    let resp = call_json(r#"{"Fail":27}"#)?;
    ensure(resp.error_code() == 27 && resp.payload().is_empty(), 113)?;
    ensure(call_json(r#"{"Add":[1,2]}"#) == Err(IpcError::Eof), 114)
}

/// Spawns ckb-js-vm (named by the args' code hash) running the JS cell of the first 33 bytes of
/// params (code hash, hash type), with its `-t` argv.
fn spawn_js(args: &Args) -> Result<ckb_ipc::ServerProcess, Fail> {
    let target = args.params.get(..33).ok_or(Fail(4))?;
    let mut hex = alloc::string::String::with_capacity(67);
    for b in target {
        hex.push_str(&format!("{b:02x}"));
    }
    hex.push('\0');
    let hex = core::ffi::CStr::from_bytes_with_nul(hex.as_bytes()).map_err(|_| Fail(4))?;
    Ok(ckb_ipc::ServerProcess::spawn_cell(
        &args.code_hash,
        args.hash_type,
        &[c"-t", hex],
    )?)
}

/// Spawns ckb-js-vm running the JS server whose cell the params name, and calls it.
fn js_server(args: &Args) -> Result<(), Fail> {
    let server = spawn_js(args)?;
    let pid = server.pid();
    let mut ch = server.into_channel();
    let big: Vec<u8> = (0..200u32).map(|i| (i * 3) as u8).collect();
    echo(&mut ch, &big)?;
    ensure(add(&mut ch, 40, 2)? == 42, 120)?;
    let resp = ch.call(&RequestPacket::new(
        method::FAIL,
        Payload::from_slice(&0xdeadu64.to_le_bytes()),
    ))?;
    ensure(
        resp.error_code() == 0xdead && resp.payload().is_empty(),
        121,
    )?;
    echo(&mut ch, &[0x5a; 300])?;
    drop(ch);
    // Our JS server ends its loop on the clean close and exits 0; one written with the published
    // package throws at the hang-up (ckb-js-vm exits -7): the exit code expected, when given, is
    // the byte after the target.
    let expected = args
        .params
        .get(33)
        .map_or(0, |&code| i8::from_ne_bytes([code]));
    ensure(ckb_ipc::wait(pid)? == expected, 122)
}

/// The BATCH scenario (`test_proto::batch::SCENARIO`): add(40, 2), fail(0xdead), echo "ping"
/// and the unknown method 0x99 in one batch, then a single add(1, 2); prints what came back.
fn batch(args: &Args) -> Result<(), Fail> {
    let mut ch = if args.params.len() >= 33 {
        let server = spawn_js(args)?;
        server.into_channel()
    } else if args.params.is_empty() {
        open(args)?
    } else {
        // A `bad-peer` mode, as its argv.
        let mut mode = args.params.clone();
        mode.push(0);
        let mode = core::ffi::CStr::from_bytes_with_nul(&mode).map_err(|_| Fail(4))?;
        let (r, w) = ckb_ipc::spawn_server(args.index, Source::CellDep, &[mode])?;
        Channel::new(r, w)
    };
    let requests = [
        add_request(40, 2),
        RequestPacket::new(method::FAIL, Payload::from_slice(&0xdeadu64.to_le_bytes())),
        RequestPacket::new(method::ECHO, Payload::from_slice(b"ping")),
        RequestPacket::new(0x99, Payload::new()),
    ];
    let answers = match ch.call_batch(&requests) {
        Ok(responses) => {
            let mut text = alloc::string::String::from("[");
            for r in &responses {
                let sep = if text.len() > 1 { ", " } else { "" };
                text.push_str(&format!("{sep}{:#x}:", r.error_code()));
                for b in r.payload() {
                    text.push_str(&format!("{b:02x}"));
                }
            }
            text + "]"
        }
        Err(e) => format!("{e:?}"),
    };
    let then = match ch
        .call(&add_request(1, 2))
        .and_then(ResponsePacket::into_result)
    {
        Ok(sum) => match <[u8; 8]>::try_from(sum.as_slice()) {
            Ok(sum) => format!("{}", u64::from_le_bytes(sum)),
            Err(_) => format!("{sum:?}"),
        },
        Err(e) => format!("{e:?}"),
    };
    syscalls::debug(format!("batch: {answers}; then add = {then}"));
    Ok(())
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
