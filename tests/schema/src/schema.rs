//! The schema a typed service emits is the schema of the bytes it sends: values built with the
//! code moleculec generates from `KeyValueMethods::schema()` / `BenchMethods::schema()` are
//! byte for byte what `ckb_ipc::service` encodes, and each side reads the other's.

#![allow(clippy::all)]

use ckb_ipc::service::{Decode, Encode};
use kv_proto::{Entry, KvError};
use molecule::prelude::{Builder, Byte, Entity};

#[allow(dead_code, unused_imports, clippy::all)]
mod kv {
    include!(concat!(env!("OUT_DIR"), "/key_value_mol.rs"));
}

#[allow(dead_code, unused_imports, clippy::all)]
mod bench {
    include!(concat!(env!("OUT_DIR"), "/bench_mol.rs"));
}

fn ours<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode_to(&mut out);
    out
}

fn bytes(data: &[u8]) -> kv::Bytes {
    kv::Bytes::new_builder()
        .set(data.iter().map(|&b| Byte::new(b)).collect())
        .build()
}

fn bytes_opt(data: Option<&[u8]>) -> kv::BytesOpt {
    kv::BytesOpt::new_builder().set(data.map(bytes)).build()
}

/// Equal bytes, and each side accepts the other's.
fn same<M: Entity, T: Encode + Decode + PartialEq + std::fmt::Debug>(theirs: M, value: T) {
    assert_eq!(theirs.as_slice(), &ours(&value)[..], "{value:?}");
    assert_eq!(T::decode(theirs.as_slice()).unwrap(), value);
    assert!(
        M::from_slice(&ours(&value)).is_ok(),
        "moleculec's code verifies ours: {value:?}"
    );
}

#[test]
fn key_value_schema_matches_moleculec() {
    same(bytes(b"user/alice"), b"user/alice".to_vec());
    same(bytes(b""), Vec::<u8>::new());
    same(bytes_opt(Some(b"90")), Some(b"90".to_vec()));
    same(bytes_opt(None), Option::<Vec<u8>>::None);
    same(
        kv::PutArgs::new_builder()
            .key(bytes(b"k"))
            .value(bytes(b"value"))
            .build(),
        (b"k".to_vec(), b"value".to_vec()),
    );
    let entry = |k: &[u8], v: &[u8]| {
        kv::Entry::new_builder()
            .key(bytes(k))
            .value(bytes(v))
            .build()
    };
    same(
        entry(b"a", b"1"),
        Entry {
            key: b"a".to_vec(),
            value: b"1".to_vec(),
        },
    );
    same(
        kv::EntryVec::new_builder()
            .push(entry(b"a", b"1"))
            .push(entry(b"bb", b""))
            .build(),
        vec![
            Entry {
                key: b"a".to_vec(),
                value: b"1".to_vec(),
            },
            Entry {
                key: b"bb".to_vec(),
                value: Vec::new(),
            },
        ],
    );
    same(kv::EntryVec::new_builder().build(), Vec::<Entry>::new());
    same(
        kv::KvError::new_builder().f0(Byte::new(2)).build(),
        KvError::VALUE_TOO_LONG,
    );
    same(
        kv::Uint64::new_builder()
            .set(7u64.to_le_bytes().map(Byte::new))
            .build(),
        7u64,
    );
}

#[test]
fn bench_schema_matches_moleculec() {
    let u64_ = |v: u64| {
        bench::Uint64::new_builder()
            .set(v.to_le_bytes().map(Byte::new))
            .build()
    };
    same(
        bench::AddArgs::new_builder().a(u64_(40)).b(u64_(2)).build(),
        (40u64, 2u64),
    );
    let payload = bench::Bytes::new_builder()
        .set(vec![Byte::new(9); 3])
        .build();
    assert_eq!(
        payload.as_slice(),
        &ours(&ckb_ipc::Payload::from_slice(&[9; 3]))[..]
    );
}

#[allow(dead_code, unused_imports, clippy::all)]
mod shape {
    include!(concat!(env!("OUT_DIR"), "/shape_mol.rs"));
}

#[test]
fn key_value_change_union_matches_moleculec() {
    use kv_proto::Change;
    same(
        kv::Change::new_builder()
            .set(
                kv::ChangePut::new_builder()
                    .key(bytes(b"k"))
                    .value(bytes(b"v1"))
                    .build(),
            )
            .build(),
        Change::Put {
            key: b"k".to_vec(),
            value: b"v1".to_vec(),
        },
    );
    same(
        kv::Change::new_builder()
            .set(kv::ChangeRemove::new_builder().f0(bytes(b"k")).build())
            .build(),
        Change::Remove(b"k".to_vec()),
    );
    same(
        kv::Change::new_builder()
            .set(kv::ChangeClear::new_builder().build())
            .build(),
        Change::Clear,
    );
}

#[test]
fn every_kind_of_union_item_matches_moleculec() {
    use test_proto::unions::Shape;
    let u16_ = |v: u16| {
        shape::Uint16::new_builder()
            .set(v.to_le_bytes().map(Byte::new))
            .build()
    };
    let u32_ = |v: u32| {
        shape::Uint32::new_builder()
            .set(v.to_le_bytes().map(Byte::new))
            .build()
    };
    let u64_ = |v: u64| {
        shape::Uint64::new_builder()
            .set(v.to_le_bytes().map(Byte::new))
            .build()
    };
    let bytes = |data: &[u8]| {
        shape::Bytes::new_builder()
            .set(data.iter().map(|&b| Byte::new(b)).collect())
            .build()
    };
    let theirs = |item: shape::ShapeUnion| shape::Shape::new_builder().set(item).build();
    let cases: Vec<(shape::Shape, Shape)> = vec![
        (
            theirs(shape::ShapeEmpty::new_builder().build().into()),
            Shape::Empty,
        ),
        (
            theirs(
                shape::ShapePoint::new_builder()
                    .f0(u32_(1))
                    .f1(u32_(0x0203_0405))
                    .build()
                    .into(),
            ),
            Shape::Point(1, 0x0203_0405),
        ),
        (
            theirs(
                shape::ShapeCircle::new_builder()
                    .radius(u64_(9))
                    .filled(shape::Bool::new_builder().set([Byte::new(1)]).build())
                    .build()
                    .into(),
            ),
            Shape::Circle {
                radius: 9,
                filled: true,
            },
        ),
        (
            theirs(
                shape::ShapePath::new_builder()
                    .points(
                        shape::Uint16Vec::new_builder()
                            .set(vec![u16_(3), u16_(4)])
                            .build(),
                    )
                    .label(
                        shape::BytesOpt::new_builder()
                            .set(Some(bytes(b"ab")))
                            .build(),
                    )
                    .build()
                    .into(),
            ),
            Shape::Path {
                points: vec![3, 4],
                label: Some(b"ab".to_vec()),
            },
        ),
        (
            theirs(
                shape::ShapePath::new_builder()
                    .points(shape::Uint16Vec::new_builder().build())
                    .label(shape::BytesOpt::new_builder().build())
                    .build()
                    .into(),
            ),
            Shape::Path {
                points: Vec::new(),
                label: None,
            },
        ),
        (
            theirs(
                shape::ShapeSquare::new_builder()
                    .f0(Byte::new(6))
                    .build()
                    .into(),
            ),
            Shape::Square(6),
        ),
        (
            theirs(
                shape::ShapeLine::new_builder()
                    .f0(bytes(b"xyz"))
                    .build()
                    .into(),
            ),
            Shape::Line(b"xyz".to_vec()),
        ),
    ];
    // The item ids: declaration order, then 7 set by hand and 8 after it.
    let ids: Vec<u32> = cases.iter().map(|(t, _)| t.item_id() as u32).collect();
    assert_eq!(ids, [0, 1, 2, 3, 3, 7, 8]);
    let mut vec = shape::ShapeVec::new_builder();
    for (theirs, value) in cases.iter().cloned() {
        vec = vec.push(theirs.clone());
        same(theirs, value);
    }
    same(
        vec.build(),
        cases.into_iter().map(|(_, v)| v).collect::<Vec<Shape>>(),
    );
    // An id moleculec's reader does not know is refused by both.
    let unknown = [4u8, 0, 0, 0, 4, 0, 0, 0];
    assert!(shape::Shape::from_slice(&unknown).is_err());
    assert!(Shape::decode(&unknown).is_err());
}
