//! Runs the RISC-V contracts in ckb-testtool: a client script as the lock of one input, its
//! servers as cell deps. Used by the integration tests and by `make demo`.

use std::path::PathBuf;
use std::sync::OnceLock;

// The test modules take these through `use super::*`, as before the harness moved to
// ckb-ipc-testtool.
#[allow(unused_imports)]
use ckb_testtool::ckb_types::{
    bytes::Bytes,
    core::{ScriptHashType, TransactionBuilder, TransactionView},
    packed::{CellDep, CellInput, CellOutput, OutPoint},
    prelude::*,
};
use ckb_testtool::context::Context;

pub use ckb_ipc_testtool::{per_call_cycles, Contracts, Failure, Outcome, Tx, MAX_CYCLES};
pub use test_proto;

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
            Contracts::new(contracts_dir())
                .load(name)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .clone()
}

/// The code hash a script of `hash_type` uses for the binary deployed at `out_point`.
pub fn code_hash(
    context: &mut Context,
    out_point: &OutPoint,
    hash_type: ScriptHashType,
) -> [u8; 32] {
    ckb_ipc_testtool::code_hash(context, out_point, hash_type).unwrap_or_else(|e| panic!("{e}"))
}

/// The tests' shorthand for [`Tx::deploy`]: contracts by name, panicking on what the helper
/// returns as errors. `Tx::new(&["client", "server"], args)`.
pub trait TxByName: Sized {
    /// Deploys `deps` (the client first) and builds the transaction. `args` get the deployed
    /// out points, so they can name a server by code hash.
    fn new(deps: &[&str], args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>) -> Self;
    /// [`TxByName::new`] with the cells' contents given (JavaScript, other binaries).
    fn with_cells(
        cells: Vec<Bytes>,
        args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>,
    ) -> Self;
}

impl TxByName for Tx {
    fn new(deps: &[&str], args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>) -> Self {
        Self::with_cells(deps.iter().map(|name| binary(name)).collect(), args)
    }

    fn with_cells(
        cells: Vec<Bytes>,
        args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>,
    ) -> Self {
        let mut tx = Tx::deploy(cells, args).unwrap_or_else(|e| panic!("{e}"));
        // A failing transaction is saved as mock-tx JSON under tests/failed_txs/.
        tx.failed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("failed_txs");
        tx
    }
}

/// `outcome.line(prefix)`: the rest of the first printed line that starts with `prefix`;
/// panics if none does.
pub trait Line {
    /// See the trait.
    fn line(&self, prefix: &str) -> String;
}

impl Line for Outcome {
    fn line(&self, prefix: &str) -> String {
        self.find(prefix)
            .unwrap_or_else(|| panic!("no {prefix:?} line in {:?}", self.messages))
            .to_string()
    }
}

/// Script args of `owned-client` / `floor-client`: scenario, server cell-dep index, server code
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

/// Runs `owned-client` with `scenario` against `owned-server` at cell-dep index 1, named by its
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
    let tx = Tx::new(&["owned-client", "owned-server"], |ctx, deps| {
        let hash = code_hash(ctx, &deps[1], hash_type);
        client_args(scenario, 1, hash, hash_type, params)
    });
    tx.run(&format!("scenario-{scenario}-{hash_type:?}"))
        .map_err(String::from)
}

/// `bad-peer` as a client sends `mode`'s bytes (`test_proto::bad`) to `server` (cell dep 1):
/// the bytes the server answered (hex) and its exit code.
#[cfg(test)]
fn attack(server: &str, mode: &str) -> (String, String) {
    let tx = Tx::new(&["bad-peer", server], |_, _| mode.as_bytes().to_vec());
    let out = tx
        .run(&format!("attack-{server}-{mode}"))
        .unwrap_or_else(|e| panic!("{e}"));
    (out.line("answer: "), out.line("exit: "))
}

/// Runs `client`'s OVER_LIMIT scenario in `mode` (`test_proto::over`) against `server`; what
/// it printed.
#[cfg(test)]
fn over_limit(client: &str, server: &str, mode: u8) -> String {
    let tx = Tx::new(&[client, server], |_, _| {
        client_args(
            test_proto::scenario::OVER_LIMIT,
            1,
            [0; 32],
            ScriptHashType::Data1,
            &[mode],
        )
    });
    tx.run(&format!("over-limit-{client}-{server}-{mode}"))
        .unwrap_or_else(|e| panic!("{e}"))
        .line("over-limit: ")
}

/// An IPC implementation under measurement: its client and server contracts, which take the
/// BENCH script args (`[op, calls: u32 LE, size: u32 LE]` after the common header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Impl {
    pub name: &'static str,
    pub client: &'static str,
    pub server: &'static str,
}

/// Hand-written framing over raw syscalls: the floor.
pub const FLOOR: Impl = Impl {
    name: "raw-syscall floor",
    client: "floor-client",
    server: "floor-server",
};
/// `ckb_ipc::Channel` with `RequestPacket`/`ResponsePacket`.
pub const OWNED: Impl = Impl {
    name: "ckb-ipc owned",
    client: "owned-client",
    server: "owned-server",
};
/// `ckb_ipc::Channel` on its in-place level (`call_in_place` / `execute_in_place`) over static
/// buffers, in scripts without a heap.
pub const INPLACE: Impl = Impl {
    name: "ckb-ipc in-place (no heap)",
    client: "inplace-client",
    server: "inplace-server",
};
/// A `#[ckb_ipc::service]` client and server (molecule payloads).
pub const TYPED: Impl = Impl {
    name: "ckb-ipc typed",
    client: "typed-client",
    server: "typed-server",
};
/// ckb-script-ipc-common 1.1.0's `Channel` with serde_json payloads.
pub const SCRIPT_IPC: Impl = Impl {
    name: "ckb-script-ipc-common Channel",
    client: "their-client",
    server: "their-server",
};

/// ckb-script-ipc 1.1.0's `#[service]` macro (its generated client and server, serde_json).
pub const SCRIPT_IPC_MACRO: Impl = Impl {
    name: "ckb-script-ipc #[service]",
    client: "their-macro-client",
    server: "their-macro-server",
};

/// The BENCH transaction: `client` (its binary) makes `calls` calls of `op` with `size`-byte
/// payloads to `server`, the cell dep at index 1.
pub fn bench_tx(client: Bytes, server: Bytes, op: u8, calls: u32, size: u32) -> Tx {
    batch_bench_tx(client, server, op, calls, size, 0)
}

/// [`bench_tx`] in batches of `batch` calls (`test_proto::batch::size`; 0: single calls):
/// `calls` batches.
pub fn batch_bench_tx(
    client: Bytes,
    server: Bytes,
    op: u8,
    calls: u32,
    size: u32,
    batch: u8,
) -> Tx {
    let mut params = vec![op];
    params.extend_from_slice(&calls.to_le_bytes());
    params.extend_from_slice(&size.to_le_bytes());
    if batch > 0 {
        params.push(batch);
    }
    Tx::with_cells(vec![client, server], |_, _| {
        client_args(
            test_proto::scenario::BENCH,
            1,
            [0; 32],
            ScriptHashType::Data1,
            &params,
        )
    })
}

/// The label a BENCH transaction of `imp` is saved under when it fails.
pub fn bench_label(imp: Impl, op: u8, calls: u32, size: u32) -> String {
    format!("bench-{}-{}-{op}-{calls}-{size}", imp.client, imp.server).replace('/', "-")
}

/// Cycles of one BENCH transaction, or why it failed (a payload that does not fit the heap).
pub fn try_bench_cycles(imp: Impl, op: u8, calls: u32, size: u32) -> Result<u64, String> {
    try_batch_cycles(imp, op, calls, size, 0)
}

/// [`try_bench_cycles`] of `calls` batches of `batch` calls (0: single calls).
pub fn try_batch_cycles(
    imp: Impl,
    op: u8,
    calls: u32,
    size: u32,
    batch: u8,
) -> Result<u64, String> {
    let tx = batch_bench_tx(
        binary(imp.client),
        binary(imp.server),
        op,
        calls,
        size,
        batch,
    );
    let label = bench_label(imp, op, calls, size);
    let label = match batch {
        0 => label,
        k => format!("{label}-batch-{k}"),
    };
    tx.run(&label).map(|o| o.cycles).map_err(String::from)
}

/// Cycles per call in batches of `batch`: (`calls` batches - 0) / (`calls` x `batch`).
pub fn per_batched_call(
    imp: Impl,
    op: u8,
    size: u32,
    calls: u32,
    batch: u8,
) -> Result<u64, String> {
    let per_batch = per_call_cycles(calls, |n| try_batch_cycles(imp, op, n, size, batch))?;
    Ok(per_batch / u64::from(batch.max(1)))
}

/// The batch scenarios `make bench` measures: (name, op, payload size, batch size).
pub const BATCH_SCENARIOS: &[(&str, u8, u32, u8)] = &[
    ("add(u64, u64) batch of 1", test_proto::op::ADD, 0, 1),
    ("add(u64, u64) batch of 4", test_proto::op::ADD, 0, 4),
    ("add(u64, u64) batch of 16", test_proto::op::ADD, 0, 16),
    ("add(u64, u64) batch of 64", test_proto::op::ADD, 0, 64),
    ("echo 32 B batch of 1", test_proto::op::ECHO, 32, 1),
    ("echo 32 B batch of 4", test_proto::op::ECHO, 32, 4),
    ("echo 32 B batch of 16", test_proto::op::ECHO, 32, 16),
    ("echo 32 B batch of 64", test_proto::op::ECHO, 32, 64),
];

/// Whether `scenario` is one of [`BATCH_SCENARIOS`].
pub fn is_batch(scenario: &str) -> bool {
    BATCH_SCENARIOS.iter().any(|s| s.0 == scenario)
}

/// The batch clients: the in-place level's (raw, no heap) against inplace-server, the typed
/// one against typed-server. Contracts of their own, so the single-call clients run the code
/// they ran before batches; named as the single-call implementations of the same level.
pub const BATCH_IMPLS: [Impl; 2] = [
    Impl {
        client: "inplace-batch-client",
        ..INPLACE
    },
    Impl {
        client: "typed-batch-client",
        ..TYPED
    },
];

/// Measures [`BATCH_IMPLS`] on [`BATCH_SCENARIOS`], `calls` batches each.
pub fn measure_batches(calls: u32) -> Vec<Measured> {
    let mut out = Vec::new();
    for &(scenario, op, size, batch) in BATCH_SCENARIOS {
        for imp in BATCH_IMPLS {
            out.push(Measured {
                scenario,
                size: Some(u32::from(batch)),
                imp,
                cycles: per_batched_call(imp, op, size, calls, batch),
            });
        }
    }
    out
}

/// Cycles per call: (`calls` calls - 0 calls) / `calls`, same binaries and transaction shape.
pub fn per_call(imp: Impl, op: u8, size: u32, calls: u32) -> Result<u64, String> {
    per_call_cycles(calls, |n| try_bench_cycles(imp, op, n, size))
}

/// Cycles of spawning the implementation's server (with its pipes) and hanging up: the client
/// that spawns minus the same client stopping just before the spawn.
pub fn spawn_cycles(imp: Impl) -> Result<u64, String> {
    use test_proto::op;
    Ok(try_bench_cycles(imp, op::ADD, 0, 0)? - try_bench_cycles(imp, op::NOOP, 0, 0)?)
}

/// `ckb_ipc::spawn_server` against a bare `spawn` syscall (each with its two pipes) of the same
/// server binary, `owned-server`: `(through ckb-ipc, through raw syscalls)`.
pub fn spawn_server_overhead() -> (u64, u64) {
    let raw = Impl {
        name: "raw spawn of owned-server",
        client: "floor-client",
        server: "owned-server",
    };
    let ours = spawn_cycles(OWNED).unwrap_or_else(|e| panic!("{e}"));
    (ours, spawn_cycles(raw).unwrap_or_else(|e| panic!("{e}")))
}

/// The call scenarios: (name, op, payload size).
pub const SCENARIOS: &[(&str, u8, u32)] = &[
    ("add(u64, u64)", test_proto::op::ADD, 0),
    ("echo 0 B", test_proto::op::ECHO, 0),
    ("echo 32 B", test_proto::op::ECHO, 32),
    ("echo 1 KiB", test_proto::op::ECHO, 1024),
    ("echo 16 KiB", test_proto::op::ECHO, 16 * 1024),
    ("echo 64 KiB", test_proto::op::ECHO, 64 * 1024),
    ("echo 256 KiB", test_proto::op::ECHO, 256 * 1024),
];

/// One measurement; `cycles` keeps the failure when an implementation cannot do it.
#[derive(Debug, Clone)]
pub struct Measured {
    pub scenario: &'static str,
    /// Echo payload size, for the chart.
    pub size: Option<u32>,
    pub imp: Impl,
    pub cycles: Result<u64, String>,
}

/// Measures `impls` on spawning and on `scenarios`, `calls` calls each.
pub fn measure(impls: &[Impl], scenarios: &[(&'static str, u8, u32)], calls: u32) -> Vec<Measured> {
    let mut out = Vec::new();
    for &imp in impls {
        let cycles = spawn_cycles(imp);
        out.push(Measured {
            scenario: "spawn alone",
            size: None,
            imp,
            cycles,
        });
    }
    for &(scenario, op, size) in scenarios {
        let size_of = (op == test_proto::op::ECHO).then_some(size);
        for &imp in impls {
            let cycles = per_call(imp, op, size, calls);
            out.push(Measured {
                scenario,
                size: size_of,
                imp,
                cycles,
            });
        }
    }
    out
}

/// A short cause for a failed transaction.
pub fn failure(error: &str) -> String {
    if let Some(code) = ckb_ipc_testtool::exit_code(error) {
        format!("script exit code {code}")
    } else if error.contains("MemOutOf") || error.contains("OutOfBound") {
        "out of VM memory".into()
    } else {
        "VM error".into()
    }
}

fn ratio(a: u64, b: Option<u64>) -> String {
    match b {
        Some(b) if b > 0 => format!("{:.3}x", a as f64 / b as f64),
        _ => "-".into(),
    }
}

/// The cycles of `imp` in `scenario` among `rows`, if it ran there.
pub fn cycles_of(rows: &[Measured], scenario: &str, imp: Impl) -> Option<u64> {
    rows.iter()
        .find(|r| r.scenario == scenario && r.imp == imp)
        .and_then(|r| r.cycles.clone().ok())
}

/// A markdown table of `rows`: cycles per call (per spawn on the first rows) and the ratio to
/// the floor and to ckb-script-ipc-common in the same scenario.
pub fn markdown_table(rows: &[Measured]) -> String {
    let mut out = String::from(
        "| scenario | implementation | cycles | vs floor | vs ckb-script-ipc-common |\n",
    );
    out.push_str("|---|---|---:|---:|---:|\n");
    for r in rows {
        let (cycles, to_floor, to_theirs) = match &r.cycles {
            Ok(c) => (
                c.to_string(),
                ratio(*c, cycles_of(rows, r.scenario, FLOOR)),
                ratio(*c, cycles_of(rows, r.scenario, SCRIPT_IPC)),
            ),
            Err(e) => (format!("fails ({})", failure(e)), "-".into(), "-".into()),
        };
        out.push_str(&format!(
            "| {} | {} | {cycles} | {to_floor} | {to_theirs} |\n",
            r.scenario, r.imp.name
        ));
    }
    out
}

pub mod heap;
pub mod readme;
pub mod report;

#[cfg(test)]
mod scenarios;

#[cfg(test)]
mod adversarial;

#[cfg(test)]
mod limits;

#[cfg(test)]
mod inplace;

#[cfg(test)]
mod golden;

#[cfg(test)]
mod compat;

pub mod js;

#[cfg(test)]
mod jsvm;

#[cfg(test)]
mod service;

#[cfg(test)]
mod batch;
