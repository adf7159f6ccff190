//! The molecule codec of typed services, one file a job (the layouts are documented on
//! [`service`](super)):
//! - `traits`: [`Encode`], [`Decode`], [`ServiceType`], [`to_payload`], and the impls for
//!   `Payload` and references;
//! - `output`: [`Output`], the room an encoding is written into;
//! - `schema`: [`Schema`], the `.mol` text of the types;
//! - `primitives`: integers, `bool`, `()`, `[u8; N]`, `str` and `String`;
//! - `sequences`: `Vec<T>`, `[T]` ([`Element`], [`Seq`]) and `Option<T>`;
//! - `tables`: molecule `struct`s and `table`s ([`FieldReader`], the field helpers of
//!   `#[derive(Molecule)]`, the offset headers), tuples;
//! - `unions`: molecule `union`s, the helpers of `#[derive(Molecule)]` on enums;
//! - `entities`: the ckb-gen-types entities.
//!
//! Here: the u32 header numbers every layout reads and writes.

use crate::error::IpcError;

mod entities;
mod output;
mod primitives;
pub(crate) mod schema;
mod sequences;
mod tables;
#[cfg(test)]
mod tests;
mod traits;
mod unions;

pub use output::Output;
pub(crate) use output::{append_in_capacity, append_to_vec};
pub use schema::{JsonForm, Schema};
pub use sequences::{Element, Seq};
pub use tables::{dyn_field, encode_fields, fields_fixed_size, fields_len, DynEncode, FieldReader};
pub use traits::{to_payload, Decode, Encode, ServiceType};
pub use unions::{
    encode_item, item_fixed, item_len, union_item, unknown_item, UnionItem, VariantKind,
};

const BAD: IpcError = IpcError::Deserialize;

/// The little-endian u32 at `at`, if the bytes reach that far.
fn u32_at(bytes: &[u8], at: usize) -> Result<usize, IpcError> {
    crate::le::u32_at(bytes, at).map(|n| n as usize).ok_or(BAD)
}
