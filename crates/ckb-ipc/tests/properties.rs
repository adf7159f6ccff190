//! Properties of the wire format and the channel, over in-memory pipes that split the stream
//! at arbitrary read sizes. A counting allocator checks that no input, however hostile, makes
//! the channel allocate more than its payload limit.
#![allow(missing_docs)] // test fixtures, not API
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::{self, vlq};
use ckb_ipc::{Channel, IpcError, Payload, RequestPacket, ResponsePacket};
use proptest::prelude::*;

mod common;
use common::batches::check_batch_on_every_level;
use common::methods::{ADD, ECHO, GROW, LONG_CODE, LONG_CODE_EMPTY};
use common::tracking::{largest_allocation_during, Tracking};

#[global_allocator]
static ALLOC: Tracking = Tracking;

/// A payload with headroom, or a plain Vec (sent in one or two writes).
fn payload_strategy() -> impl Strategy<Value = Payload> {
    (prop::collection::vec(any::<u8>(), 0..3000), any::<bool>()).prop_map(|(bytes, headroom)| {
        if headroom {
            Payload::from_slice(&bytes)
        } else {
            bytes.into()
        }
    })
}

fn code_strategy() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..200u64,
        any::<u64>(),
        Just(u64::MAX),
        (0..64u32).prop_map(|b| 1u64 << b)
    ]
}

fn sizes_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1..300usize, 1..20)
}

fn encode_requests(requests: &[RequestPacket]) -> Vec<u8> {
    requests.iter().flat_map(RequestPacket::to_bytes).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn vlq_round_trips(v in any::<u64>()) {
        let mut out = [0u8; vlq::MAX_VLQ_LEN];
        let n = vlq::encode(v, &mut out);
        prop_assert_eq!(n, vlq::encoded_len(v));
        prop_assert_eq!(vlq::decode(&out[..n]).unwrap(), Some((v, n)));
    }

    #[test]
    fn any_bytes_decode_to_a_header_an_error_or_need_more(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        match wire::decode_header(&bytes, 1 << 20) {
            Ok(Some((h, used))) => {
                prop_assert!(used <= bytes.len() && used <= 30);
                prop_assert!(h.payload_len <= 1 << 20);
            }
            Ok(None) => prop_assert!(bytes.len() < 30),
            Err(e) => {
                let expected = matches!(
                    e,
                    IpcError::VlqOverflow | IpcError::UnsupportedVersion(_) | IpcError::PayloadTooLarge { .. }
                );
                prop_assert!(expected, "unexpected error {:?}", e);
            }
        }
    }

    #[test]
    fn encoded_size_is_the_computed_size(code in code_strategy(), payload in payload_strategy()) {
        let len = payload.len();
        let bytes = encode_requests(&[RequestPacket::new(code, payload)]);
        prop_assert_eq!(bytes.len(), wire::header_len(code, len as u64) + len);
    }

    #[test]
    fn a_stream_cut_anywhere_decodes_to_the_same_packets(
        packets in prop::collection::vec((code_strategy(), payload_strategy()), 0..8),
        sizes in sizes_strategy(),
    ) {
        let requests: Vec<RequestPacket> =
            packets.into_iter().map(|(code, p)| RequestPacket::new(code, p)).collect();
        let stream = encode_requests(&requests);
        let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default());
        for expected in &requests {
            let got = ch.receive_request().unwrap().unwrap();
            prop_assert_eq!(&got, expected);
        }
        prop_assert_eq!(ch.receive_request(), Ok(None), "clean end at a boundary");
    }

    #[test]
    fn responses_round_trip_through_call(
        responses in prop::collection::vec((code_strategy(), payload_strategy()), 1..6),
        sizes in sizes_strategy(),
    ) {
        let responses: Vec<ResponsePacket> =
            responses.into_iter().map(|(code, p)| ResponsePacket::new(code, p)).collect();
        let stream: Vec<u8> = responses.iter().flat_map(ResponsePacket::to_bytes).collect();
        let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default());
        for expected in &responses {
            let got = ch.call(&RequestPacket::new(7, Payload::new())).unwrap();
            prop_assert_eq!(&got, expected);
        }
        prop_assert_eq!(ch.call(&RequestPacket::new(7, Payload::new())), Err(IpcError::Eof));
    }

    #[test]
    fn garbage_never_panics_nor_allocates_past_the_limit(
        garbage in prop::collection::vec(any::<u8>(), 0..2000),
        sizes in sizes_strategy(),
        limit in 0..4096u64,
    ) {
        let ((result, answered), largest) = largest_allocation_during(|| {
            let mut ch = Channel::new(ChunkedReader::new(&garbage, &sizes), VecWriter::default())
                .with_max_payload(limit);
            let result = ch.execute(&mut |req: RequestPacket| ResponsePacket::ok(req.into_payload()));
            (result, ch.into_inner().1.bytes)
        });
        // The announced length is never allocated past the limit: at most the limit plus the
        // frame, or the 1 KiB first read.
        prop_assert!(largest <= (limit as usize).max(1100) + 64, "allocated {largest} with limit {limit}");
        if let Err(e) = result {
            prop_assert!(e != IpcError::Eof);
            // The client was told why, in one final empty error response.
            let told = ResponsePacket::error(e.wire_code()).to_bytes();
            prop_assert!(answered.ends_with(&told));
        }
    }

    #[test]
    fn a_length_prefix_over_the_limit_allocates_nothing_for_it(len in 4097u64..u64::MAX, code in code_strategy()) {
        let mut header = [0u8; wire::MAX_HEADER_LEN];
        let n = wire::encode_header(code, len, &mut header);
        let (result, largest) = largest_allocation_during(|| {
            let mut ch = Channel::new(&header[..n], VecWriter::default()).with_max_payload(4096);
            ch.receive_request()
        });
        prop_assert_eq!(result, Err(IpcError::PayloadTooLarge { len, max: 4096 }));
        prop_assert!(largest < 4096, "{largest}");
    }

    #[test]
    fn a_batch_is_answered_as_its_calls_one_by_one_on_every_level(
        items in prop::collection::vec(
            (prop_oneof![Just(ECHO), Just(ADD), Just(GROW), Just(LONG_CODE), Just(LONG_CODE_EMPTY), 0..1u64 << 40],
             prop::collection::vec(any::<u8>(), 0..200)),
            0..20,
        ),
        sizes in sizes_strategy(),
    ) {
        let requests: Vec<RequestPacket> =
            items.into_iter().map(|(m, p)| RequestPacket::new(m, p)).collect();
        let batch = encode_requests(&requests);
        let answer = check_batch_on_every_level(&batch, &sizes);
        // One response per request, in order.
        let (header, at) = wire::decode_header(&answer, u64::MAX).unwrap().unwrap();
        prop_assert_eq!(header.code, 0);
        let answers = wire::Packets::new(&answer[at..], u64::MAX).count();
        prop_assert_eq!(answers, requests.len());
    }

    #[test]
    fn hostile_batch_items_are_refused_whole_or_served_never_a_panic(
        garbage in prop::collection::vec(any::<u8>(), 0..600),
        sizes in sizes_strategy(),
    ) {
        check_batch_on_every_level(&garbage, &sizes);
    }

    #[test]
    fn a_batch_cut_anywhere_is_refused_22(
        items in prop::collection::vec((0..1u64 << 40, prop::collection::vec(any::<u8>(), 0..100)), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let requests: Vec<RequestPacket> =
            items.into_iter().map(|(m, p)| RequestPacket::new(m, p)).collect();
        let batch = encode_requests(&requests);
        // Anywhere but at an item boundary.
        let boundaries: Vec<usize> = requests
            .iter()
            .scan(0, |at, r| { *at += r.to_bytes().len(); Some(*at) })
            .collect();
        let cut = cut.index(batch.len());
        prop_assume!(cut > 0 && !boundaries.contains(&cut));
        let answer = check_batch_on_every_level(&batch[..cut], &[usize::MAX]);
        prop_assert_eq!(answer, ResponsePacket::error(22).to_bytes());
    }
}
