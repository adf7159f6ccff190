//! The model of a service (the trait parsed and checked once, so each generator only reads it)
//! and of a derived enum ([`Union`]).
//!
//! Every refusal is a `syn::Error` at the offending tokens; nothing past this module needs to
//! validate anything.

use proc_macro2::Span;
use quote::format_ident;
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{
    Attribute, Error, FnArg, GenericArgument, Ident, ItemTrait, LitInt, Pat, PathArguments,
    ReturnType, TraitItem, TraitItemFn, Type, Visibility,
};

/// Which messages the service speaks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Molecule payloads, one method id per method (`#[service]`).
    Molecule,
    /// ckb-script-ipc's serde_json messages (`#[service(json)]`).
    Json,
}

/// A `#[service]` trait.
pub struct Service {
    /// The trait as it is emitted: each method takes `&mut self`, `#[method]` attributes removed.
    pub item: ItemTrait,
    pub codec: Codec,
    /// In declaration order (the order of `all()`, of the schema, of the JSON variants).
    pub methods: Vec<Method>,
}

/// One method of the service.
pub struct Method {
    /// The name as written (possibly raw, `r#type`): what the generated code calls.
    pub name: Ident,
    /// `#[method(id = N)]`, or the hash of `"Trait::method"`.
    pub id: u64,
    pub args: Vec<Arg>,
    /// The return type as written (`()` when there is none).
    pub output: Type,
    /// Whether the output is a `Result` whose `Err` travels apart (molecule mode).
    pub result: ResultKind,
    /// `///` comments, repeated on the client's method.
    pub docs: Vec<Attribute>,
}

/// One argument of a method.
pub struct Arg {
    pub name: Ident,
    /// The type as written: what the client takes and encodes.
    pub ty: Type,
    /// `Some(X)` for an argument `&X`: the server decodes `X`'s owned form and lends it.
    pub borrowed: Option<Type>,
}

/// How a method's return value travels.
pub enum ResultKind {
    /// The value ([`Method::output`]) is the response payload.
    Plain,
    /// `Result<T, E>`: `Ok` is the payload, `Err` travels under its own error code.
    Fallible { ok: Box<Type>, err: Box<Type> },
}

impl Service {
    /// Parses and checks the trait, in the order of its methods.
    pub fn parse(mut item: ItemTrait, codec: Codec) -> syn::Result<Self> {
        if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
            return Err(Error::new(
                item.generics.span(),
                "a service trait cannot be generic",
            ));
        }
        let trait_name = item.ident.clone();
        let mut methods: Vec<Method> = Vec::new();
        for trait_item in item.items.iter_mut() {
            let TraitItem::Fn(f) = trait_item else {
                return Err(Error::new(
                    trait_item.span(),
                    "a service trait holds methods only",
                ));
            };
            let method = Method::parse(&trait_name, f)?;
            check_unique(&trait_name, &methods, &method, codec)?;
            methods.push(method);
        }
        Ok(Self {
            item,
            codec,
            methods,
        })
    }

    /// The trait's name, the stem of every generated type.
    pub fn name(&self) -> &Ident {
        &self.item.ident
    }

    /// The trait's visibility, given to every generated type.
    pub fn vis(&self) -> &Visibility {
        &self.item.vis
    }

    /// `<Trait>Methods`: ids, `all()`, `description()` and `schema()`.
    pub fn methods_ty(&self) -> Ident {
        format_ident!("{}Methods", self.name())
    }

    /// `<Trait>Client<R, W>`.
    pub fn client_ty(&self) -> Ident {
        format_ident!("{}Client", self.name())
    }

    /// `<Trait>Batch<'b, 'f, B>`: the calls of a batch (molecule services).
    pub fn batch_ty(&self) -> Ident {
        format_ident!("{}Batch", self.name())
    }

    /// `<Trait>Server<T>`.
    pub fn server_ty(&self) -> Ident {
        format_ident!("{}Server", self.name())
    }
}

/// The client's one inherent item besides the methods (ckb-script-ipc's client has the same);
/// its conversions to and from a channel are `From` impls, out of the methods' namespace.
const CLIENT_ITEMS: [&str; 1] = ["new"];

/// The molecule client's other inherent item: its batches.
const MOLECULE_CLIENT_ITEMS: [&str; 1] = ["batch"];

/// The method ids `ckb_ipc::service` reserves (`DESCRIBE_METHOD` and the ids kept for later),
/// which no method may take: `0x7fff_fff0..=0x7fff_ffff`.
const RESERVED_IDS: core::ops::RangeInclusive<u64> = 0x7fff_fff0..=0x7fff_ffff;

/// Refuses a method whose generated items would collide with generated items of the service
/// (the client's constructor) or of an earlier method, or whose id is reserved.
fn check_unique(
    trait_name: &Ident,
    earlier: &[Method],
    method: &Method,
    codec: Codec,
) -> syn::Result<()> {
    let name = method.plain_name();
    let at = method.name.span();
    if CLIENT_ITEMS.contains(&name.as_str())
        || (codec == Codec::Molecule && MOLECULE_CLIENT_ITEMS.contains(&name.as_str()))
    {
        return Err(Error::new(
            at,
            format!(
                "method `{name}` clashes with the generated `{trait_name}Client::{name}`; rename the method"
            ),
        ));
    }
    if codec == Codec::Molecule && RESERVED_IDS.contains(&method.id) {
        return Err(Error::new(
            at,
            format!(
                "method `{name}` has id {:#x}, which ckb_ipc reserves (0x7ffffff0..=0x7fffffff, discovery and batches); give it another with #[method(id = N)]",
                method.id
            ),
        ));
    }
    for other in earlier {
        let other_name = other.plain_name();
        if other.id == method.id {
            return Err(Error::new(
                at,
                format!(
                    "method id {} is used by both `{other_name}` and `{name}`",
                    method.id
                ),
            ));
        }
        if other.id_const() == method.id_const() {
            return Err(Error::new(
                at,
                format!(
                    "methods `{other_name}` and `{name}` would share the id constant `{trait_name}Methods::{}`; rename one",
                    method.id_const()
                ),
            ));
        }
        if other.variant() == method.variant() {
            let shared = match codec {
                Codec::Json => format!("the JSON variant `{}`", method.variant()),
                Codec::Molecule => format!("the schema name `{}Args`", method.variant()),
            };
            return Err(Error::new(
                at,
                format!("methods `{other_name}` and `{name}` would share {shared}; rename one"),
            ));
        }
    }
    Ok(())
}

impl Method {
    /// Checks one trait method, takes its `#[method]` attribute off and gives it `&mut self`.
    fn parse(trait_name: &Ident, f: &mut TraitItemFn) -> syn::Result<Self> {
        let sig = &mut f.sig;
        if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
            return Err(Error::new(
                sig.generics.span(),
                "service methods cannot be generic",
            ));
        }
        if let Some(a) = &sig.asyncness {
            return Err(Error::new(a.span(), "service methods cannot be async"));
        }
        if let Some(u) = &sig.unsafety {
            return Err(Error::new(u.span(), "service methods cannot be unsafe"));
        }
        if let Some(c) = &sig.constness {
            return Err(Error::new(c.span(), "service methods cannot be const"));
        }
        if let Some(v) = &sig.variadic {
            return Err(Error::new(v.span(), "service methods cannot be variadic"));
        }
        if f.default.is_some() {
            return Err(Error::new(f.span(), "service methods have no default body"));
        }
        let id = take_id(&mut f.attrs)?;
        let sig = &mut f.sig;
        let args = sig
            .inputs
            .iter()
            .map(Arg::parse)
            .collect::<syn::Result<Vec<_>>>()?;
        let output: Type = match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, t) => (**t).clone(),
        };
        let name = sig.ident.clone();
        sig.inputs.insert(0, syn::parse_quote!(&mut self));
        let id = id.unwrap_or_else(|| default_id(&format!("{trait_name}::{}", name.unraw())));
        Ok(Self {
            result: ResultKind::of(&output),
            name,
            id,
            args,
            output,
            docs: f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .cloned()
                .collect(),
        })
    }

    /// The name without `r#`: what ids, constants and schemas are made from.
    pub fn plain_name(&self) -> String {
        self.name.unraw().to_string()
    }

    /// The id constant in `<Trait>Methods`: the name in capitals.
    pub fn id_const(&self) -> Ident {
        Ident::new(&self.plain_name().to_uppercase(), self.name.span())
    }

    /// The doc comments of the client's method: the trait method's, or one naming it (a
    /// crate with `#![warn(missing_docs)]` would warn about an undocumented generated method).
    pub fn client_docs(&self, trait_name: &Ident) -> Vec<Attribute> {
        if !self.docs.is_empty() {
            return self.docs.clone();
        }
        let doc = format!("Calls `{trait_name}::{}` on the server.", self.plain_name());
        vec![syn::parse_quote!(#[doc = #doc])]
    }

    /// The CamelCase name: ckb-script-ipc's JSON variant, and `<Method>Args` in schemas.
    pub fn variant(&self) -> Ident {
        camel(&self.plain_name())
    }
}

/// Removes the `#[method(id = N)]` attribute from `attrs`; its id, if it has one.
fn take_id(attrs: &mut Vec<Attribute>) -> syn::Result<Option<u64>> {
    let mut id = None;
    let mut kept = Vec::new();
    for attr in attrs.drain(..) {
        if !attr.path().is_ident("method") {
            kept.push(attr);
            continue;
        }
        id = Some(id_of(
            &attr,
            0x7fff_ffff,
            "method ids stay below 2^31 so every peer can read them",
        )?);
    }
    *attrs = kept;
    Ok(id)
}

/// The `N` of an attribute `#[..(id = N)]`, refused past `max` with `too_large`.
fn id_of(attr: &Attribute, max: u64, too_large: &str) -> syn::Result<u64> {
    let mut id = None;
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("id") {
            let lit: LitInt = meta.value()?.parse()?;
            let value: u64 = lit.base10_parse()?;
            if value > max {
                return Err(meta.error(too_large));
            }
            id = Some(value);
            Ok(())
        } else {
            Err(meta.error("expected `id = N`"))
        }
    })?;
    id.ok_or_else(|| Error::new(attr.span(), "expected `id = N`"))
}

impl Arg {
    fn parse(input: &FnArg) -> syn::Result<Self> {
        let t = match input {
            FnArg::Receiver(r) => {
                return Err(Error::new(
                    r.span(),
                    "write service methods without `self`: the server's trait gets `&mut self` from #[service]",
                ))
            }
            FnArg::Typed(t) => t,
        };
        let name = match &*t.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => p.ident.clone(),
            other => {
                return Err(Error::new(
                    other.span(),
                    "service method arguments must be plain names",
                ))
            }
        };
        let borrowed = match &*t.ty {
            Type::Reference(r) if r.mutability.is_some() => {
                return Err(Error::new(
                    r.span(),
                    "a `&mut` argument cannot travel: the server's changes would not come back; return the new value instead",
                ))
            }
            Type::Reference(r) => Some((*r.elem).clone()),
            Type::ImplTrait(i) => {
                return Err(Error::new(
                    i.span(),
                    "service method arguments need a concrete type, not `impl Trait`",
                ))
            }
            _ => None,
        };
        Ok(Self {
            name,
            ty: (*t.ty).clone(),
            borrowed,
        })
    }
}

impl ResultKind {
    /// `Fallible` for a return type spelled `Result<T, E>` (any path ending in `Result`).
    fn of(ty: &Type) -> Self {
        Self::result_parts(ty).map_or_else(
            || Self::Plain,
            |(ok, err)| Self::Fallible {
                ok: Box::new(ok),
                err: Box::new(err),
            },
        )
    }

    fn result_parts(ty: &Type) -> Option<(Type, Type)> {
        let Type::Path(path) = ty else { return None };
        let last = path.path.segments.last()?;
        if last.ident != "Result" {
            return None;
        }
        let PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        let mut types = args.args.iter().filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        });
        match (types.next(), types.next(), types.next()) {
            (Some(t), Some(e), None) => Some((t, e)),
            _ => None,
        }
    }
}

/// FNV-1a in 31 bits; the same function as `ckb_ipc::service::method_id`.
fn default_id(name: &str) -> u64 {
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    u64::from(hash & 0x7fff_ffff)
}

/// ckb-script-ipc's CamelCase of a method name (`get_value` -> `GetValue`).
fn camel(name: &str) -> Ident {
    let s: String = name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.as_str().to_lowercase().chars())
                    .collect(),
                None => String::new(),
            }
        })
        .collect();
    // `__` or `_1` leave nothing an identifier can start with.
    let s = match s.chars().next() {
        Some(c) if c.is_alphabetic() => s,
        _ => format!("M{s}"),
    };
    Ident::new(&s, Span::call_site())
}

/// A `#[derive(Molecule)]` enum: a molecule `union`, one item type per variant.
pub struct Union {
    pub name: Ident,
    /// In declaration order (the order of the schema's `union`).
    pub variants: Vec<Variant>,
}

/// One variant: a union item of its own type, `<Enum><Variant>`.
pub struct Variant {
    pub name: Ident,
    /// The union item id: `#[molecule(id = N)]`, else the previous variant's plus one (0 first),
    /// molecule's own rule for `union E { A, B: 5, C }`.
    pub id: u32,
    pub kind: VariantKind,
    pub fields: Vec<Field>,
}

/// What a variant is in Rust (the shape its item is read back into).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum VariantKind {
    Unit,
    Tuple,
    Struct,
}

/// A field of a variant.
pub struct Field {
    /// Its name in the item type: the field's name, or `f0`, `f1`, ... in a tuple variant.
    pub schema_name: String,
    /// The field's name (struct variants).
    pub member: Option<Ident>,
    pub ty: Type,
}

impl Union {
    /// Checks the enum's variants and gives each its item id.
    pub fn parse(name: &Ident, data: &syn::DataEnum) -> syn::Result<Self> {
        if data.variants.is_empty() {
            return Err(Error::new(
                name.span(),
                "#[derive(Molecule)] needs a variant: a molecule union has at least one item",
            ));
        }
        let mut variants: Vec<Variant> = Vec::new();
        let mut next: Option<u32> = Some(0);
        for v in &data.variants {
            if let Some((_, discriminant)) = &v.discriminant {
                return Err(Error::new(
                    discriminant.span(),
                    "a molecule union item id is set with `#[molecule(id = N)]` on the variant, not `= N`",
                ));
            }
            let id = match molecule_id(&v.attrs)? {
                Some(id) => id,
                None => next.ok_or_else(|| {
                    Error::new(
                        v.ident.span(),
                        "the item id after u32::MAX does not fit: give this variant `#[molecule(id = N)]`",
                    )
                })?,
            };
            if let Some(other) = variants.iter().find(|o| o.id == id) {
                return Err(Error::new(
                    v.ident.span(),
                    format!(
                        "union item id {id} is used by both `{}` and `{}`",
                        other.name, v.ident
                    ),
                ));
            }
            next = id.checked_add(1);
            let kind = match &v.fields {
                syn::Fields::Named(f) if !f.named.is_empty() => VariantKind::Struct,
                syn::Fields::Unnamed(f) if !f.unnamed.is_empty() => VariantKind::Tuple,
                _ => VariantKind::Unit,
            };
            let fields = v
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    refuse_molecule_attrs(&f.attrs)?;
                    Ok(Field {
                        schema_name: f
                            .ident
                            .as_ref()
                            .map_or(format!("f{i}"), |id| id.unraw().to_string()),
                        member: f.ident.clone(),
                        ty: f.ty.clone(),
                    })
                })
                .collect::<syn::Result<Vec<_>>>()?;
            variants.push(Variant {
                name: v.ident.clone(),
                id,
                kind,
                fields,
            });
        }
        Ok(Self {
            name: name.clone(),
            variants,
        })
    }
}

/// The id of a variant's `#[molecule(id = N)]`, if it has one.
fn molecule_id(attrs: &[Attribute]) -> syn::Result<Option<u32>> {
    let mut id = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("molecule")) {
        if id.is_some() {
            return Err(Error::new_spanned(
                attr,
                "one `#[molecule(id = N)]` per variant",
            ));
        }
        let n = id_of(
            attr,
            u64::from(u32::MAX),
            "union item ids are u32 on the wire",
        )?;
        id = u32::try_from(n).ok();
    }
    Ok(id)
}

/// Refuses `#[molecule(..)]` where it means nothing: it sets a variant's item id only.
pub fn refuse_molecule_attrs(attrs: &[Attribute]) -> syn::Result<()> {
    match attrs.iter().find(|a| a.path().is_ident("molecule")) {
        Some(a) => Err(Error::new_spanned(
            a,
            "`#[molecule(id = N)]` goes on an enum's variants only",
        )),
        None => Ok(()),
    }
}
