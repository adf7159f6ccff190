//! The ckb-gen-types entities (`Script`, `Byte32`, `Transaction`, ...).

use alloc::string::String;
use alloc::vec::Vec;

use super::sequences::{element_via_seq, Element, Seq};
use super::{Decode, Encode, Schema, BAD};
use crate::error::IpcError;

/// ckb-gen-types entities are molecule already: their bytes as they are, verified when read.
/// Their schema is theirs (`blockchain.mol`).
macro_rules! entity_codec {
    ($($t:ident: $fixed:expr, $decl:expr, [$($dep:ty),*];)*) => {$(
        impl Encode for packed::$t {
            const FIXED_SIZE: Option<usize> = $fixed;
            fn encode_to(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(ckb_std::ckb_types::prelude::Entity::as_slice(self));
            }
            fn encoded_len(&self) -> usize {
                ckb_std::ckb_types::prelude::Entity::as_slice(self).len()
            }
            fn schema_name() -> String {
                stringify!($t).into()
            }
            fn schema_declare(schema: &mut Schema) {
                $(schema.add::<$dep>();)*
                schema.declare(stringify!($t), || String::from($decl));
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
use ckb_std::ckb_types::packed;
entity_codec! {
    Byte32: Some(32), "array Byte32 [byte; 32];", [];
    Uint32: Some(4), "array Uint32 [byte; 4];", [];
    Uint64: Some(8), "array Uint64 [byte; 8];", [];
    Uint128: Some(16), "array Uint128 [byte; 16];", [];
    OutPoint: Some(36), "struct OutPoint {\n    tx_hash: Byte32,\n    index: Uint32,\n}", [packed::Byte32, packed::Uint32];
    CellInput: Some(44), "struct CellInput {\n    since: Uint64,\n    previous_output: OutPoint,\n}", [packed::Uint64, packed::OutPoint];
    CellDep: Some(37), "struct CellDep {\n    out_point: OutPoint,\n    dep_type: byte,\n}", [packed::OutPoint];
    Bytes: None, "vector Bytes <byte>;", [];
    BytesOpt: None, "option BytesOpt (Bytes);", [packed::Bytes];
    Script: None, "table Script {\n    code_hash: Byte32,\n    hash_type: byte,\n    args: Bytes,\n}", [packed::Byte32, packed::Bytes];
    ScriptOpt: None, "option ScriptOpt (Script);", [packed::Script];
    CellOutput: None, "table CellOutput {\n    capacity: Uint64,\n    lock: Script,\n    type_: ScriptOpt,\n}", [packed::Uint64, packed::Script, packed::ScriptOpt];
    WitnessArgs: None, "table WitnessArgs {\n    lock: BytesOpt,\n    input_type: BytesOpt,\n    output_type: BytesOpt,\n}", [packed::BytesOpt];
    Byte32Vec: None, "vector Byte32Vec <Byte32>;", [packed::Byte32];
    BytesVec: None, "vector BytesVec <Bytes>;", [packed::Bytes];
    RawTransaction: None, "table RawTransaction {\n    version: Uint32,\n    cell_deps: CellDepVec,\n    header_deps: Byte32Vec,\n    inputs: CellInputVec,\n    outputs: CellOutputVec,\n    outputs_data: BytesVec,\n}",
        [packed::Uint32, Vec<packed::CellDep>, packed::Byte32Vec, Vec<packed::CellInput>, Vec<packed::CellOutput>, packed::BytesVec];
    Transaction: None, "table Transaction {\n    raw: RawTransaction,\n    witnesses: BytesVec,\n}", [packed::RawTransaction, packed::BytesVec];
}
