//! A native service for `ckb-ipc init`: the demo server's ECHO (1) and ADD (2), served with
//! `ckb_ipc_host::serve` on the `ipc:<socket>` the tool appends to the arguments.
//!
//! ```text
//! $ ckb-ipc call target/debug/examples/native-add --method 2 0x28000000000000000200000000000000
//! 0x2a00000000000000
//! ```

use std::os::unix::net::UnixListener;

use ckb_ipc::{RequestPacket, ResponsePacket};

fn main() {
    let Some(socket) = std::env::args()
        .next_back()
        .and_then(|a| a.strip_prefix("ipc:").map(String::from))
    else {
        eprintln!("usage: native-add ipc:<socket>");
        std::process::exit(2);
    };
    if std::env::args().any(|a| a == "--exit-early") {
        std::process::exit(4);
    }
    let listener = match UnixListener::bind(&socket) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("native-add: {socket}: {e}");
            std::process::exit(1);
        }
    };
    let mut handler = |req: RequestPacket| match req.method_id() {
        1 => ResponsePacket::ok(req.into_payload()),
        2 => match <[u8; 16]>::try_from(req.payload()) {
            Ok(b) => {
                let a = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
                let c = u64::from_le_bytes(b[8..].try_into().unwrap_or_default());
                ResponsePacket::ok(a.wrapping_add(c).to_le_bytes())
            }
            Err(_) => ResponsePacket::error(1001),
        },
        _ => ResponsePacket::error(1000),
    };
    match ckb_ipc_host::serve(listener, &mut handler) {
        Ok(reason) => eprintln!("native-add: ended: {reason}"),
        Err(e) => {
            eprintln!("native-add: {e}");
            std::process::exit(1);
        }
    }
}
