//! A client written with ckb-script-ipc-common 1.1.0 calling the ckb-ipc `json-server` at cell
//! dep 1: echo (small and 8 KiB), add, and an error code.
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_script_ipc_common::channel::Channel;
use ckb_script_ipc_common::error::{IpcError, ProtocolErrorCode};
use ckb_std::ckb_constants::Source;
use demo_proto::json::{Req, Resp};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

fn program_entry() -> i8 {
    let Ok((read, write)) = ckb_script_ipc_common::spawn::spawn_server(1, Source::CellDep, &[])
    else {
        return 1;
    };
    let mut channel = Channel::new(read, write);
    let small = b"hello from ckb-script-ipc".to_vec();
    match channel.call::<Req, Resp>("echo", Req::Echo(small.clone())) {
        Ok(Resp::Echo(back)) if back == small => {}
        _ => return 2,
    }
    let large: Vec<u8> = (0..8192u32).map(|i| (i % 251) as u8).collect();
    match channel.call::<Req, Resp>("echo", Req::Echo(large.clone())) {
        Ok(Resp::Echo(back)) if back == large => {}
        _ => return 3,
    }
    match channel.call::<Req, Resp>("add", Req::Add(40, 2)) {
        Ok(Resp::Add(42)) => {}
        _ => return 4,
    }
    match channel.call::<Req, Resp>("fail", Req::Fail(27)) {
        Err(IpcError::ProtocolError(ProtocolErrorCode::DeserializeError)) => {}
        _ => return 5,
    }
    // Our server goes on serving after an error answer.
    match channel.call::<Req, Resp>("add", Req::Add(1, 2)) {
        Ok(Resp::Add(3)) => 0,
        _ => 6,
    }
}
