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
    Ok(quote! {
        impl #service::Encode for #name {
            const FIXED_SIZE: ::core::option::Option<usize> =
                #private::fields_fixed_size(&[#(<#types as #service::Encode>::FIXED_SIZE),*]);
            fn encode_to(&self, out: &mut ::ckb_ipc::__private::alloc::vec::Vec<u8>) {
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

        impl #private::Element for #name {
            fn encode_seq(items: &[Self], out: &mut ::ckb_ipc::__private::alloc::vec::Vec<u8>) {
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
    })
}
