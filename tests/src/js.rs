//! The JavaScript peers of `tests/js` (bundled by `make js`) in ckb-js-vm, the binary shipped
//! in the npm package ckb-testtool 1.0.5, and `make bench`'s JavaScript rows: cycles per call
//! of the generated typed client and of raw calls, over the lean transport `tests/js/gen/ckb-ipc-transport.ts`
//! and over the published package's framing.

use std::path::PathBuf;

use ckb_testtool::context::Context;

use crate::{
    binary, code_hash, per_call_cycles, Bytes, OutPoint, Outcome, ScriptHashType, Tx, TxByName,
};

/// `tests/js`.
pub fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

fn read(path: PathBuf) -> Bytes {
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `make js` first", path.display()))
        .into()
}

/// The ckb-js-vm binary.
pub fn ckb_js_vm() -> Bytes {
    read(js_dir().join("node_modules/ckb-testtool/src/unittest/defaultScript/ckb-js-vm"))
}

/// A bundle of `tests/js/dist` (`published/<name>` for one built against the published
/// package's stand-in).
pub fn js(name: &str) -> Bytes {
    read(js_dir().join("dist").join(name))
}

/// Script args of a ckb-js-vm root script at cell dep 1 (flags, its data hash, hash type), then
/// the data hashes of the cells after it.
pub fn js_root_args(ctx: &mut Context, deps: &[OutPoint]) -> Vec<u8> {
    let mut args = vec![0u8, 0];
    for (i, dep) in deps.iter().enumerate().skip(1) {
        args.extend_from_slice(&code_hash(ctx, dep, ScriptHashType::Data2));
        if i == 1 {
            args.push(ScriptHashType::Data2 as u8);
        }
    }
    args
}

/// Runs the ckb-js-vm root script `bundle` (of `tests/js/dist`) with the Rust `servers` as
/// the cell deps after it.
pub fn run_js_root(bundle: &str, servers: &[&str]) -> Result<Outcome, String> {
    let mut cells = vec![ckb_js_vm(), js(bundle)];
    cells.extend(servers.iter().map(|s| binary(s)));
    let tx = Tx::with_cells(cells, js_root_args);
    tx.run(&format!("js-root-{}", bundle.replace('/', "-")))
        .map_err(|e| format!("{bundle}: {e}"))
}

/// The README's JavaScript example, which calls kv-server.
pub const KV_EXAMPLE: &str = "kv-example.js";

/// The README's block `js`: what the example costs, and the JavaScript rows in brief.
pub fn readme_js_block(rows: &[JsMeasured]) -> Result<String, String> {
    let example = run_js_root(KV_EXAMPLE, &["kv-server"])?.cycles;
    let (Some(typed), Some(raw)) = (rows.first(), rows.get(1)) else {
        return Err("no JavaScript rows".into());
    };
    Ok(format!(
        "The transaction of `kv-example.ts` above verifies in {example} cycles (ckb-js-vm \
         starting, kv-server's spawn and five calls). Per call, a generated typed add costs {} cycles over the lean transport and \
         {} over the published package; a raw add framed as the published package frames costs \
         {} ([docs/benchmarks.md](docs/benchmarks.md), `make bench`).\n",
        typed.lean, typed.published, raw.published
    ))
}

/// What a row of `make bench`'s JavaScript block measures: `tests/js/src/bench-calls.ts`.
#[derive(Clone, Copy)]
pub struct JsCall {
    /// The row's name.
    pub name: &'static str,
    /// 0: the generated `BenchClient` against typed-server; 1: raw packets against owned-server;
    /// 2: the generated `BenchClient`'s batches of [`JS_BATCH`] adds against typed-server.
    pub mode: u8,
    /// 0: add, 1: echo of `size` bytes.
    pub op: u8,
    pub size: u32,
}

/// The bundles of bench-calls.ts: over the lean transport, and over the published package's
/// stand-in (its framing: a header read byte by byte).
pub const LEAN: &str = "bench-calls.js";
pub const PUBLISHED: &str = "published/bench-calls.js";

impl JsCall {
    fn server(&self) -> &'static str {
        match self.mode {
            0 | 2 => "typed-server",
            _ => "owned-server",
        }
    }

    /// The calls a row measures: [`JS_CALLS`], or two batches of [`JS_BATCH`].
    pub fn calls(&self) -> u32 {
        match self.mode {
            2 => 2 * JS_BATCH,
            _ => JS_CALLS,
        }
    }

    /// Cycles of the transaction making `calls` calls with `bundle`.
    pub fn cycles(&self, bundle: &str, calls: u32) -> Result<u64, String> {
        let tx = Tx::with_cells(
            vec![ckb_js_vm(), js(bundle), binary(self.server())],
            |ctx, deps| {
                let mut args = vec![0u8, 0];
                args.extend_from_slice(&code_hash(ctx, &deps[1], ScriptHashType::Data2));
                args.push(ScriptHashType::Data2 as u8);
                args.extend_from_slice(&[self.mode, self.op]);
                args.extend_from_slice(&calls.to_le_bytes());
                args.extend_from_slice(&self.size.to_le_bytes());
                args.extend_from_slice(&code_hash(ctx, &deps[2], ScriptHashType::Data2));
                args
            },
        );
        let label = format!("js-bench-{bundle}-{}-{}-{calls}", self.mode, self.op);
        tx.run(&label.replace('/', "-"))
            .map(|o| o.cycles)
            .map_err(String::from)
    }

    /// Cycles per call with `bundle`: (`calls` calls - 0 calls) / `calls`.
    pub fn per_call(&self, bundle: &str, calls: u32) -> Result<u64, String> {
        per_call_cycles(calls, |n| self.cycles(bundle, n))
    }
}

/// Calls per row of the JavaScript block.
pub const JS_CALLS: u32 = 4;

/// Calls per batch of the batch row (`BATCH` of tests/js/src/bench-calls.ts).
pub const JS_BATCH: u32 = 16;

/// The rows of the JavaScript block: a typed add first, the raw add second (their ratio is
/// the block's last line).
pub const JS_ROWS: &[JsCall] = &[
    JsCall {
        name: "add(u64, u64): generated `BenchClient` -> typed-server",
        mode: 0,
        op: 0,
        size: 0,
    },
    JsCall {
        name: "add(u64, u64): raw `RequestPacket` -> owned-server",
        mode: 1,
        op: 0,
        size: 0,
    },
    JsCall {
        name: "echo 1 KiB: generated `BenchClient` -> typed-server",
        mode: 0,
        op: 1,
        size: 1024,
    },
    JsCall {
        name: "echo 1 KiB: raw `RequestPacket` -> owned-server",
        mode: 1,
        op: 1,
        size: 1024,
    },
    JsCall {
        name: "add(u64, u64) in batches of 16: generated `BenchClient.batch` -> typed-server",
        mode: 2,
        op: 0,
        size: 0,
    },
];

/// A row's cycles per call: over the lean transport and over the published package's framing.
pub struct JsMeasured {
    pub call: JsCall,
    pub lean: u64,
    pub published: u64,
}

/// Measures [`JS_ROWS`].
pub fn js_rows() -> Result<Vec<JsMeasured>, String> {
    JS_ROWS
        .iter()
        .map(|&call| {
            Ok(JsMeasured {
                call,
                lean: call.per_call(LEAN, call.calls())?,
                published: call.per_call(PUBLISHED, call.calls())?,
            })
        })
        .collect()
}

/// The generated typed add over the lean transport against the raw add framed as the
/// published package frames (the goal: at most 0.6).
pub fn typed_to_published_raw(rows: &[JsMeasured]) -> Option<f64> {
    let typed = rows.first()?.lean;
    let raw = rows.get(1)?.published;
    Some(typed as f64 / raw.max(1) as f64)
}

/// The content of docs/benchmarks.md's block `js`.
pub fn js_block(rows: &[JsMeasured]) -> String {
    let mut out = String::from(
        "| call (ckb-js-vm client -> Rust server) | lean transport | published package's framing |\n\
         |---|---:|---:|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            r.call.name, r.lean, r.published
        ));
    }
    if let Some(ratio) = typed_to_published_raw(rows) {
        out.push_str(&format!(
            "\nThe generated typed add over the lean transport costs {ratio:.3}x the raw add \
             framed as the published package frames.\n"
        ));
    }
    out
}
