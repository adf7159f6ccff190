//! Molecule `struct`s (fixed fields, concatenated) and `table`s (a size, an offset per field,
//! the fields): the field helpers `#[derive(Molecule)]` expands to, [`FieldReader`], the
//! offset headers `table` shares with `dynvec`, and tuples.

use alloc::string::String;
use alloc::vec::Vec;

use super::schema::JsonForm;
use super::sequences::{element_via_seq, Element, Seq};
use super::{u32_at, Decode, Encode, Output, Schema, BAD};
use crate::error::IpcError;

/// Object-safe encoding, for tables and dynvecs of mixed or dynamic fields.
pub trait DynEncode {
    /// [`Encode::encode`].
    fn dyn_encode(&self, out: &mut Output<'_>);
    /// [`Encode::encoded_len`].
    fn dyn_encoded_len(&self) -> usize;
}

impl<T: Encode> DynEncode for T {
    fn dyn_encode(&self, out: &mut Output<'_>) {
        self.encode(out)
    }
    fn dyn_encoded_len(&self) -> usize {
        self.encoded_len()
    }
}

/// `value` as a field of [`encode_fields`]; `#[derive(Molecule)]` names each field's type
/// through it, so an unsupported field type is reported at the field.
pub fn dyn_field<T: Encode>(value: &T) -> &dyn DynEncode {
    value
}
/// A molecule `table`/`dynvec`: total size, one offset per item, then the items.
pub(super) fn encode_offsets<'a>(
    items: impl Iterator<Item = &'a dyn DynEncode> + Clone,
    count: usize,
    out: &mut Output<'_>,
) {
    let header = 4 + 4 * count;
    let total = header + items.clone().map(|i| i.dyn_encoded_len()).sum::<usize>();
    out.put_u32(total);
    let mut at = header;
    for item in items.clone() {
        out.put_u32(at);
        at += item.dyn_encoded_len();
    }
    for item in items {
        item.dyn_encode(out);
    }
}

/// Splits a molecule `table`/`dynvec` into its items; `expect` is the item count of a table.
pub(super) fn decode_offsets(bytes: &[u8], expect: Option<usize>) -> Result<Vec<&[u8]>, IpcError> {
    let total = u32_at(bytes, 0)?;
    if total != bytes.len() {
        return Err(BAD);
    }
    if total == 4 {
        return match expect {
            None | Some(0) => Ok(Vec::new()),
            Some(_) => Err(BAD),
        };
    }
    let first = u32_at(bytes, 4)?;
    if first % 4 != 0 || first < 8 || first > total {
        return Err(BAD);
    }
    let count = first / 4 - 1;
    if expect.is_some_and(|n| n != count) {
        return Err(BAD);
    }
    let mut items = Vec::new();
    items.try_reserve_exact(count)?;
    for i in 0..count {
        let start = u32_at(bytes, 4 + 4 * i)?;
        let end = if i + 1 == count {
            total
        } else {
            u32_at(bytes, 8 + 4 * i)?
        };
        items.push(bytes.get(start..end).ok_or(BAD)?);
    }
    Ok(items)
}

/// The size of a `struct` of fields of these sizes: `Some` only if every field is fixed.
pub const fn fields_fixed_size(sizes: &[Option<usize>]) -> Option<usize> {
    let mut total = 0;
    let mut rest = sizes;
    while let [first, tail @ ..] = rest {
        match first {
            Some(n) => total += *n,
            None => return None,
        }
        rest = tail;
    }
    Some(total)
}

/// Encodes fields as a molecule `struct` (all fixed: concatenated) or `table`.
pub fn encode_fields(fixed: bool, fields: &[&dyn DynEncode], out: &mut Output<'_>) {
    if fixed {
        for f in fields {
            f.dyn_encode(out);
        }
    } else {
        encode_offsets(fields.iter().copied(), fields.len(), out);
    }
}

/// Bytes [`encode_fields`] appends.
pub fn fields_len(fixed: bool, fields: &[&dyn DynEncode]) -> usize {
    let body: usize = fields.iter().map(|f| f.dyn_encoded_len()).sum();
    if fixed {
        body
    } else {
        4 + 4 * fields.len() + body
    }
}

/// Reads the fields of a molecule `struct` or `table`, in order; [`finish`](Self::finish)
/// checks that nothing is left.
pub struct FieldReader<'a> {
    bytes: &'a [u8],
    /// `struct`: where the next field starts.
    at: usize,
    /// `table`: the field slices.
    items: Option<Vec<&'a [u8]>>,
    next: usize,
}

impl<'a> FieldReader<'a> {
    /// `fixed` says `struct` (else `table`), `count` the number of fields.
    pub fn new(bytes: &'a [u8], fixed: bool, count: usize) -> Result<Self, IpcError> {
        let items = if fixed {
            None
        } else {
            Some(decode_offsets(bytes, Some(count))?)
        };
        Ok(Self {
            bytes,
            at: 0,
            items,
            next: 0,
        })
    }

    /// The next field, read as `T`.
    pub fn field<T: Decode + Encode>(&mut self) -> Result<T, IpcError> {
        let slice = match &self.items {
            Some(items) => items.get(self.next).copied().ok_or(BAD)?,
            None => {
                let n = T::FIXED_SIZE.ok_or(BAD)?;
                let end = self.at.checked_add(n).ok_or(BAD)?;
                let field = self.bytes.get(self.at..end).ok_or(BAD)?;
                self.at = end;
                field
            }
        };
        self.next += 1;
        T::decode(slice)
    }

    /// Every field was read and no byte is left over.
    pub fn finish(self) -> Result<(), IpcError> {
        match self.items {
            Some(items) if items.len() == self.next => Ok(()),
            None if self.at == self.bytes.len() => Ok(()),
            _ => Err(BAD),
        }
    }
}

macro_rules! tuple_codec {
    ($n:expr; $($name:ident $idx:tt),+) => {
        impl<$($name: Encode),+> Encode for ($($name,)+) {
            const FIXED_SIZE: Option<usize> = fields_fixed_size(&[$($name::FIXED_SIZE),+]);
            /// A `struct` field by field, each through its own `encode` (static calls,
            /// inlined: a `(u64, u64)` is two stores); a `table` through [`encode_fields`].
            #[inline]
            fn encode(&self, out: &mut Output<'_>) {
                if Self::FIXED_SIZE.is_some() {
                    $(self.$idx.encode(out);)+
                } else {
                    encode_fields(false, &[$(&self.$idx),+], out)
                }
            }
            #[inline]
            fn encoded_len(&self) -> usize {
                match Self::FIXED_SIZE {
                    Some(n) => n,
                    None => fields_len(false, &[$(&self.$idx),+]),
                }
            }
            /// `Tuple` and the field type names: `TupleUint64Bytes`.
            fn schema_name() -> String {
                let mut name = String::from("Tuple");
                $(name.push_str(&$name::schema_name());)+
                name
            }
            fn schema_declare(schema: &mut Schema) {
                let fields = [$((concat!("f", $idx), schema.add::<$name>())),+];
                schema.declare_fields_as(&Self::schema_name(), Self::FIXED_SIZE.is_some(), &fields, Some(JsonForm::Tuple));
            }
        }
        impl<$($name: Encode + Decode),+> Decode for ($($name,)+) {
            /// A `struct` from its fields at their fixed offsets (constants once inlined, the
            /// one length check covering every field); a `table` through [`FieldReader`].
            #[inline]
            fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
                if let Some(size) = Self::FIXED_SIZE {
                    if bytes.len() != size {
                        return Err(BAD);
                    }
                    let mut at = 0usize;
                    let out = ($({
                        let end = at.saturating_add($name::FIXED_SIZE.unwrap_or(0));
                        let field = $name::decode(bytes.get(at..end).ok_or(BAD)?)?;
                        at = end;
                        field
                    },)+);
                    let _ = at;
                    return Ok(out);
                }
                let mut r = FieldReader::new(bytes, false, $n)?;
                let out = ($(r.field::<$name>()?,)+);
                r.finish()?;
                Ok(out)
            }
        }
        element_via_seq!([$($name: Encode + Decode),+] ($($name,)+));
    };
}
tuple_codec!(1; A 0);
tuple_codec!(2; A 0, B 1);
tuple_codec!(3; A 0, B 1, C 2);
tuple_codec!(4; A 0, B 1, C 2, D 3);
tuple_codec!(5; A 0, B 1, C 2, D 3, E 4);
tuple_codec!(6; A 0, B 1, C 2, D 3, E 4, F 5);
