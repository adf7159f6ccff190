//! The procedural macros of `ckb-ipc`, used through its re-exports (`ckb_ipc::service`,
//! `ckb_ipc::Molecule`); the generated code names `::ckb_ipc`.
//!
//! `#[service]` works in two steps, after tarpc's service macro: `model` parses the trait
//! into a checked `Service` (every refusal is reported there, at the offending tokens), then
//! `generate` and `json` write one output each from it.
//! `#[derive(Molecule)]` on an enum likewise: `model::Union` checks it and gives each variant its
//! union item id, then `derive` writes the impls.

use proc_macro::TokenStream;
use proc_macro2::Span;
use syn::{parse_macro_input, Error, ItemTrait};

mod derive;
mod generate;
mod json;
mod model;

use model::{Codec, Service};

/// `#[derive(ckb_ipc::Molecule)]`: a struct as a molecule `struct` (every field of fixed size)
/// or `table`, its fields in declaration order. Gives `ckb_ipc::service::Encode` and `Decode`,
/// and a `Vec` of it is a molecule vector; its schema names the struct and its fields.
///
/// An enum is a molecule `union`: each variant `V` of `enum E` is an item of its own type `EV`,
/// a `struct`/`table` of its fields (`f0`, `f1`, ... for a tuple variant; an empty `table` for a
/// unit variant). Item ids follow molecule: `#[molecule(id = N)]` on a variant, else the
/// previous variant's id plus one (the first: 0). A discriminant (`V = 3`), generics, an enum
/// without variants and two variants with one id are refused.
#[proc_macro_derive(Molecule, attributes(molecule))]
pub fn derive_molecule(item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as syn::DeriveInput);
    match derive::expand_molecule(item) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `#[ckb_ipc::service]`: turns a trait of methods (written without `self`) into
/// - the trait itself, each method taking `&mut self` (what a server implements),
/// - `<Trait>Methods`: the method ids as associated constants (the name in capitals, e.g.
///   `CalcMethods::ADD`), `all()` (every name and id), and, for molecule services,
///   `description()` (the service described for tools and other languages,
///   `docs/description.md`) and `schema()` (its `.mol` text),
/// - `<Trait>Client<R, W, B = HeapBuffer>`: `new(read, write)` (a heap buffer),
///   `From<Channel<R, W, B>>` both ways, and one method per trait method returning
///   `Result<_, IpcError>`. Over a `FixedBuffer` (`From` of `Channel::with_fixed_buffer`) it
///   needs no heap for methods whose types need none (integers, `bool`, `[u8; N]`, tuples and
///   derived types of those): arguments are encoded in place, answers decoded where they
///   arrived. `#[service(json)]` clients take the heap buffer only,
/// - `<Trait>Server<T>`: a `RequestHandler` dispatching by method id to any `T: Trait`.
///
/// Ids default to a hash of `"Trait::method"` (stable when methods are added or reordered);
/// `#[method(id = N)]` sets one (below 2^31, outside the reserved `0x7ffffff0..=0x7fffffff`).
/// Arguments and results are molecule-encoded (see `ckb_ipc::service` for the types); an
/// argument `&str` or `&[T]` is sent as `String` or `Vec<T>` and lent to the server's method.
///
/// Names are checked before anything is generated, each refusal at the method's name: a method
/// named `new` (the client's constructor, as in ckb-script-ipc), an id in the reserved range, or
/// two methods sharing an id, an id constant (`get`/`Get`) or a CamelCase name
/// (`get_value`/`get__value`: the schema's `<Method>Args`, the JSON variant). Every other name
/// is the trait's: `from_channel`, `all` or `schema` are methods like any other.
///
/// `#[service(json)]` speaks ckb-script-ipc's serde_json messages instead (no `description()`).
#[proc_macro_attribute]
pub fn service(attr: TokenStream, item: TokenStream) -> TokenStream {
    let codec = match attr.to_string().as_str() {
        "" => Codec::Molecule,
        "json" => Codec::Json,
        _ => {
            return Error::new(
                Span::call_site(),
                "#[service] takes no arguments, or `json` for ckb-script-ipc's messages",
            )
            .to_compile_error()
            .into()
        }
    };
    let item = parse_macro_input!(item as ItemTrait);
    match Service::parse(item, codec) {
        Ok(service) => generate::service(&service).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
