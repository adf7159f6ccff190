//! `#[derive(Molecule)]`: a struct's `Encode`, `Decode` and `Element`, its fields in
//! declaration order as a molecule `struct` (every field of fixed size) or `table`.

use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{spanned::Spanned, Error};

use crate::generate::wire;

/// The impls for `item`, or why it cannot have them.
pub fn expand_molecule(item: syn::DeriveInput) -> syn::Result<Tokens> {
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
        syn::Fields::Named(_) => quote! { #name { #(#access: r.field::<#types>()?),* } },
        syn::Fields::Unnamed(_) => {
            let reads = types.iter().map(|t| quote! { r.field::<#t>()? });
            quote! { #name ( #(#reads),* ) }
        }
        syn::Fields::Unit => quote! { #name },
    };
    Ok(quote! {
        impl #codec::Encode for #name {
            const FIXED_SIZE: ::core::option::Option<usize> =
                #codec::fields_fixed_size(&[#(<#types as #codec::Encode>::FIXED_SIZE),*]);
            fn encode_to(&self, out: &mut ::ckb_ipc::__private::alloc::vec::Vec<u8>) {
                #codec::encode_fields(
                    <Self as #codec::Encode>::FIXED_SIZE.is_some(),
                    &[#(#codec::dyn_field::<#types>(&self.#access)),*],
                    out,
                )
            }
            fn encoded_len(&self) -> usize {
                #codec::fields_len(
                    <Self as #codec::Encode>::FIXED_SIZE.is_some(),
                    &[#(#codec::dyn_field::<#types>(&self.#access)),*],
                )
            }
            fn schema_name() -> ::ckb_ipc::__private::alloc::string::String {
                ::ckb_ipc::__private::alloc::string::String::from(#name_str)
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
            fn encode_seq(items: &[Self], out: &mut ::ckb_ipc::__private::alloc::vec::Vec<u8>) {
                #codec::Seq::encode(items, out)
            }
            fn seq_len(items: &[Self]) -> usize {
                #codec::Seq::len(items)
            }
            fn decode_seq(bytes: &[u8]) -> ::core::result::Result<::ckb_ipc::__private::alloc::vec::Vec<Self>, ::ckb_ipc::IpcError> {
                #codec::Seq::decode(bytes)
            }
            fn seq_schema_name() -> ::ckb_ipc::__private::alloc::string::String {
                #codec::Seq::schema_name::<Self>()
            }
            fn seq_schema_declare(schema: &mut #codec::Schema) {
                #codec::Seq::schema_declare::<Self>(schema)
            }
        }
    })
}
