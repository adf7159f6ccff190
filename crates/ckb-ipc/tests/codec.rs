//! Properties of the molecule codec for the vector types services now take (`Vec<Option<T>>`,
//! `Vec<(A, B)>`, and their neighbours): values round-trip, any bytes either decode to the one
//! value that encodes to them or are `IpcError::Deserialize`, and no input makes decoding
//! allocate much more than its own length.
#![allow(missing_docs)] // test fixtures, not API
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::fmt::Debug;

use ckb_ipc::service::{Decode, Encode};
use ckb_ipc::IpcError;
use proptest::prelude::*;

mod common;
use common::tracking::{largest_allocation_during, Tracking};

#[global_allocator]
static ALLOC: Tracking = Tracking;

fn encoded<T: Encode>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode_to(&mut out);
    out
}

/// Decoding `bytes` as `T` is an error, or the value whose encoding is exactly `bytes`; the
/// largest allocation it makes stays within a few times the input.
fn check_bytes<T: Encode + Decode + Debug>(bytes: &[u8]) -> Result<(), TestCaseError> {
    let (decoded, largest) = largest_allocation_during(|| T::decode(bytes));
    prop_assert!(
        largest <= 64 + 8 * bytes.len(),
        "{} bytes made a {largest}-byte allocation",
        bytes.len()
    );
    match decoded {
        Ok(value) => prop_assert_eq!(encoded(&value), bytes, "{:?}", value),
        Err(e) => prop_assert_eq!(e, IpcError::Deserialize),
    }
    Ok(())
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
