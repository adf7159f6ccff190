//! The README's owned-level example, compiled by `cargo test`; `make test` checks that the
//! README shows exactly the lines between the ANCHOR comments. Scripts run only in CKB-VM, so
//! `main` here does nothing.
#![allow(dead_code)]

const ADD: u64 = 2;

// ANCHOR: owned
use ckb_ipc::{Channel, IpcError, Payload, RequestPacket, ResponsePacket, Source};

/// The client: spawn the server at cell dep 1, then one call of `ADD` with two `u64`s.
fn add(a: u64, b: u64) -> Result<Payload, IpcError> {
    let (read, write) = ckb_ipc::spawn_server(1, Source::CellDep, &[])?;
    let mut channel = Channel::new(read, write);
    let args = [a.to_le_bytes(), b.to_le_bytes()].concat();
    let response = channel.call(&RequestPacket::new(ADD, args))?;
    response.into_result() // a non-zero error code becomes IpcError::ErrorCode
}

/// The server script: any `RequestHandler`, closures too; this one echoes.
fn program_entry() -> i8 {
    match ckb_ipc::run_server(|req: RequestPacket| ResponsePacket::ok(req.into_payload())) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
// ANCHOR_END: owned

fn main() {}
