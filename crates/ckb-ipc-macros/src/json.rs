//! `#[service(json)]`: request/response enums as ckb-script-ipc's macro makes them, the client
//! methods sending them, and the server's body answering them.

use proc_macro2::{Span, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::{Ident, Type};

use crate::generate::pass;
use crate::model::{Arg, Method, Service};

fn request_ty(service: &Service) -> Ident {
    format_ident!("{}JsonRequest", service.name())
}

fn response_ty(service: &Service) -> Ident {
    format_ident!("{}JsonResponse", service.name())
}

/// The type of an argument's field in the request enum: owned, since the enum is decoded.
fn field_type(arg: &Arg) -> Type {
    match &arg.borrowed {
        Some(x) => syn::parse_quote!(<#x as ::ckb_ipc::__private::alloc::borrow::ToOwned>::Owned),
        None => arg.ty.clone(),
    }
}

/// The request and response enums.
pub fn types(service: &Service) -> Tokens {
    let vis = service.vis();
    let (req_ty, resp_ty) = (request_ty(service), response_ty(service));
    let json = quote! { ::ckb_ipc::__private::json };
    let serde_path = "::ckb_ipc::__private::json::serde";
    let variants = service.methods.iter().map(|m| {
        let v = m.variant();
        let fields = m.args.iter().map(|a| {
            let (n, t) = (&a.name, field_type(a));
            quote! { #n: #t }
        });
        quote! { #v { #(#fields),* } }
    });
    let resp_variants = service.methods.iter().map(|m| {
        let (v, out) = (m.variant(), &m.output);
        quote! { #v(#out) }
    });
    quote! {
        /// Requests as ckb-script-ipc's `#[service]` macro sends them (method id 0, serde_json).
        #[derive(#json::serde::Serialize, #json::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        #vis enum #req_ty { #(#variants),* }

        /// Responses as ckb-script-ipc's `#[service]` macro sends them.
        #[derive(#json::serde::Serialize, #json::serde::Deserialize)]
        #[serde(crate = #serde_path)]
        #vis enum #resp_ty { #(#resp_variants),* }
    }
}

/// A client method: the request variant out, the matching response variant back.
pub fn client_method(service: &Service, m: &Method) -> Tokens {
    let (req_ty, resp_ty) = (request_ty(service), response_ty(service));
    let (name, v, out) = (&m.name, m.variant(), &m.output);
    let docs = m.client_docs(service.name());
    let params = m.args.iter().map(|a| {
        let (n, t) = (&a.name, &a.ty);
        quote! { #n: #t }
    });
    let fields = m.args.iter().map(|a| {
        let n = &a.name;
        match a.borrowed {
            Some(_) => quote! { #n: ::ckb_ipc::__private::alloc::borrow::ToOwned::to_owned(#n) },
            None => quote! { #n },
        }
    });
    // Mixed-site names cannot collide with the user's argument names.
    let (request, ret) = (
        Ident::new("request", Span::mixed_site()),
        Ident::new("ret", Span::mixed_site()),
    );
    quote! {
        #(#docs)*
        pub fn #name(&mut self, #(#params),*) -> ::core::result::Result<#out, ::ckb_ipc::IpcError> {
            let #request = #req_ty::#v { #(#fields),* };
            #[allow(unreachable_patterns)]
            match ::ckb_ipc::__private::json::call::<_, _, _, #resp_ty>(&mut self.channel, &#request)? {
                #resp_ty::#v(#ret) => ::core::result::Result::Ok(#ret),
                _ => ::core::result::Result::Err(::ckb_ipc::IpcError::Deserialize),
            }
        }
    }
}

/// The server's body: decode the request enum, call the method, encode its response variant.
pub fn server_body(service: &Service) -> Tokens {
    let (req_ty, resp_ty) = (request_ty(service), response_ty(service));
    let (request, refused) = (
        Ident::new("request", Span::mixed_site()),
        Ident::new("refused", Span::mixed_site()),
    );
    let arms = service.methods.iter().map(|m| {
        let (name, v) = (&m.name, m.variant());
        let names = m.args.iter().map(|a| &a.name);
        let pass = m.args.iter().map(pass);
        quote! {
            #req_ty::#v { #(#names),* } => ::ckb_ipc::__private::json::respond(&#resp_ty::#v(self.0.#name(#(#pass),*))),
        }
    });
    quote! {
        match ::ckb_ipc::__private::json::request::<#req_ty>(&req) {
            ::core::result::Result::Ok(#request) => match #request { #(#arms)* },
            ::core::result::Result::Err(#refused) => #refused,
        }
    }
}
