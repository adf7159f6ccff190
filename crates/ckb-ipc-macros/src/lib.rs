//! `#[ckb_ipc::service]`: turns a trait of methods (written without `self`) into
//! - the trait itself, each method taking `&mut self` (what a server implements),
//! - `<Trait>Methods`: the method ids, as associated constants,
//! - `<Trait>Client<R, W>`: one method per trait method, returning `Result<_, IpcError>`,
//! - `<Trait>Server<T>`: a `RequestHandler` dispatching by method id to any `T: Trait`.
//!
//! Ids default to a hash of `"Trait::method"` (stable when methods are added or reordered);
//! `#[method(id = N)]` sets one. See `ckb_ipc::service` for the payload encoding.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{
    parse_macro_input, spanned::Spanned, Error, FnArg, GenericArgument, Ident, ItemTrait, LitInt,
    Pat, PathArguments, ReturnType, TraitItem, Type,
};

/// `#[derive(ckb_ipc::Molecule)]`: a struct as a molecule `struct` (every field of fixed size)
/// or `table`, its fields in declaration order.
#[proc_macro_derive(Molecule)]
pub fn derive_molecule(item: TokenStream) -> TokenStream {
    let item = parse_macro_input!(item as syn::DeriveInput);
    match expand_molecule(item) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand_molecule(item: syn::DeriveInput) -> syn::Result<Tokens> {
    if !item.generics.params.is_empty() {
        return Err(Error::new(
            item.generics.span(),
            "#[derive(Molecule)] takes no generics",
        ));
    }
    let syn::Data::Struct(data) = &item.data else {
        return Err(Error::new(
            item.span(),
            "#[derive(Molecule)] is for structs",
        ));
    };
    let name = &item.ident;
    let types: Vec<&Type> = data.fields.iter().map(|f| &f.ty).collect();
    let access: Vec<Tokens> = data
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| match &f.ident {
            Some(id) => quote! { #id },
            None => {
                let idx = syn::Index::from(i);
                quote! { #idx }
            }
        })
        .collect();
    let count = types.len();
    let codec = quote! { ::ckb_ipc::service::codec };
    let name_str = name.to_string();
    let field_names: Vec<String> = data
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            f.ident
                .as_ref()
                .map_or(format!("f{i}"), |id| id.to_string())
        })
        .collect();
    let build = match &data.fields {
        syn::Fields::Named(_) => quote! { #name { #(#access: r.field()?),* } },
        syn::Fields::Unnamed(_) => {
            let reads = access.iter().map(|_| quote! { r.field()? });
            quote! { #name ( #(#reads),* ) }
        }
        syn::Fields::Unit => quote! { #name },
    };
    Ok(quote! {
        impl #codec::Encode for #name {
            const FIXED_SIZE: ::core::option::Option<usize> =
                #codec::fields_fixed_size(&[#(<#types as #codec::Encode>::FIXED_SIZE),*]);
            fn encode_to(&self, out: &mut ::ckb_ipc::alloc::vec::Vec<u8>) {
                #codec::encode_fields(
                    <Self as #codec::Encode>::FIXED_SIZE.is_some(),
                    &[#(&self.#access as &dyn #codec::DynEncode),*],
                    out,
                )
            }
            fn encoded_len(&self) -> usize {
                #codec::fields_len(
                    <Self as #codec::Encode>::FIXED_SIZE.is_some(),
                    &[#(&self.#access as &dyn #codec::DynEncode),*],
                )
            }
            fn schema_name() -> ::ckb_ipc::alloc::string::String {
                ::ckb_ipc::alloc::string::String::from(#name_str)
            }
            fn schema_declare(schema: &mut #codec::Schema) {
                let fields = [#((#field_names, schema.add::<#types>())),*];
                schema.declare_fields(#name_str, <Self as #codec::Encode>::FIXED_SIZE.is_some(), &fields);
            }
        }

        impl #codec::Decode for #name {
            fn decode(bytes: &[u8]) -> ::core::result::Result<Self, ::ckb_ipc::IpcError> {
                let fixed = <Self as #codec::Encode>::FIXED_SIZE.is_some();
                let mut r = #codec::FieldReader::new(bytes, fixed, #count)?;
                let value = #build;
                r.finish()?;
                ::core::result::Result::Ok(value)
            }
        }

        impl #codec::Element for #name {
            fn encode_seq(items: &[Self], out: &mut ::ckb_ipc::alloc::vec::Vec<u8>) {
                #codec::Seq::encode(items, out)
            }
            fn seq_len(items: &[Self]) -> usize {
                #codec::Seq::len(items)
            }
            fn decode_seq(bytes: &[u8]) -> ::core::result::Result<::ckb_ipc::alloc::vec::Vec<Self>, ::ckb_ipc::IpcError> {
                #codec::Seq::decode(bytes)
            }
            fn seq_schema_name() -> ::ckb_ipc::alloc::string::String {
                #codec::Seq::schema_name::<Self>()
            }
            fn seq_schema_declare(schema: &mut #codec::Schema) {
                #codec::Seq::schema_declare::<Self>(schema)
            }
        }
    })
}

#[proc_macro_attribute]
pub fn service(attr: TokenStream, item: TokenStream) -> TokenStream {
    let json = match attr.to_string().as_str() {
        "" => false,
        "json" => true,
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
    match expand(item, json) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct Method {
    name: Ident,
    id: u64,
    id_const: Ident,
    args: Vec<(Ident, Type)>,
    output: Type,
    /// `Some((T, E))` for `Result<T, E>`.
    fallible: Option<(Type, Type)>,
    docs: Vec<syn::Attribute>,
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

fn expand(mut item: ItemTrait, json: bool) -> syn::Result<Tokens> {
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
        if f.default.is_some() {
            return Err(Error::new(f.span(), "service methods have no default body"));
        }
        let mut id = None;
        let mut kept = Vec::new();
        for attr in f.attrs.drain(..) {
            if attr.path().is_ident("method") {
                attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("id") {
                        let lit: LitInt = meta.value()?.parse()?;
                        let value: u64 = lit.base10_parse()?;
                        if value > 0x7fff_ffff {
                            return Err(meta
                                .error("method ids stay below 2^31 so every peer can read them"));
                        }
                        id = Some(value);
                        Ok(())
                    } else {
                        Err(meta.error("expected `id = N`"))
                    }
                })?;
            } else {
                kept.push(attr);
            }
        }
        f.attrs = kept;
        let mut args = Vec::new();
        for input in &sig.inputs {
            match input {
                FnArg::Receiver(r) => {
                    return Err(Error::new(
                        r.span(),
                        "write service methods without `self`: the server's trait gets `&mut self` from #[service]",
                    ))
                }
                FnArg::Typed(t) => match &*t.pat {
                    Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                        args.push((p.ident.clone(), (*t.ty).clone()))
                    }
                    other => {
                        return Err(Error::new(other.span(), "service method arguments must be plain names"))
                    }
                },
            }
        }
        let output = match &sig.output {
            ReturnType::Default => syn::parse_quote!(()),
            ReturnType::Type(_, t) => (**t).clone(),
        };
        let name = sig.ident.clone();
        let id = id.unwrap_or_else(|| default_id(&format!("{trait_name}::{name}")));
        if let Some(other) = methods.iter().find(|m| m.id == id) {
            return Err(Error::new(
                name.span(),
                format!(
                    "method id {id} is used by both `{}` and `{name}`",
                    other.name
                ),
            ));
        }
        sig.inputs.insert(0, syn::parse_quote!(&mut self));
        methods.push(Method {
            id_const: format_ident!("{}", name.to_string().to_uppercase()),
            fallible: result_parts(&output),
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
        });
    }

    let vis = &item.vis;
    let methods_ty = format_ident!("{trait_name}Methods");
    let client_ty = format_ident!("{trait_name}Client");
    let server_ty = format_ident!("{trait_name}Server");

    let id_consts = methods.iter().map(|m| {
        let (c, id, name) = (&m.id_const, m.id, m.name.to_string());
        let doc = format!("Method id of `{trait_name}::{name}`.");
        quote! { #[doc = #doc] pub const #c: u64 = #id; }
    });
    let id_list = methods.iter().map(|m| {
        let (c, name) = (&m.id_const, m.name.to_string());
        quote! { (#name, Self::#c) }
    });

    let client_methods = methods.iter().map(|m| {
        let (name, c, docs) = (&m.name, &m.id_const, &m.docs);
        let params = m.args.iter().map(|(n, t)| quote! { #n: #t });
        let args = args_value(&m.args);
        match &m.fallible {
            Some((t, e)) => quote! {
                #(#docs)*
                pub fn #name(&mut self, #(#params),*) -> ::core::result::Result<::core::result::Result<#t, #e>, ::ckb_ipc::IpcError> {
                    ::ckb_ipc::service::call_fallible(&mut self.channel, #methods_ty::#c, #args)
                }
            },
            None => {
                let out = &m.output;
                quote! {
                    #(#docs)*
                    pub fn #name(&mut self, #(#params),*) -> ::core::result::Result<#out, ::ckb_ipc::IpcError> {
                        ::ckb_ipc::service::call(&mut self.channel, #methods_ty::#c, #args)
                    }
                }
            }
        }
    });

    let arms = methods.iter().map(|m| {
        let (name, c) = (&m.name, &m.id_const);
        let names: Vec<&Ident> = m.args.iter().map(|(n, _)| n).collect();
        let types: Vec<&Type> = m.args.iter().map(|(_, t)| t).collect();
        let (pattern, ty) = match names.len() {
            0 => (quote! { () }, quote! { () }),
            1 => (quote! { #(#names)* }, quote! { #(#types)* }),
            _ => (quote! { (#(#names),*) }, quote! { (#(#types),*) }),
        };
        let respond = if m.fallible.is_some() {
            quote! { ::ckb_ipc::service::respond_result(self.0.#name(#(#names),*), spare) }
        } else {
            quote! { ::ckb_ipc::service::respond(self.0.#name(#(#names),*), spare) }
        };
        quote! {
            #methods_ty::#c => match ::ckb_ipc::service::args::<#ty>(req) {
                ::core::result::Result::Ok((#pattern, spare)) => #respond,
                ::core::result::Result::Err(refused) => refused,
            },
        }
    });

    let (client_methods, server_body, json_types) = if json {
        json_parts(&trait_name, vis, &methods)
    } else {
        let body = quote! {
            match req.method_id() {
                #(#arms)*
                _ => ::ckb_ipc::service::unknown_method(),
            }
        };
        (quote! { #(#client_methods)* }, body, quote! {})
    };

    let schema_lines = methods.iter().map(|m| {
        let (name, id) = (m.name.to_string(), m.id);
        let args_name = format!("{}Args", camel(&m.name));
        let arg_names: Vec<String> = m.args.iter().map(|(n, _)| n.to_string()).collect();
        let arg_types: Vec<&Type> = m.args.iter().map(|(_, t)| t).collect();
        let args = match m.args.len() {
            0 => quote! { ::ckb_ipc::alloc::string::String::from("()") },
            1 => quote! { schema.add::<#(#arg_types)*>() },
            _ => quote! {{
                let fields = [#((#arg_names, schema.add::<#arg_types>())),*];
                let fixed = <(#(#arg_types),*) as ::ckb_ipc::service::Encode>::FIXED_SIZE.is_some();
                schema.declare_fields(#args_name, fixed, &fields);
                ::ckb_ipc::alloc::string::String::from(#args_name)
            }},
        };
        let result = match &m.fallible {
            Some((t, e)) => quote! {
                ::ckb_ipc::alloc::format!("{}, or error {} (code {})", schema.add::<#t>(), schema.add::<#e>(), ::ckb_ipc::service::SERVICE_ERROR)
            },
            None => {
                let out = &m.output;
                quote! { schema.add::<#out>() }
            }
        };
        quote! {
            let args = #args;
            let result = #result;
            header.push_str(&::ckb_ipc::alloc::format!("// {}: id {}, args {}, result {}\n", #name, #id, args, result));
        }
    });
    let schema_fn = if json {
        quote! {}
    } else {
        let title = format!("// Service {trait_name} (molecule), generated by #[ckb_ipc::service].\n// A method's args are its one argument, or the table/struct named <Method>Args.\n");
        quote! {
            /// The service's molecule schema (`.mol` text): every method's id, arguments and
            /// result, and the declarations they use, for clients in C or JavaScript.
            pub fn schema() -> ::ckb_ipc::alloc::string::String {
                let mut schema = ::ckb_ipc::service::codec::Schema::new();
                let mut header = ::ckb_ipc::alloc::string::String::from(#title);
                #(#schema_lines)*
                header.push_str(&schema.to_mol());
                header
            }
        }
    };

    let client_doc =
        format!("Client of the `{trait_name}` service: one method per service method.");
    let server_doc =
        format!("Serves any `T: {trait_name}`: `ckb_ipc::run_server({server_ty}(state))`.");
    let methods_doc = format!("Method ids of the `{trait_name}` service.");

    Ok(quote! {
        #item

        #[doc = #methods_doc]
        #vis struct #methods_ty;

        impl #methods_ty {
            #(#id_consts)*
            /// Every method's name and id.
            pub const ALL: &'static [(&'static str, u64)] = &[#(#id_list),*];

            #schema_fn
        }

        #[doc = #client_doc]
        #vis struct #client_ty<R = ::ckb_ipc::Pipe, W = ::ckb_ipc::Pipe> {
            channel: ::ckb_ipc::Channel<R, W>,
        }

        impl<R, W> #client_ty<R, W>
        where
            R: ::ckb_ipc::io::ReadVec,
            W: ::ckb_ipc::io::Write,
            ::ckb_ipc::IpcError: ::core::convert::From<R::Error> + ::core::convert::From<W::Error>,
        {
            pub fn new(read: R, write: W) -> Self {
                Self { channel: ::ckb_ipc::Channel::new(read, write) }
            }

            pub fn from_channel(channel: ::ckb_ipc::Channel<R, W>) -> Self {
                Self { channel }
            }

            pub fn into_channel(self) -> ::ckb_ipc::Channel<R, W> {
                self.channel
            }

            #client_methods
        }

        #[doc = #server_doc]
        #vis struct #server_ty<T>(pub T);

        impl<T: #trait_name> ::ckb_ipc::RequestHandler for #server_ty<T> {
            fn serve(&mut self, req: ::ckb_ipc::RequestPacket) -> ::ckb_ipc::ResponsePacket {
                #server_body
            }
        }

        #json_types
    })
}

/// ckb-script-ipc's CamelCase of a method name (`get_value` -> `GetValue`).
fn camel(name: &Ident) -> Ident {
    let s: String = name
        .to_string()
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
    format_ident!("{s}")
}

/// The json mode: request/response enums as ckb-script-ipc's macro makes them, the client
/// methods, and the server's body.
fn json_parts(
    trait_name: &Ident,
    vis: &syn::Visibility,
    methods: &[Method],
) -> (Tokens, Tokens, Tokens) {
    let req_ty = format_ident!("{trait_name}JsonRequest");
    let resp_ty = format_ident!("{trait_name}JsonResponse");
    let json = quote! { ::ckb_ipc::service::json };
    let serde_path = "::ckb_ipc::service::json::serde";
    let variants = methods.iter().map(|m| {
        let v = camel(&m.name);
        let fields = m.args.iter().map(|(n, t)| quote! { #n: #t });
        quote! { #v { #(#fields),* } }
    });
    let resp_variants = methods.iter().map(|m| {
        let (v, out) = (camel(&m.name), &m.output);
        quote! { #v(#out) }
    });
    let client = methods.iter().map(|m| {
        let (name, v, out, docs) = (&m.name, camel(&m.name), &m.output, &m.docs);
        let params = m.args.iter().map(|(n, t)| quote! { #n: #t });
        let names = m.args.iter().map(|(n, _)| n);
        quote! {
            #(#docs)*
            pub fn #name(&mut self, #(#params),*) -> ::core::result::Result<#out, ::ckb_ipc::IpcError> {
                let request = #req_ty::#v { #(#names),* };
                #[allow(unreachable_patterns)]
                match #json::call::<_, _, _, #resp_ty>(&mut self.channel, &request)? {
                    #resp_ty::#v(ret) => ::core::result::Result::Ok(ret),
                    _ => ::core::result::Result::Err(::ckb_ipc::IpcError::Deserialize),
                }
            }
        }
    });
    let arms = methods.iter().map(|m| {
        let (name, v) = (&m.name, camel(&m.name));
        let names: Vec<&Ident> = m.args.iter().map(|(n, _)| n).collect();
        quote! {
            #req_ty::#v { #(#names),* } => #json::respond(&#resp_ty::#v(self.0.#name(#(#names),*))),
        }
    });
    let body = quote! {
        match #json::request::<#req_ty>(&req) {
            ::core::result::Result::Ok(request) => match request { #(#arms)* },
            ::core::result::Result::Err(refused) => refused,
        }
    };
    let types = quote! {
        /// Requests as ckb-script-ipc's `#[service]` macro sends them (method id 0, serde_json).
        #[derive(#json::serde::Serialize, #json::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        #vis enum #req_ty { #(#variants),* }

        /// Responses as ckb-script-ipc's `#[service]` macro sends them.
        #[derive(#json::serde::Serialize, #json::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        #vis enum #resp_ty { #(#resp_variants),* }
    };
    (quote! { #(#client)* }, body, types)
}

/// The value a client encodes: nothing, the single argument, or a tuple of them.
fn args_value(args: &[(Ident, Type)]) -> Tokens {
    let names = args.iter().map(|(n, _)| n);
    match args.len() {
        0 => quote! { () },
        1 => quote! { #(#names)* },
        _ => quote! { (#(#names),*) },
    }
}
