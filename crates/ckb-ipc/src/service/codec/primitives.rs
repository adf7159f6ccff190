//! Integers, `bool`, `()`, `[u8; N]` and the `bytes` of `str` and `String`.

use alloc::format;
use alloc::string::String;

use super::schema::JsonForm;
use super::{u32_at, Decode, Encode, Output, Schema, BAD};
use crate::error::IpcError;

/// Declares molecule `bytes` (`vector Bytes <byte>`), shown as `"0x.."`.
pub(super) fn declare_bytes(schema: &mut Schema) {
    schema.declare_vector("Bytes", "byte", true, Some(JsonForm::Hex));
}

/// The schema functions of every type encoded as molecule `bytes`: `Bytes` (shown as hex), or
/// `String` (the same bytes, UTF-8, shown as a string) for `str` and `String`.
macro_rules! bytes_schema {
    () => {
        fn schema_name() -> String {
            "Bytes".into()
        }
        fn schema_declare(schema: &mut Schema) {
            declare_bytes(schema)
        }
    };
    (String) => {
        fn schema_name() -> String {
            "String".into()
        }
        fn schema_declare(schema: &mut Schema) {
            schema.declare_vector("String", "byte", true, Some(JsonForm::String));
        }
    };
}
pub(super) use bytes_schema;

macro_rules! int_codec {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            const FIXED_SIZE: Option<usize> = Some(core::mem::size_of::<$t>());
            #[inline]
            fn encode(&self, out: &mut Output<'_>) {
                out.put_word(self.to_le_bytes());
            }
            fn encoded_len(&self) -> usize {
                core::mem::size_of::<$t>()
            }
            fn schema_name() -> String {
                match (core::mem::size_of::<$t>(), <$t>::MIN == 0) {
                    (1, _) => "byte".into(),
                    (n, true) => format!("Uint{}", n * 8),
                    (n, false) => format!("Int{}", n * 8),
                }
            }
            fn schema_declare(schema: &mut Schema) {
                let json = if <$t>::MIN == 0 { JsonForm::Uint } else { JsonForm::Int };
                let size = core::mem::size_of::<$t>();
                schema.declare_array(&Self::schema_name(), "byte", size, Some(json));
            }
        }
        impl Decode for $t {
            fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
                // One load, at whatever alignment the payload has (crate::unaligned).
                let bytes = bytes.try_into().map_err(|_| BAD)?;
                Ok(<$t>::from_le_bytes(crate::unaligned::load(bytes)))
            }
        }
    )*};
}
int_codec!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

/// A wire integer as `T`: a value `T` cannot hold is an error, never a truncation.
pub(super) fn narrow<T: TryFrom<W>, W>(value: W) -> Result<T, IpcError> {
    T::try_from(value).map_err(|_| BAD)
}

/// `usize` travels as `Uint64` (and `isize` as `Int64`), so both ends agree whatever their
/// pointer width; decoding refuses a value the reader's `usize`/`isize` cannot hold.
macro_rules! size_codec {
    ($($t:ty => $wire:ty),*) => {$(
        impl Encode for $t {
            const FIXED_SIZE: Option<usize> = Some(8);
            #[inline]
            fn encode(&self, out: &mut Output<'_>) {
                // Lossless: no target of this crate has pointers wider than 64 bits.
                (*self as $wire).encode(out)
            }
            fn encoded_len(&self) -> usize {
                8
            }
            fn schema_name() -> String {
                <$wire>::schema_name()
            }
            fn schema_declare(schema: &mut Schema) {
                <$wire>::schema_declare(schema)
            }
        }
        impl Decode for $t {
            fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
                narrow(<$wire>::decode(bytes)?)
            }
        }
    )*};
}
size_codec!(usize => u64, isize => i64);

impl Encode for bool {
    const FIXED_SIZE: Option<usize> = Some(1);
    #[inline]
    fn encode(&self, out: &mut Output<'_>) {
        out.put_u8(u8::from(*self));
    }
    fn encoded_len(&self) -> usize {
        1
    }
    fn schema_name() -> String {
        "Bool".into()
    }
    fn schema_declare(schema: &mut Schema) {
        schema.declare_array("Bool", "byte", 1, Some(JsonForm::Bool));
    }
}

impl Decode for bool {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        match bytes {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(BAD),
        }
    }
}

impl Encode for () {
    const FIXED_SIZE: Option<usize> = Some(0);
    fn encode(&self, _: &mut Output<'_>) {}
    fn encoded_len(&self) -> usize {
        0
    }
    /// Nothing on the wire; molecule has no empty type, so the schema names it in comments.
    fn schema_name() -> String {
        "()".into()
    }
    fn schema_declare(_: &mut Schema) {}
}

impl Decode for () {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        if bytes.is_empty() {
            Ok(())
        } else {
            Err(BAD)
        }
    }
}

impl<const N: usize> Encode for [u8; N] {
    const FIXED_SIZE: Option<usize> = Some(N);
    #[inline]
    fn encode(&self, out: &mut Output<'_>) {
        out.put(self);
    }
    fn encoded_len(&self) -> usize {
        N
    }
    fn schema_name() -> String {
        format!("Byte{N}")
    }
    fn schema_declare(schema: &mut Schema) {
        schema.declare_array(&Self::schema_name(), "byte", N, Some(JsonForm::Hex));
    }
}

impl<const N: usize> Decode for [u8; N] {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        bytes.try_into().map_err(|_| BAD)
    }
}

/// The content of a molecule `bytes`: a u32 count, then exactly that many bytes.
pub(super) fn decode_bytes(bytes: &[u8]) -> Result<&[u8], IpcError> {
    let n = u32_at(bytes, 0)?;
    match bytes.get(4..) {
        Some(rest) if rest.len() == n => Ok(rest),
        _ => Err(BAD),
    }
}

impl Encode for str {
    const FIXED_SIZE: Option<usize> = None;
    fn encode(&self, out: &mut Output<'_>) {
        self.as_bytes().encode(out)
    }
    fn encoded_len(&self) -> usize {
        4 + self.len()
    }
    bytes_schema!(String);
}

impl Encode for String {
    const FIXED_SIZE: Option<usize> = None;
    fn encode(&self, out: &mut Output<'_>) {
        self.as_str().encode(out)
    }
    fn encoded_len(&self) -> usize {
        4 + self.len()
    }
    bytes_schema!(String);
}

impl Decode for String {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        let raw = decode_bytes(bytes)?;
        core::str::from_utf8(raw).map(String::from).map_err(|_| BAD)
    }
}
