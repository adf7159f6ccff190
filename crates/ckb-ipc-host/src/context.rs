//! The transaction a hosted script sees: a ckb-debugger mock tx and a script group in it, or a
//! minimal default transaction (one input locked by the script).

use std::collections::HashSet;
use std::sync::Arc;

use ckb_chain_spec::consensus::ConsensusBuilder;
use ckb_mock_tx_types::{
    MockCellDep, MockInfo, MockInput, MockTransaction, ReprMockTransaction, Resource,
};
use ckb_script::types::SgData;
use ckb_script::{ScriptGroupType, TxData, TxVerifyEnv};
use ckb_types::bytes::Bytes;
use ckb_types::core::cell::resolve_transaction;
use ckb_types::core::hardfork::{HardForks, CKB2021, CKB2023};
use ckb_types::core::{Capacity, DepType, HeaderBuilder, ScriptHashType, TransactionBuilder};
use ckb_types::packed::{Byte32, CellDep, CellInput, CellOutput, OutPoint, Script};
use ckb_types::prelude::*;

use crate::error::HostError;

/// Which side of the transaction `--cell-index` counts in (ckb-debugger's `--cell-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellType {
    /// Count the transaction's inputs.
    #[default]
    Input,
    /// Count its outputs (only their type scripts run).
    Output,
}

/// Picks the script group to run, as ckb-debugger's `--script-group-type`, `--cell-index` and
/// `--cell-type` do: the lock or type script of one input or output cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptSelector {
    /// The cell's lock or its type script.
    pub group_type: ScriptGroupType,
    /// Inputs or outputs.
    pub cell_type: CellType,
    /// Index of the cell among them.
    pub cell_index: usize,
}

impl Default for ScriptSelector {
    /// The lock of input 0.
    fn default() -> Self {
        Self {
            group_type: ScriptGroupType::Lock,
            cell_type: CellType::Input,
            cell_index: 0,
        }
    }
}

/// A transaction and the script group in it that will be hosted.
#[derive(Clone)]
pub struct TxContext {
    mock: MockTransaction,
    selector: ScriptSelector,
}

impl TxContext {
    /// A ckb-debugger mock transaction (JSON) and the script group to run.
    pub fn from_mock_json(json: &str, selector: ScriptSelector) -> Result<Self, HostError> {
        let repr: ReprMockTransaction = serde_json::from_str(json)
            .map_err(|e| HostError::Context(format!("mock tx does not parse: {e}")))?;
        Ok(Self {
            mock: repr.into(),
            selector,
        })
    }

    /// A parsed mock transaction and the script group to run.
    pub fn from_mock(mock: MockTransaction, selector: ScriptSelector) -> Self {
        Self { mock, selector }
    }

    /// The smallest transaction that runs `binary`: cell dep 0 holds it, input 0 is locked by
    /// it (`data2`, so spawn is available), `args` are the lock's args. Add more cell deps with
    /// [`with_cell_dep`](Self::with_cell_dep).
    pub fn minimal(binary: Bytes, args: Bytes) -> Self {
        let lock = Script::new_builder()
            .code_hash(CellOutput::calc_data_hash(&binary))
            .hash_type(ScriptHashType::Data2)
            .args(args.pack())
            .build();
        let input = MockInput {
            input: CellInput::new(out_point(0xff, 0), 0),
            output: CellOutput::new_builder()
                .capacity(capacity_for(0))
                .lock(lock)
                .build(),
            data: Bytes::new(),
            header: None,
        };
        let tx = TransactionBuilder::default()
            .input(input.input.clone())
            .build()
            .data();
        let mut ctx = Self {
            mock: MockTransaction {
                mock_info: MockInfo {
                    inputs: vec![input],
                    ..Default::default()
                },
                tx,
            },
            selector: ScriptSelector::default(),
        };
        ctx = ctx.with_cell_dep(binary);
        ctx
    }

    /// Appends a code cell dep holding `data` (another binary the script may spawn).
    pub fn with_cell_dep(mut self, data: Bytes) -> Self {
        let index = self.mock.tx.raw().cell_deps().len() as u32;
        let cell_dep = CellDep::new_builder()
            .out_point(out_point(0xde, index))
            .dep_type(DepType::Code)
            .build();
        self.mock.mock_info.cell_deps.push(MockCellDep {
            cell_dep: cell_dep.clone(),
            output: CellOutput::new_builder()
                .capacity(capacity_for(data.len()))
                .build(),
            data,
            header: None,
        });
        self.mock.tx = self
            .mock
            .tx
            .clone()
            .into_view()
            .as_advanced_builder()
            .cell_dep(cell_dep)
            .build()
            .data();
        self
    }

    /// The mock transaction, as ckb-debugger would read it.
    pub fn to_mock_json(&self) -> Result<String, HostError> {
        serde_json::to_string_pretty(&ReprMockTransaction::from(self.mock.clone()))
            .map_err(|e| HostError::Context(e.to_string()))
    }

    /// Resolves the transaction and finds the script group.
    pub(crate) fn script_group_data(&self) -> Result<SgData<Resource>, HostError> {
        let resource = Resource::from_mock_tx(&self.mock).map_err(HostError::Context)?;
        let tx = self.mock.core_transaction();
        let rtx = resolve_transaction(tx, &mut HashSet::new(), &resource, &resource)
            .map_err(|e| HostError::Context(format!("transaction does not resolve: {e}")))?;
        let script = self.selected_script(&rtx)?;
        let consensus = ConsensusBuilder::default()
            .hardfork_switch(HardForks {
                ckb2021: CKB2021::new_dev_default(),
                ckb2023: CKB2023::new_dev_default(),
            })
            .build();
        let tip = HeaderBuilder::default().number(0).build();
        let tx_data = TxData::new(
            Arc::new(rtx),
            resource,
            Arc::new(consensus),
            Arc::new(TxVerifyEnv::new_submit(&tip)),
        );
        let hash = script.calc_script_hash();
        let group = tx_data
            .find_script_group(self.selector.group_type, &hash)
            .ok_or_else(|| {
                HostError::Context(format!(
                    "no {} script group {hash}",
                    group_name(self.selector.group_type)
                ))
            })?;
        SgData::new(&tx_data, group).map_err(|e| HostError::Context(e.to_string()))
    }

    /// The binary the selected script group runs (its code cell's data).
    pub fn program(&self) -> Result<Bytes, HostError> {
        let sg = self.script_group_data()?;
        let ckb_script::DataPieceId::CellDep(i) = sg.sg_info.program_data_piece_id else {
            return Err(HostError::Context(
                "the script's code is not in a cell dep".into(),
            ));
        };
        sg.rtx
            .resolved_cell_deps
            .get(i as usize)
            .and_then(|c| c.mem_cell_data.clone())
            .ok_or_else(|| HostError::Context(format!("cell dep {i} has no data")))
    }

    fn selected_script(
        &self,
        rtx: &ckb_types::core::cell::ResolvedTransaction,
    ) -> Result<Script, HostError> {
        let ScriptSelector {
            group_type,
            cell_type,
            cell_index,
        } = self.selector;
        let output = match cell_type {
            CellType::Input => rtx
                .resolved_inputs
                .get(cell_index)
                .map(|c| c.cell_output.clone()),
            CellType::Output => rtx.transaction.outputs().get(cell_index),
        };
        let side = match cell_type {
            CellType::Input => "input",
            CellType::Output => "output",
        };
        let output = output.ok_or_else(|| {
            HostError::Context(format!("the transaction has no {side} {cell_index}"))
        })?;
        match group_type {
            ScriptGroupType::Lock => Ok(output.lock()),
            ScriptGroupType::Type => output.type_().to_opt().ok_or_else(|| {
                HostError::Context(format!("{side} {cell_index} has no type script"))
            }),
        }
    }
}

/// ckb-js-vm's script args that make it run the JavaScript `js` from a code cell dep holding
/// it: `<flags u16 LE, 0><data hash of js, 32 bytes><hash type data2, 1 byte>`, what ckb-js-vm
/// reads when its argv has no `-t` (or `-e`, `-r`). A file-system bundle also needs argv `-f`.
///
/// ```ignore
/// let ctx = TxContext::minimal(ckb_js_vm, js_vm_args(&server_js)).with_cell_dep(server_js);
/// ```
pub fn js_vm_args(js: &[u8]) -> Bytes {
    let mut args = vec![0u8, 0];
    args.extend_from_slice(CellOutput::calc_data_hash(js).as_slice());
    args.push(ScriptHashType::Data2.into());
    args.into()
}

fn group_name(t: ScriptGroupType) -> &'static str {
    match t {
        ScriptGroupType::Lock => "lock",
        ScriptGroupType::Type => "type",
    }
}

/// A made-up out point: the default context's cells exist nowhere else.
fn out_point(tag: u8, index: u32) -> OutPoint {
    OutPoint::new_builder()
        .tx_hash(Byte32::new([tag; 32]))
        .index(index)
        .build()
}

/// Enough capacity for a cell holding `data_len` bytes (scripts may check it).
fn capacity_for(data_len: usize) -> Capacity {
    Capacity::bytes(data_len + 1000).unwrap_or(Capacity::shannons(u64::MAX))
}
