//! The codec against ckb-ipc's own encoding (the bytes a `#[ckb_ipc::service]` server reads
//! and writes), every kind and `json` hint, numbers at their edges, and hostile answers.
//! Test code: it may unwrap (a failure is the test's).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ckb_ipc::service::Encode;
use serde_json::{json, Value};

use super::*;
use crate::description::Document;

/// One service declaring every kind and hint.
fn document() -> Document {
    let text = json!({
        "format": "ckb-ipc-description", "version": 1,
        "services": [{
            "name": "All", "codec": "molecule",
            "methods": [
                { "name": "add", "id": 1, "args": [{"name": "a", "type": "Uint64"}, {"name": "b", "type": "Uint64"}],
                  "payload": "AddArgs", "returns": "Uint64", "error": null },
                { "name": "put", "id": 2, "args": [{"name": "key", "type": "Bytes"}, {"name": "value", "type": "Str"}],
                  "payload": "PutArgs", "returns": "BytesOpt", "error": "Oops" },
                { "name": "none", "id": 3, "args": [], "payload": "()", "returns": "()", "error": null },
                { "name": "act", "id": 4, "args": [{"name": "action", "type": "Action"}],
                  "payload": "Action", "returns": "Bool", "error": null }
            ],
            "types": [
                {"name": "Uint8", "kind": "array", "item": "byte", "length": 1, "json": "uint"},
                {"name": "Uint32", "kind": "array", "item": "byte", "length": 4, "json": "uint"},
                {"name": "Uint64", "kind": "array", "item": "byte", "length": 8, "json": "uint"},
                {"name": "Uint128", "kind": "array", "item": "byte", "length": 16, "json": "uint"},
                {"name": "Int8", "kind": "array", "item": "byte", "length": 1, "json": "int"},
                {"name": "Int64", "kind": "array", "item": "byte", "length": 8, "json": "int"},
                {"name": "Int128", "kind": "array", "item": "byte", "length": 16, "json": "int"},
                {"name": "Bool", "kind": "array", "item": "byte", "length": 1, "json": "bool"},
                {"name": "Byte4", "kind": "array", "item": "byte", "length": 4, "json": "hex"},
                {"name": "Raw3", "kind": "array", "item": "byte", "length": 3},
                {"name": "Bytes", "kind": "fixvec", "item": "byte", "json": "hex"},
                {"name": "Str", "kind": "fixvec", "item": "byte", "json": "string"},
                {"name": "Uint32Vec", "kind": "fixvec", "item": "Uint32"},
                {"name": "BytesVec", "kind": "dynvec", "item": "Bytes"},
                {"name": "BytesOpt", "kind": "option", "item": "Bytes"},
                {"name": "AddArgs", "kind": "struct", "fields": [{"name": "a", "type": "Uint64"}, {"name": "b", "type": "Uint64"}]},
                {"name": "PutArgs", "kind": "table", "fields": [{"name": "key", "type": "Bytes"}, {"name": "value", "type": "Str"}]},
                {"name": "Pair", "kind": "struct", "fields": [{"name": "n", "type": "Uint32"}, {"name": "b", "type": "byte"}]},
                {"name": "PairTuple", "kind": "struct", "json": "tuple", "fields": [{"name": "f0", "type": "Uint32"}, {"name": "f1", "type": "byte"}]},
                {"name": "TableTuple", "kind": "table", "json": "tuple", "fields": [{"name": "f0", "type": "byte"}, {"name": "f1", "type": "Bytes"}]},
                {"name": "Oops", "kind": "struct", "json": "newtype", "fields": [{"name": "f0", "type": "byte"}]},
                {"name": "Named", "kind": "table", "json": "newtype", "fields": [{"name": "f0", "type": "Str"}]},
                {"name": "Empty", "kind": "table", "json": "unit", "fields": []},
                {"name": "Mint", "kind": "table", "fields": [{"name": "to", "type": "Bytes"}, {"name": "amount", "type": "Uint64"}]},
                {"name": "Action", "kind": "union", "items": [
                    {"name": "Mint", "id": 0, "type": "Mint"},
                    {"name": "Burn", "id": 1, "type": "Uint64"},
                    {"name": "Stop", "id": 7, "type": "Empty"}
                ]},
                {"name": "Node", "kind": "table", "fields": [{"name": "next", "type": "NodeOpt"}]},
                {"name": "NodeOpt", "kind": "option", "item": "Node"}
            ]
        }]
    });
    Document::parse(text.to_string().as_bytes(), "test").unwrap()
}

fn encode(doc: &Document, ty: &str, value: &Value) -> Result<Vec<u8>, String> {
    let types = Types::new(&doc.services[0].types);
    let ty = types.get(ty)?;
    types.encode(ty, value, 0)
}

fn decode(doc: &Document, ty: &str, bytes: &[u8]) -> Result<Value, String> {
    Types::new(&doc.services[0].types).decode_named(ty, bytes)
}

fn bytes_of<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode_to(&mut out);
    out
}

/// Encodes `value` as `ty`, checks the bytes, and decodes them back to `value`.
fn round_trip(doc: &Document, ty: &str, value: Value, bytes: &[u8]) {
    let encoded = encode(doc, ty, &value).unwrap_or_else(|e| panic!("{ty} {value}: {e}"));
    assert_eq!(encoded, bytes, "{ty} {value}");
    assert_eq!(decode(doc, ty, bytes).unwrap(), value, "{ty}");
}

#[test]
fn every_kind_and_hint_round_trips_with_ckb_ipc_bytes() {
    let d = document();
    round_trip(&d, "byte", json!(200), &[200]);
    round_trip(&d, "()", json!(null), &[]);
    round_trip(&d, "Uint8", json!(255), &bytes_of(&255u8));
    round_trip(&d, "Uint64", json!(42), &bytes_of(&42u64));
    round_trip(&d, "Int8", json!(-128), &bytes_of(&-128i8));
    round_trip(&d, "Int64", json!(-5), &bytes_of(&-5i64));
    round_trip(&d, "Bool", json!(true), &bytes_of(&true));
    round_trip(&d, "Bool", json!(false), &bytes_of(&false));
    round_trip(&d, "Byte4", json!("0x01020304"), &bytes_of(&[1u8, 2, 3, 4]));
    round_trip(&d, "Raw3", json!([1, 2, 3]), &[1, 2, 3]);
    round_trip(&d, "Bytes", json!("0x6b76"), &bytes_of(&b"kv".to_vec()));
    round_trip(&d, "Bytes", json!("0x"), &bytes_of(&Vec::<u8>::new()));
    round_trip(&d, "Str", json!("héllo"), &bytes_of(&String::from("héllo")));
    round_trip(&d, "Uint32Vec", json!([1, 2]), &bytes_of(&vec![1u32, 2]));
    round_trip(
        &d,
        "BytesVec",
        json!(["0x01", "0x", "0x0203"]),
        &bytes_of(&vec![vec![1u8], vec![], vec![2, 3]]),
    );
    round_trip(&d, "BytesVec", json!([]), &bytes_of(&Vec::<Vec<u8>>::new()));
    round_trip(&d, "BytesOpt", json!(null), &bytes_of(&None::<Vec<u8>>));
    round_trip(
        &d,
        "BytesOpt",
        json!("0x76"),
        &bytes_of(&Some(vec![0x76u8])),
    );
    round_trip(
        &d,
        "AddArgs",
        json!({"a": 40, "b": 2}),
        &bytes_of(&(40u64, 2u64)),
    );
    round_trip(
        &d,
        "PutArgs",
        json!({"key": "0x6b", "value": "v"}),
        &bytes_of(&(vec![0x6bu8], String::from("v"))),
    );
    round_trip(&d, "Pair", json!({"n": 7, "b": 1}), &bytes_of(&(7u32, 1u8)));
    round_trip(&d, "PairTuple", json!([7, 1]), &bytes_of(&(7u32, 1u8)));
    round_trip(
        &d,
        "TableTuple",
        json!([1, "0x02"]),
        &bytes_of(&(1u8, vec![2u8])),
    );
    round_trip(&d, "Oops", json!(3), &[3]);
    round_trip(&d, "Named", json!("x"), &bytes_of(&(String::from("x"),)));
    round_trip(&d, "Empty", json!(null), &[4, 0, 0, 0]);
    // A union: the item id (u32 LE), then the item.
    let mut burn = 1u32.to_le_bytes().to_vec();
    burn.extend(bytes_of(&9u64));
    round_trip(&d, "Action", json!({"Burn": 9}), &burn);
    let mut mint = 0u32.to_le_bytes().to_vec();
    mint.extend(bytes_of(&(vec![0xaau8], 5u64)));
    round_trip(
        &d,
        "Action",
        json!({"Mint": {"to": "0xaa", "amount": 5}}),
        &mint,
    );
    round_trip(&d, "Action", json!("Stop"), &[7, 0, 0, 0, 4, 0, 0, 0]);
    // A unit item may also be written with its null.
    assert_eq!(
        encode(&d, "Action", &json!({"Stop": null})).unwrap(),
        [7, 0, 0, 0, 4, 0, 0, 0]
    );
}

#[test]
fn objects_keep_the_order_of_their_fields() {
    let d = document();
    let bytes = bytes_of(&(vec![0xaau8], 5u64));
    let text = decode(&d, "Mint", &bytes).unwrap().to_string();
    assert_eq!(text, r#"{"to":"0xaa","amount":5}"#);
    // Input order does not matter.
    assert_eq!(
        encode(&d, "Mint", &json!({"amount": 5, "to": "0xaa"})).unwrap(),
        bytes
    );
}

#[test]
fn numbers_at_their_edges() {
    let d = document();
    // Up to 2^53 a number, above it a string; strings are accepted either way.
    round_trip(&d, "Uint64", json!(1u64 << 53), &bytes_of(&(1u64 << 53)));
    round_trip(
        &d,
        "Uint64",
        json!("9007199254740993"),
        &bytes_of(&((1u64 << 53) + 1)),
    );
    round_trip(
        &d,
        "Uint64",
        json!(u64::MAX.to_string()),
        &bytes_of(&u64::MAX),
    );
    assert_eq!(
        encode(&d, "Uint64", &json!(u64::MAX)).unwrap(),
        bytes_of(&u64::MAX)
    );
    assert_eq!(
        encode(&d, "Uint64", &json!("42")).unwrap(),
        bytes_of(&42u64)
    );
    round_trip(
        &d,
        "Uint128",
        json!(u128::MAX.to_string()),
        &bytes_of(&u128::MAX),
    );
    round_trip(
        &d,
        "Int128",
        json!(i128::MIN.to_string()),
        &bytes_of(&i128::MIN),
    );
    round_trip(
        &d,
        "Int64",
        json!(i64::MIN.to_string()),
        &bytes_of(&i64::MIN),
    );
    round_trip(&d, "Int64", json!(-(1i64 << 53)), &bytes_of(&-(1i64 << 53)));
    assert_eq!(encode(&d, "Int8", &json!("-1")).unwrap(), [0xff]);
    for (ty, bad) in [
        ("Uint8", json!(256)),
        ("Uint8", json!(-1)),
        ("Uint64", json!("18446744073709551616")),
        ("Uint128", json!("340282366920938463463374607431768211456")),
        ("Int8", json!(128)),
        ("Int8", json!(-129)),
        ("Int128", json!("170141183460469231731687303715884105728")),
        ("byte", json!(256)),
    ] {
        let e = encode(&d, ty, &bad).unwrap_err();
        assert!(e.ends_with("(out of range)"), "{ty} {bad}: {e}");
    }
    for (ty, bad) in [
        ("Uint64", json!(1.5)),
        ("Uint64", json!("1e3")),
        ("Uint64", json!("")),
        ("Uint64", json!("0x10")),
        ("Uint64", json!(true)),
        ("Bool", json!(1)),
    ] {
        let e = encode(&d, ty, &bad).unwrap_err();
        assert!(
            e.starts_with(&format!("expected {ty} (")),
            "{ty} {bad}: {e}"
        );
    }
}

#[test]
fn wrong_values_name_the_type_they_need() {
    let d = document();
    let m = |name: &str| d.method(name).unwrap();
    let types = Types::new(&d.services[0].types);
    let args = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (_, add) = m("add");
    assert_eq!(
        types.encode_args(add, &args(&["\"x\"", "2"])).unwrap_err(),
        "argument `a` of add: expected Uint64 (an unsigned integer of 8 bytes), got \"x\""
    );
    assert_eq!(
        types.encode_args(add, &args(&["1"])).unwrap_err(),
        "add takes 2 arguments (a: Uint64, b: Uint64), got 1"
    );
    assert_eq!(
        types.encode_args(add, &args(&["40", "2"])).unwrap(),
        bytes_of(&(40u64, 2u64))
    );
    let (_, put) = m("put");
    let e = types
        .encode_args(put, &args(&["0x6b", "\"v\""]))
        .unwrap_err();
    assert!(e.starts_with("argument `key` of put: expected Bytes (bytes as \"0x..\" hex), got 0x6b, which is not JSON"), "{e}");
    assert_eq!(
        types
            .encode_args(put, &args(&["\"0x6b\"", "\"v\""]))
            .unwrap(),
        bytes_of(&(vec![0x6bu8], String::from("v")))
    );
    let (_, none) = m("none");
    assert_eq!(types.encode_args(none, &[]).unwrap(), Vec::<u8>::new());
    let (_, act) = m("act");
    let e = types
        .encode_args(act, &args(&[r#"{"Fly": 1}"#]))
        .unwrap_err();
    assert!(
        e.contains("no variant \"Fly\"") && e.contains("\"Stop\""),
        "{e}"
    );
    let e = encode(&d, "Mint", &json!({"to": "0x", "amount": 1, "extra": 2})).unwrap_err();
    assert!(e.contains("no field \"extra\""), "{e}");
    let e = encode(&d, "Mint", &json!({"to": "0x"})).unwrap_err();
    assert!(e.contains("no \"amount\""), "{e}");
    let e = encode(&d, "Mint", &json!({"to": 5, "amount": 1})).unwrap_err();
    assert!(e.starts_with("field `to` of Mint: expected Bytes"), "{e}");
    let e = encode(&d, "Byte4", &json!("0x0102")).unwrap_err();
    assert!(e.contains("(2 bytes)"), "{e}");
    let e = encode(&d, "Uint32Vec", &json!([1, "x"])).unwrap_err();
    assert!(e.starts_with("item 1 of Uint32Vec: expected Uint32"), "{e}");
    assert!(d
        .method("nope")
        .unwrap_err()
        .contains("add, put, none, act"));
}

/// Every prefix and a sprinkle of corrupted versions of valid encodings, and noise: each
/// decodes or is refused, never a panic.
#[test]
fn hostile_answers_are_refused_without_panic() {
    let d = document();
    let samples: Vec<(&str, Vec<u8>)> = vec![
        ("BytesVec", bytes_of(&vec![vec![1u8], vec![], vec![2, 3]])),
        ("PutArgs", bytes_of(&(vec![0x6bu8], String::from("v")))),
        ("Action", {
            let mut v = 0u32.to_le_bytes().to_vec();
            v.extend(bytes_of(&(vec![0xaau8], 5u64)));
            v
        }),
        ("Uint32Vec", bytes_of(&vec![1u32, 2])),
        ("Str", bytes_of(&String::from("ok"))),
        ("AddArgs", bytes_of(&(1u64, 2u64))),
        ("BytesOpt", bytes_of(&Some(vec![1u8]))),
    ];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for (ty, good) in &samples {
        assert!(decode(&d, ty, good).is_ok(), "{ty}");
        for cut in 0..good.len() {
            let _ = decode(&d, ty, &good[..cut]);
        }
        for _ in 0..500 {
            let mut bad = good.clone();
            let at = (next() as usize) % bad.len();
            bad[at] = next() as u8;
            let _ = decode(&d, ty, &bad);
        }
    }
    for _ in 0..2000 {
        let len = (next() % 40) as usize;
        let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        for ty in [
            "BytesVec",
            "PutArgs",
            "Action",
            "Uint32Vec",
            "Str",
            "Node",
            "Empty",
        ] {
            let _ = decode(&d, ty, &noise);
        }
    }
    // Counts and sizes that promise more than there is: refused, nothing allocated for them.
    assert!(decode(&d, "Uint32Vec", &[0xff, 0xff, 0xff, 0xff]).is_err());
    assert!(decode(&d, "Bytes", &[0xff, 0xff, 0xff, 0x7f, 1]).is_err());
    assert!(decode(&d, "BytesVec", &[0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0]).is_err());
    // A table's first offset past its end, offsets going backwards, a wrong field count.
    assert!(decode(&d, "PutArgs", &[12, 0, 0, 0, 16, 0, 0, 0, 12, 0, 0, 0]).is_err());
    assert!(decode(
        &d,
        "PutArgs",
        &[20, 0, 0, 0, 12, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    )
    .is_err());
    assert!(decode(&d, "PutArgs", &[8, 0, 0, 0, 8, 0, 0, 0]).is_err());
    // An unknown union item id, a bool that is neither 0 nor 1, a string that is not UTF-8.
    assert!(decode(&d, "Action", &[9, 0, 0, 0])
        .unwrap_err()
        .contains("unknown item id 9"));
    assert!(decode(&d, "Bool", &[2]).is_err());
    assert!(decode(&d, "Str", &[1, 0, 0, 0, 0xff])
        .unwrap_err()
        .contains("UTF-8"));
    assert!(decode(&d, "()", &[0]).is_err());
}

#[test]
fn nesting_is_bounded() {
    let d = document();
    // Node { next: Some(Node { next: ... }) }, 200 deep: as bytes and as JSON.
    let mut bytes = vec![8, 0, 0, 0, 8, 0, 0, 0]; // Node { next: None }
    let mut value = json!({"next": null});
    for _ in 0..200 {
        let mut outer = ((bytes.len() + 8) as u32).to_le_bytes().to_vec();
        outer.extend(8u32.to_le_bytes());
        outer.extend(&bytes);
        bytes = outer;
        value = json!({ "next": value });
    }
    assert!(decode(&d, "Node", &bytes)
        .unwrap_err()
        .contains("nested more than"));
    assert!(encode(&d, "Node", &value)
        .unwrap_err()
        .contains("nested more than"));
    // A shallow one is fine.
    round_trip(
        &d,
        "Node",
        json!({"next": {"next": null}}),
        &[16, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0],
    );
}

#[test]
fn descriptions_that_cannot_be_used_are_refused() {
    let service = |types: Value, methods: Value| {
        json!({"format": "ckb-ipc-description", "version": 1,
               "services": [{"name": "S", "codec": "molecule", "methods": methods, "types": types}]})
        .to_string()
    };
    let cases = [
        (
            r#"{"format": "x", "version": 1}"#.to_string(),
            "format \"x\"",
        ),
        (
            r#"{"format": "ckb-ipc-description", "version": 2}"#.into(),
            "version 2: this ckb-ipc reads version 1",
        ),
        (
            r#"{"format": "ckb-ipc-description", "version": 1}"#.into(),
            "malformed service description: missing field `services`",
        ),
        ("{".into(), "not a service description: EOF"),
        (
            service(
                json!([{"name": "A", "kind": "struct", "fields": [{"name": "a", "type": "A"}]}]),
                json!([]),
            ),
            "nest more than",
        ),
        (
            service(
                json!([{"name": "V", "kind": "fixvec", "item": "Nope"}]),
                json!([]),
            ),
            "type \"Nope\" is not declared",
        ),
        (
            service(
                json!([{"name": "V", "kind": "fixvec", "item": "byte", "json": "bool"}]),
                json!([]),
            ),
            "does not fit",
        ),
        (
            service(
                json!([{"name": "V", "kind": "array", "item": "byte", "length": 17, "json": "uint"}]),
                json!([]),
            ),
            "does not fit",
        ),
        (
            service(
                json!([{"name": "S", "kind": "struct", "fields": [{"name": "v", "type": "V"}]},
                         {"name": "V", "kind": "fixvec", "item": "byte"}]),
                json!([]),
            ),
            "not of a fixed size",
        ),
        (
            service(
                json!([]),
                json!([{"name": "m", "id": 1, "args": [{"name": "a", "type": "byte"}],
                                    "payload": "()", "returns": "()"}]),
            ),
            "method m: payload ()",
        ),
    ];
    for (text, want) in cases {
        let e = Document::parse(text.as_bytes(), "x.json").unwrap_err();
        assert!(e.starts_with("x.json") && e.contains(want), "{text}: {e}");
    }
}

#[test]
fn a_description_of_another_binary_is_refused() {
    let text = r#"{"format": "ckb-ipc-description", "version": 1, "services": [],
                   "binary": {"size": 3, "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}}"#;
    let doc = Document::parse(text.as_bytes(), "s.json").unwrap();
    let file = std::path::Path::new("s");
    assert!(doc.check_binary("s.json", file, b"abc").is_ok());
    let e = doc.check_binary("s.json", file, b"abd").unwrap_err();
    assert!(
        e.starts_with("s.json does not describe s: it is for a binary of 3 bytes"),
        "{e}"
    );
}
