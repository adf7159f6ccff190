//! `#[derive(Molecule)]`: `Encode`, `Decode` and `Element` of
//! - a struct: its fields in declaration order as a molecule `struct` (every field of fixed
//!   size) or `table`;
//! - an enum: a molecule `union` (the [`Union`] model: one item type per variant).

use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::{ext::IdentExt, spanned::Spanned, Error};

use crate::generate::wire;
use crate::model::{refuse_molecule_attrs, Union, VariantKind};

/// The impls for `item`, or why it cannot have them.
pub fn expand_molecule(item: syn::DeriveInput) -> syn::Result<Tokens> {
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        return Err(Error::new(
            item.generics.span(),
            "#[derive(Molecule)] takes no generics",
        ));
    }
    refuse_molecule_attrs(&item.attrs)?;
    let data = match &item.data {
        syn::Data::Struct(data) => data,
        syn::Data::Enum(data) => return Ok(union(&Union::parse(&item.ident, data)?)),
        syn::Data::Union(u) => {
            return Err(Error::new(
                u.union_token.span(),
                "#[derive(Molecule)] is for structs and enums, not unions",
            ))
        }
    };
    for f in &data.fields {
        refuse_molecule_attrs(&f.attrs)?;
    }
    let name = &item.ident;
    // Through `ServiceType`, as in #[service]: a field of an unsupported type is one error at
    // the field's type.
    let types: Vec<Tokens> = data.fields.iter().map(|f| wire(&f.ty)).collect();
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
    let (service, private) = (
        quote! { ::ckb_ipc::service },
        quote! { ::ckb_ipc::__private },
    );
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
    // A tuple struct reads and writes as a JSON array, or as its one field's value.
    let json = match &data.fields {
        syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
            quote! { ::core::option::Option::Some(#service::JsonForm::Newtype) }
        }
        syn::Fields::Unnamed(_) => {
            quote! { ::core::option::Option::Some(#service::JsonForm::Tuple) }
        }
        _ => quote! { ::core::option::Option::None },
    };
    let build = match &data.fields {
        syn::Fields::Named(_) => quote! { #name { #(#access: r.field::<#types>()?),* } },
        syn::Fields::Unnamed(_) => {
            let reads = types.iter().map(|t| quote! { r.field::<#t>()? });
            quote! { #name ( #(#reads),* ) }
        }
        syn::Fields::Unit => quote! { #name },
    };
    let element = element(name);
    Ok(quote! {
        impl #service::Encode for #name {
            const FIXED_SIZE: ::core::option::Option<usize> =
                #private::fields_fixed_size(&[#(<#types as #service::Encode>::FIXED_SIZE),*]);
            fn encode(&self, out: &mut #service::Output<'_>) {
                #private::encode_fields(
                    <Self as #service::Encode>::FIXED_SIZE.is_some(),
                    &[#(#private::dyn_field::<#types>(&self.#access)),*],
                    out,
                )
            }
            fn encoded_len(&self) -> usize {
                #private::fields_len(
                    <Self as #service::Encode>::FIXED_SIZE.is_some(),
                    &[#(#private::dyn_field::<#types>(&self.#access)),*],
                )
            }
            fn schema_name() -> ::ckb_ipc::__private::alloc::string::String {
                ::ckb_ipc::__private::alloc::string::String::from(#name_str)
            }
            fn schema_declare(schema: &mut #service::Schema) {
                let fields = [#((#field_names, schema.add::<#types>())),*];
                schema.declare_fields_as(#name_str, <Self as #service::Encode>::FIXED_SIZE.is_some(), &fields, #json);
            }
        }

        impl #service::Decode for #name {
            fn decode(bytes: &[u8]) -> ::core::result::Result<Self, ::ckb_ipc::IpcError> {
                let fixed = <Self as #service::Encode>::FIXED_SIZE.is_some();
                let mut r = #private::FieldReader::new(bytes, fixed, #count)?;
                let value = #build;
                r.finish()?;
                ::core::result::Result::Ok(value)
            }
        }

        #element
    })
}

/// `Element` of a derived type: a `fixvec` or `dynvec` of it, through `Seq`.
fn element(name: &syn::Ident) -> Tokens {
    let (service, private) = (
        quote! { ::ckb_ipc::service },
        quote! { ::ckb_ipc::__private },
    );
    quote! {
        impl #private::Element for #name {
            fn encode_seq(items: &[Self], out: &mut #service::Output<'_>) {
                #private::Seq::encode(items, out)
            }
            fn seq_len(items: &[Self]) -> usize {
                #private::Seq::len(items)
            }
            fn decode_seq(bytes: &[u8]) -> ::core::result::Result<::ckb_ipc::__private::alloc::vec::Vec<Self>, ::ckb_ipc::IpcError> {
                #private::Seq::decode(bytes)
            }
            fn seq_schema_name() -> ::ckb_ipc::__private::alloc::string::String {
                #private::Seq::schema_name::<Self>()
            }
            fn seq_schema_declare(schema: &mut #service::Schema) {
                #private::Seq::schema_declare::<Self>(schema)
            }
        }
    }
}

/// An enum's impls: a molecule `union`, the item id then the variant's item (`struct` or
/// `table` of its fields, an empty `table` for a unit variant); always of dynamic size.
fn union(model: &Union) -> Tokens {
    let (service, private) = (
        quote! { ::ckb_ipc::service },
        quote! { ::ckb_ipc::__private },
    );
    let name = &model.name;
    let name_str = name.to_string();
    let (mut encode_arms, mut len_arms, mut decode_arms, mut lets, mut items) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, v) in model.variants.iter().enumerate() {
        let variant = &v.name;
        let id = v.id;
        // Through `ServiceType`, as for struct fields: an unsupported type is one error there.
        let types: Vec<Tokens> = v.fields.iter().map(|f| wire(&f.ty)).collect();
        let binds: Vec<syn::Ident> = (0..v.fields.len())
            .map(|i| format_ident!("__field{i}"))
            .collect();
        let pattern = match v.kind {
            VariantKind::Unit => quote! { Self::#variant { .. } },
            VariantKind::Tuple => quote! { Self::#variant ( #(#binds),* ) },
            VariantKind::Struct => {
                let members = v.fields.iter().map(|f| &f.member);
                quote! { Self::#variant { #(#members: #binds),* } }
            }
        };
        let fixed = quote! {
            #private::item_fixed(&[#(<#types as #service::Encode>::FIXED_SIZE),*])
        };
        let fields = quote! { &[#(#private::dyn_field::<#types>(#binds)),*] };
        encode_arms.push(quote! { #pattern => #private::encode_item(#id, #fixed, #fields, out), });
        len_arms.push(quote! { #pattern => #private::item_len(#fixed, #fields), });
        let count = v.fields.len();
        let build = match v.kind {
            // Braces build `V`, `V {}` and `V()` alike.
            VariantKind::Unit => quote! { Self::#variant {} },
            VariantKind::Tuple => quote! { Self::#variant ( #(r.field::<#types>()?),* ) },
            VariantKind::Struct => {
                let members = v.fields.iter().map(|f| &f.member);
                quote! { Self::#variant { #(#members: r.field::<#types>()?),* } }
            }
        };
        decode_arms.push(quote! {
            #id => {
                let mut r = #private::FieldReader::new(item, #fixed, #count)?;
                let value = #build;
                r.finish()?;
                ::core::result::Result::Ok(value)
            }
        });
        let local = format_ident!("__item{n}");
        let field_names = v.fields.iter().map(|f| &f.schema_name);
        lets.push(quote! { let #local = [#((#field_names, schema.add::<#types>())),*]; });
        let variant_str = variant.unraw().to_string();
        let kind = match v.kind {
            VariantKind::Unit => quote! { Unit },
            VariantKind::Tuple => quote! { Tuple },
            VariantKind::Struct => quote! { Struct },
        };
        items.push(quote! {
            #service::UnionItem {
                variant: #variant_str,
                id: #id,
                kind: #service::VariantKind::#kind,
                fixed: #fixed,
                fields: &#local,
            }
        });
    }
    let element = element(name);
    quote! {
        impl #service::Encode for #name {
            const FIXED_SIZE: ::core::option::Option<usize> = ::core::option::Option::None;
            fn encode(&self, out: &mut #service::Output<'_>) {
                match self { #(#encode_arms)* }
            }
            fn encoded_len(&self) -> usize {
                match self { #(#len_arms)* }
            }
            fn schema_name() -> ::ckb_ipc::__private::alloc::string::String {
                ::ckb_ipc::__private::alloc::string::String::from(#name_str)
            }
            fn schema_declare(schema: &mut #service::Schema) {
                #(#lets)*
                schema.declare_union(#name_str, &[#(#items),*]);
            }
        }

        impl #service::Decode for #name {
            fn decode(bytes: &[u8]) -> ::core::result::Result<Self, ::ckb_ipc::IpcError> {
                let (id, item) = #private::union_item(bytes)?;
                match id {
                    #(#decode_arms)*
                    _ => #private::unknown_item(),
                }
            }
        }

        #element
    }
}
