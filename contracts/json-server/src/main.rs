//! A ckb-ipc server that speaks ckb-script-ipc-common's JSON payloads (method id 0, serde_json of
//! `test_proto::json::Req`), so clients written with that crate can call it.
#![no_std]
#![no_main]

use ckb_ipc::{ProtocolErrorCode, RequestPacket, ResponsePacket};
use test_proto::json::{Req, Resp};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

fn serve(req: RequestPacket) -> ResponsePacket {
    let resp = match serde_json::from_slice::<Req>(req.payload()) {
        Ok(Req::Echo(bytes)) => Resp::Echo(bytes),
        Ok(Req::Add(a, b)) => Resp::Add(a.wrapping_add(b)),
        Ok(Req::Fail(code)) => return ResponsePacket::error(code),
        Err(_) => return ResponsePacket::error(ProtocolErrorCode::DeserializeError as u64),
    };
    match serde_json::to_vec(&resp) {
        Ok(bytes) => ResponsePacket::ok(bytes),
        Err(_) => ResponsePacket::error(ProtocolErrorCode::SerializeError as u64),
    }
}

fn program_entry() -> i8 {
    match ckb_ipc::run_server(serve) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
