//! Properties of the molecule codec for the vector types services now take (`Vec<Option<T>>`,
//! `Vec<(A, B)>`, and their neighbours) and for derived enums (molecule unions): values
//! round-trip, any bytes either decode to the one value that encodes to them or are
//! `IpcError::Deserialize`, and no input makes decoding allocate much more than its own length.
#![allow(missing_docs)] // test fixtures, not API
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::fmt::Debug;

use ckb_ipc::service::{Decode, Encode, Schema};
use ckb_ipc::IpcError;
use proptest::prelude::*;

mod common;
use common::tracking::Tracking;
use common::unions::{check_decode, Action, Inner, Plan};

#[global_allocator]
static ALLOC: Tracking = Tracking;

fn encoded<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode_to(&mut out);
    out
}

/// [`check_decode`] as a property.
fn check_bytes<T: Encode + Decode + Debug>(bytes: &[u8]) -> Result<(), TestCaseError> {
    check_decode::<T>(bytes).map_err(TestCaseError::fail)
}

fn round_trip<T: Encode + Decode + Debug + PartialEq>(value: T) -> Result<(), TestCaseError> {
    let bytes = encoded(&value);
    prop_assert_eq!(bytes.len(), value.encoded_len());
    prop_assert_eq!(T::decode(&bytes)?, value);
    Ok(())
}

/// Bytes that are often nearly valid: a real encoding, then some bytes overwritten, cut off
/// or appended; or random bytes behind a plausible size.
fn mangled(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = valid.len();
    prop_oneof![
        prop::collection::vec((0..len.max(1), any::<u8>()), 1..4).prop_map({
            let valid = valid.clone();
            move |edits| {
                let mut bytes = valid.clone();
                for (at, b) in edits {
                    if let Some(slot) = bytes.get_mut(at) {
                        *slot = b;
                    }
                }
                bytes
            }
        }),
        (0..=len).prop_map({
            let valid = valid.clone();
            move |n| valid[..n].to_vec()
        }),
        prop::collection::vec(any::<u8>(), 1..8).prop_map(move |tail| {
            let mut bytes = valid.clone();
            bytes.extend(tail);
            bytes
        }),
    ]
}

fn random_with_size() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..64).prop_map(|mut body| {
        let total = (body.len() + 4) as u32;
        let mut bytes = total.to_le_bytes().to_vec();
        bytes.append(&mut body);
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn vectors_round_trip(
        options in prop::collection::vec(any::<Option<u32>>(), 0..20),
        pairs in prop::collection::vec(any::<(u8, u32)>(), 0..20),
        labelled in prop::collection::vec((any::<u8>(), ".{0,8}"), 0..8),
        nested in prop::collection::vec(prop::collection::vec(any::<Option<u16>>(), 0..4), 0..6),
        sizes in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        round_trip(options)?;
        round_trip(pairs)?;
        round_trip(labelled)?;
        round_trip(nested)?;
        round_trip(sizes)?;
    }

    #[test]
    fn any_bytes_are_one_value_or_deserialize(bytes in prop::collection::vec(any::<u8>(), 0..96)) {
        check_bytes::<Vec<Option<u32>>>(&bytes)?;
        check_bytes::<Vec<(u8, u32)>>(&bytes)?;
        check_bytes::<Vec<(u8, String)>>(&bytes)?;
        check_bytes::<Vec<Vec<Option<u16>>>>(&bytes)?;
        check_bytes::<Vec<usize>>(&bytes)?;
    }

    #[test]
    fn plausible_dynvecs_are_one_value_or_deserialize(bytes in random_with_size()) {
        check_bytes::<Vec<Option<u32>>>(&bytes)?;
        check_bytes::<Vec<(u8, String)>>(&bytes)?;
        check_bytes::<Vec<Vec<Option<u16>>>>(&bytes)?;
    }

    #[test]
    fn mangled_options_are_one_value_or_deserialize(
        bytes in prop::collection::vec(any::<Option<u32>>(), 0..10)
            .prop_flat_map(|v| mangled(encoded(&v)))
    ) {
        check_bytes::<Vec<Option<u32>>>(&bytes)?;
    }

    #[test]
    fn mangled_tuples_are_one_value_or_deserialize(
        bytes in prop::collection::vec((any::<u8>(), ".{0,4}"), 0..6)
            .prop_flat_map(|v| mangled(encoded(&v)))
    ) {
        check_bytes::<Vec<(u8, String)>>(&bytes)?;
        check_bytes::<Vec<(u8, u32)>>(&bytes)?;
    }
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Stop),
        any::<(u32, u32)>().prop_map(|(a, b)| Action::Move(a, b)),
        (".{0,6}", any::<bool>()).prop_map(|(name, force)| Action::Rename { name, force }),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Action::Wrap),
        any::<u16>().prop_map(Action::Later),
        Just(Action::After()),
        prop::option::of(any::<u8>())
            .prop_map(|at| Action::Nested(at.map(|at| Inner::Last { at }))),
    ]
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        action(),
        prop::collection::vec(action(), 0..5),
        prop::option::of(any::<u8>()),
    )
        .prop_map(|(first, rest, inner)| Plan {
            first,
            rest,
            inner: inner.map(|at| Inner::Last { at }),
        })
}

#[test]
fn unions_are_the_item_id_then_the_item() {
    let bytes = |v: &Action| encoded(v);
    // A unit variant: id 0, the empty table (its size, 4).
    assert_eq!(bytes(&Action::Stop), [0, 0, 0, 0, 4, 0, 0, 0]);
    // Fixed fields: a struct item, concatenated.
    assert_eq!(
        bytes(&Action::Move(1, 2)),
        [1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]
    );
    // A dynamic field: a table item (size 4+8+5+1, offsets 12 and 17).
    assert_eq!(
        bytes(&Action::Rename {
            name: "a".into(),
            force: true
        }),
        [2, 0, 0, 0, 18, 0, 0, 0, 12, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, b'a', 1]
    );
    // A newtype of bytes is a table of one field; ids go on from a set one.
    assert_eq!(
        bytes(&Action::Wrap(vec![7])),
        [3, 0, 0, 0, 13, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 7]
    );
    assert_eq!(bytes(&Action::Later(0x0102)), [9, 0, 0, 0, 2, 1]);
    assert_eq!(bytes(&Action::After()), [10, 0, 0, 0, 4, 0, 0, 0]);
    assert_eq!(encoded(&Inner::Last { at: 5 }), [0xff, 0xff, 0xff, 0xff, 5]);
    for v in [Action::Stop, Action::Move(3, 4), Action::Later(1)] {
        assert_eq!(Action::decode(&encoded(&v)), Ok(v));
    }
}

#[test]
fn bad_unions_are_deserialize_errors() {
    let bad = |b: &[u8]| assert_eq!(Action::decode(b), Err(IpcError::Deserialize), "{b:?}");
    bad(&[]);
    bad(&[0, 0, 0]);
    // Unknown ids: between the declared ones, past them, the largest.
    bad(&[4, 0, 0, 0, 4, 0, 0, 0]);
    bad(&[11, 0, 0, 0, 4, 0, 0, 0]);
    bad(&[0xff, 0xff, 0xff, 0xff]);
    // A unit item that is not the empty table, or has a field.
    bad(&[0, 0, 0, 0]);
    bad(&[0, 0, 0, 0, 5, 0, 0, 0]);
    bad(&[0, 0, 0, 0, 4, 0, 0, 0, 0]);
    bad(&[0, 0, 0, 0, 9, 0, 0, 0, 8, 0, 0, 0, 1]);
    // A struct item one byte short or long.
    bad(&[1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0]);
    bad(&[1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0]);
    // A table item with a bad field (bool 2) or a size past the bytes.
    bad(&[
        2, 0, 0, 0, 18, 0, 0, 0, 12, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, b'a', 2,
    ]);
    bad(&[2, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 12, 0, 0, 0]);
    assert_eq!(Inner::decode(&[0, 0, 0, 0, 5]), Err(IpcError::Deserialize));
}

#[test]
fn unions_declare_their_item_types_then_the_union() {
    let mut schema = Schema::new();
    schema.add::<Plan>();
    let mol = schema.to_mol();
    for decl in [
        "table ActionStop {\n}",
        "struct ActionMove {\n    f0: Uint32,\n    f1: Uint32,\n}",
        "table ActionRename {\n    name: String,\n    force: Bool,\n}",
        "table ActionWrap {\n    f0: Bytes,\n}",
        "struct ActionLater {\n    f0: Uint16,\n}",
        "table ActionAfter {\n}",
        "table ActionNested {\n    f0: InnerOpt,\n}",
        "union Action {\n    ActionStop: 0,\n    ActionMove: 1,\n    ActionRename: 2,\n    ActionWrap: 3,\n    ActionLater: 9,\n    ActionAfter: 10,\n    ActionNested: 11,\n}",
        "union Inner {\n    InnerLast: 4294967295,\n}",
        "vector ActionVec <Action>;",
        "table Plan {\n    first: Action,\n    rest: ActionVec,\n    inner: InnerOpt,\n}",
    ] {
        assert!(mol.contains(decl), "{decl}\nnot in\n{mol}");
    }
    // Ids 0, 1, 2, ... are molecule's default: not written.
    #[derive(ckb_ipc::Molecule)]
    enum Plain {
        A,
        B(u8),
    }
    let mut schema = Schema::new();
    schema.add::<Plain>();
    assert!(schema
        .to_mol()
        .contains("union Plain {\n    PlainA,\n    PlainB,\n}"));
    let _ = (Plain::A, Plain::B(0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn unions_round_trip(plan in plan(), actions in prop::collection::vec(action(), 0..8)) {
        round_trip(plan.clone())?;
        round_trip(plan.first)?;
        round_trip(actions.clone())?;
        round_trip((7u8, actions, Some(Inner::Last { at: 1 })))?;
    }

    #[test]
    fn any_bytes_are_one_union_or_deserialize(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        check_bytes::<Action>(&bytes)?;
        check_bytes::<Plan>(&bytes)?;
        check_bytes::<Vec<Action>>(&bytes)?;
    }

    #[test]
    fn plausible_ids_and_items_are_one_union_or_deserialize(
        id in prop_oneof![0..12u32, any::<u32>()],
        item in random_with_size(),
    ) {
        let mut bytes = id.to_le_bytes().to_vec();
        bytes.extend(item);
        check_bytes::<Action>(&bytes)?;
    }

    #[test]
    fn mangled_unions_are_one_value_or_deserialize(
        bytes in plan().prop_flat_map(|p| mangled(encoded(&p)))
    ) {
        check_bytes::<Plan>(&bytes)?;
    }
}
