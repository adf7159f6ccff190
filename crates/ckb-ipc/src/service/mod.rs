//! Typed services: a trait in, a client and a server out (`#[ckb_ipc::service]`), with
//! molecule-encoded payloads ([`Encode`], [`Decode`]).
//!
//! A method's arguments travel as the request payload: nothing for none, the argument itself
//! for one, a tuple (molecule `struct` or `table`) for more. Its return value travels as the
//! response payload. For a method returning `Result<T, E>`, `Err(e)` is the error code
//! [`SERVICE_ERROR`] with `e` as payload, kept apart from transport errors ([`IpcError`](crate::IpcError)).
//!
//! Arguments and results are any type with a molecule encoding (the table below). An argument
//! may also be borrowed, `&str` or `&[T]`: the client sends it as the `String` or `Vec<T>` it
//! would be, and the server decodes that and lends it to the trait method, which is written
//! with the same `&str`/`&[T]` (no copy on the client, one owned value on the server). A type
//! without an encoding is a compile error at the type, listing the supported ones.
//!
//! # Molecule layouts
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
//! | structs with [`#[derive(Molecule)]`](derive@crate::Molecule) | the same, its fields in declaration order |
//! | enums with [`#[derive(Molecule)]`](derive@crate::Molecule) | `union`: u32 item id, then the variant's item (below) |
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
//!
//! # Enums
//! A derived enum `E` is a molecule `union`, always of dynamic size: the item id (u32,
//! little-endian), then the item. Each variant `V` is an item of its own type `EV` (two variants
//! with the same fields stay apart): a `struct` of its fields when every one has a fixed size,
//! else a `table`, with fields `f0`, `f1`, ... for a tuple variant; a unit variant is the empty
//! `table EV {}` (the 4 bytes `04000000`), since molecule has no empty `struct`. So `E::V` of
//! `enum E { U, V(u32, u32) }` is `01000000` then the two `Uint32`.
//!
//! Item ids are molecule's (`union E { EA, EB: 5, EC }`): `#[molecule(id = N)]` on a variant sets
//! its id (any u32), and a variant without one takes the previous variant's id plus one, the
//! first 0. Adding a variant at the end keeps every id; to reorder or remove variants and keep
//! the wire, give the variants their ids by hand. Two variants with one id, an id past u32, a
//! discriminant (`V = 3`), generics and an enum without variants are compile errors. An unknown
//! id, a wrong length or a bad item is `IpcError::Deserialize`.
//!
//! # `json`
//! `#[ckb_ipc::service(json)]` (feature `json`) speaks exactly the messages ckb-script-ipc's
//! `#[service]` macro exchanges, so a trait can call an existing ckb-script-ipc service and
//! serve its clients.
//!
//! A request is method id 0 with the payload `{"<Method>":{"<arg>":<value>,...}}` (serde_json
//! of an enum with one struct variant per method, the name in CamelCase); the response is
//! `{"<Method>":<return value>}`. JSON costs far more cycles than molecule (a byte array
//! becomes a list of numbers): use it for compatibility, not by choice.

// Crate-visible so that `crate::__private` can re-export what the generated code calls; the
// codec's API is re-exported here.
pub(crate) mod batch;
pub(crate) mod client;
pub(crate) mod codec;
pub(crate) mod description;
pub(crate) mod discovery;
#[cfg(feature = "json")]
pub(crate) mod json;
pub(crate) mod server;

pub use batch::{Pending, PendingResult, Resolve};
pub use codec::{to_payload, Decode, Encode, JsonForm, Output, Schema, UnionItem, VariantKind};
pub use description::{document, Description, DESCRIPTION_VERSION};
pub use discovery::{Discoverable, FrameHandler};

/// The answer to a method id the server does not have. Service codes start above the protocol's
/// (0..=28) and stay below 2^31, which every peer's VLQ decoder reads.
pub const UNKNOWN_METHOD: u64 = 0x100;

/// The error code of a method's `Err(e)`; the payload is `e`.
pub const SERVICE_ERROR: u64 = 0x101;

/// The reserved method id of discovery: an empty request, answered with the server's
/// description document by a [`Discoverable`] server (and [`UNKNOWN_METHOD`] by the others).
/// `#[service]` gives no method an id in `0x7fff_fff0..=0x7fff_ffff` (this one,
/// [`BATCH_METHOD`](crate::wire::BATCH_METHOD) and the ids kept for later).
pub const DESCRIBE_METHOD: u64 = 0x7fff_ffff;

/// The default id of a method: FNV-1a of `"Trait::method"`, in 31 bits. It does not move when
/// methods are added or reordered; `#[method(id = N)]` sets one by hand.
pub const fn method_id(name: &str) -> u64 {
    let mut rest = name.as_bytes();
    let mut hash: u32 = 0x811c_9dc5;
    while let [first, tail @ ..] = rest {
        hash ^= *first as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        rest = tail;
    }
    (hash & 0x7fff_ffff) as u64
}
