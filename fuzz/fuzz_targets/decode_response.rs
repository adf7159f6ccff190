//! Responses read from arbitrary bytes through `call`: a response (any error code), `Eof`, or an
//! error; never a panic, never more payload than the limit.
#![no_main]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::{Channel, Payload, RequestPacket};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (sizes, limit, stream) = common::split(data);
    let mut ch = Channel::new(ChunkedReader::new(stream, &sizes), VecWriter::default())
        .with_max_payload(limit);
    let req = RequestPacket::new(1, Payload::from_slice(b"ping"));
    let mut calls = 0usize;
    loop {
        match ch.call(&req) {
            Ok(resp) => {
                assert!(resp.payload().len() as u64 <= limit);
                let _ = resp.into_result();
                calls += 1;
                assert!(calls <= stream.len(), "a response is at least 3 bytes");
            }
            Err(_) => break,
        }
    }
});
