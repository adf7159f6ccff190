//! The JavaScript peers of `tests/js` (bundled by `make js`) in ckb-js-vm, the binary shipped
//! in the npm package ckb-testtool 1.0.5, and `make bench`'s JavaScript rows: cycles per call
//! of the generated typed client and of raw calls, over the lean transport `tests/js/src/ipc.ts`
//! and over the published package's framing.

use std::path::PathBuf;

use crate::{binary, code_hash, per_call_cycles, Bytes, ScriptHashType, Tx, TxByName};

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

/// What a row of `make bench`'s JavaScript block measures.
#[derive(Clone, Copy)]
pub struct JsCall {
    /// The row's name.
    pub name: &'static str,
    /// The bundle of `tests/js/src/bench-calls.ts` (`dist/...`).
    pub bundle: &'static str,
    /// 0: the generated client against typed-server; 1: raw packets against owned-server.
    pub mode: u8,
    /// 0: add, 1: echo of `size` bytes.
    pub op: u8,
    pub size: u32,
}

impl JsCall {
    fn server(&self) -> &'static str {
        match self.mode {
            0 => "typed-server",
            _ => "owned-server",
        }
    }

    /// Cycles of the transaction making `calls` calls.
    pub fn cycles(&self, calls: u32) -> Result<u64, String> {
        let tx = Tx::with_cells(
            vec![ckb_js_vm(), js(self.bundle), binary(self.server())],
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
        let label = format!("js-bench-{}-{}-{}-{calls}", self.bundle, self.mode, self.op);
        tx.run(&label.replace('/', "-"))
            .map(|o| o.cycles)
            .map_err(String::from)
    }

    /// Cycles per call: (`calls` calls - 0 calls) / `calls`.
    pub fn per_call(&self, calls: u32) -> Result<u64, String> {
        per_call_cycles(calls, |n| self.cycles(n))
    }
}

/// Calls per row of the JavaScript block.
pub const JS_CALLS: u32 = 4;

/// The rows of the JavaScript block, per call.
pub const JS_ROWS: &[JsCall] = &[
    JsCall {
        name: "add: generated BenchClient, lean transport",
        bundle: "bench-calls.js",
        mode: 0,
        op: 0,
        size: 0,
    },
    JsCall {
        name: "add: raw packets, lean transport",
        bundle: "bench-calls.js",
        mode: 1,
        op: 0,
        size: 0,
    },
    JsCall {
        name: "echo 1 KiB: generated BenchClient, lean transport",
        bundle: "bench-calls.js",
        mode: 0,
        op: 1,
        size: 1024,
    },
    JsCall {
        name: "echo 1 KiB: raw packets, lean transport",
        bundle: "bench-calls.js",
        mode: 1,
        op: 1,
        size: 1024,
    },
];
