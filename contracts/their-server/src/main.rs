//! A server written with ckb-script-ipc-common 1.1.0, exactly as its users write one.
#![no_std]
#![no_main]

use ckb_script_ipc_common::error::{IpcError, ProtocolErrorCode};
use ckb_script_ipc_common::ipc::Serve;
use test_proto::json::{Req, Resp};

ckb_std::entry!(program_entry);
// Room for JSON: a 64 KiB byte array is about 250 KB of text.
const FIXED_HEAP: usize = 16 * 1024;
const HEAP: usize = 2 * 1024 * 1024;
// The allocator (ckb_std::default_alloc!) is at the end of this file.

struct Service;

impl Serve for Service {
    type Req = Req;
    type Resp = Resp;
    fn serve(&mut self, req: Req) -> Result<Resp, IpcError> {
        match req {
            Req::Echo(bytes) => Ok(Resp::Echo(bytes)),
            Req::Add(a, b) => Ok(Resp::Add(a.wrapping_add(b))),
            Req::Fail(code) => Err(IpcError::ProtocolError(ProtocolErrorCode::from(code))),
        }
    }
}

fn program_entry() -> i8 {
    match ckb_script_ipc_common::spawn::run_server(Service) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

// ckb-std's allocator (`bench_alloc::allocator!`: counting under the `heap-stats` feature, at
// the end of the file so that the feature moves no line above it).
bench_alloc::allocator!(FIXED_HEAP, HEAP, 64);
