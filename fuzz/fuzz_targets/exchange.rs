//! A whole server loop (`Channel::execute`) over an arbitrary client stream, then the server's
//! answers read back by a client channel: every request served gets exactly one well-formed
//! response, in order; every request over the payload limit (of at most `MAX_DISCARD` bytes,
//! all of it in the stream) is drained and answered 28 with no payload, and serving goes on;
//! a failed loop ends with one error response carrying its wire code.
#![no_main]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::decode_header;
use ckb_ipc::{Channel, IpcError, RequestPacket, ResponsePacket, MAX_DISCARD};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// The wire code of a refused packet (`ProtocolErrorCode::GeneralIoError`, 28).
const REFUSED: u64 = 28;

/// How many packets of `stream`, read from its start as the server does, are refused and
/// drained: complete packets whose length is over `limit` but at most `MAX_DISCARD`. The
/// count stops where the server's loop stops serving (a packet it cannot read or skip).
fn refusals(mut stream: &[u8], limit: u64) -> usize {
    let mut count = 0;
    while let Ok(Some((header, header_len))) = decode_header(stream, u64::MAX) {
        let len = header.payload_len;
        if len > limit && len > MAX_DISCARD {
            break;
        }
        let Some(rest) = usize::try_from(len)
            .ok()
            .and_then(|len| stream.get(header_len + len..))
        else {
            break;
        };
        if len > limit {
            count += 1;
        }
        stream = rest;
    }
    count
}

fuzz_target!(|data: &[u8]| {
    let (sizes, limit, stream) = common::split(data);
    let mut served = Vec::new();
    let mut server = Channel::new(ChunkedReader::new(stream, &sizes), VecWriter::default())
        .with_max_payload(limit);
    let result = server.execute(&mut |req: RequestPacket| {
        served.push((req.method_id(), req.payload().to_vec()));
        // Odd methods fail with their id as the code (never 28), even ones echo (code 0).
        if req.method_id() % 2 == 1 {
            ResponsePacket::error(req.method_id())
        } else {
            ResponsePacket::ok(req.into_payload())
        }
    });
    let answers = server.into_inner().1.bytes;

    // Read the answers back as a client would, to the end.
    let mut client =
        Channel::new(&answers[..], VecWriter::default()).with_max_payload(u64::MAX >> 2);
    let mut responses = Vec::new();
    loop {
        match client.receive_response() {
            Ok(resp) => responses.push(resp),
            Err(IpcError::Eof) => break,
            Err(e) => panic!("the server wrote a bad response: {e:?}"),
        }
    }
    if let Err(e) = result {
        assert_ne!(e, IpcError::Eof);
        let told = responses.pop().expect("the client is told");
        assert_eq!(
            (told.error_code(), told.payload()),
            (e.wire_code(), &[][..])
        );
    }
    // The rest: each served request's answer in order, with the refusals between them.
    let mut served = served.iter();
    let mut refused = 0;
    for resp in &responses {
        if resp.error_code() == REFUSED && resp.payload().is_empty() {
            refused += 1;
            continue;
        }
        let (method, payload) = served.next().expect("an answer of a request not served");
        if method % 2 == 1 {
            assert_eq!(resp.error_code(), *method);
        } else {
            assert_eq!((resp.error_code(), resp.payload()), (0, &payload[..]));
        }
    }
    assert!(served.next().is_none(), "a served request without its answer");
    assert_eq!(refused, refusals(stream, limit), "refusals");
});
