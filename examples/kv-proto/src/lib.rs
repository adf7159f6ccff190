//! The key-value service of the examples: its trait, shared by `kv-server` (which implements
//! and serves it) and `kv-client` (which calls it). `#[ckb_ipc::service]` makes
//! `KeyValueClient` and `KeyValueServer` from it.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

/// The longest key the store takes, in bytes ([`KvError::KEY_TOO_LONG`] past it).
pub const MAX_KEY: usize = 64;
/// The longest value the store takes, in bytes ([`KvError::VALUE_TOO_LONG`] past it).
pub const MAX_VALUE: usize = 4096;
/// How many entries the store holds at most ([`KvError::FULL`] past it).
pub const MAX_ENTRIES: usize = 256;

/// Why the key-value service refused a request.
#[derive(ckb_ipc::Molecule, Debug, Clone, Copy, PartialEq, Eq)]
pub struct KvError(pub u8);

impl KvError {
    /// The key is longer than the server takes.
    pub const KEY_TOO_LONG: KvError = KvError(1);
    /// The value is longer than the server takes.
    pub const VALUE_TOO_LONG: KvError = KvError(2);
    /// The store holds as many entries as it takes.
    pub const FULL: KvError = KvError(3);
}

/// A key and its value.
#[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
}

/// One change to the store ([`KeyValue::apply`]): a molecule `union`, each variant an item of
/// its own type (`ChangePut`, `ChangeRemove`, `ChangeClear`). Item ids are 0, 1, 2 in
/// declaration order; a variant added later goes at the end (or takes `#[molecule(id = N)]`),
/// so the ids of the others stay.
#[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Stores `value` at `key`, as [`KeyValue::put`].
    Put { key: Vec<u8>, value: Vec<u8> },
    /// Removes a key, as [`KeyValue::remove`].
    Remove(Vec<u8>),
    /// Removes every entry.
    Clear,
}

/// A key-value store kept by a server script for the length of a transaction: scripts of
/// the transaction share state through it.
#[ckb_ipc::service]
pub trait KeyValue {
    /// The value at `key`.
    fn get(key: Vec<u8>) -> Option<Vec<u8>>;
    /// Stores `value` at `key`; the value it replaces.
    fn put(key: Vec<u8>, value: Vec<u8>) -> Result<Option<Vec<u8>>, KvError>;
    /// Removes `key`; the value it had.
    fn remove(key: Vec<u8>) -> Option<Vec<u8>>;
    /// How many entries the store holds.
    fn count() -> u64;
    /// Entries with keys starting with `prefix`, in key order.
    fn scan(prefix: Vec<u8>) -> Vec<Entry>;
    /// Applies one change; the value it replaced or removed (`None` for `Clear`).
    fn apply(change: Change) -> Result<Option<Vec<u8>>, KvError>;
}
