//! Demo IPC server: the methods of `test_proto::method`, served on the inherited pipes.
#![no_std]
#![no_main]

use ckb_ipc::{
    le, Channel, IpcError, Payload, RequestPacket, ResponsePacket, ServerOptions, Source,
};
use ckb_std::{env, syscalls};
use test_proto::{error, method};

ckb_std::entry!(program_entry);
// 1.25 MiB of heap: a 256 KiB payload takes a 512 KiB buddy block.
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 1280 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

fn program_entry() -> i8 {
    let options = ServerOptions::new().max_payload(test_proto::MAX_PAYLOAD);
    let served = ckb_ipc::run_server_with(options, serve);
    match served {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

fn serve(req: RequestPacket) -> ResponsePacket {
    match req.method_id() {
        method::ECHO => ResponsePacket::ok(req.into_payload()),
        method::ADD => match parse_add(req.payload()) {
            Some((a, b)) => match a.checked_add(b) {
                Some(sum) => {
                    // Answer in the request's buffer: no allocation.
                    let mut out = req.into_payload();
                    out.truncate(8);
                    match le::put_u64_at(&mut out, 0, sum) {
                        Some(()) => ResponsePacket::ok(out),
                        None => ResponsePacket::error(error::BAD_ARGS),
                    }
                }
                None => ResponsePacket::error(error::OVERFLOW),
            },
            None => ResponsePacket::error(error::BAD_ARGS),
        },
        method::FAIL => match <[u8; 8]>::try_from(req.payload()) {
            Ok(code) => ResponsePacket::error(u64::from_le_bytes(code)),
            Err(_) => ResponsePacket::error(error::BAD_ARGS),
        },
        method::ARGV => {
            let mut out = Payload::new();
            for arg in env::argv() {
                out.extend_from_slice(arg.to_bytes());
                out.push(0);
            }
            ResponsePacket::ok(out)
        }
        method::NESTED_ADD => match nested_add(req.payload()) {
            Ok(resp) => resp,
            Err(_) => ResponsePacket::error(error::NESTED_FAILED),
        },
        method::PID => ResponsePacket::ok(syscalls::process_id().to_le_bytes()),
        _ => ResponsePacket::error(error::UNKNOWN_METHOD),
    }
}

/// The two little-endian `u64`s of an add's 16 bytes ([`le`]: one load each on CKB-VM).
fn parse_add(payload: &[u8]) -> Option<(u64, u64)> {
    if payload.len() != 16 {
        return None;
    }
    Some((le::u64_at(payload, 0)?, le::u64_at(payload, 8)?))
}

/// Spawns a child server from the cell dep named by the first byte and forwards an ADD to it.
fn nested_add(payload: &[u8]) -> Result<ResponsePacket, IpcError> {
    let (&index, args) = payload.split_first().ok_or(IpcError::Deserialize)?;
    let child = ckb_ipc::ServerProcess::spawn(usize::from(index), Source::CellDep, &[c"nested"])?;
    let pid = child.pid();
    let mut channel: Channel<_, _> = child.into_channel();
    let resp = channel.call(&RequestPacket::new(method::ADD, Payload::from_slice(args)))?;
    drop(channel);
    match ckb_ipc::wait(pid)? {
        0 => Ok(resp),
        _ => Err(IpcError::ErrorCode(error::NESTED_FAILED)),
    }
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
