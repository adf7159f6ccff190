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

/// `owned-client` spawns ckb-js-vm running `server`, calls it, hangs up and checks that the
/// server exits with `exit_code`.
fn rust_client_js_server(server: &str, exit_code: i8) -> Result<Outcome, String> {
    let tx = Tx::with_cells(
        vec![binary("owned-client"), ckb_js_vm(), js(server)],
        |ctx, deps| {
            let vm = code_hash(ctx, &deps[1], ScriptHashType::Data2);
            let mut target = code_hash(ctx, &deps[2], ScriptHashType::Data2).to_vec();
            target.push(ScriptHashType::Data2 as u8);
            target.push(exit_code as u8);
            client_args(scenario::JS_SERVER, 1, vm, ScriptHashType::Data2, &target)
        },
    );
    tx.run(&format!("rust-client-{server}-exit-{exit_code}"))
        .map_err(|e| e.to_string())
}

#[test]
fn the_rust_client_calls_a_js_server() {
    let out = rust_client_js_server("server.js", 0).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.messages
            .iter()
            .any(|m| m.contains("js server: client closed the channel")),
        "{:?}",
        out.messages
    );
}

/// A server written the normal way with the published package (its stand-in,
/// tests/js/src/published-ipc.ts) serves every call, then throws when the client hangs up:
/// ckb-js-vm exits -7, which is what a Rust client's `wait` returns.
#[test]
fn a_published_package_server_exits_minus_7_at_hang_up() {
    let out = rust_client_js_server("published-server.js", -7).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !out
            .messages
            .iter()
            .any(|m| m.contains("js server: runServer returned")),
        "{:?}",
        out.messages
    );
    // The check can fail: expecting 0 from it is a failed transaction (the client's check 122).
    let err = rust_client_js_server("published-server.js", 0).expect_err("exit 0 expected");
    assert!(err.contains("122"), "{err}");
}
