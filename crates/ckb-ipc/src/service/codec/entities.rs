//! The ckb-gen-types entities (`Script`, `Byte32`, `Transaction`, ...).

use alloc::string::String;
use alloc::vec::Vec;

use super::primitives::declare_bytes;
use super::schema::JsonForm;
use super::sequences::{element_via_seq, Element, Seq};
use super::{Decode, Encode, Output, Schema, BAD};
use crate::error::IpcError;

/// ckb-gen-types entities are molecule already: their bytes as they are, verified when read.
/// Their schema is theirs (`blockchain.mol`), declared by `$declare` with what it uses.
macro_rules! entity_codec {
    ($($t:ident: $fixed:expr, |$schema:ident| $declare:expr;)*) => {$(
        impl Encode for packed::$t {
            const FIXED_SIZE: Option<usize> = $fixed;
            fn encode(&self, out: &mut Output<'_>) {
                out.put(ckb_std::ckb_types::prelude::Entity::as_slice(self));
            }
            fn encoded_len(&self) -> usize {
                ckb_std::ckb_types::prelude::Entity::as_slice(self).len()
            }
            fn schema_name() -> String {
                stringify!($t).into()
            }
            fn schema_declare($schema: &mut Schema) {
                $declare
            }
        }
        impl Decode for packed::$t {
            fn decode(bytes: &[u8]) -> Result<Self, IpcError> {
                <Self as ckb_std::ckb_types::prelude::Entity>::from_slice(bytes).map_err(|_| BAD)
            }
        }
        element_via_seq!([] packed::$t);
    )*};
}

/// The `struct` or `table` `name` of `fields`, each declared first.
macro_rules! fields {
    ($schema:ident, $name:literal, $fixed:expr, [$($field:literal: $ty:ty),*]) => {{
        let fields = [$(($field, $schema.add::<$ty>())),*];
        $schema.declare_fields($name, $fixed, &fields)
    }};
}

use ckb_std::ckb_types::packed;
use packed::{Byte32, OutPoint, Uint32, Uint64};
entity_codec! {
    Byte32: Some(32), |s| s.declare_array("Byte32", "byte", 32, Some(JsonForm::Hex));
    Uint32: Some(4), |s| s.declare_array("Uint32", "byte", 4, Some(JsonForm::Uint));
    Uint64: Some(8), |s| s.declare_array("Uint64", "byte", 8, Some(JsonForm::Uint));
    Uint128: Some(16), |s| s.declare_array("Uint128", "byte", 16, Some(JsonForm::Uint));
    OutPoint: Some(36), |s| fields!(s, "OutPoint", true, ["tx_hash": Byte32, "index": Uint32]);
    CellInput: Some(44), |s| fields!(s, "CellInput", true, ["since": Uint64, "previous_output": OutPoint]);
    CellDep: Some(37), |s| fields!(s, "CellDep", true, ["out_point": OutPoint, "dep_type": u8]);
    Bytes: None, |s| declare_bytes(s);
    BytesOpt: None, |s| { declare_bytes(s); s.declare_option("BytesOpt", "Bytes") };
    Script: None, |s| fields!(s, "Script", false, ["code_hash": Byte32, "hash_type": u8, "args": packed::Bytes]);
    ScriptOpt: None, |s| { s.add::<packed::Script>(); s.declare_option("ScriptOpt", "Script") };
    CellOutput: None, |s| fields!(s, "CellOutput", false, ["capacity": Uint64, "lock": packed::Script, "type_": packed::ScriptOpt]);
    WitnessArgs: None, |s| fields!(s, "WitnessArgs", false, ["lock": packed::BytesOpt, "input_type": packed::BytesOpt, "output_type": packed::BytesOpt]);
    Byte32Vec: None, |s| { s.add::<Byte32>(); s.declare_vector("Byte32Vec", "Byte32", true, None) };
    BytesVec: None, |s| { declare_bytes(s); s.declare_vector("BytesVec", "Bytes", false, None) };
    RawTransaction: None, |s| fields!(s, "RawTransaction", false, ["version": Uint32, "cell_deps": Vec<packed::CellDep>, "header_deps": packed::Byte32Vec, "inputs": Vec<packed::CellInput>, "outputs": Vec<packed::CellOutput>, "outputs_data": packed::BytesVec]);
    Transaction: None, |s| fields!(s, "Transaction", false, ["raw": packed::RawTransaction, "witnesses": packed::BytesVec]);
}
