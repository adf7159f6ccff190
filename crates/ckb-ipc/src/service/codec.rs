//! Molecule encoding of Rust values, for typed service payloads.
//!
//! | Rust | molecule |
//! |---|---|
//! | `u8`, `i8` | `byte` |
//! | `u16`..`u128`, `i16`..`i128` | `array [byte; N]`, little-endian |
//! | `usize`, `isize` | `Uint64`, `Int64` (a value the target's `usize` cannot hold is an error) |
//! | `bool` | `byte`, 0 or 1 |
//! | `[u8; N]` | `array [byte; N]` |
//! | `Vec<u8>`, `String`, `[u8]`, `str` | `fixvec<byte>` (`bytes`) |
//! | `Vec<T>`, `[T]` | `fixvec<T>` if `T` has a fixed size, else `dynvec<T>` |
//! | `Option<T>` | `option T` |
//! | `()` | nothing (zero bytes) |
//! | tuples | `struct` if every field has a fixed size, else `table` |
//! | ckb-gen-types entities (`Script`, `Byte32`, `OutPoint`, ...) | themselves |
//!
//! Decoding checks every length and offset against the bytes it has, and rejects anything
//! left over: a hostile payload is `IpcError::Deserialize`, never a panic, and no length read
//! from it allocates more than the bytes present can fill.
//!
//! `str` and `[T]` (behind a reference) only encode: they are what a client sends for a `&str`
//! or `&[T]` argument, which the server reads back as `String` or `Vec<T>`.
//!
//! `Option<T>` assumes `T` never encodes to zero bytes (those read back as `None`): molecule's
//! `option` has the same rule, so `Option<()>` and `Option<Option<T>>` do not round-trip.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::error::IpcError;
use crate::packet::Payload;

/// Declares molecule `bytes` (`vector Bytes <byte>`).
fn declare_bytes(schema: &mut Schema) {
    schema.declare("Bytes", || "vector Bytes <byte>;".into());
}

/// The schema functions of every type encoded as molecule `bytes`.
macro_rules! bytes_schema {
    () => {
        fn schema_name() -> String {
            "Bytes".into()
        }
        fn schema_declare(schema: &mut Schema) {
            declare_bytes(schema)
        }
    };
}

/// A value with a molecule encoding.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a molecule type (`ckb_ipc::service::codec`)",
    label = "not a molecule type",
    note = "supported: u8..u128, i8..i128, usize, isize, bool, (), [u8; N], String, Vec<T>, Option<T>, tuples of up to 6, ckb_ipc::Payload, ckb-gen-types entities (Script, Byte32, ...) and structs with #[derive(ckb_ipc::Molecule)]; &str and &[T] as arguments only"
)]
pub trait Encode {
    /// `Some(n)` if every value encodes to exactly `n` bytes (molecule `byte`, `array`, `struct`).
    const FIXED_SIZE: Option<usize>;
    /// `true` if [`into_payload`](Self::into_payload) sends the value's own buffer (a
    /// [`Payload`]): a client then sends it as it is instead of encoding it into the channel's.
    const SENT_AS_IS: bool = false;
    /// Appends the encoding to `out`.
    fn encode_to(&self, out: &mut Vec<u8>);
    /// Bytes `encode_to` appends.
    fn encoded_len(&self) -> usize;
    /// The molecule type this encodes as (`byte`, `Uint64`, `Bytes`, ...).
    fn schema_name() -> String;
    /// Adds the molecule declarations the type needs to `schema`.
    fn schema_declare(schema: &mut Schema);
    /// The encoding as a packet payload. [`Payload`] overrides it to reuse its
    /// own buffer (no copy).
    fn into_payload(self) -> Payload
    where
        Self: Sized,
    {
        to_payload(&self)
    }
}

/// A value that can be read back from its molecule encoding (all of `bytes`, nothing left over).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a molecule type (`ckb_ipc::service::codec`)",
    label = "not a molecule type",
    note = "supported: u8..u128, i8..i128, usize, isize, bool, (), [u8; N], String, Vec<T>, Option<T>, tuples of up to 6, ckb_ipc::Payload, ckb-gen-types entities (Script, Byte32, ...) and structs with #[derive(ckb_ipc::Molecule)]; &str and &[T] as arguments only"
)]
pub trait Decode: Sized {
    /// `true` if [`from_payload`](Self::from_payload) keeps the payload's buffer; otherwise the
    /// buffer is free for reuse once decoded.
    const ZERO_COPY: bool = false;
    /// Reads a value from exactly `bytes`; anything malformed or left over is
    /// [`IpcError::Deserialize`].
    fn decode(bytes: &[u8]) -> Result<Self, IpcError>;
    /// Decodes a whole packet payload. [`Payload`] overrides it to keep the
    /// buffer it arrived in (no copy).
    fn from_payload(payload: Payload) -> Result<Self, IpcError> {
        Self::decode(&payload)
    }
}

/// `Payload` is the zero-copy `bytes` of services: encoding writes its 4-byte length into the
/// headroom in front of it, decoding steps over the length in the buffer it arrived in.
impl Encode for Payload {
    const FIXED_SIZE: Option<usize> = None;
    const SENT_AS_IS: bool = true;
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.as_slice().encode_to(out)
    }
    fn encoded_len(&self) -> usize {
        4 + self.len()
    }
    bytes_schema!();
    fn into_payload(mut self) -> Payload {
        let len = (self.len() as u32).to_le_bytes();
        if self.prepend(&len) {
            self
        } else {
            to_payload(&self)
        }
    }
}

impl Decode for Payload {
    const ZERO_COPY: bool = true;
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        decode_bytes(bytes).map(Payload::from_slice)
    }
    fn from_payload(mut payload: Payload) -> Result<Self, IpcError> {
        decode_bytes(&payload)?;
        payload.advance(4);
        Ok(payload)
    }
}

/// Molecule declarations (`.mol` text), each once, in the order they were first needed.
#[derive(Default, Debug, Clone)]
pub struct Schema {
    decls: Vec<(String, String)>,
}

impl Schema {
    /// No declarations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares `name` with `text` unless it is declared already.
    pub fn declare(&mut self, name: &str, text: impl FnOnce() -> String) {
        if name != "byte" && !self.decls.iter().any(|(n, _)| n == name) {
            let text = text();
            self.decls.push((name.to_string(), text));
        }
    }

    /// Declares `T` and what it uses; returns its molecule name.
    pub fn add<T: Encode>(&mut self) -> String {
        T::schema_declare(self);
        T::schema_name()
    }

    /// A `struct` (every field fixed) or `table` named `name` of `fields` (name, type).
    pub fn declare_fields(&mut self, name: &str, fixed: bool, fields: &[(&str, String)]) {
        self.declare(name, || {
            let kind = if fixed { "struct" } else { "table" };
            let mut out = format!("{kind} {name} {{\n");
            for (field, ty) in fields {
                out.push_str(&format!("    {field}: {ty},\n"));
            }
            out.push('}');
            out
        });
    }

    /// The declarations as `.mol` text.
    pub fn to_mol(&self) -> String {
        let mut out = String::new();
        for (_, text) in &self.decls {
            out.push_str(text);
            out.push('\n');
        }
        out
    }
}

const BAD: IpcError = IpcError::Deserialize;

/// The little-endian u32 at `at`, if the bytes reach that far.
fn u32_at(bytes: &[u8], at: usize) -> Result<usize, IpcError> {
    let b: [u8; 4] = bytes
        .get(at..at.checked_add(4).ok_or(BAD)?)
        .ok_or(BAD)?
        .try_into()
        .map_err(|_| BAD)?;
    Ok(u32::from_le_bytes(b) as usize)
}

/// Appends a molecule header number (sizes and counts are u32 on the wire).
fn push_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

macro_rules! int_codec {
    ($($t:ty),*) => {$(
        impl Encode for $t {
            const FIXED_SIZE: Option<usize> = Some(core::mem::size_of::<$t>());
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
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
                let name = Self::schema_name();
                schema.declare(&name, || format!("array {name} [byte; {}];", core::mem::size_of::<$t>()));
            }
        }
        impl Decode for $t {
            fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
                Ok(<$t>::from_le_bytes(bytes.try_into().map_err(|_| BAD)?))
            }
        }
    )*};
}
int_codec!(u8, u16, u32, u64, u128, i8, i16, i32, i64, i128);

/// A wire integer as `T`: a value `T` cannot hold is an error, never a truncation.
fn narrow<T: TryFrom<W>, W>(value: W) -> Result<T, IpcError> {
    T::try_from(value).map_err(|_| BAD)
}

/// `usize` travels as `Uint64` (and `isize` as `Int64`), so both ends agree whatever their
/// pointer width; decoding refuses a value the reader's `usize`/`isize` cannot hold.
macro_rules! size_codec {
    ($($t:ty => $wire:ty),*) => {$(
        impl Encode for $t {
            const FIXED_SIZE: Option<usize> = Some(8);
            fn encode_to(&self, out: &mut Vec<u8>) {
                // Lossless: no target of this crate has pointers wider than 64 bits.
                (*self as $wire).encode_to(out)
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
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.push(u8::from(*self));
    }
    fn encoded_len(&self) -> usize {
        1
    }
    fn schema_name() -> String {
        "Bool".into()
    }
    fn schema_declare(schema: &mut Schema) {
        schema.declare("Bool", || "array Bool [byte; 1];".into());
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
    fn encode_to(&self, _: &mut Vec<u8>) {}
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
    fn encode_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn encoded_len(&self) -> usize {
        N
    }
    fn schema_name() -> String {
        format!("Byte{N}")
    }
    fn schema_declare(schema: &mut Schema) {
        schema.declare(&Self::schema_name(), || {
            format!("array Byte{N} [byte; {N}];")
        });
    }
}

impl<const N: usize> Decode for [u8; N] {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        bytes.try_into().map_err(|_| BAD)
    }
}

/// A slice is laid out as the `Vec` it is read back as: `[u8]` is `bytes`, others a `fixvec`
/// or `dynvec` (see [`Element`]).
impl<T: Element> Encode for [T] {
    const FIXED_SIZE: Option<usize> = None;
    fn encode_to(&self, out: &mut Vec<u8>) {
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

/// The content of a molecule `bytes`: a u32 count, then exactly that many bytes.
fn decode_bytes(bytes: &[u8]) -> Result<&[u8], IpcError> {
    let n = u32_at(bytes, 0)?;
    match bytes.get(4..) {
        Some(rest) if rest.len() == n => Ok(rest),
        _ => Err(BAD),
    }
}

impl Encode for str {
    const FIXED_SIZE: Option<usize> = None;
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.as_bytes().encode_to(out)
    }
    fn encoded_len(&self) -> usize {
        4 + self.len()
    }
    bytes_schema!();
}

impl Encode for String {
    const FIXED_SIZE: Option<usize> = None;
    fn encode_to(&self, out: &mut Vec<u8>) {
        self.as_str().encode_to(out)
    }
    fn encoded_len(&self) -> usize {
        4 + self.len()
    }
    bytes_schema!();
}

impl Decode for String {
    fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
        let raw = decode_bytes(bytes)?;
        core::str::from_utf8(raw).map(String::from).map_err(|_| BAD)
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    const FIXED_SIZE: Option<usize> = T::FIXED_SIZE;
    fn encode_to(&self, out: &mut Vec<u8>) {
        (**self).encode_to(out)
    }
    fn encoded_len(&self) -> usize {
        (**self).encoded_len()
    }
    fn schema_name() -> String {
        T::schema_name()
    }
    fn schema_declare(schema: &mut Schema) {
        T::schema_declare(schema)
    }
}

/// `Vec<u8>` is `bytes`; any other `Vec<T>` is a `fixvec` or a `dynvec` (see [`Seq`]).
impl<T: Element> Encode for Vec<T> {
    const FIXED_SIZE: Option<usize> = None;
    fn encode_to(&self, out: &mut Vec<u8>) {
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
    message = "`{Self}` cannot be an item of a `Vec` or slice in molecule (`ckb_ipc::service::codec::Element`)",
    label = "not a molecule vector item",
    note = "vector items: integers, bool, String, [u8; N], Vec<T>, Option<T>, tuples, ckb-gen-types entities and #[derive(ckb_ipc::Molecule)] structs"
)]
pub trait Element: Sized {
    /// Appends the vector of `items`.
    fn encode_seq(items: &[Self], out: &mut Vec<u8>);
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
    fn encode_seq(items: &[u8], out: &mut Vec<u8>) {
        push_u32(out, items.len());
        out.extend_from_slice(items);
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
        schema.declare(&format!("{item}Vec"), || {
            format!("vector {item}Vec <{item}>;")
        });
    }

    /// A `fixvec` (count, then the items) or a `dynvec` (size, offsets, then the items).
    pub fn encode<T: Encode>(items: &[T], out: &mut Vec<u8>) {
        match T::FIXED_SIZE {
            Some(_) => {
                push_u32(out, items.len());
                for item in items {
                    item.encode_to(out);
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
            fn encode_seq(items: &[Self], out: &mut Vec<u8>) { Seq::encode(items, out) }
            fn seq_len(items: &[Self]) -> usize { Seq::len(items) }
            fn decode_seq(bytes: &[u8]) -> Result<Vec<Self>, IpcError> { Seq::decode(bytes) }
            fn seq_schema_name() -> String { Seq::schema_name::<Self>() }
            fn seq_schema_declare(schema: &mut Schema) { Seq::schema_declare::<Self>(schema) }
        }
    )*};
}
element_via_seq!(
    [] u16, [] u32, [] u64, [] u128, [] i8, [] i16, [] i32, [] i64, [] i128, [] bool, [] String,
    [const N: usize] [u8; N],
    [T: Element + Encode + Decode] Vec<T>,
    [] usize, [] isize,
    [T: Encode + Decode] Option<T>,
);

/// Object-safe encoding, for tables and dynvecs of mixed or dynamic fields.
pub trait DynEncode {
    /// [`Encode::encode_to`].
    fn dyn_encode_to(&self, out: &mut Vec<u8>);
    /// [`Encode::encoded_len`].
    fn dyn_encoded_len(&self) -> usize;
}

impl<T: Encode> DynEncode for T {
    fn dyn_encode_to(&self, out: &mut Vec<u8>) {
        self.encode_to(out)
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
pub fn encode_offsets<'a>(
    items: impl Iterator<Item = &'a dyn DynEncode> + Clone,
    count: usize,
    out: &mut Vec<u8>,
) {
    let header = 4 + 4 * count;
    let total = header + items.clone().map(|i| i.dyn_encoded_len()).sum::<usize>();
    push_u32(out, total);
    let mut at = header;
    for item in items.clone() {
        push_u32(out, at);
        at += item.dyn_encoded_len();
    }
    for item in items {
        item.dyn_encode_to(out);
    }
}

/// Splits a molecule `table`/`dynvec` into its items; `expect` is the item count of a table.
pub fn decode_offsets(bytes: &[u8], expect: Option<usize>) -> Result<Vec<&[u8]>, IpcError> {
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

/// `option T`: nothing for `None`, `T` for `Some`.
impl<T: Encode> Encode for Option<T> {
    const FIXED_SIZE: Option<usize> = None;
    fn encode_to(&self, out: &mut Vec<u8>) {
        if let Some(v) = self {
            v.encode_to(out)
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
        schema.declare(&format!("{item}Opt"), || {
            format!("option {item}Opt ({item});")
        });
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
pub fn encode_fields(fixed: bool, fields: &[&dyn DynEncode], out: &mut Vec<u8>) {
    if fixed {
        for f in fields {
            f.dyn_encode_to(out);
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
            /// A `struct` field by field, each through its own `encode_to` (static calls,
            /// inlined: a `(u64, u64)` is two stores); a `table` through [`encode_fields`].
            #[inline]
            fn encode_to(&self, out: &mut Vec<u8>) {
                if Self::FIXED_SIZE.is_some() {
                    $(self.$idx.encode_to(out);)+
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
                schema.declare_fields(&Self::schema_name(), Self::FIXED_SIZE.is_some(), &fields);
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

/// ckb-gen-types entities are molecule already: their bytes as they are, verified when read.
/// Their schema is theirs (`blockchain.mol`).
macro_rules! entity_codec {
    ($($t:ident: $fixed:expr, $decl:expr, [$($dep:ty),*];)*) => {$(
        impl Encode for packed::$t {
            const FIXED_SIZE: Option<usize> = $fixed;
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(ckb_std::ckb_types::prelude::Entity::as_slice(self));
            }
            fn encoded_len(&self) -> usize {
                ckb_std::ckb_types::prelude::Entity::as_slice(self).len()
            }
            fn schema_name() -> String {
                stringify!($t).into()
            }
            fn schema_declare(schema: &mut Schema) {
                $(schema.add::<$dep>();)*
                schema.declare(stringify!($t), || String::from($decl));
            }
        }
        impl Decode for packed::$t {
            fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
                <Self as ckb_std::ckb_types::prelude::Entity>::from_slice(bytes).map_err(|_| BAD)
            }
        }
        element_via_seq!([] packed::$t);
    )*};
}
use ckb_std::ckb_types::packed;
entity_codec! {
    Byte32: Some(32), "array Byte32 [byte; 32];", [];
    Uint32: Some(4), "array Uint32 [byte; 4];", [];
    Uint64: Some(8), "array Uint64 [byte; 8];", [];
    Uint128: Some(16), "array Uint128 [byte; 16];", [];
    OutPoint: Some(36), "struct OutPoint {\n    tx_hash: Byte32,\n    index: Uint32,\n}", [packed::Byte32, packed::Uint32];
    CellInput: Some(44), "struct CellInput {\n    since: Uint64,\n    previous_output: OutPoint,\n}", [packed::Uint64, packed::OutPoint];
    CellDep: Some(37), "struct CellDep {\n    out_point: OutPoint,\n    dep_type: byte,\n}", [packed::OutPoint];
    Bytes: None, "vector Bytes <byte>;", [];
    BytesOpt: None, "option BytesOpt (Bytes);", [packed::Bytes];
    Script: None, "table Script {\n    code_hash: Byte32,\n    hash_type: byte,\n    args: Bytes,\n}", [packed::Byte32, packed::Bytes];
    ScriptOpt: None, "option ScriptOpt (Script);", [packed::Script];
    CellOutput: None, "table CellOutput {\n    capacity: Uint64,\n    lock: Script,\n    type_: ScriptOpt,\n}", [packed::Uint64, packed::Script, packed::ScriptOpt];
    WitnessArgs: None, "table WitnessArgs {\n    lock: BytesOpt,\n    input_type: BytesOpt,\n    output_type: BytesOpt,\n}", [packed::BytesOpt];
    Byte32Vec: None, "vector Byte32Vec <Byte32>;", [packed::Byte32];
    BytesVec: None, "vector BytesVec <Bytes>;", [packed::Bytes];
    RawTransaction: None, "table RawTransaction {\n    version: Uint32,\n    cell_deps: CellDepVec,\n    header_deps: Byte32Vec,\n    inputs: CellInputVec,\n    outputs: CellOutputVec,\n    outputs_data: BytesVec,\n}",
        [packed::Uint32, Vec<packed::CellDep>, packed::Byte32Vec, Vec<packed::CellInput>, Vec<packed::CellOutput>, packed::BytesVec];
    Transaction: None, "table Transaction {\n    raw: RawTransaction,\n    witnesses: BytesVec,\n}", [packed::RawTransaction, packed::BytesVec];
}

/// Encodes `value` into a payload with room for the packet header.
pub fn to_payload<T: Encode + ?Sized>(value: &T) -> Payload {
    let mut payload = Payload::with_capacity(value.encoded_len());
    value.encode_to(payload.buffer_mut());
    payload
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::vec;

    fn round<T: Encode + Decode + PartialEq + core::fmt::Debug>(v: T) -> Vec<u8> {
        let mut out = Vec::new();
        v.encode_to(&mut out);
        assert_eq!(out.len(), v.encoded_len());
        assert_eq!(T::decode(&out).unwrap(), v);
        out
    }

    #[test]
    fn molecule_layouts() {
        assert_eq!(round(0x0102u16), [2, 1]);
        assert_eq!(round(true), [1]);
        assert_eq!(round(vec![7u8, 8]), [2, 0, 0, 0, 7, 8]);
        assert_eq!(round(String::from("hi")), [2, 0, 0, 0, b'h', b'i']);
        assert_eq!(round(Option::<u8>::None), [] as [u8; 0]);
        assert_eq!(round(Some(5u8)), [5]);
        assert_eq!(round(vec![1u16, 2]), [2, 0, 0, 0, 1, 0, 2, 0]);
        // (u64, u64) is a struct: 16 bytes, the layout of the raw add.
        assert_eq!(round((1u64, 2u64)).len(), 16);
        assert_eq!(round((0x0102u16, 7u8, [8u8, 9], true)), [2, 1, 7, 8, 9, 1]);
        // (u8, Vec<u8>) is a table: total 4+8, offsets 12 and 13, then the fields.
        assert_eq!(
            round((9u8, vec![3u8])),
            [18, 0, 0, 0, 12, 0, 0, 0, 13, 0, 0, 0, 9, 1, 0, 0, 0, 3]
        );
        // dynvec of bytes.
        assert_eq!(
            round(vec![vec![1u8], vec![]]),
            [21, 0, 0, 0, 12, 0, 0, 0, 17, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
        );
        assert_eq!(round(vec![String::from("a")]).len(), 4 + 4 + 5);
        round((1u8, String::from("x"), Some(vec![1u32, 2]), [0u8; 3]));
    }

    #[test]
    fn sizes_are_64_bit_on_the_wire_and_narrowed_without_truncation() {
        assert_eq!(round(7usize), 7u64.to_le_bytes());
        assert_eq!(round(-7isize), (-7i64).to_le_bytes());
        assert_eq!(usize::schema_name(), "Uint64");
        assert_eq!(isize::schema_name(), "Int64");
        assert_eq!(usize::decode(&[1, 2, 3]), Err(BAD));
        // The check usize and isize decode through: a value the target type cannot hold is
        // refused (on a 64-bit target every Uint64 fits a usize, so u32 shows the refusal).
        assert_eq!(narrow::<u32, u64>(u64::from(u32::MAX)), Ok(u32::MAX));
        assert_eq!(narrow::<u32, u64>(u64::from(u32::MAX) + 1), Err(BAD));
        assert_eq!(narrow::<i32, i64>(i64::from(i32::MIN) - 1), Err(BAD));
        #[cfg(target_pointer_width = "32")]
        assert_eq!(usize::decode(&(1u64 << 32).to_le_bytes()), Err(BAD));
    }

    #[test]
    fn bad_bytes_are_errors() {
        assert_eq!(u64::decode(&[1, 2, 3]), Err(BAD));
        assert_eq!(bool::decode(&[2]), Err(BAD));
        assert_eq!(Vec::<u8>::decode(&[5, 0, 0, 0, 1]), Err(BAD));
        assert_eq!(Vec::<u8>::decode(&[0xff, 0xff, 0xff, 0xff]), Err(BAD));
        assert_eq!(String::decode(&[1, 0, 0, 0, 0xff]), Err(BAD));
        assert_eq!(
            <(u8, Vec<u8>)>::decode(&[18, 0, 0, 0, 12, 0, 0, 0, 99, 0, 0, 0]),
            Err(BAD)
        );
        assert_eq!(<(u64, u64)>::decode(&[0; 17]), Err(BAD));
        assert_eq!(<(u64, u64)>::decode(&[0; 15]), Err(BAD));
        assert_eq!(<(u8, [u8; 2], bool)>::decode(&[1, 2, 3, 2]), Err(BAD));
        assert_eq!(Vec::<Vec<u8>>::decode(&[8, 0, 0, 0, 3, 0, 0, 0]), Err(BAD));
        assert_eq!(Vec::<u16>::decode(&[0xff, 0xff, 0xff, 0x7f]), Err(BAD));
    }
}
