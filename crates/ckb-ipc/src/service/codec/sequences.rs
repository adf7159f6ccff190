//! Sequences: `Vec<T>` and `[T]` (molecule `bytes`, `fixvec` or `dynvec`, through
//! [`Element`] and [`Seq`]) and `Option<T>`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::primitives::{declare_bytes, decode_bytes};
use super::tables::{decode_offsets, encode_offsets, DynEncode};
use super::{u32_at, Decode, Encode, Output, Schema, BAD};
use crate::error::IpcError;

/// A slice is laid out as the `Vec` it is read back as: `[u8]` is `bytes`, others a `fixvec`
/// or `dynvec` (see [`Element`]).
impl<T: Element> Encode for [T] {
    const FIXED_SIZE: Option<usize> = None;
    fn encode(&self, out: &mut Output<'_>) {
        T::encode_seq(self, out)
    }
    fn encoded_len(&self) -> usize {
        T::seq_len(self)
    }
    fn schema_name() -> String {
        T::seq_schema_name()
    }
    fn schema_declare(schema: &mut Schema) {
        T::seq_schema_declare(schema)
    }
}

/// `Vec<u8>` is `bytes`; any other `Vec<T>` is a `fixvec` or a `dynvec` (see [`Seq`]).
impl<T: Element> Encode for Vec<T> {
    const FIXED_SIZE: Option<usize> = None;
    fn encode(&self, out: &mut Output<'_>) {
        T::encode_seq(self, out)
    }
    fn encoded_len(&self) -> usize {
        T::seq_len(self)
    }
    fn schema_name() -> String {
        T::seq_schema_name()
    }
    fn schema_declare(schema: &mut Schema) {
        T::seq_schema_declare(schema)
    }
}

impl<T: Element> Decode for Vec<T> {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        T::decode_seq(bytes)
    }
}

/// How a sequence of `Self` is laid out: bytes are copied as a block, others item by item.
/// A trait of its own (rather than a `Vec<T>` impl per `T`) so `Vec<u8>` can be `bytes`
/// while every other `Vec<T>` shares one generic impl.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an item of a `Vec` or slice in molecule (`ckb_ipc::service`)",
    label = "not a molecule vector item",
    note = "vector items: integers, bool, String, [u8; N], Vec<T>, Option<T>, tuples, ckb-gen-types entities and #[derive(ckb_ipc::Molecule)] structs and enums"
)]
pub trait Element: Sized {
    /// Writes the vector of `items`.
    fn encode_seq(items: &[Self], out: &mut Output<'_>);
    /// Bytes [`encode_seq`](Self::encode_seq) appends.
    fn seq_len(items: &[Self]) -> usize;
    /// Reads a vector back; its count is checked against the bytes present first.
    fn decode_seq(bytes: &[u8]) -> Result<Vec<Self>, IpcError>;
    /// The molecule name of a sequence of `Self`.
    fn seq_schema_name() -> String;
    /// Declares the vector type and its item type.
    fn seq_schema_declare(schema: &mut Schema);
}

impl Element for u8 {
    fn encode_seq(items: &[u8], out: &mut Output<'_>) {
        out.put_u32(items.len());
        out.put(items);
    }
    fn seq_len(items: &[u8]) -> usize {
        4 + items.len()
    }
    fn decode_seq(bytes: &[u8]) -> Result<Vec<u8>, IpcError> {
        decode_bytes(bytes).map(<[u8]>::to_vec)
    }
    fn seq_schema_name() -> String {
        "Bytes".into()
    }
    fn seq_schema_declare(schema: &mut Schema) {
        declare_bytes(schema)
    }
}

/// Any other element type: `fixvec<T>` when `T` has a fixed size, else `dynvec<T>`.
pub struct Seq;

impl Seq {
    /// `<T>Vec`.
    pub fn schema_name<T: Encode>() -> String {
        format!("{}Vec", T::schema_name())
    }

    /// `vector <T>Vec <T>;` (molecule picks fixvec or dynvec from `T`).
    pub fn schema_declare<T: Encode>(schema: &mut Schema) {
        let item = schema.add::<T>();
        schema.declare_vector(&format!("{item}Vec"), &item, T::FIXED_SIZE.is_some(), None);
    }

    /// A `fixvec` (count, then the items) or a `dynvec` (size, offsets, then the items).
    pub fn encode<T: Encode>(items: &[T], out: &mut Output<'_>) {
        match T::FIXED_SIZE {
            Some(_) => {
                out.put_u32(items.len());
                for item in items {
                    item.encode(out);
                }
            }
            None => encode_offsets(items.iter().map(|i| i as &dyn DynEncode), items.len(), out),
        }
    }

    /// Bytes [`encode`](Self::encode) appends.
    pub fn len<T: Encode>(items: &[T]) -> usize {
        match T::FIXED_SIZE {
            Some(n) => 4 + n * items.len(),
            None => 4 + 4 * items.len() + items.iter().map(Encode::encoded_len).sum::<usize>(),
        }
    }

    /// Reads a `fixvec` or `dynvec` of `T`; the count must match the bytes present (so it
    /// bounds the allocation) and every item must decode.
    pub fn decode<T: Encode + Decode>(bytes: &[u8]) -> Result<Vec<T>, IpcError> {
        match T::FIXED_SIZE {
            Some(n) => {
                let count = u32_at(bytes, 0)?;
                let body = bytes.get(4..).ok_or(BAD)?;
                if n == 0 || body.len() != count.checked_mul(n).ok_or(BAD)? {
                    return Err(BAD);
                }
                body.chunks_exact(n).map(T::decode).collect()
            }
            None => decode_offsets(bytes, None)?
                .into_iter()
                .map(T::decode)
                .collect(),
        }
    }
}

/// `Element` by delegation to [`Seq`]: every element type but `u8` (which is `bytes`).
/// `[generics] Type` pairs; the generics may be empty.
macro_rules! element_via_seq {
    ($([$($g:tt)*] $t:ty),* $(,)?) => {$(
        impl<$($g)*> Element for $t {
            fn encode_seq(items: &[Self], out: &mut Output<'_>) { Seq::encode(items, out) }
            fn seq_len(items: &[Self]) -> usize { Seq::len(items) }
            fn decode_seq(bytes: &[u8]) -> Result<Vec<Self>, IpcError> { Seq::decode(bytes) }
            fn seq_schema_name() -> String { Seq::schema_name::<Self>() }
            fn seq_schema_declare(schema: &mut Schema) { Seq::schema_declare::<Self>(schema) }
        }
    )*};
}
pub(super) use element_via_seq;
element_via_seq!(
    [] u16, [] u32, [] u64, [] u128, [] i8, [] i16, [] i32, [] i64, [] i128, [] bool, [] String,
    [const N: usize] [u8; N],
    [T: Element + Encode + Decode] Vec<T>,
    [] usize, [] isize,
    [T: Encode + Decode] Option<T>,
);
/// `option T`: nothing for `None`, `T` for `Some`.
impl<T: Encode> Encode for Option<T> {
    const FIXED_SIZE: Option<usize> = None;
    fn encode(&self, out: &mut Output<'_>) {
        if let Some(v) = self {
            v.encode(out)
        }
    }
    fn encoded_len(&self) -> usize {
        self.as_ref().map_or(0, Encode::encoded_len)
    }
    fn schema_name() -> String {
        format!("{}Opt", T::schema_name())
    }
    fn schema_declare(schema: &mut Schema) {
        let item = schema.add::<T>();
        schema.declare_option(&format!("{item}Opt"), &item);
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        if bytes.is_empty() {
            Ok(None)
        } else {
            T::decode(bytes).map(Some)
        }
    }
}
