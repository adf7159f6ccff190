//! Golden vectors: our packets against ckb-script-ipc-common's encoder and decoder, in both
//! directions, at VLQ boundaries and payload sizes 0, 1, 127, 128 and 16384.

use ckb_ipc::io::mem::VecWriter;
use ckb_ipc::wire::vlq;
use ckb_ipc::{Channel, Payload, RequestPacket, ResponsePacket};
use ckb_script_ipc_common::packet::{
    Packet, RequestPacket as TheirRequest, ResponsePacket as TheirResponse,
};
use ckb_script_ipc_common::vlq::{vlq_decode, vlq_encode};

const CODES: [u64; 12] = [
    0,
    1,
    127,
    128,
    16383,
    16384,
    0xdead,
    (1 << 32) - 1,
    1 << 32,
    1 << 56,
    1 << 63,
    u64::MAX,
];
const SIZES: [usize; 5] = [0, 1, 127, 128, 16384];

fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 + size) as u8).collect()
}

fn ours_request(code: u64, size: usize) -> Vec<u8> {
    RequestPacket::new(code, Payload::from_slice(&payload(size))).to_bytes()
}

fn ours_response(code: u64, size: usize) -> Vec<u8> {
    ResponsePacket::new(code, Payload::from_slice(&payload(size))).to_bytes()
}

#[test]
fn vlq_bytes_match() {
    for v in CODES {
        let mut out = [0u8; vlq::MAX_VLQ_LEN];
        let n = vlq::encode(v, &mut out);
        assert_eq!(out[..n], vlq_encode(v)[..], "encode {v}");
        assert_eq!(vlq_decode(&out[..n]).unwrap(), v, "they decode ours: {v}");
        assert_eq!(
            vlq::decode(&vlq_encode(v)).unwrap(),
            Some((v, n)),
            "we decode theirs: {v}"
        );
    }
}

#[test]
fn request_bytes_match_theirs() {
    // Their constructor always uses method id 0.
    for size in SIZES {
        let theirs = TheirRequest::new(payload(size)).serialize();
        assert_eq!(ours_request(0, size), theirs, "request of {size} bytes");
    }
}

#[test]
fn they_decode_our_requests_and_we_decode_theirs() {
    for code in CODES {
        for size in SIZES {
            let bytes = ours_request(code, size);
            let theirs = TheirRequest::read_from(&mut &bytes[..]).unwrap();
            assert_eq!((theirs.version(), theirs.method_id()), (0, code));
            assert_eq!(theirs.payload(), &payload(size)[..]);

            let mut ch = Channel::new(&bytes[..], VecWriter::default());
            let back = ch.receive_request().unwrap().unwrap();
            assert_eq!(
                (back.method_id(), back.payload()),
                (code, &payload(size)[..])
            );
            assert_eq!(theirs.serialize(), bytes, "and re-encode it identically");
        }
    }
}

#[test]
fn response_bytes_match_theirs_both_ways() {
    for code in CODES {
        for size in SIZES {
            let ours = ours_response(code, size);
            let theirs = TheirResponse::new(code, payload(size)).serialize();
            assert_eq!(ours, theirs, "response code {code} size {size}");

            let decoded = TheirResponse::read_from(&mut &ours[..]).unwrap();
            assert_eq!(
                (decoded.error_code(), decoded.payload()),
                (code, &payload(size)[..])
            );

            let mut ch = Channel::new(&theirs[..], VecWriter::default());
            let back = ch.receive_response().unwrap();
            assert_eq!(
                (back.error_code(), back.payload()),
                (code, &payload(size)[..])
            );
        }
    }
}

#[test]
fn json_mode_bytes_match_ckb_script_ipc_macro() {
    use test_proto::script_ipc::{BenchRequest as TheirReq, BenchResponse as TheirResp};
    use test_proto::typed_json::{BenchJsonRequest as OurReq, BenchJsonResponse as OurResp};
    let j = |v: &dyn erased::Ser| v.bytes();
    assert_eq!(
        j(&OurReq::Add { a: 40, b: u64::MAX }),
        j(&TheirReq::Add { a: 40, b: u64::MAX })
    );
    assert_eq!(
        j(&OurReq::Echo {
            data: vec![0, 1, 255]
        }),
        j(&TheirReq::Echo {
            data: vec![0, 1, 255]
        })
    );
    assert_eq!(j(&OurResp::Add(42)), j(&TheirResp::Add(42)));
    assert_eq!(j(&OurResp::Echo(vec![7])), j(&TheirResp::Echo(vec![7])));
    assert_eq!(
        j(&OurReq::Add { a: 1, b: 2 }),
        br#"{"Add":{"a":1,"b":2}}"#.to_vec()
    );
}

/// serde_json bytes of values of different serde crates' types, behind one object-safe trait.
mod erased {
    pub trait Ser {
        fn bytes(&self) -> Vec<u8>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn bytes(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap()
        }
    }
}
