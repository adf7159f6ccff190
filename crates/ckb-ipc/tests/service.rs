//! `#[ckb_ipc::service]` end to end on the host: the generated client talks to the generated
//! server through a loopback transport (each request written is served at once, its response
//! queued for the client to read).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::RefCell;
use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::rc::Rc;

use ckb_ipc::io::mem::VecWriter;
use ckb_ipc::service::{method_id, Decode, Encode, SERVICE_ERROR, UNKNOWN_METHOD};
use ckb_ipc::{
    Channel, IpcError, Payload, ProtocolErrorCode, ReadVec, RequestHandler, RequestPacket,
};

/// Why a put was refused (a typed service error).
#[derive(Debug, PartialEq, Eq)]
pub struct KvError(pub u8);

impl Encode for KvError {
    const FIXED_SIZE: Option<usize> = Some(1);
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(self.0)
    }
    fn encoded_len(&self) -> usize {
        1
    }
    fn schema_name() -> String {
        "KvError".into()
    }
    fn schema_declare(schema: &mut ckb_ipc::service::codec::Schema) {
        schema.declare("KvError", || "array KvError [byte; 1];".into());
    }
}

impl Decode for KvError {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        u8::decode(bytes).map(KvError)
    }
}

/// A user struct with dynamic fields: a molecule table.
#[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// All fields fixed: a molecule struct.
#[derive(ckb_ipc::Molecule, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point(pub u32, pub u32);

#[ckb_ipc::service]
pub trait Kv {
    fn entries() -> Vec<Entry>;
    fn shift(points: Vec<Point>, by: Point) -> Vec<Point>;
    /// The value at `key`.
    fn get(key: Vec<u8>) -> Option<Vec<u8>>;
    fn put(key: Vec<u8>, value: Vec<u8>) -> Result<(), KvError>;
    #[method(id = 7)]
    fn count() -> u64;
    fn add(a: u64, b: u64) -> u64;
}

#[derive(Default)]
struct Store(BTreeMap<Vec<u8>, Vec<u8>>);

impl Kv for Store {
    fn entries(&mut self) -> Vec<Entry> {
        self.0
            .iter()
            .map(|(k, v)| Entry {
                key: k.clone(),
                value: Some(v.clone()),
            })
            .collect()
    }
    fn shift(&mut self, points: Vec<Point>, by: Point) -> Vec<Point> {
        points
            .into_iter()
            .map(|p| Point(p.0 + by.0, p.1 + by.1))
            .collect()
    }
    fn get(&mut self, key: Vec<u8>) -> Option<Vec<u8>> {
        self.0.get(&key).cloned()
    }
    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) -> Result<(), KvError> {
        if key.is_empty() {
            return Err(KvError(1));
        }
        self.0.insert(key, value);
        Ok(())
    }
    fn count(&mut self) -> u64 {
        self.0.len() as u64
    }
    fn add(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
}

/// The client's writer: serves every complete request at once with `handler`.
struct Loopback<H> {
    handler: H,
    requests: Vec<u8>,
    responses: Rc<RefCell<VecDeque<u8>>>,
}

impl<H> embedded_io::ErrorType for Loopback<H> {
    type Error = Infallible;
}

impl<H: RequestHandler> embedded_io::Write for Loopback<H> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.requests.extend_from_slice(buf);
        let complete = matches!(
            ckb_ipc::wire::decode_header(&self.requests, u64::MAX),
            Ok(Some((h, n))) if self.requests.len() as u64 >= n as u64 + h.payload_len
        );
        if complete {
            let bytes = std::mem::take(&mut self.requests);
            let mut server = Channel::new(&bytes[..], VecWriter::default());
            let req = server.receive_request().unwrap().unwrap();
            let resp = self.handler.serve(req);
            self.responses.borrow_mut().extend(resp.to_bytes());
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// The client's reader: the queued responses.
struct Responses(Rc<RefCell<VecDeque<u8>>>);

impl embedded_io::ErrorType for Responses {
    type Error = Infallible;
}

impl embedded_io::Read for Responses {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let mut q = self.0.borrow_mut();
        let n = buf.len().min(q.len());
        for (dst, src) in buf.iter_mut().zip(q.drain(..n)) {
            *dst = src;
        }
        Ok(n)
    }
}

impl ReadVec for Responses {}

fn client<H: RequestHandler>(handler: H) -> KvClient<Responses, Loopback<H>> {
    let queue = Rc::new(RefCell::new(VecDeque::new()));
    let writer = Loopback {
        handler,
        requests: Vec::new(),
        responses: queue.clone(),
    };
    KvClient::new(Responses(queue), writer)
}

#[test]
fn typed_calls_round_trip() {
    let mut kv = client(KvServer(Store::default()));
    assert_eq!(kv.get(b"a".to_vec()).unwrap(), None);
    assert_eq!(kv.put(b"a".to_vec(), b"apple".to_vec()).unwrap(), Ok(()));
    assert_eq!(kv.get(b"a".to_vec()).unwrap(), Some(b"apple".to_vec()));
    assert_eq!(kv.count().unwrap(), 1);
    assert_eq!(kv.add(40, 2).unwrap(), 42);
}

#[test]
fn service_errors_are_typed_and_apart_from_transport_errors() {
    let mut kv = client(KvServer(Store::default()));
    assert_eq!(kv.put(Vec::new(), b"x".to_vec()).unwrap(), Err(KvError(1)));
    // And the server goes on.
    assert_eq!(kv.put(b"k".to_vec(), b"v".to_vec()).unwrap(), Ok(()));
}

#[test]
fn ids_are_stable_hashes_unless_set() {
    assert_eq!(KvMethods::GET, method_id("Kv::get"));
    assert_eq!(KvMethods::PUT, method_id("Kv::put"));
    assert_eq!(KvMethods::COUNT, 7);
    assert!(KvMethods::ALL.iter().all(|(_, id)| *id < 1 << 31));
    assert_eq!(KvMethods::ALL.len(), 6);
}

#[test]
fn unknown_methods_and_bad_arguments_get_error_responses() {
    let mut server = KvServer(Store::default());
    let resp = server.serve(RequestPacket::new(0xdead, Payload::new()));
    assert_eq!(resp.error_code(), UNKNOWN_METHOD);
    // `add` wants 16 bytes (a molecule struct of two u64).
    let resp = server.serve(RequestPacket::new(
        KvMethods::ADD,
        Payload::from_slice(&[1, 2, 3]),
    ));
    assert_eq!(
        resp.error_code(),
        ProtocolErrorCode::DeserializeError as u64
    );
    // `get` wants a molecule `bytes` whose length matches.
    let resp = server.serve(RequestPacket::new(
        KvMethods::GET,
        Payload::from_slice(&[9, 0, 0, 0, 1]),
    ));
    assert_eq!(
        resp.error_code(),
        ProtocolErrorCode::DeserializeError as u64
    );
    assert_ne!(SERVICE_ERROR, UNKNOWN_METHOD);
}

#[test]
fn add_has_the_raw_layout() {
    // Two u64 arguments are a molecule struct: exactly the 16 bytes the raw demo sends.
    let mut server = KvServer(Store::default());
    let mut args = Vec::new();
    (40u64, 2u64).encode_to(&mut args);
    assert_eq!(args.len(), 16);
    let resp = server.serve(RequestPacket::new(KvMethods::ADD, args));
    assert_eq!(resp.payload(), 42u64.to_le_bytes());
}

#[test]
fn derived_structs_travel() {
    let mut kv = client(KvServer(Store::default()));
    kv.put(b"k".to_vec(), b"v".to_vec()).unwrap().unwrap();
    assert_eq!(
        kv.entries().unwrap(),
        vec![Entry {
            key: b"k".to_vec(),
            value: Some(b"v".to_vec())
        }]
    );
    assert_eq!(
        kv.shift(vec![Point(1, 2), Point(3, 4)], Point(10, 20))
            .unwrap(),
        vec![Point(11, 22), Point(13, 24)]
    );
}

#[test]
fn derived_layouts_are_molecule() {
    assert_eq!(<Point as Encode>::FIXED_SIZE, Some(8));
    let mut out = Vec::new();
    Point(1, 2).encode_to(&mut out);
    assert_eq!(out, [1, 0, 0, 0, 2, 0, 0, 0]);
    let e = Entry {
        key: vec![7],
        value: None,
    };
    let mut out = Vec::new();
    e.encode_to(&mut out);
    // table: total 17, offsets 12 and 17, key = bytes [7], value = empty option.
    assert_eq!(out, [17, 0, 0, 0, 12, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 7]);
    assert_eq!(Entry::decode(&out).unwrap(), e);
    assert!(Entry::decode(&out[..16]).is_err());
}

#[test]
fn the_schema_names_every_method_and_declares_what_it_uses() {
    let mol = KvMethods::schema();
    println!("{mol}");
    for line in [
        format!("// get: id {}, args Bytes, result BytesOpt", KvMethods::GET),
        format!(
            "// put: id {}, args PutArgs, result (), or error KvError (code 257)",
            KvMethods::PUT
        ),
        "// count: id 7, args (), result Uint64".to_string(),
        "table PutArgs {\n    key: Bytes,\n    value: Bytes,\n}".to_string(),
        "struct AddArgs {\n    a: Uint64,\n    b: Uint64,\n}".to_string(),
        "table Entry {\n    key: Bytes,\n    value: BytesOpt,\n}".to_string(),
        "vector EntryVec <Entry>;".to_string(),
        "struct Point {\n    f0: Uint32,\n    f1: Uint32,\n}".to_string(),
        "vector PointVec <Point>;".to_string(),
        "vector Bytes <byte>;".to_string(),
        "option BytesOpt (Bytes);".to_string(),
    ] {
        assert!(mol.contains(&line), "missing {line:?} in\n{mol}");
    }
    assert_eq!(
        mol.matches("vector Bytes <byte>;").count(),
        1,
        "declared once"
    );
}
