//! `ckb-ipc gen ts`: the modules in tests/js/gen are what it writes today from the servers'
//! descriptions (build/release or $CONTRACTS_DIR), and what it refuses.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing
)] // test helpers

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use ckb_ipc_testtool::Contracts;

/// The generated modules the JavaScript tests bundle, and the servers they describe.
const GENERATED: &[(&str, &str)] = &[
    ("kv-server", "key-value.ts"),
    ("typed-server", "bench.ts"),
    ("every-server", "every.ts"),
];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn contract(name: &str) -> PathBuf {
    let contracts = Contracts::find().unwrap_or_else(|e| panic!("{e} (run `make build` first)"));
    contracts.dir.join(name)
}

fn gen(args: &[&Path]) -> Output {
    Command::cargo_bin("ckb-ipc")
        .unwrap()
        .args(["gen", "ts"])
        .args(args)
        .output()
        .unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ckb-ipc-gen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_committed_modules_are_what_gen_writes() {
    let dir = temp("fresh");
    let committed =
        |file: &str| std::fs::read_to_string(repo().join("tests/js/gen").join(file)).unwrap();
    let runtime = "ckb-ipc-runtime.ts";
    for (server, file) in GENERATED {
        // From the server binary (its .json beside it, checked against it) into a directory:
        // the module and the runtime it imports.
        let out = gen(&[
            &contract(server),
            Path::new("-o"),
            &dir,
            Path::new("--transport"),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        for f in [*file, runtime, "ckb-ipc-transport.ts"] {
            let written = std::fs::read_to_string(dir.join(f)).unwrap();
            assert!(
                written == committed(f),
                "tests/js/gen/{f} is not what `ckb-ipc gen ts build/release/{server} -o tests/js/gen` \
                 writes: run it (make js does not)"
            );
        }
        // From the description itself, to standard output: one module with the runtime inside
        // (nothing imported from the runtime's file), the same service code.
        let mut json = contract(server).into_os_string();
        json.push(".json");
        let out = gen(&[Path::new(&json)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let alone = text(&out.stdout);
        assert!(!alone.contains("./ckb-ipc-runtime"), "{file}");
        assert!(
            alone.contains("export class DecodeError extends Error"),
            "{file}"
        );
        let body = |t: &str| t[t.find("// ---- The service's types ----").unwrap()..].to_owned();
        assert_eq!(body(&alone), body(&committed(file)), "{file}");
    }
    // A hand-written description (arrays of fixed-size items, which no Rust type makes).
    let json = repo().join("tests/js/gen/arrays.json");
    let out = gen(&[&json, Path::new("-o"), &dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        std::fs::read_to_string(dir.join("arrays.ts")).unwrap() == committed("arrays.ts"),
        "tests/js/gen/arrays.ts is not what `ckb-ipc gen ts tests/js/gen/arrays.json -o tests/js/gen` writes"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // The README's command for them.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains("`ckb-ipc gen ts build/release/kv-server -o tests/js/gen --transport`"));
}

#[test]
fn the_module_follows_the_description() {
    let json = std::fs::read_to_string(contract("kv-server.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let out = gen(&[&contract("kv-server")]);
    let ts = text(&out.stdout);
    // Every method's id, in the client's request and the handler's dispatch.
    for m in doc["services"][0]["methods"].as_array().unwrap() {
        let (name, id) = (m["name"].as_str().unwrap(), m["id"].as_u64().unwrap());
        assert!(ts.contains(&format!("  {name}: {id},\n")), "{name}");
        assert!(ts.contains(&format!(", {id}));\n")), "{name}'s request");
        assert!(
            ts.contains(&format!("      case {id}: {{\n")),
            "{name}'s dispatch"
        );
    }
    // An encoder and a decoder for each of its types, and no others.
    let types = doc["services"][0]["types"].as_array().unwrap();
    for t in types {
        let name = t["name"].as_str().unwrap();
        assert!(
            ts.contains(&format!("export function encode{name}(v: {name})")),
            "{name}"
        );
        assert!(
            ts.contains(&format!("export function decode{name}(b: Uint8Array)")),
            "{name}"
        );
    }
    assert_eq!(ts.matches("export function encode").count(), types.len());
    assert!(ts.contains(
        "export type Change = { Put: ChangePut } | { Remove: ChangeRemove } | \"Clear\";"
    ));
    assert!(ts.contains("import { RequestPacket, ResponsePacket } from \"@ckb-js-std/ipc\";"));
}

/// A description of one service with these types and methods (JSON text).
fn description(types: &str, methods: &str) -> String {
    format!(
        r#"{{"format": "ckb-ipc-description", "version": 1, "services": [{{"name": "S", "codec": "molecule",
        "methods": [{methods}], "types": [{types}]}}]}}"#
    )
}

#[test]
fn what_gen_refuses_or_renames() {
    let dir = temp("refuse");
    let file = dir.join("s.json");
    let run = |doc: &str| {
        std::fs::write(&file, doc).unwrap();
        gen(&[&file])
    };
    // A type that takes a name the module declares.
    let out = run(&description(
        r#"{"name": "CallError", "kind": "array", "item": "byte", "length": 1}"#,
        r#"{"name": "m", "id": 1, "args": [{"name": "x", "type": "CallError"}], "payload": "CallError", "returns": "()"}"#,
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("type CallError: the generated module declares that name"),
        "{}",
        text(&out.stderr)
    );
    // A type that contains itself (a description Rust cannot write).
    let out = run(&description(
        r#"{"name": "Node", "kind": "table", "fields": [{"name": "kids", "type": "Nodes"}]},
           {"name": "Nodes", "kind": "dynvec", "item": "Node"}"#,
        r#"{"name": "m", "id": 1, "args": [{"name": "n", "type": "Node"}], "payload": "Node", "returns": "()"}"#,
    ));
    assert!(
        text(&out.stderr).contains("type Node contains itself (Node -> Nodes -> Node)"),
        "{}",
        text(&out.stderr)
    );
    // A method named as a member of the client class.
    let out = run(&description(
        "",
        r#"{"name": "channel", "id": 1, "args": [], "payload": "()", "returns": "()"}"#,
    ));
    assert!(
        text(&out.stderr).contains("method channel: the generated client class has a member"),
        "{}",
        text(&out.stderr)
    );
    // `batch` is the client's too, and the ids of batches and discovery are not a method's.
    let out = run(&description(
        "",
        r#"{"name": "batch", "id": 1, "args": [], "payload": "()", "returns": "()"}"#,
    ));
    assert!(
        text(&out.stderr).contains("method batch: the generated client class has a member"),
        "{}",
        text(&out.stderr)
    );
    for id in [0x7fff_fff0u32, 0x7fff_fffe, 0x7fff_ffff] {
        let out = run(&description(
            "",
            &format!(
                r#"{{"name": "m", "id": {id}, "args": [], "payload": "()", "returns": "()"}}"#
            ),
        ));
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains(&format!("method m: id {id:#x} is in the reserved range")),
            "{}",
            text(&out.stderr)
        );
    }
    // An argument named as a JavaScript reserved word gets a `_`.
    let out = run(&description(
        r#"{"name": "Bytes", "kind": "fixvec", "item": "byte", "json": "hex"}"#,
        r#"{"name": "m", "id": 1, "args": [{"name": "new", "type": "Bytes"}], "payload": "Bytes", "returns": "()"}"#,
    ));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("  m(new_: Bytes): void {\n"));
    // A description the reader refuses is refused here too.
    let out = run(&description(
        "",
        r#"{"name": "m", "id": 1, "args": [], "payload": "Nope", "returns": "()"}"#,
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("\"Nope\" is not declared"),
        "{}",
        text(&out.stderr)
    );
    // Two services want a directory.
    let two = r#"{"format": "ckb-ipc-description", "version": 1, "services": [
        {"name": "A", "codec": "molecule", "methods": [], "types": []},
        {"name": "B", "codec": "molecule", "methods": [], "types": []}]}"#;
    let out = run(two);
    assert!(
        text(&out.stderr).contains("2 services: give a directory with -o"),
        "{}",
        text(&out.stderr)
    );
    let out = gen(&[&file, Path::new("-o"), &dir.join("out")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join("out/a.ts").is_file() && dir.join("out/b.ts").is_file());
    // A binary without its description.
    let bare = dir.join("server");
    std::fs::write(&bare, b"\x7fELF").unwrap();
    let out = gen(&[&bare]);
    assert!(
        text(&out.stderr).contains("server.json beside it"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
