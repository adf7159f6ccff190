//! Derived enums (molecule unions) of every kind of variant, and the oracle of typed decoding,
//! for the codec's property tests (`codec.rs`) and the `decode_typed` fuzz target, which
//! includes this file (beside `tracking.rs`).
// Not every test binary that has `mod common` uses them.
#![allow(dead_code)]

use std::fmt::Debug;

use ckb_ipc::service::{Decode, Encode};
use ckb_ipc::IpcError;

use super::tracking::largest_allocation_during;

/// Decoding `bytes` as `T` is `IpcError::Deserialize`, or the value whose encoding is exactly
/// `bytes` (one encoding per value); the largest allocation it makes stays within a few times
/// the input. `Err` says which of these broke.
pub fn check_decode<T: Encode + Decode + Debug>(bytes: &[u8]) -> Result<(), String> {
    let (decoded, largest) = largest_allocation_during(|| T::decode(bytes));
    if largest > 64 + 8 * bytes.len() {
        return Err(format!(
            "{} bytes made a {largest}-byte allocation",
            bytes.len()
        ));
    }
    match decoded {
        Ok(value) => {
            let mut out = Vec::new();
            value.encode_to(&mut out);
            if out != bytes || value.encoded_len() != bytes.len() {
                return Err(format!(
                    "{bytes:?} decoded to {value:?}, which encodes to {out:?}"
                ));
            }
        }
        Err(IpcError::Deserialize) => {}
        Err(e) => return Err(format!("{bytes:?}: {e:?}, not Deserialize")),
    }
    Ok(())
}

/// A union of every kind of variant: unit, tuple (fixed: a `struct` item), struct (dynamic: a
/// `table` item), newtype, a set id and the id after it, and an empty tuple variant.
#[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Stop,
    Move(u32, u32),
    Rename {
        name: String,
        force: bool,
    },
    Wrap(Vec<u8>),
    #[molecule(id = 9)]
    Later(u16),
    After(),
    Nested(Option<Inner>),
}

/// A union inside a union's item, and as a struct field.
#[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
pub enum Inner {
    #[molecule(id = 4294967295)]
    Last { at: u8 },
}

/// A derived struct holding unions.
#[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub first: Action,
    pub rest: Vec<Action>,
    pub inner: Option<Inner>,
}
