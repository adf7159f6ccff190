//! ckb-js-vm both ways: a JavaScript client (ckb-js-vm as the root script) calling the Rust
//! `owned-server`, and the Rust `owned-client` calling a JavaScript server that it spawns with
//! ckb-js-vm's `-t` argv. The JS peers are `tests/js/src/{client,server}.ts` on the IPC module
//! `tests/js/src/ipc.ts`, bundled by `make js`; ckb-js-vm is the binary shipped in the npm
//! package ckb-testtool 1.0.5.

use super::*;
use test_proto::scenario;

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

fn read(path: PathBuf) -> Bytes {
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run `make js` first", path.display()))
        .into()
}

fn ckb_js_vm() -> Bytes {
    read(js_dir().join("node_modules/ckb-testtool/src/unittest/defaultScript/ckb-js-vm"))
}

fn js(name: &str) -> Bytes {
    read(js_dir().join("dist").join(name))
}

#[test]
fn a_js_client_calls_the_rust_server() {
    // Root: ckb-js-vm running client.js (args: flags, JS cell data hash, hash type, then the
    // Rust server's data hash for the client to spawn).
    let tx = Tx::with_cells(
        vec![ckb_js_vm(), js("client.js"), binary("owned-server")],
        |ctx, deps| {
            let mut args = vec![0u8, 0];
            args.extend_from_slice(&code_hash(ctx, &deps[1], ScriptHashType::Data2));
            args.push(ScriptHashType::Data2 as u8);
            args.extend_from_slice(&code_hash(ctx, &deps[2], ScriptHashType::Data2));
            args
        },
    );
    let out = tx
        .run("js-client-rust-server")
        .unwrap_or_else(|e| panic!("{e}"));
    let text = out.messages.join("\n");
    for expected in [
        "echo 200 bytes -> code 0, 200 bytes",
        "add(40, 2) -> code 0, 42",
        "fail(0xdead) -> code dead",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// `owned-client` in `scenario`, spawning ckb-js-vm (by its data hash) on the JS server's cell
/// (its data hash and hash type in the params).
fn js_server_tx(scenario: u8) -> Tx {
    Tx::with_cells(
        vec![binary("owned-client"), ckb_js_vm(), js("server.js")],
        |ctx, deps| {
            let vm = code_hash(ctx, &deps[1], ScriptHashType::Data2);
            let mut target = code_hash(ctx, &deps[2], ScriptHashType::Data2).to_vec();
            target.push(ScriptHashType::Data2 as u8);
            client_args(scenario, 1, vm, ScriptHashType::Data2, &target)
        },
    )
}

#[test]
fn the_rust_client_calls_a_js_server() {
    let out = js_server_tx(scenario::JS_SERVER)
        .run("rust-client-js-server")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.messages
            .iter()
            .any(|m| m.contains("js server: client closed the channel")),
        "{:?}",
        out.messages
    );
}

/// A batch to the JavaScript server (`docs/compatibility.md`): it reads the batch as one request
/// of an unknown method (0x7ffffffe fits its 32-bit VLQ) and answers its unknown-method code,
/// then serves the next call.
#[test]
fn a_js_server_refuses_a_batch_as_an_unknown_method() {
    let tx = js_server_tx(test_proto::batch::SCENARIO);
    let out = tx
        .run("rust-batch-js-server")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.line("batch: "), "BatchRefused(1000); then add = 3");
}
