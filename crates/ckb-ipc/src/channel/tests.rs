//! The channel over in-memory pipes: every level, every read split, every refusal.
//!
//! Compiled only for `cargo test` (`#[cfg(test)] mod tests` in `channel/mod.rs`): an `unwrap` here is
//! a test's assertion on bytes the test wrote, never in a script.

use super::*;
use crate::io::mem::{ChunkedReader, VecWriter};
use crate::io::ReadVec;
use crate::packet::{Payload, Wire};
use crate::wire;
extern crate std;
use std::vec;
use std::vec::Vec;

fn encode_requests(requests: &[RequestPacket]) -> Vec<u8> {
    let mut ch = Channel::new(&[][..], VecWriter::default());
    for r in requests {
        ch.send_request(r).unwrap();
    }
    let (_, w) = ch.into_inner();
    let split = requests
        .iter()
        .filter(|r| matches!(r.wire(), Wire::Split { .. }))
        .count();
    assert_eq!(
        w.writes,
        requests.len() + split,
        "one write per packet, two if split"
    );
    w.bytes
}

fn sample_requests() -> Vec<RequestPacket> {
    vec![
        RequestPacket::new(0, Payload::new()),
        RequestPacket::new(1, Payload::from_slice(b"hello")),
        RequestPacket::new(127, vec![0xabu8; 127]),
        RequestPacket::new(128, vec![0x5au8; 128]),
        RequestPacket::new(u64::MAX, vec![1u8; 3000]),
        RequestPacket::new(
            16384,
            Payload::from_slice(&(0..=255u8).cycle().take(16384).collect::<Vec<_>>()),
        ),
    ]
}

/// Serves `input` read in pieces of `sizes`; returns what the handler saw, what was
/// answered and how `execute` ended.
fn serve(input: &[u8], sizes: &[usize]) -> (Vec<RequestPacket>, Vec<u8>, Result<(), IpcError>) {
    let mut seen = Vec::new();
    let mut ch = Channel::new(ChunkedReader::new(input, sizes), VecWriter::default());
    let result = ch.execute(&mut |req: RequestPacket| {
        seen.push(req.clone());
        ResponsePacket::ok(req.into_payload())
    });
    (seen, ch.into_inner().1.bytes, result)
}

#[test]
fn server_decodes_every_split_of_the_stream() {
    let requests = sample_requests();
    let stream = encode_requests(&requests);
    let (_, expected_out, _) = serve(&stream, &[usize::MAX]);
    for size in (1..=40).chain([127, 128, 129, 1000, 4096, 20000]) {
        let (seen, out, result) = serve(&stream, &[size]);
        assert_eq!(result, Ok(()), "read size {size}");
        assert_eq!(seen, requests, "read size {size}");
        assert_eq!(out, expected_out, "read size {size}");
    }
    // Irregular splits.
    let (seen, _, result) = serve(&stream, &[1, 7, 2, 300, 5, 64, 1, 1, 9999]);
    assert_eq!((seen, result), (requests, Ok(())));
}

#[test]
fn client_reads_every_split_of_a_response() {
    let responses = [
        ResponsePacket::ok(Payload::from_slice(&7u64.to_le_bytes())),
        ResponsePacket::error(0xdead),
        ResponsePacket::new(u64::MAX, vec![3u8; 200]),
        ResponsePacket::ok(vec![9u8; 70000]),
    ];
    let mut stream = Vec::new();
    for r in &responses {
        stream.extend_from_slice(&r.to_bytes());
    }
    for size in [1, 2, 3, 5, 64, 100, 1 << 20] {
        let sizes = [size];
        let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default())
            .with_max_payload(1 << 20);
        let req = RequestPacket::new(5, Payload::from_slice(b"x"));
        for expected in &responses {
            assert_eq!(&ch.call(&req).unwrap(), expected, "read size {size}");
        }
        assert_eq!(ch.call(&req), Err(IpcError::Eof));
        let (_, w) = ch.into_inner();
        assert_eq!(w.bytes, [0, 5, 1, b'x'].repeat(responses.len() + 1));
    }
}

#[test]
fn error_codes_reach_the_client_as_values() {
    let bytes = ResponsePacket::error(0xdead).to_bytes();
    let mut ch = Channel::new(&bytes[..], VecWriter::default());
    let got = ch.call(&RequestPacket::new(1, Payload::new())).unwrap();
    assert_eq!(got.error_code(), 0xdead);
    assert_eq!(got.into_result(), Err(IpcError::ErrorCode(0xdead)));
}

#[test]
fn bad_streams_end_in_errors_and_the_client_is_told() {
    let mut max_plus_one = vec![0u8, 1];
    let mut len = [0u8; 10];
    let n = wire::vlq::encode(DEFAULT_MAX_PAYLOAD + 1, &mut len);
    max_plus_one.extend_from_slice(&len[..n]);
    let cases: Vec<(Vec<u8>, IpcError)> = vec![
        // Truncated inside the header and inside the payload.
        (vec![0, 1], IpcError::UnexpectedEof),
        (vec![0, 1, 5, 1, 2], IpcError::UnexpectedEof),
        // Length prefix of 2^60.
        (
            vec![0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10],
            IpcError::PayloadTooLarge {
                len: 1 << 60,
                max: DEFAULT_MAX_PAYLOAD,
            },
        ),
        // Over the limit but small enough to drain: a body that never comes is a
        // truncated packet.
        (max_plus_one, IpcError::UnexpectedEof),
        // 11-byte VLQ.
        (
            vec![
                0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
            ],
            IpcError::VlqOverflow,
        ),
        (vec![3, 0, 0], IpcError::UnsupportedVersion(3)),
    ];
    for (input, expected) in cases {
        for size in [1, 2, 1000] {
            let (seen, out, result) = serve(&input, &[size]);
            assert!(seen.is_empty());
            assert_eq!(result, Err(expected), "input {input:x?}");
            assert_eq!(
                out,
                [0, expected.wire_code() as u8, 0],
                "error code sent for {input:x?}"
            );
        }
    }
}

#[test]
fn valid_requests_before_garbage_are_served() {
    let mut stream = encode_requests(&sample_requests()[..2]);
    stream.extend_from_slice(&[0, 1, 9, 1]);
    let (seen, out, result) = serve(&stream, &[3]);
    assert_eq!(seen.len(), 2);
    assert_eq!(result, Err(IpcError::UnexpectedEof));
    assert!(out.ends_with(&[0, 22, 0]));
}

#[test]
fn the_length_limit_is_the_channels() {
    let req = RequestPacket::new(1, vec![0u8; 100]);
    let stream = encode_requests(&[req]);
    let mut ch = Channel::new(&stream[..], VecWriter::default()).with_max_payload(99);
    assert_eq!(
        ch.receive_request().unwrap_err(),
        IpcError::PayloadTooLarge { len: 100, max: 99 }
    );
    let mut ch = Channel::new(&stream[..], VecWriter::default()).with_max_payload(100);
    assert_eq!(ch.receive_request().unwrap().unwrap().payload().len(), 100);
}

#[test]
fn recycled_buffers_are_read_into() {
    let responses: Vec<u8> = [ResponsePacket::ok([1u8; 8]), ResponsePacket::ok([2u8; 8])]
        .iter()
        .flat_map(|r| r.to_bytes())
        .collect();
    let mut ch = Channel::new(&responses[..], VecWriter::default());
    let req = RequestPacket::new(1, Payload::new());
    let first = ch.call(&req).unwrap().into_result().unwrap();
    assert_eq!(first.as_slice(), [1u8; 8]);
    let ptr = first.as_slice().as_ptr();
    ch.recycle(first);
    let second = ch.call(&req).unwrap().into_result().unwrap();
    assert_eq!(second.as_slice(), [2u8; 8]);
    assert_eq!(
        second.as_slice().as_ptr(),
        ptr,
        "read into the recycled buffer"
    );
}

#[test]
fn answering_in_the_request_buffer() {
    let mut p = Payload::from_slice(&[9u8; 16]);
    p.truncate(8);
    p.copy_from_slice(&[3u8; 8]);
    p.truncate(100);
    assert_eq!(
        ResponsePacket::ok(p).to_bytes(),
        [&[0u8, 0, 8][..], &[3u8; 8]].concat()
    );
}

/// Takes `room` bytes, then behaves like a pipe whose reader is gone.
struct ClosingWriter {
    room: usize,
}

impl embedded_io::ErrorType for ClosingWriter {
    type Error = IpcError;
}

impl embedded_io::Write for ClosingWriter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        match self.room.min(buf.len()) {
            0 => Err(IpcError::UnexpectedEof),
            n => {
                self.room -= n;
                Ok(n)
            }
        }
    }
    fn flush(&mut self) -> Result<(), IpcError> {
        Ok(())
    }
}

#[test]
fn a_peer_gone_before_a_packet_is_eof_and_during_one_unexpected() {
    let req = RequestPacket::new(1, Payload::from_slice(b"ping"));
    let mut gone = Channel::new(&[][..], ClosingWriter { room: 0 });
    assert_eq!(gone.call(&req), Err(IpcError::Eof));
    let mut midway = Channel::new(&[][..], ClosingWriter { room: 3 });
    assert_eq!(midway.call(&req), Err(IpcError::UnexpectedEof));

    // A client that hangs up without reading its answer ends the server loop cleanly.
    let stream = req.to_bytes();
    let mut server = Channel::new(&stream[..], ClosingWriter { room: 0 });
    assert_eq!(
        server.execute(&mut |r: RequestPacket| ResponsePacket::ok(r.into_payload())),
        Ok(())
    );
}

#[test]
fn echo_needs_no_copy_and_one_write() {
    // The response built from a received payload goes out in one piece.
    let stream = encode_requests(&[RequestPacket::new(1, vec![4u8; 1024])]);
    let mut ch = Channel::new(&stream[..], VecWriter::default());
    let req = ch.receive_request().unwrap().unwrap();
    let resp = ResponsePacket::new(300, req.into_payload());
    assert!(matches!(resp.wire(), Wire::Whole(_)));
}
/// Counts the reads that reach the transport, to prove a broken channel makes none.
struct CountingReader<'a> {
    inner: ChunkedReader<'a>,
    reads: usize,
}

impl embedded_io::ErrorType for CountingReader<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.reads += 1;
        self.inner.read(buf)
    }
}

impl ReadVec for CountingReader<'_> {}

#[test]
fn an_honest_request_over_the_limit_is_drained_answered_28_and_the_server_goes_on() {
    for over in [1usize, 100, 5000] {
        let max = 100usize;
        let stream = encode_requests(&[
            RequestPacket::new(1, vec![7u8; max + over]),
            RequestPacket::new(2, Payload::from_slice(b"next")),
        ]);
        for size in [1, 3, 64, 4096, usize::MAX] {
            let mut seen = Vec::new();
            let sizes = [size];
            let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default())
                .with_max_payload(max as u64);
            let result = ch.execute(&mut |req: RequestPacket| {
                seen.push(req.clone());
                ResponsePacket::ok(req.into_payload())
            });
            assert_eq!(result, Ok(()), "over {over}, read size {size}");
            assert_eq!(seen, [RequestPacket::new(2, Payload::from_slice(b"next"))]);
            let out = ch.into_inner().1.bytes;
            assert_eq!(out, [&[0u8, 28, 0][..], &[0, 0, 4], b"next"].concat());
        }
    }
}

#[test]
fn a_client_drains_an_oversized_response_and_the_channel_stays_usable() {
    let stream = [
        ResponsePacket::ok(vec![1u8; 2048]).to_bytes(),
        ResponsePacket::ok(vec![2u8; 1025]).to_bytes(),
        ResponsePacket::ok(Payload::from_slice(&42u64.to_le_bytes())).to_bytes(),
    ]
    .concat();
    for size in [1, 7, 1024, usize::MAX] {
        let sizes = [size];
        let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default())
            .with_max_payload(1024);
        let req = RequestPacket::new(1, Payload::from_slice(b"x"));
        assert_eq!(
            ch.call(&req),
            Err(IpcError::PayloadTooLarge {
                len: 2048,
                max: 1024
            })
        );
        assert!(!ch.is_broken());
        assert_eq!(
            ch.call(&req),
            Err(IpcError::PayloadTooLarge {
                len: 1025,
                max: 1024
            })
        );
        let third = ch.call(&req).unwrap().into_result().unwrap();
        assert_eq!(third.as_slice(), 42u64.to_le_bytes(), "read size {size}");
    }
}

#[test]
fn a_length_over_max_discard_is_refused_at_once_and_breaks_the_channel() {
    let mut header = [0u8; MAX_HEADER_LEN];
    let n = wire::encode_header(0, MAX_DISCARD + 1, &mut header);
    let mut ch = Channel::new(&header[..n], VecWriter::default());
    let req = RequestPacket::new(1, Payload::new());
    assert_eq!(
        ch.call(&req),
        Err(IpcError::PayloadTooLarge {
            len: MAX_DISCARD + 1,
            max: DEFAULT_MAX_PAYLOAD
        })
    );
    assert!(ch.is_broken());
    // A server answers such a request with 28 before it stops, as before.
    let mut stream = header[..n].to_vec();
    stream[1] = 1;
    let (_, out, result) = serve(&stream, &[usize::MAX]);
    assert!(matches!(result, Err(IpcError::PayloadTooLarge { .. })));
    assert_eq!(out, [0, 28, 0]);
}

#[test]
fn a_body_cut_short_while_draining_breaks_the_channel() {
    let mut stream = ResponsePacket::ok(vec![1u8; 300]).to_bytes();
    stream.truncate(200);
    let mut ch = Channel::new(&stream[..], VecWriter::default()).with_max_payload(100);
    let req = RequestPacket::new(1, Payload::new());
    assert_eq!(ch.call(&req), Err(IpcError::UnexpectedEof));
    assert!(ch.is_broken());
}

#[test]
fn after_an_error_inside_a_packet_every_call_fails_at_once_without_a_syscall() {
    // Garbage, then a valid response the channel must not mistake for an answer.
    let stream = [
        &b"\x05garbage"[..],
        &ResponsePacket::ok([1u8; 8]).to_bytes(),
    ]
    .concat();
    let sizes = [8usize];
    let reader = CountingReader {
        inner: ChunkedReader::new(&stream, &sizes),
        reads: 0,
    };
    let mut ch = Channel::new(reader, VecWriter::default());
    let req = RequestPacket::new(1, Payload::from_slice(b"x"));
    assert_eq!(ch.call(&req), Err(IpcError::UnsupportedVersion(5)));
    assert!(ch.is_broken());
    let (reads, writes) = {
        let (r, w) = (&ch.reader, &ch.writer);
        (r.reads, w.writes)
    };
    for _ in 0..3 {
        assert_eq!(ch.call(&req), Err(IpcError::Broken));
        assert_eq!(ch.send_error_code(1), Err(IpcError::Broken));
        assert_eq!(ch.receive_request(), Err(IpcError::Broken));
    }
    assert_eq!(
        (ch.reader.reads, ch.writer.writes),
        (reads, writes),
        "no syscall"
    );
}

#[test]
fn a_write_cut_short_breaks_the_channel() {
    let req = RequestPacket::new(1, Payload::from_slice(b"ping"));
    let mut ch = Channel::new(&[][..], ClosingWriter { room: 2 });
    assert_eq!(ch.call(&req), Err(IpcError::UnexpectedEof));
    assert_eq!(ch.call(&req), Err(IpcError::Broken));
    // Gone before the first byte: the end of the conversation, not breakage.
    let mut ch = Channel::new(&[][..], ClosingWriter { room: 0 });
    assert_eq!(ch.call(&req), Err(IpcError::Eof));
    assert!(!ch.is_broken());
}

/// The bytes a client writes for `call`, run against a server that is not there.
fn written_by(call: impl FnOnce(&mut Channel<&[u8], VecWriter>)) -> Vec<u8> {
    let mut ch = Channel::new(&[][..], VecWriter::default());
    call(&mut ch);
    ch.into_inner().1.bytes
}

/// The raw methods of the batch tests: 1 echo, 2 add, 3 fails with the code in its payload,
/// 4 answers 300 bytes (a two-byte length), others unknown (1000).
fn raw_answer(method: u64, payload: &[u8]) -> (u64, Vec<u8>) {
    match method {
        1 => (0, payload.to_vec()),
        2 => match (payload.get(..8), payload.get(8..16)) {
            (Some(a), Some(b)) if payload.len() == 16 => {
                let sum = u64::from_le_bytes(a.try_into().unwrap())
                    .wrapping_add(u64::from_le_bytes(b.try_into().unwrap()));
                (0, sum.to_le_bytes().to_vec())
            }
            _ => (1001, Vec::new()),
        },
        3 => (u64::from_le_bytes(payload.try_into().unwrap()), Vec::new()),
        4 => (0, vec![7u8; 300]),
        _ => (1000, Vec::new()),
    }
}

fn in_place_handler<B: Buffer>(method: u64, frame: &mut Frame<'_, B>) -> u64 {
    let (code, out) = raw_answer(method, frame.as_slice());
    frame.clear();
    match frame.extend_from_slice(&out) {
        Ok(()) => code,
        Err(e) => e.wire_code(),
    }
}

fn sample_batch() -> Vec<RequestPacket> {
    let add = [5u64.to_le_bytes(), 6u64.to_le_bytes()].concat();
    vec![
        RequestPacket::new(2, add),
        RequestPacket::new(1, Payload::from_slice(b"hello")),
        RequestPacket::new(3, 0xdead_u64.to_le_bytes().to_vec()),
        RequestPacket::new(4, Payload::new()),
        RequestPacket::new(9, Payload::new()),
        RequestPacket::new(1, vec![0x5a; 200]),
        RequestPacket::new(2, Payload::from_slice(b"short")),
    ]
}

fn expected(requests: &[RequestPacket]) -> Vec<ResponsePacket> {
    requests
        .iter()
        .map(|r| {
            let (code, out) = raw_answer(r.method_id(), r.payload());
            ResponsePacket::new(code, out)
        })
        .collect()
}

/// Every server loop over `input`: owned, in place on the heap, in place over a fixed buffer
/// of `fixed` bytes; what each wrote and how it ended.
fn every_server(input: &[u8], fixed: usize) -> [(Vec<u8>, Result<(), IpcError>); 3] {
    let mut owned = Channel::new(ChunkedReader::new(input, &[]), VecWriter::default());
    let r1 = owned.execute(&mut |req: RequestPacket| {
        let (code, out) = raw_answer(req.method_id(), req.payload());
        ResponsePacket::new(code, out)
    });
    let mut heap = Channel::new(ChunkedReader::new(input, &[]), VecWriter::default());
    let r2 = heap.execute_in_place(in_place_handler);
    let mut bytes = vec![0u8; fixed];
    let mut fixed = Channel::with_fixed_buffer(
        ChunkedReader::new(input, &[]),
        VecWriter::default(),
        &mut bytes,
    );
    let r3 = fixed.execute_in_place(in_place_handler);
    [
        (owned.into_inner().1.bytes, r1),
        (heap.into_inner().1.bytes, r2),
        (fixed.into_inner().1.bytes, r3),
    ]
}

#[test]
fn every_server_answers_a_batch_as_its_calls() {
    let requests = sample_batch();
    let sent = written_by(|ch| {
        let _ = ch.call_batch(&requests);
    });
    // One packet: the batch's header, then the requests as they would go alone.
    let items: Vec<u8> = requests.iter().flat_map(|r| r.to_bytes()).collect();
    assert_eq!(sent[..1], [0]);
    assert!(sent.ends_with(&items));
    let (header, used) = wire::decode_header(&sent, u64::MAX).unwrap().unwrap();
    assert_eq!(
        (header.code, used + items.len()),
        (wire::BATCH_METHOD, sent.len())
    );
    // Then a single add on the same stream.
    let mut input = sent.clone();
    input.extend(
        RequestPacket::new(2, [1u64.to_le_bytes(), 2u64.to_le_bytes()].concat()).to_bytes(),
    );
    for (answer, result) in every_server(&input, 1024) {
        assert_eq!(result, Ok(()));
        let mut client = Channel::new(ChunkedReader::new(&answer, &[]), VecWriter::default());
        let responses = client.call_batch(&requests).unwrap();
        assert_eq!(responses, expected(&requests));
        let sum = client.call(&RequestPacket::new(2, Payload::new())).unwrap();
        assert_eq!(sum.payload(), 3u64.to_le_bytes());
    }
}

/// A heap server whose handler takes each item's payload out and gives one back (the typed
/// server does for a `Payload` argument or result): the same one for echoes, a new one for the
/// others, none, or the answer written into the frame after the payload was taken. The answers before an item stay: the item is copied out and in, and its
/// answer's header written in front (three bytes kept, the answer moved up for a longer one).
#[test]
fn a_heap_batch_handler_that_takes_and_swaps_payloads_loses_no_answer() {
    let requests = sample_batch();
    let mut input = written_by(|ch| {
        let _ = ch.call_batch(&requests);
    });
    input.extend(RequestPacket::new(1, Payload::from_slice(b"after")).to_bytes());
    let mut heap = Channel::new(ChunkedReader::new(&input, &[]), VecWriter::default());
    let served = heap.execute_in_place(|method, frame: &mut Frame<'_, HeapBuffer>| {
        let taken = frame.take_payload();
        assert!(frame.is_empty());
        let (code, out) = raw_answer(method, &taken);
        match method {
            1 => frame.put_payload(taken),
            // Taken, then the answer written into the frame.
            2 => frame.extend_from_slice(&out).unwrap(),
            _ if out.is_empty() => {}
            _ => frame.put_payload(Payload::from_slice(&out)),
        }
        code
    });
    assert_eq!(served, Ok(()));
    let answer = heap.into_inner().1.bytes;
    let mut client = Channel::new(ChunkedReader::new(&answer, &[]), VecWriter::default());
    assert_eq!(client.call_batch(&requests).unwrap(), expected(&requests));
    let after = client.call(&RequestPacket::new(1, Payload::new())).unwrap();
    assert_eq!(after.payload(), b"after");
}

#[test]
fn batch_in_place_client_and_the_empty_batch() {
    let sent = written_by(|ch| {
        let _ = ch.call_batch_in_place(
            |b| {
                b.push(2, &[[40u64.to_le_bytes(), 2u64.to_le_bytes()].concat()][0])?;
                b.push_with(1, 3, |out| out.copy_from_slice(b"abc"))
            },
            |_| Ok(()),
        );
        let _ = ch.call_batch(&[]);
    });
    for (answer, result) in every_server(&sent, 256) {
        assert_eq!(result, Ok(()));
        let mut bytes = [0u8; 128];
        let mut client = Channel::with_fixed_buffer(
            ChunkedReader::new(&answer, &[]),
            VecWriter::default(),
            &mut bytes,
        );
        let got = client
            .call_batch_in_place(
                |b| {
                    b.push(2, &[40u64.to_le_bytes(), 2u64.to_le_bytes()].concat())?;
                    b.push_with(1, 3, |out| out.copy_from_slice(b"abc"))
                },
                |mut replies| {
                    assert_eq!(replies.len(), 2);
                    let echo = replies.get(1).unwrap();
                    let sum = replies.get(0).unwrap();
                    Ok((
                        sum.into_result()? == 42u64.to_le_bytes(),
                        echo.payload() == b"abc",
                    ))
                },
            )
            .unwrap();
        assert_eq!(got, (true, true));
        let empty = client
            .call_batch_in_place(|_| Ok(()), |r| Ok(r.len()))
            .unwrap();
        assert_eq!(empty, 0);
    }
}

#[test]
fn a_malformed_batch_is_refused_whole_and_serving_goes_on() {
    let add = RequestPacket::new(2, [1u64.to_le_bytes(), 2u64.to_le_bytes()].concat()).to_bytes();
    let batch = |items: &[u8]| RequestPacket::new(wire::BATCH_METHOD, items.to_vec()).to_bytes();
    let nested = batch(&add);
    let cases: [(&[u8], u64); 6] = [
        (&add[..add.len() - 1], 22), // an item cut short
        (
            &[
                0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
            ],
            24,
        ), // its length an overlong VLQ
        (&[1, 2, 0], 28),            // version 1
        (&[0, 2, 0x80, 0x80, 0x80, 0x80, 0x01], 28), // 2^28 bytes: over the limit
        (&[0, 2, 0x80, 0x04, 1, 2, 3], 22), // 512 bytes announced, 3 there
        (&nested, 27),               // a batch in a batch
    ];
    for (items, code) in cases {
        let mut input = batch(items);
        input.extend_from_slice(&add);
        for (answer, result) in every_server(&input, 1024) {
            assert_eq!(result, Ok(()), "{items:?}");
            let mut out = ResponsePacket::error(code).to_bytes();
            out.extend(ResponsePacket::ok(3u64.to_le_bytes()).to_bytes());
            assert_eq!(answer, out, "{items:?}");
        }
    }
    // The client sees the refusal, and its channel goes on.
    let mut input = ResponsePacket::error(0x100).to_bytes();
    input.extend(ResponsePacket::ok(*b"ok").to_bytes());
    let mut client = Channel::new(ChunkedReader::new(&input, &[]), VecWriter::default());
    assert_eq!(
        client.call_batch(&sample_batch()),
        Err(IpcError::BatchRefused(0x100))
    );
    assert_eq!(
        client
            .call(&RequestPacket::new(1, Payload::new()))
            .unwrap()
            .payload(),
        b"ok"
    );
    // An answer that is not one response per request.
    let one = ResponsePacket::ok(ResponsePacket::ok(*b"x").to_bytes()).to_bytes();
    let mut client = Channel::new(ChunkedReader::new(&one, &[]), VecWriter::default());
    assert_eq!(
        client.call_batch(&sample_batch()[..2]),
        Err(IpcError::Deserialize)
    );
    assert!(!client.is_broken());
}

/// The codes of the answers `client` reads for the batch of `requests`.
fn batch_codes(
    client: &mut Channel<ChunkedReader<'_>, VecWriter>,
    requests: &[RequestPacket],
) -> Vec<u64> {
    let answers = client.call_batch(requests).unwrap();
    answers.iter().map(|r| r.error_code()).collect()
}

#[test]
fn a_fixed_server_answers_a_batch_in_its_buffer_or_refuses_what_does_not_fit() {
    let requests: Vec<RequestPacket> = (0..16u64)
        .map(|i| RequestPacket::new(2, [i.to_le_bytes(), 1u64.to_le_bytes()].concat()))
        .collect();
    let sent = written_by(|ch| {
        let _ = ch.call_batch(&requests);
    });
    // Just room for the batch: its answers are smaller, and fit.
    let room = sent.len() + RX_PAD + wire::MAX_HEADER_LEN;
    let [.., (answer, result)] = every_server(&sent, room);
    assert_eq!(result, Ok(()));
    let mut client = Channel::new(ChunkedReader::new(&answer, &[]), VecWriter::default());
    assert_eq!(client.call_batch(&requests).unwrap(), expected(&requests));
    // Answers that grow past the buffer: the handler answers the items that find no room
    // with its error, the others go on.
    let grow: Vec<RequestPacket> = (0..4)
        .map(|_| RequestPacket::new(4, Payload::new()))
        .collect();
    let sent = written_by(|ch| {
        let _ = ch.call_batch(&grow);
    });
    let [.., (answer, result)] = every_server(&sent, 600);
    assert_eq!(result, Ok(()));
    let mut client = Channel::new(ChunkedReader::new(&answer, &[]), VecWriter::default());
    assert_eq!(batch_codes(&mut client, &grow), [0, 28, 28, 28]);
    // Every answer a byte longer than its item (unknown methods, code 1000 a two-byte VLQ), in
    // a buffer of the least room a batch of 30 is let in with (its payload limit is the buffer
    // less 29 bytes): the answers outgrow it. Those that find room are answered, the others
    // refused alone (28), as a call the buffer has no room for; the heap servers answer all.
    let unknown: Vec<RequestPacket> = (0..30)
        .map(|_| RequestPacket::new(9, Payload::new()))
        .collect();
    let sent = written_by(|ch| {
        let _ = ch.call_batch(&unknown);
    });
    let room = 3 * unknown.len() + RX_PAD + wire::MAX_HEADER_LEN;
    let add = RequestPacket::new(2, [1u64.to_le_bytes(), 2u64.to_le_bytes()].concat());
    // The batch alone: the free bytes after it are room for the first answers. With the next
    // call read behind it, there are none: each item refused, and that call served.
    for (input, answered) in [(sent.clone(), 14), ([sent, add.to_bytes()].concat(), 0)] {
        let [(owned, _), (heap, _), (fixed, result)] = every_server(&input, room);
        assert_eq!(heap, owned);
        assert_eq!(result, Ok(()));
        let mut client = Channel::new(ChunkedReader::new(&fixed, &[]), VecWriter::default());
        let codes = batch_codes(&mut client, &unknown);
        assert!(codes[..answered].iter().all(|&c| c == 1000), "{codes:?}");
        assert!(codes[answered..].iter().all(|&c| c == 28), "{codes:?}");
        if answered == 0 {
            assert_eq!(client.call(&add).unwrap().payload(), 3u64.to_le_bytes());
        }
        let mut client = Channel::new(ChunkedReader::new(&owned, &[]), VecWriter::default());
        assert_eq!(client.call_batch(&unknown).unwrap(), expected(&unknown));
    }
}

#[test]
fn a_batch_that_fills_a_fixed_buffer_up_to_the_next_request_is_answered_whole() {
    // The next request came in the same read and waits at the end of the buffer: the batch
    // ends where it starts, so no free byte is left between them (no gap to serve in).
    let requests: Vec<RequestPacket> = (0..4u64)
        .map(|i| RequestPacket::new(2, [i.to_le_bytes(), 1u64.to_le_bytes()].concat()))
        .chain([RequestPacket::new(4, Payload::new())])
        .collect();
    let batch = written_by(|ch| {
        let _ = ch.call_batch(&requests);
    });
    let echo = RequestPacket::new(1, vec![9u8; 24]);
    let next = written_by(|ch| {
        let _ = ch.call(&echo);
    });
    let sent = [batch.clone(), next].concat();
    for room in [RX_PAD + sent.len(), RX_PAD + sent.len() + 1, 600] {
        let [(owned, r1), (heap, r2), (fixed, r3)] = every_server(&sent, room);
        assert_eq!((r1, r2), (Ok(()), Ok(())));
        assert_eq!(heap, owned);
        // The fixed server answers the batch and the echo after it, in its buffer alone.
        let mut client = Channel::new(ChunkedReader::new(&fixed, &[]), VecWriter::default());
        let answers = client.call_batch(&requests).unwrap();
        assert_eq!(answers.len(), requests.len(), "{room}");
        assert_eq!(answers[..4], expected(&requests)[..4], "{room}");
        assert_eq!(
            client.call(&echo).unwrap().payload(),
            echo.payload(),
            "{room}"
        );
        assert_eq!(r3, Ok(()));
    }
}
