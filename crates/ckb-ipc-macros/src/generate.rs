//! One generator per output of `#[service]`, each reading the checked [`Service`] model.

use proc_macro2::{Span, TokenStream as Tokens};
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::Ident;

use crate::json;
use crate::model::{Arg, Codec, Method, ResultKind, Service};

/// Everything `#[service]` emits for `service`.
pub fn service(service: &Service) -> Tokens {
    let item = &service.item;
    let methods = methods(service);
    let client = client(service);
    let server = server(service);
    let json_types = match service.codec {
        Codec::Molecule => quote! {},
        Codec::Json => json::types(service),
    };
    quote! {
        #item
        #methods
        #client
        #server
        #json_types
    }
}

/// `prefix ty suffix`, the prefix spanned at the first token of `ty` and the suffix at its
/// last, so that an error about the whole underlines the type in the trait.
fn around(ty: &impl ToTokens, prefix: Tokens, suffix: Tokens) -> Tokens {
    let tokens = ty.to_token_stream();
    let first = tokens
        .clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |t| t.span());
    let last = tokens
        .clone()
        .into_iter()
        .last()
        .map_or(first, |t| t.span());
    let prefix = respan(prefix, first);
    let suffix = respan(suffix, last);
    quote! { #prefix #tokens #suffix }
}

fn respan(tokens: Tokens, span: Span) -> Tokens {
    tokens
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect()
}

/// `<T as ::ckb_ipc::__private::ServiceType>::Type` (that is, `T`) over the span of `ty`: an
/// unsupported type is then reported once, at the type in the trait, with the message of
/// `ServiceType`, and the generated code using it raises no further errors.
pub fn wire(ty: &impl ToTokens) -> Tokens {
    around(
        ty,
        quote!(<),
        quote!(as ::ckb_ipc::__private::ServiceType>::Type),
    )
}

/// What the client encodes for an argument: the type as written (an `&X` is encoded in place).
fn sent(arg: &Arg) -> Tokens {
    match arg.borrowed {
        Some(_) => arg.ty.to_token_stream(),
        None => wire(&arg.ty),
    }
}

/// What the server decodes for an argument: its type, or for `&X` the owned form of `X`.
fn received(arg: &Arg) -> Tokens {
    match &arg.borrowed {
        Some(x) => wire(&around(
            x,
            quote!(<),
            quote!(as ::ckb_ipc::__private::alloc::borrow::ToOwned>::Owned),
        )),
        None => wire(&arg.ty),
    }
}

/// How the server hands a decoded argument to the trait method: by value, or lent for `&X`.
pub fn pass(arg: &Arg) -> Tokens {
    let name = &arg.name;
    match arg.borrowed {
        Some(_) => quote! { ::core::borrow::Borrow::borrow(&#name) },
        None => quote! { #name },
    }
}

/// The payload type of a method's arguments: `()`, the one argument, or a tuple of them.
fn args_type(parts: Vec<Tokens>) -> Tokens {
    match parts.len() {
        1 => quote! { #(#parts)* },
        _ => quote! { (#(#parts),*) },
    }
}

/// `<Trait>Methods`: the id constants, `all()`, and (molecule) `description()` and `schema()`.
/// Its functions are lower case and its constants upper case, so no method's id constant can
/// take a function's name.
fn methods(service: &Service) -> Tokens {
    let (vis, trait_name, methods_ty) = (service.vis(), service.name(), service.methods_ty());
    let consts = service.methods.iter().map(|m| {
        let (c, id) = (m.id_const(), m.id);
        let doc = format!("Method id of `{trait_name}::{}`.", m.plain_name());
        quote! { #[doc = #doc] pub const #c: u64 = #id; }
    });
    let all = service.methods.iter().map(|m| {
        let (c, name) = (m.id_const(), m.plain_name());
        quote! { (#name, Self::#c) }
    });
    let description = match service.codec {
        Codec::Molecule => description(service),
        Codec::Json => quote! {},
    };
    let doc = format!("Method ids of the `{trait_name}` service.");
    quote! {
        #[doc = #doc]
        #vis struct #methods_ty;

        impl #methods_ty {
            #(#consts)*
            /// Every method's name and id, in declaration order.
            pub const fn all() -> &'static [(&'static str, u64)] {
                &[#(#all),*]
            }

            #description
        }
    }
}

/// `<Trait>Methods::description()` and `schema()`: every method's name, id, arguments and
/// result, with the declarations of the types they use.
fn description(service: &Service) -> Tokens {
    let name = service.name().to_string();
    let methods = service.methods.iter().map(describe_method);
    quote! {
        /// The service's description: every method's name, id, arguments, result and error,
        /// and the molecule types they use (`docs/description.md`). Host builds write it for
        /// tools and other languages (`ckb_ipc::build::describe`).
        pub fn description() -> ::ckb_ipc::service::Description {
            let mut description = ::ckb_ipc::__private::new_description(#name);
            #(#methods)*
            description
        }

        /// The service's molecule schema (`.mol` text): every method's id, arguments and
        /// result, and the declarations they use, for clients in C or JavaScript.
        pub fn schema() -> ::ckb_ipc::__private::alloc::string::String {
            Self::description().to_mol()
        }
    }
}

fn describe_method(m: &Method) -> Tokens {
    let (name, id) = (m.plain_name(), m.id);
    let args_name = format!("{}Args", m.variant());
    let arg_names: Vec<String> = m.args.iter().map(|a| a.name.unraw().to_string()).collect();
    let arg_types: Vec<Tokens> = m.args.iter().map(sent).collect();
    // From `args`, the (name, type) list each argument was declared into once.
    let payload = match m.args.len() {
        0 => quote! { ::ckb_ipc::__private::alloc::string::String::from("()") },
        1 => quote! { args.first().map(|(_, ty)| ty.clone()).unwrap_or_default() },
        _ => quote! {{
            let fixed = <(#(#arg_types),*) as ::ckb_ipc::service::Encode>::FIXED_SIZE.is_some();
            schema.declare_fields(#args_name, fixed, &args);
            ::ckb_ipc::__private::alloc::string::String::from(#args_name)
        }},
    };
    let (returns, error) = match &m.result {
        ResultKind::Fallible { ok, err } => {
            let (ok, err) = (wire(ok), wire(err));
            (
                quote! { schema.add::<#ok>() },
                quote! { ::core::option::Option::Some(schema.add::<#err>()) },
            )
        }
        ResultKind::Plain => {
            let out = wire(&m.output);
            (
                quote! { schema.add::<#out>() },
                quote! { ::core::option::Option::None },
            )
        }
    };
    quote! {{
        let schema = ::ckb_ipc::__private::description_schema(&mut description);
        let args = ::ckb_ipc::__private::alloc::vec![#((#arg_names, schema.add::<#arg_types>())),*];
        let payload = #payload;
        let returns = #returns;
        let error = #error;
        ::ckb_ipc::__private::add_method(&mut description, #name, #id, args, payload, returns, error);
    }}
}

/// `<Trait>Client<R, W, B>`: a channel (over a heap buffer, or `B = FixedBuffer` for a script
/// without a heap) and one method per service method.
fn client(service: &Service) -> Tokens {
    let (vis, trait_name, client_ty) = (service.vis(), service.name(), service.client_ty());
    let methods = service.methods.iter().map(|m| match service.codec {
        Codec::Molecule => client_method(service, m),
        Codec::Json => json::client_method(service, m),
    });
    let doc = format!("Client of the `{trait_name}` service: one method per service method.");
    let (batch_method, batch_items) = match service.codec {
        Codec::Molecule => batch(service),
        Codec::Json => (quote! {}, quote! {}),
    };
    // The JSON client encodes with serde_json into a heap buffer; a molecule client runs over
    // any buffer, a fixed one too.
    let (methods_buffer, methods_bound) = match service.codec {
        Codec::Molecule => (quote! { B }, quote! { B: ::ckb_ipc::Buffer, }),
        Codec::Json => (quote! { ::ckb_ipc::HeapBuffer }, quote! {}),
    };
    quote! {
        #[doc = #doc]
        ///
        /// `B` is the channel's buffer: the heap's by default, or a
        /// `ckb_ipc::FixedBuffer` (`From<Channel>` of `Channel::with_fixed_buffer`) in a script
        /// without a heap, for methods whose types need none.
        #vis struct #client_ty<R = ::ckb_ipc::Pipe, W = ::ckb_ipc::Pipe, B = ::ckb_ipc::HeapBuffer> {
            channel: ::ckb_ipc::Channel<R, W, B>,
        }

        impl<R, W> #client_ty<R, W>
        where
            R: ::ckb_ipc::io::Reader,
            W: ::ckb_ipc::io::Writer,
        {
            /// A client calling through the pipes `read` and `write`, over a heap buffer.
            pub fn new(read: R, write: W) -> Self {
                Self { channel: ::ckb_ipc::Channel::new(read, write) }
            }
        }

        impl<R, W, #methods_bound> #client_ty<R, W, #methods_buffer>
        where
            R: ::ckb_ipc::io::Reader,
            W: ::ckb_ipc::io::Writer,
        {
            #(#methods)*
            #batch_method
        }

        #batch_items

        /// A client calling through `channel` (a channel set up with its own limits, or over a
        /// fixed buffer). A conversion rather than a method, so that every method name is the
        /// service's.
        impl<R, W, B> ::core::convert::From<::ckb_ipc::Channel<R, W, B>> for #client_ty<R, W, B>
        where
            R: ::ckb_ipc::io::Reader,
            W: ::ckb_ipc::io::Writer,
            B: ::ckb_ipc::Buffer,
        {
            fn from(channel: ::ckb_ipc::Channel<R, W, B>) -> Self {
                Self { channel }
            }
        }

        /// The channel back, to close it or to speak other services over it.
        impl<R, W, B> ::core::convert::From<#client_ty<R, W, B>> for ::ckb_ipc::Channel<R, W, B>
        where
            R: ::ckb_ipc::io::Reader,
            W: ::ckb_ipc::io::Writer,
            B: ::ckb_ipc::Buffer,
        {
            fn from(client: #client_ty<R, W, B>) -> Self {
                client.channel
            }
        }
    }
}

/// The molecule client's `batch` method, and `<Trait>Batch`: one method per service method,
/// each pushing its call into the batch and giving a handle to its result.
fn batch(service: &Service) -> (Tokens, Tokens) {
    let (vis, trait_name, batch_ty) = (service.vis(), service.name(), service.batch_ty());
    let methods_ty = service.methods_ty();
    let methods = service.methods.iter().map(|m| {
        let (name, c) = (&m.name, m.id_const());
        let doc = format!(
            "Pushes a call of `{trait_name}::{}` into the batch; the handle gives its result.",
            m.plain_name()
        );
        let params = m.args.iter().map(|a| {
            let (n, t) = (&a.name, &a.ty);
            quote! { #n: #t }
        });
        let args_ty = args_type(m.args.iter().map(sent).collect());
        let args = args_type(m.args.iter().map(|a| a.name.to_token_stream()).collect());
        match &m.result {
            ResultKind::Fallible { ok, err } => {
                let (wire_ok, wire_err) = (wire(ok), wire(err));
                quote! {
                    #[doc = #doc]
                    pub fn #name(&mut self, #(#params),*) -> ::ckb_ipc::service::PendingResult<#ok, #err> {
                        ::ckb_ipc::__private::push_fallible::<_, #args_ty, #wire_ok, #wire_err>(self.0, #methods_ty::#c, #args)
                    }
                }
            }
            ResultKind::Plain => {
                let (out, wire_out) = (&m.output, wire(&m.output));
                quote! {
                    #[doc = #doc]
                    pub fn #name(&mut self, #(#params),*) -> ::ckb_ipc::service::Pending<#out> {
                        ::ckb_ipc::__private::push::<_, #args_ty, #wire_out>(self.0, #methods_ty::#c, #args)
                    }
                }
            }
        }
    });
    let doc = format!(
        "The calls of a `{trait_name}` batch (`{}::batch`): one method per service method.",
        service.client_ty()
    );
    let method = quote! {
        /// Sends the calls `build` pushes as one batch (one packet each way: k calls for the
        /// syscalls of one) and gives their results in the shape of the handles it returns,
        /// each as its method would: `let (sum, q) = client.batch(|b| (b.add(1, 2), b.div(4, 0)))?;`.
        /// Each call has its own result; a server that does not know batches is
        /// `Err(IpcError::BatchRefused(code))`, and the client stays usable.
        pub fn batch<P: ::ckb_ipc::service::Resolve>(
            &mut self,
            build: impl ::core::ops::FnOnce(&mut #batch_ty<'_, '_, B>) -> P,
        ) -> ::core::result::Result<P::Output, ::ckb_ipc::IpcError> {
            ::ckb_ipc::__private::batch(&mut self.channel, |items| build(&mut #batch_ty(items)))
        }
    };
    let items = quote! {
        #[doc = #doc]
        #vis struct #batch_ty<'b, 'f, B: ::ckb_ipc::Buffer = ::ckb_ipc::HeapBuffer>(
            &'b mut ::ckb_ipc::BatchBuilder<'f, B>,
        );

        impl<B: ::ckb_ipc::Buffer> #batch_ty<'_, '_, B> {
            #(#methods)*
        }
    };
    (method, items)
}

/// A molecule client method: encode the arguments, call, decode the result.
fn client_method(service: &Service, m: &Method) -> Tokens {
    let (name, methods_ty, c) = (&m.name, service.methods_ty(), m.id_const());
    let docs = m.client_docs(service.name());
    let params = m.args.iter().map(|a| {
        let (n, t) = (&a.name, &a.ty);
        quote! { #n: #t }
    });
    let args_ty = args_type(m.args.iter().map(sent).collect());
    let names: Vec<&Ident> = m.args.iter().map(|a| &a.name).collect();
    let args = args_type(names.iter().map(|n| quote! { #n }).collect());
    match &m.result {
        ResultKind::Fallible { ok, err } => {
            let (wire_ok, wire_err) = (wire(ok), wire(err));
            quote! {
                #(#docs)*
                pub fn #name(&mut self, #(#params),*) -> ::core::result::Result<::core::result::Result<#ok, #err>, ::ckb_ipc::IpcError> {
                    ::ckb_ipc::__private::call_fallible::<_, _, _, #args_ty, #wire_ok, #wire_err>(&mut self.channel, #methods_ty::#c, #args)
                }
            }
        }
        ResultKind::Plain => {
            let out = &m.output;
            let wire_out = wire(out);
            quote! {
                #(#docs)*
                pub fn #name(&mut self, #(#params),*) -> ::core::result::Result<#out, ::ckb_ipc::IpcError> {
                    ::ckb_ipc::__private::call::<_, _, _, #args_ty, #wire_out>(&mut self.channel, #methods_ty::#c, #args)
                }
            }
        }
    }
}

/// `<Trait>Server<T>`: a `RequestHandler` calling `T`'s methods; the molecule one answers each
/// request in place in the channel's buffer (`serve_frame`).
fn server(service: &Service) -> Tokens {
    let (vis, trait_name, server_ty) = (service.vis(), service.name(), service.server_ty());
    let doc = format!("Serves any `T: {trait_name}`: `ckb_ipc::run_server({server_ty}(state))`.");
    let handler = match service.codec {
        Codec::Molecule => {
            // Mixed-site names: an argument called `frame` or `method` cannot shadow them.
            let frame = Ident::new("frame", Span::mixed_site());
            let method = Ident::new("method", Span::mixed_site());
            let body = server_body(service, &frame, &method);
            quote! {
                /// Answers the request in `frame` in place: decodes the arguments, calls the
                /// method, writes its result over them; returns the error code.
                impl<T: #trait_name> ::ckb_ipc::service::FrameHandler for #server_ty<T> {
                    fn serve_frame(
                        &mut self,
                        #method: u64,
                        #frame: &mut ::ckb_ipc::Frame<'_, ::ckb_ipc::HeapBuffer>,
                    ) -> u64 {
                        #body
                    }
                }

                impl<T: #trait_name> ::ckb_ipc::RequestHandler for #server_ty<T> {
                    fn serve(&mut self, req: ::ckb_ipc::RequestPacket) -> ::ckb_ipc::ResponsePacket {
                        ::ckb_ipc::__private::serve_request(req, |method, frame| ::ckb_ipc::service::FrameHandler::serve_frame(self, method, frame))
                    }

                    fn serve_on<R, W>(
                        &mut self,
                        channel: &mut ::ckb_ipc::Channel<R, W>,
                    ) -> ::core::result::Result<(), ::ckb_ipc::IpcError>
                    where
                        R: ::ckb_ipc::io::Reader,
                        W: ::ckb_ipc::io::Writer,
                    {
                        channel.execute_in_place(|method, frame| ::ckb_ipc::service::FrameHandler::serve_frame(self, method, frame))
                    }
                }
            }
        }
        Codec::Json => {
            let body = json::server_body(service);
            quote! {
                impl<T: #trait_name> ::ckb_ipc::RequestHandler for #server_ty<T> {
                    fn serve(&mut self, req: ::ckb_ipc::RequestPacket) -> ::ckb_ipc::ResponsePacket {
                        #body
                    }
                }
            }
        }
    };
    quote! {
        #[doc = #doc]
        #vis struct #server_ty<T>(
            /// The state the methods run on.
            pub T,
        );

        #handler
    }
}

/// The molecule server: dispatch on the method id to the method's arm, out of line
/// (`serve_method`), which decodes the arguments from the frame and writes the result over them.
fn server_body(service: &Service, frame: &Ident, method: &Ident) -> Tokens {
    let methods_ty = service.methods_ty();
    // Mixed-site names cannot collide with the user's argument names.
    let code = Ident::new("code", Span::mixed_site());
    let arms = service.methods.iter().map(|m| {
        let (name, c) = (&m.name, m.id_const());
        let names: Vec<&Ident> = m.args.iter().map(|a| &a.name).collect();
        let pattern = args_type(names.iter().map(|n| quote! { #n }).collect());
        let ty = args_type(m.args.iter().map(received).collect());
        let pass = m.args.iter().map(pass);
        let answer = match &m.result {
            ResultKind::Fallible { ok, err } => {
                let (ok, err) = (wire(ok), wire(err));
                quote! { ::ckb_ipc::__private::answer_result::<#ok, #err>(#frame, self.0.#name(#(#pass),*)) }
            }
            ResultKind::Plain => {
                let out = wire(&m.output);
                quote! { ::ckb_ipc::__private::answer::<#out>(#frame, self.0.#name(#(#pass),*)) }
            }
        };
        quote! {
            #methods_ty::#c => ::ckb_ipc::__private::serve_method(#frame, |#frame| {
                match ::ckb_ipc::__private::decode_args::<#ty>(#frame) {
                    ::core::result::Result::Ok(#pattern) => #answer,
                    ::core::result::Result::Err(#code) => #code,
                }
            }),
        }
    });
    quote! {
        match #method {
            #(#arms)*
            _ => ::ckb_ipc::__private::unknown_method(#frame),
        }
    }
}
