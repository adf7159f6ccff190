//! `ckb-ipc` hosting ckb-js-vm (the binary of the npm package ckb-testtool) running a
//! JavaScript server bundle from `tests/js` (`make js`), with the command lines of the README,
//! run from the repository's root.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing
)] // test helpers

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

const VM: &str = "tests/js/node_modules/ckb-testtool/src/unittest/defaultScript/ckb-js-vm";
const ADD_40_2: &str = "0x28000000000000000200000000000000";

fn repo() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    for f in [
        VM,
        "tests/js/dist/server.js",
        "tests/js/dist/client.js",
        "tests/js/dist/bench-server.js",
    ] {
        assert!(repo.join(f).exists(), "{f}: run `make js` first");
    }
    repo
}

/// Runs `ckb-ipc` from the repository's root with its own socket directory.
fn run(sockets: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("ckb-ipc")
        .unwrap()
        .current_dir(repo())
        .env("CKB_IPC_DIR", sockets)
        .timeout(Duration::from_secs(60))
        .args(args)
        .output()
        .unwrap()
}

fn sockets(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ckb-ipc-jsvm-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn call_a_js_server() {
    let dir = sockets("call");
    // The README's line.
    let out = run(
        &dir,
        &[
            "call",
            VM,
            "--dep",
            "tests/js/dist/server.js",
            "--js",
            "--method",
            "2",
            ADD_40_2,
        ],
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
    // server.js says so when the host hangs up, and exits 0 (no "server exited with code").
    assert!(
        err.contains("[script] js server: client closed the channel"),
        "{err}"
    );
    assert!(err.contains("cycles "), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn call_a_generated_ts_server_by_name() {
    let dir = sockets("by-name");
    // The README's line: bench-server.js is discoverable (the generated `Discoverable`), so the
    // tool finds its methods by asking it.
    let out = run(
        &dir,
        &[
            "call",
            VM,
            "--dep",
            "tests/js/dist/bench-server.js",
            "--js",
            "add",
            "40",
            "2",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "42\n");
    let out = run(
        &dir,
        &[
            "methods",
            VM,
            "--dep",
            "tests/js/dist/bench-server.js",
            "--js",
        ],
    );
    assert!(
        text(&out.stdout).starts_with("add(a: Uint64, b: Uint64) -> Uint64   id 0x2732f940"),
        "{}",
        text(&out.stdout)
    );
    let out = run(
        &dir,
        &[
            "call",
            VM,
            "--dep",
            "tests/js/dist/bench-server.js",
            "--js",
            "echo",
            "\"0x0102\"",
        ],
    );
    assert_eq!(text(&out.stdout), "\"0x0102\"\n", "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_js_server_session() {
    let dir = sockets("session");
    let out = run(
        &dir,
        &[
            "init",
            "--idle-timeout",
            "20",
            "--dep",
            "tests/js/dist/server.js",
            "--js",
            VM,
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout).trim_end().to_string();
    let out = run(&dir, &["exec", &s, "--method", "2", ADD_40_2]);
    assert_eq!(
        text(&out.stdout),
        "0x2a00000000000000\n",
        "{}",
        text(&out.stderr)
    );
    let out = run(&dir, &["exec", &s, "--method", "1", "0x68656c6c6f"]);
    assert_eq!(text(&out.stdout), "0x68656c6c6f\n", "{}", text(&out.stderr));
    let out = run(&dir, &["exec", &s, "--method", "3", "0xadde000000000000"]);
    assert_eq!(text(&out.stderr), "error 57005\n");
    let out = run(&dir, &["terminate", &s]);
    assert_eq!(text(&out.stdout).lines().next(), Some("exit code 0"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_init_shows_the_scripts_last_lines() {
    let dir = sockets("failed-init");
    // client.js without a server to spawn throws, and ckb-js-vm exits -7.
    let out = run(
        &dir,
        &["init", "--dep", "tests/js/dist/client.js", "--js", VM],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    let thrown = lines
        .iter()
        .position(|l| *l == "[script] TypeError: invalid code_hash format")
        .unwrap_or_else(|| panic!("the script's error is missing:\n{err}"));
    assert!(
        lines.len() - thrown <= 21,
        "at most 20 lines of output:\n{err}"
    );
    assert_eq!(
        lines.last().copied(),
        Some(&*format!(
            "ckb-ipc: {VM} did not start: server exited with code -7 during init"
        )),
        "{err}"
    );
    // Shown, then removed with the socket.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let _ = std::fs::remove_dir_all(&dir);

    // Without --js ckb-js-vm finds no JavaScript: its own lines say why, too.
    let out = run(
        &dir,
        &[
            "call",
            "--dep",
            "tests/js/dist/server.js",
            VM,
            "--method",
            "1",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("[script] checking failed on src/qjs.c"),
        "{err}"
    );
    assert!(
        err.contains("server exited with code -12 during init"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
