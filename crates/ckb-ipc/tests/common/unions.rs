//! Derived enums (molecule unions) of every kind of variant, for the codec's property tests
//! (`codec.rs`) and the `decode_typed` fuzz target, which includes this file.
// Not every test binary that has `mod common` uses them.
#![allow(dead_code)]

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
