//! What the code of `ckb-ipc`'s macros calls: not API, no stability promised. The names here
//! may change in any release; use the items of the crate root and its public modules.

pub extern crate alloc;

pub use crate::buffer::NoHeap;

// `#[service]`: the client's calls and the server's answers.
pub use crate::service::batch::{batch, push, push_fallible};
pub use crate::service::client::{call, call_fallible};
pub use crate::service::server::{
    answer, answer_result, decode_args, serve_method, serve_request, unknown_method,
};

// `#[service]` and `#[derive(Molecule)]`: how types are named, and the molecule tables and
// vectors of a derived struct.
pub use crate::service::codec::{
    dyn_field, encode_fields, fields_fixed_size, fields_len, DynEncode, Element, FieldReader, Seq,
    ServiceType,
};

// `#[service]`: `<Trait>Methods::description()`.
pub use crate::service::description::add_method;

/// A description of the service `name`, with no methods yet.
pub fn new_description(name: &'static str) -> crate::service::Description {
    crate::service::Description::new(name)
}

/// The schema the description's types are declared in.
pub fn description_schema(d: &mut crate::service::Description) -> &mut crate::service::Schema {
    &mut d.schema
}

// `#[derive(Molecule)]` on an enum: molecule unions.
pub use crate::service::codec::{encode_item, item_fixed, item_len, union_item, unknown_item};

/// `#[service(json)]`: ckb-script-ipc's serde_json messages.
#[cfg(feature = "json")]
pub mod json {
    pub use crate::service::json::{call, request, respond, serde, serde_json};
}
