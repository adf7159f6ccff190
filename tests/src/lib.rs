//! Runs the RISC-V contracts in ckb-testtool: a client script as the lock of one input, its
//! servers as cell deps. Used by the integration tests and by `make demo`.

use std::path::PathBuf;
use std::sync::OnceLock;

use ckb_testtool::ckb_types::{
    bytes::Bytes,
    core::{ScriptHashType, TransactionBuilder, TransactionView},
    packed::{CellDep, CellInput, CellOutput, OutPoint},
    prelude::*,
};
use ckb_testtool::context::Context;

pub use demo_proto;

/// Generous: the 256 KiB echo and 1,000-call scenarios stay far below it.
pub const MAX_CYCLES: u64 = 3_500_000_000;

/// Where `make build` put the contracts: `$CONTRACTS_DIR`, else `build/release`.
pub fn contracts_dir() -> PathBuf {
    match std::env::var_os("CONTRACTS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../build/release"),
    }
}

/// A contract binary, read once.
pub fn binary(name: &str) -> Bytes {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, Bytes>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(name.to_string())
        .or_insert_with(|| {
            let path = contracts_dir().join(name);
            std::fs::read(&path)
                .unwrap_or_else(|e| panic!("{}: {e}; run `make build` first", path.display()))
                .into()
        })
        .clone()
}

/// What a passing transaction cost and printed.
#[derive(Debug)]
pub struct Outcome {
    pub cycles: u64,
    pub messages: Vec<String>,
}

/// A transaction whose only input is locked by `client` with `args`; `deps` are the cell deps
/// in order (index 0 is the client itself, servers from 1 on).
pub struct Tx {
    pub context: Context,
    pub tx: TransactionView,
    /// Out points of `deps`, in order.
    pub deps: Vec<OutPoint>,
}

/// The code hash a script of `hash_type` uses for the binary deployed at `out_point`.
pub fn code_hash(
    context: &mut Context,
    out_point: &OutPoint,
    hash_type: ScriptHashType,
) -> [u8; 32] {
    let script = context
        .build_script_with_hash_type(out_point, hash_type, Bytes::new())
        .expect("deployed cell");
    let hash = script.code_hash();
    let mut out = [0u8; 32];
    out.copy_from_slice(hash.as_slice());
    out
}

impl Tx {
    /// Deploys `deps` (the client first) and builds the transaction. `args` get the deployed
    /// out points, so they can name a server by code hash.
    pub fn new(deps: &[&str], args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>) -> Self {
        let mut context = Context::default();
        context.set_capture_debug(true);
        let deps: Vec<OutPoint> = deps
            .iter()
            .map(|name| context.deploy_cell(binary(name)))
            .collect();
        let args = args(&mut context, &deps);
        let lock = context
            .build_script_with_hash_type(&deps[0], ScriptHashType::Data2, Bytes::from(args))
            .expect("client script");
        let input = context.create_cell(
            CellOutput::new_builder()
                .capacity(1000u64)
                .lock(lock.clone())
                .build(),
            Bytes::new(),
        );
        let tx = TransactionBuilder::default()
            .input(CellInput::new_builder().previous_output(input).build())
            .output(
                CellOutput::new_builder()
                    .capacity(1000u64)
                    .lock(lock)
                    .build(),
            )
            .output_data(Bytes::new().pack())
            .cell_deps(
                deps.iter()
                    .map(|op| CellDep::new_builder().out_point(op.clone()).build()),
            )
            .build();
        Self { context, tx, deps }
    }

    /// Verifies the transaction in CKB-VM. On failure the error names the exit code, and the
    /// transaction is saved as mock-tx JSON for ckb-debugger under `tests/failed-txs/`. With
    /// `CKB_IPC_DUMP_TXS=<dir>` every transaction is saved there, passing or not.
    pub fn run(&self, label: &str) -> Result<Outcome, String> {
        if let Some(dir) = std::env::var_os("CKB_IPC_DUMP_TXS") {
            self.dump_to(&PathBuf::from(dir), label);
        }
        let result = self.context.verify_tx(&self.tx, MAX_CYCLES);
        let messages: Vec<String> = self
            .context
            .captured_messages()
            .into_iter()
            .map(|m| m.message)
            .collect();
        match result {
            Ok(cycles) => Ok(Outcome { cycles, messages }),
            Err(e) => {
                let dumped = self.dump(label);
                Err(format!(
                    "{label}: {e}\nscript output: {messages:?}\nmock tx: {dumped}"
                ))
            }
        }
    }

    fn dump(&self, label: &str) -> String {
        self.dump_to(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("failed-txs"),
            label,
        )
    }

    fn dump_to(&self, dir: &std::path::Path, label: &str) -> String {
        let path = dir.join(format!("{label}.json"));
        let json = self
            .context
            .dump_tx(&self.tx)
            .map_err(|e| e.to_string())
            .and_then(|mock| serde_json::to_string_pretty(&mock).map_err(|e| e.to_string()));
        match json.and_then(|j| {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            std::fs::write(&path, j).map_err(|e| e.to_string())
        }) {
            Ok(()) => path.display().to_string(),
            Err(e) => format!("(not written: {e})"),
        }
    }
}

/// Script args of `ipc-client` / `floor-client`: scenario, server cell-dep index, server code
/// hash and hash type, then the scenario's params.
pub fn client_args(
    scenario: u8,
    index: u8,
    code_hash: [u8; 32],
    hash_type: ScriptHashType,
    params: &[u8],
) -> Vec<u8> {
    let mut args = vec![scenario, index];
    args.extend_from_slice(&code_hash);
    args.push(hash_type as u8);
    args.extend_from_slice(params);
    args
}

/// Runs `ipc-client` with `scenario` against `ipc-server` at cell-dep index 1, named by its
/// data hash.
pub fn run_scenario(scenario: u8, params: &[u8]) -> Result<Outcome, String> {
    run_scenario_with(scenario, ScriptHashType::Data1, params)
}

/// [`run_scenario`], naming the server by `hash_type` (data hash or type hash).
pub fn run_scenario_with(
    scenario: u8,
    hash_type: ScriptHashType,
    params: &[u8],
) -> Result<Outcome, String> {
    let tx = Tx::new(&["ipc-client", "ipc-server"], |ctx, deps| {
        let hash = code_hash(ctx, &deps[1], hash_type);
        client_args(scenario, 1, hash, hash_type, params)
    });
    tx.run(&format!("scenario-{scenario}-{hash_type:?}"))
}

/// Cycles of one transaction of `client` against `server` (cell dep 1) with bench params.
pub fn bench_cycles(
    client: &str,
    server: &str,
    scenario: u8,
    op: u8,
    calls: u32,
    size: u32,
) -> u64 {
    let mut params = vec![op];
    params.extend_from_slice(&calls.to_le_bytes());
    params.extend_from_slice(&size.to_le_bytes());
    let tx = Tx::new(&[client, server], |_, _| {
        client_args(scenario, 1, [0; 32], ScriptHashType::Data1, &params)
    });
    let label = format!("bench-{client}-{server}-{op}-{calls}-{size}");
    tx.run(&label).unwrap_or_else(|e| panic!("{e}")).cycles
}

/// One row of the cycle report.
#[derive(Debug, Clone)]
pub struct CallCost {
    pub name: String,
    pub ipc: u64,
    pub floor: u64,
}

impl CallCost {
    pub fn ratio(&self) -> f64 {
        self.ipc as f64 / self.floor as f64
    }
}

/// Per-call cycles of `ckb_ipc::Channel::call` and of the raw-syscall floor, for one operation:
/// (cycles of `calls` calls - cycles of 0 calls) / `calls`, same binaries, same transaction shape.
pub fn per_call(name: &str, op: u8, size: u32, calls: u32) -> CallCost {
    use demo_proto::scenario::BENCH;
    let per = |client: &str, server: &str| {
        let base = bench_cycles(client, server, BENCH, op, 0, size);
        let full = bench_cycles(client, server, BENCH, op, calls, size);
        (full - base) / u64::from(calls)
    };
    CallCost {
        name: name.to_string(),
        ipc: per("ipc-client", "ipc-server"),
        floor: per("floor-client", "floor-server"),
    }
}

/// Cycles of `ckb_ipc::spawn_server` and of a bare `spawn` syscall (both with their pipes) of
/// the same server binary, each as (client that spawns and closes) - (same client, no spawn).
pub fn spawn_cost() -> CallCost {
    use demo_proto::{op, scenario};
    let ipc = bench_cycles("ipc-client", "ipc-server", scenario::SPAWN_ONLY, 0, 0, 0)
        - bench_cycles("ipc-client", "ipc-server", scenario::NOOP, 0, 0, 0);
    let floor = bench_cycles("floor-client", "ipc-server", scenario::BENCH, op::ADD, 0, 0)
        - bench_cycles(
            "floor-client",
            "ipc-server",
            scenario::BENCH,
            op::NOOP,
            0,
            0,
        );
    CallCost {
        name: "spawn_server (ipc-server)".into(),
        ipc,
        floor,
    }
}

/// The standard set of calls the cycle report covers.
pub fn call_costs(calls: u32) -> Vec<CallCost> {
    use demo_proto::op;
    let mut rows = vec![spawn_cost(), per_call("add(u64, u64)", op::ADD, 0, calls)];
    for (name, size) in [
        ("echo 0 B", 0),
        ("echo 32 B", 32),
        ("echo 1 KiB", 1024),
        ("echo 16 KiB", 16 * 1024),
        ("echo 64 KiB", 64 * 1024),
    ] {
        rows.push(per_call(name, op::ECHO, size, calls));
    }
    rows
}

/// A markdown table of `rows`.
pub fn cost_table(rows: &[CallCost]) -> String {
    let mut out =
        String::from("| call | ckb-ipc cycles | floor cycles | ratio |\n|---|---:|---:|---:|\n");
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {:.3}x |\n",
            r.name,
            r.ipc,
            r.floor,
            r.ratio()
        ));
    }
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod adversarial;

#[cfg(test)]
mod golden;

#[cfg(test)]
mod compat;
