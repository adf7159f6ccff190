//! A whole server loop (`Channel::execute`) over an arbitrary client stream, then the server's
//! answers read back by a client channel: every request served gets exactly one well-formed
//! response, in order; every request over the payload limit (of at most `MAX_DISCARD` bytes,
//! all of it in the stream) is drained and answered 28 with no payload, and serving goes on;
//! a batch is answered as its items, each served as the same request alone; a failed loop ends
//! with one error response carrying its wire code.
#![no_main]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::{check_batch, decode_header, Packets, BATCH_METHOD};
use ckb_ipc::{Channel, IpcError, RequestPacket, ResponsePacket, MAX_DISCARD};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

/// The wire code of a refused packet (`ProtocolErrorCode::GeneralIoError`, 28).
const REFUSED: u64 = 28;

/// The packets of `stream` as the server reads them, from its start for as long as it can go
/// on: each its code and its payload, or `None` for one over `limit` (of at most
/// `MAX_DISCARD` bytes: drained and refused). A packet it cannot read or skip ends the run.
fn packets(mut stream: &[u8], limit: u64) -> Vec<(u64, Option<&[u8]>)> {
    let mut out = Vec::new();
    while let Ok(Some((header, header_len))) = decode_header(stream, u64::MAX) {
        let len = header.payload_len;
        if len > limit && len > MAX_DISCARD {
            break;
        }
        let Some((payload, rest)) = usize::try_from(len)
            .ok()
            .and_then(|len| stream.get(header_len..)?.split_at_checked(len))
        else {
            break;
        };
        out.push((header.code, (len <= limit).then_some(payload)));
        stream = rest;
    }
    out
}

/// Checks `resp`, the answer to a request of `method` with `payload` the handler was given
/// (`served`): odd methods fail with their id, even ones echo.
fn check_answer(served: Option<&(u64, Vec<u8>)>, method: u64, payload: &[u8], resp: (u64, &[u8])) {
    let (m, p) = served.expect("an answer of a request not served");
    assert_eq!((*m, &p[..]), (method, payload), "served as sent");
    if method % 2 == 1 {
        assert_eq!(resp, (method, &[][..]));
    } else {
        assert_eq!(resp, (0, payload));
    }
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
    // The rest: one answer per packet in order, the refusals between them; a batch's answer
    // (`BATCH_METHOD`) its items' answers, each item served as a request alone, or the code of
    // what makes it malformed and nothing served.
    let mut served = served.iter();
    let mut sent = packets(stream, limit).into_iter();
    for resp in &responses {
        let (method, payload) = sent.next().expect("an answer to no request");
        let got = (resp.error_code(), resp.payload());
        match payload {
            None => assert_eq!(got, (REFUSED, &[][..]), "refused"),
            Some(items) if method == BATCH_METHOD => match check_batch(items, limit) {
                Err(e) => assert_eq!(got, (e.wire_code(), &[][..]), "batch refused"),
                Ok(count) => {
                    assert_eq!(got.0, 0);
                    let answers: Vec<_> = Packets::new(got.1, u64::MAX)
                        .map(|a| a.expect("a well-formed answer"))
                        .collect();
                    assert_eq!(answers.len(), count, "one answer an item");
                    for (item, (header, answer)) in Packets::new(items, limit).zip(answers) {
                        let (item, item_payload) = item.expect("checked");
                        check_answer(
                            served.next(),
                            item.code,
                            item_payload,
                            (header.code, answer),
                        );
                    }
                }
            },
            Some(payload) => check_answer(served.next(), method, payload, got),
        }
    }
    assert!(
        served.next().is_none(),
        "a served request without its answer"
    );
    assert!(sent.next().is_none(), "a request without its answer");
});
