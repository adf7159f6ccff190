//! A whole server loop (`Channel::execute`) over an arbitrary client stream, then the server's
//! answers read back by a client channel: every request served gets exactly one well-formed
//! response, in order, and a failed loop ends with one error response carrying its wire code.
#![no_main]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::{Channel, IpcError, RequestPacket, ResponsePacket};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (sizes, limit, stream) = common::split(data);
    let mut served = Vec::new();
    let mut server = Channel::new(ChunkedReader::new(stream, &sizes), VecWriter::default()).with_max_payload(limit);
    let result = server.execute(&mut |req: RequestPacket| {
        served.push((req.method_id(), req.payload().to_vec()));
        // Odd methods fail with their id as the code, even ones echo.
        if req.method_id() % 2 == 1 {
            ResponsePacket::error(req.method_id())
        } else {
            ResponsePacket::ok(req.into_payload())
        }
    });
    let answers = server.into_inner().1.bytes;

    // Read the answers back as a client would.
    let mut client = Channel::new(&answers[..], VecWriter::default()).with_max_payload(u64::MAX >> 2);
    for (method, payload) in &served {
        let resp = client.receive_response().expect("one response per request");
        if method % 2 == 1 {
            assert_eq!(resp.error_code(), *method);
        } else {
            assert_eq!((resp.error_code(), resp.payload()), (0, &payload[..]));
        }
    }
    match result {
        Ok(()) => assert_eq!(client.receive_response(), Err(IpcError::Eof)),
        Err(e) => {
            assert_ne!(e, IpcError::Eof);
            let told = client.receive_response().expect("the client is told");
            assert_eq!((told.error_code(), told.payload()), (e.wire_code(), &[][..]));
            assert_eq!(client.receive_response(), Err(IpcError::Eof));
        }
    }
});
