//! How a RISC-V script is hosted: the flags, and the transaction context and host options
//! they make.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ckb_ipc_host::{CellType, HostOptions, ScriptSelector, TxContext};
use clap::{Args, ValueEnum};

use crate::args::seconds;
use crate::Result;

/// How a RISC-V script is hosted.
#[derive(Args, Clone, Debug)]
pub(crate) struct HostArgs {
    /// ckb-debugger mock transaction (JSON) to run the script in; FILE must be the binary its
    /// script group runs. Default: a transaction with one input locked by FILE.
    #[arg(long, value_name = "MOCK_TX_JSON")]
    pub(crate) tx: Option<PathBuf>,
    /// Which script of the cell runs (with --tx).
    #[arg(long, value_enum, default_value = "lock")]
    pub(crate) script_group_type: GroupType,
    /// Whether --cell-index counts inputs or outputs (with --tx).
    #[arg(long, value_enum, default_value = "input")]
    pub(crate) cell_type: CellSide,
    /// The cell whose script runs (with --tx).
    #[arg(long, default_value_t = 0)]
    pub(crate) cell_index: usize,
    /// Extra cell dep for the default transaction (a binary the script may spawn); repeatable,
    /// they become cell deps 1, 2, ...
    #[arg(long, value_name = "FILE")]
    pub(crate) dep: Vec<PathBuf>,
    /// FILE is ckb-js-vm and the first --dep its JavaScript: the default transaction's lock
    /// args become ckb-js-vm's `<flags 0><data hash of that dep><data2>` (argv `-f` for a
    /// file-system bundle).
    #[arg(long, requires = "dep", conflicts_with = "tx")]
    pub(crate) js: bool,
    /// Cycles the whole session may take.
    #[arg(long, default_value_t = 3_500_000_000)]
    pub(crate) cycles_limit: u64,
    /// Cycles one call may take.
    #[arg(long, default_value_t = 3_500_000_000)]
    pub(crate) call_cycles_limit: u64,
    /// Seconds one call may take (wall clock).
    #[arg(long, default_value_t = 10.0)]
    pub(crate) call_timeout: f64,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum GroupType {
    Lock,
    Type,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub(crate) enum CellSide {
    Input,
    Output,
}

impl HostArgs {
    /// The transaction context for `binary` and the host options.
    pub(crate) fn context(&self, file: &Path, binary: &[u8]) -> Result<TxContext> {
        let ctx = match &self.tx {
            Some(tx) => {
                let json = std::fs::read_to_string(tx)
                    .map_err(|e| format!("mock tx {}: {e}", tx.display()))?;
                let selector = ScriptSelector {
                    group_type: match self.script_group_type {
                        GroupType::Lock => ckb_ipc_host::ScriptGroupType::Lock,
                        GroupType::Type => ckb_ipc_host::ScriptGroupType::Type,
                    },
                    cell_type: match self.cell_type {
                        CellSide::Input => CellType::Input,
                        CellSide::Output => CellType::Output,
                    },
                    cell_index: self.cell_index,
                };
                let ctx = TxContext::from_mock_json(&json, selector)
                    .map_err(|e| format!("mock tx {}: {e}", tx.display()))?;
                let program = ctx
                    .program()
                    .map_err(|e| format!("mock tx {}: {e}", tx.display()))?;
                if program.as_ref() != binary {
                    return Err(format!(
                        "{} is not the binary the selected script group of {} runs",
                        file.display(),
                        tx.display()
                    ));
                }
                ctx
            }
            None => TxContext::minimal(binary.to_vec().into(), Default::default()),
        };
        let mut deps = Vec::new();
        for dep in &self.dep {
            if self.tx.is_some() {
                return Err("--dep adds to the default transaction; put cell deps in --tx".into());
            }
            deps.push(std::fs::read(dep).map_err(|e| format!("{}: {e}", dep.display()))?);
        }
        let mut ctx = match deps.first() {
            Some(js) if self.js => {
                TxContext::minimal(binary.to_vec().into(), ckb_ipc_host::js_vm_args(js))
            }
            _ => ctx,
        };
        for data in deps {
            ctx = ctx.with_cell_dep(data.into());
        }
        Ok(ctx)
    }

    pub(crate) fn options(&self) -> Result<HostOptions> {
        Ok(HostOptions {
            call_cycles: self.call_cycles_limit,
            total_cycles: self.cycles_limit,
            call_timeout: seconds(self.call_timeout, "--call-timeout")?,
            ..HostOptions::default()
        })
    }

    /// These options as command-line flags, for the background session.
    pub(crate) fn to_flags(&self) -> Vec<OsString> {
        let mut f: Vec<OsString> = Vec::new();
        if let Some(tx) = &self.tx {
            f.push("--tx".into());
            f.push(tx.clone().into());
        }
        for dep in &self.dep {
            f.push("--dep".into());
            f.push(dep.clone().into());
        }
        if self.js {
            f.push("--js".into());
        }
        let group = match self.script_group_type {
            GroupType::Lock => "lock",
            GroupType::Type => "type",
        };
        let side = match self.cell_type {
            CellSide::Input => "input",
            CellSide::Output => "output",
        };
        for (k, v) in [
            ("--script-group-type", group.to_string()),
            ("--cell-type", side.to_string()),
            ("--cell-index", self.cell_index.to_string()),
            ("--cycles-limit", self.cycles_limit.to_string()),
            ("--call-cycles-limit", self.call_cycles_limit.to_string()),
            ("--call-timeout", self.call_timeout.to_string()),
        ] {
            f.push(k.into());
            f.push(v.into());
        }
        f
    }
}
