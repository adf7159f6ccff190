//! Molecule `union`s, what `#[derive(Molecule)]` on an enum expands to: a u32 item id
//! (little-endian), then the item. Each variant `V` of an enum `E` is an item type of its own,
//! `EV`: a `struct` of its fields when every one has a fixed size, else a `table`; a unit
//! variant (or one with no fields) is the empty `table EV {}` (4 bytes, `04000000`), since
//! molecule has no empty `struct` (moleculec 0.9.2 refuses `struct EV {}`).
//!
//! Item ids follow molecule's rule for `union E { A, B: 5, C }`: an item's id is the one its
//! variant sets with `#[molecule(id = N)]`, else the previous item's id plus one (the first: 0).

use alloc::format;
use alloc::string::String;

use super::tables::{encode_fields, fields_fixed_size, fields_len, DynEncode};
use super::{u32_at, Output, BAD};
use crate::error::IpcError;

/// What a union item was in Rust: the description's `unit`, `tuple` (`newtype` for one field)
/// or a plain `struct`/`table` of named fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariantKind {
    /// `V`: no data (an empty `table`).
    Unit,
    /// `V(A, B)`: fields `f0`, `f1`, ...
    Tuple,
    /// `V { a: A, b: B }`: the fields by name.
    Struct,
}

/// One item of a union for [`Schema::declare_union`](super::Schema::declare_union): a variant,
/// its item id, and the fields of its item type.
#[derive(Debug, Clone, Copy)]
pub struct UnionItem<'a> {
    /// The variant's name (`V`); the item type is `<Enum><V>`.
    pub variant: &'a str,
    /// The union item id on the wire.
    pub id: u32,
    /// What the variant was in Rust.
    pub kind: VariantKind,
    /// `true` if the item type is a `struct` (every field fixed), else a `table`.
    pub fixed: bool,
    /// `(field name, molecule type)`, in wire order.
    pub fields: &'a [(&'a str, String)],
}

impl UnionItem<'_> {
    /// The item's molecule type in the union `union`: `<union><variant>`.
    pub fn type_name(&self, union: &str) -> String {
        format!("{union}{}", self.variant)
    }
}

/// `true` if a variant with fields of these sizes is a molecule `struct` (every field fixed,
/// and at least one: an empty item is a `table`).
pub const fn item_fixed(sizes: &[Option<usize>]) -> bool {
    !sizes.is_empty() && fields_fixed_size(sizes).is_some()
}

/// Writes a union of the item `id` whose item has these fields.
pub fn encode_item(id: u32, fixed: bool, fields: &[&dyn DynEncode], out: &mut Output<'_>) {
    out.put(&id.to_le_bytes());
    encode_fields(fixed, fields, out);
}

/// Bytes [`encode_item`] appends.
pub fn item_len(fixed: bool, fields: &[&dyn DynEncode]) -> usize {
    4 + fields_len(fixed, fields)
}

/// A union's item id and the item's bytes (checked by the item's reader).
pub fn union_item(bytes: &[u8]) -> Result<(u32, &[u8]), IpcError> {
    let id = u32::try_from(u32_at(bytes, 0)?).map_err(|_| BAD)?;
    Ok((id, bytes.get(4..).ok_or(BAD)?))
}

/// The answer to an item id the union does not have.
pub fn unknown_item<T>() -> Result<T, IpcError> {
    Err(BAD)
}
