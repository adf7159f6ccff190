//! The real contracts (build/release, or $CONTRACTS_DIR) hosted in the CKB scheduler.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing
)] // test helpers

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ckb_ipc::{Payload, RequestPacket};
use ckb_ipc_host::{HostError, HostOptions, ScriptHost, ScriptSelector, TxContext};
use ckb_ipc_testtool::Contracts;
use ckb_types::bytes::Bytes;
use test_proto::{error, method};

fn contract(name: &str) -> Bytes {
    Contracts::find()
        .and_then(|c| c.load(name))
        .unwrap_or_else(|e| panic!("{e} (run `make build` first)"))
}

fn host(name: &str) -> ScriptHost {
    host_with(name, HostOptions::default())
}

fn host_with(name: &str, options: HostOptions) -> ScriptHost {
    ScriptHost::new(
        TxContext::minimal(contract(name), Bytes::new()),
        vec![],
        options,
    )
    .unwrap()
}

fn add_args(a: u64, b: u64) -> Payload {
    let mut p = Payload::new();
    p.extend_from_slice(&a.to_le_bytes());
    p.extend_from_slice(&b.to_le_bytes());
    p
}

#[test]
fn add_echo_and_error_code_then_clean_exit() {
    let mut h = host("owned-server");
    let (resp, cycles) = h
        .call(&RequestPacket::new(method::ADD, add_args(40, 2)))
        .unwrap();
    assert_eq!(resp.error_code(), 0);
    assert_eq!(resp.payload(), 42u64.to_le_bytes());
    assert!(cycles > 0);

    let big: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
    let (resp, _) = h
        .call(&RequestPacket::new(method::ECHO, big.clone()))
        .unwrap();
    assert_eq!(resp.payload(), &big[..]);
    let (resp, _) = h
        .call(&RequestPacket::new(method::ECHO, Payload::new()))
        .unwrap();
    assert!(resp.payload().is_empty());

    let (resp, _) = h
        .call(&RequestPacket::new(method::FAIL, 0xdead_u64.to_le_bytes()))
        .unwrap();
    assert_eq!(resp.error_code(), 0xdead);
    let (resp, _) = h.call(&RequestPacket::new(999, Payload::new())).unwrap();
    assert_eq!(resp.error_code(), error::UNKNOWN_METHOD);

    let before = h.cycles();
    let exit = h.finish().unwrap();
    assert_eq!(exit.exit_code, 0);
    assert!(exit.cycles > before, "shutting down costs cycles too");
}

#[test]
fn cycles_of_a_call_are_deterministic() {
    let run = || {
        let mut h = host("owned-server");
        let calls: Vec<u64> = (0..3)
            .map(|i| {
                h.call(&RequestPacket::new(method::ADD, add_args(i, 1)))
                    .unwrap()
                    .1
            })
            .collect();
        (calls, h.finish().unwrap())
    };
    let (a, exit_a) = run();
    let (b, exit_b) = run();
    assert_eq!(a, b);
    assert_eq!(exit_a, exit_b);
    // The first call also pays for the script's start; later ones are the steady state and
    // cost what an on-chain round trip costs (a few thousand cycles, not a start-up).
    assert!(a[0] > a[1], "{a:?}");
    assert_eq!(a[1], a[2]);
    assert!(a[1] > 2_000 && a[1] < 20_000, "{a:?}");
}

#[test]
fn argv_reaches_the_script() {
    let mut h = ScriptHost::new(
        TxContext::minimal(contract("owned-server"), Bytes::new()),
        vec![Bytes::from_static(b"hello"), Bytes::from_static(b"world")],
        HostOptions::default(),
    )
    .unwrap();
    let (resp, _) = h
        .call(&RequestPacket::new(method::ARGV, Payload::new()))
        .unwrap();
    assert_eq!(resp.payload(), b"hello\0world\0");
    assert_eq!(h.finish().unwrap().exit_code, 0);
}

#[test]
fn nested_spawn_from_the_transaction_cell_deps() {
    // Cell dep 0 is owned-server itself, cell dep 1 a second copy of it: both spawn.
    let ctx = TxContext::minimal(contract("owned-server"), Bytes::new())
        .with_cell_dep(contract("owned-server"));
    let mut h = ScriptHost::new(ctx, vec![], HostOptions::default()).unwrap();
    for dep in [0u8, 1] {
        let mut payload = Payload::new();
        payload.push(dep);
        payload.extend_from_slice(&add_args(5, 6));
        let (resp, cycles) = h
            .call(&RequestPacket::new(method::NESTED_ADD, payload))
            .unwrap();
        assert_eq!(resp.error_code(), 0, "cell dep {dep}");
        assert_eq!(resp.payload(), 11u64.to_le_bytes());
        assert!(
            cycles > 100_000,
            "a spawn costs at least 100k cycles: {cycles}"
        );
    }
    // A cell dep that does not exist: the script's spawn fails and it says so.
    let mut payload = Payload::new();
    payload.push(7);
    payload.extend_from_slice(&add_args(5, 6));
    let (resp, _) = h
        .call(&RequestPacket::new(method::NESTED_ADD, payload))
        .unwrap();
    assert_eq!(resp.error_code(), error::NESTED_FAILED);
    assert_eq!(h.finish().unwrap().exit_code, 0);
}

#[test]
fn a_script_reads_its_transaction_from_a_mock_tx() {
    // The mock tx names floor-server as cell dep 1; the nested spawn finds it there, so the
    // script really runs against the file's transaction, not a made-up one.
    let ctx = TxContext::minimal(contract("owned-server"), Bytes::new())
        .with_cell_dep(contract("floor-server"));
    // Swap the two cells' data in the JSON: what the script spawns must follow the file.
    let mut json: serde_json::Value = serde_json::from_str(&ctx.to_mock_json().unwrap()).unwrap();
    let deps = json["mock_info"]["cell_deps"].as_array_mut().unwrap();
    let first = deps[0]["data"].take();
    deps[0]["data"] = deps[1]["data"].take();
    deps[1]["data"] = first;
    let from_file =
        TxContext::from_mock_json(&json.to_string(), ScriptSelector::default()).unwrap();
    let mut h = ScriptHost::new(from_file, vec![], HostOptions::default()).unwrap();
    let (resp, _) = h
        .call(&RequestPacket::new(method::PID, Payload::new()))
        .unwrap();
    assert_eq!(
        resp.payload(),
        0u64.to_le_bytes(),
        "the hosted script is the root VM"
    );
    let nested = |h: &mut ScriptHost, dep: u8| {
        let mut payload = Payload::new();
        payload.push(dep);
        payload.extend_from_slice(&add_args(1, 2));
        h.call(&RequestPacket::new(method::NESTED_ADD, payload))
            .unwrap()
            .0
    };
    // owned-server is now cell dep 1 (found there by its data hash), floor-server cell dep 0.
    assert_eq!(nested(&mut h, 1).payload(), 3u64.to_le_bytes());
    // floor-server speaks another framing: the nested call fails, as it would on-chain.
    assert_eq!(nested(&mut h, 0).error_code(), error::NESTED_FAILED);
    h.finish().unwrap();
}

#[test]
fn mock_tx_errors_are_context_errors() {
    let e = TxContext::from_mock_json("{not json", ScriptSelector::default())
        .err()
        .unwrap();
    assert!(
        matches!(e, HostError::Context(ref m) if m.contains("does not parse")),
        "{e}"
    );
    let json = TxContext::minimal(contract("owned-server"), Bytes::new())
        .to_mock_json()
        .unwrap();
    for (selector, want) in [
        (
            ScriptSelector {
                cell_index: 3,
                ..Default::default()
            },
            "no input 3",
        ),
        (
            ScriptSelector {
                group_type: ckb_script::ScriptGroupType::Type,
                ..Default::default()
            },
            "no type script",
        ),
    ] {
        let ctx = TxContext::from_mock_json(&json, selector).unwrap();
        let e = ScriptHost::new(ctx, vec![], HostOptions::default())
            .err()
            .unwrap();
        assert!(e.to_string().contains(want), "{e}");
    }
}

#[test]
fn call_cycle_limit_tears_the_script_down() {
    let mut h = host_with(
        "owned-server",
        HostOptions {
            call_cycles: 50_000,
            ..Default::default()
        },
    );
    // A small call fits, a 64 KiB echo (about 16k cycles each way plus the copy) does not.
    h.call(&RequestPacket::new(method::ADD, add_args(1, 1)))
        .unwrap();
    let e = h
        .call(&RequestPacket::new(method::ECHO, vec![7u8; 256 * 1024]))
        .unwrap_err();
    assert_eq!(e, HostError::CallCyclesExceeded { limit: 50_000 });
    assert_eq!(
        h.call(&RequestPacket::new(method::ADD, add_args(1, 1)))
            .unwrap_err(),
        HostError::TornDown
    );
    assert_eq!(h.finish().unwrap_err(), e);
}

#[test]
fn total_cycle_limit() {
    let mut h = host_with(
        "owned-server",
        HostOptions {
            total_cycles: 200_000,
            ..Default::default()
        },
    );
    let mut n = 0;
    let e = loop {
        match h.call(&RequestPacket::new(method::ADD, add_args(1, 1))) {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
        assert!(n < 1000);
    };
    assert_eq!(e, HostError::TotalCyclesExceeded { limit: 200_000 });
    assert!(n > 5, "{n} calls fit");
}

#[test]
fn wall_clock_timeout() {
    let mut h = host_with(
        "owned-server",
        HostOptions {
            call_timeout: Duration::from_millis(1),
            ..Default::default()
        },
    );
    // 256 KiB echoed a hundred times over nested servers would take far more than 1 ms.
    let start = std::time::Instant::now();
    let mut last = Ok(());
    for _ in 0..200 {
        last = h
            .call(&RequestPacket::new(method::ECHO, vec![1u8; 256 * 1024]))
            .map(|_| ());
        if last.is_err() {
            break;
        }
    }
    assert_eq!(last, Err(HostError::Timeout(Duration::from_millis(1))));
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[test]
fn debug_output_goes_to_the_callback() {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = Arc::clone(&seen);
    // bad-peer without argv is a client: it spawns cell dep 1 and prints what happened.
    let ctx = TxContext::minimal(contract("bad-peer"), Bytes::from_static(b"garbage"))
        .with_cell_dep(contract("owned-server"));
    let mut h = ScriptHost::new(
        ctx,
        vec![],
        HostOptions {
            debug: Arc::new(move |m| sink.lock().unwrap().push(m.to_string())),
            ..Default::default()
        },
    )
    .unwrap();
    // It never reads the host pipe: it runs to its end and exits.
    let e = h
        .call(&RequestPacket::new(method::ECHO, Payload::new()))
        .unwrap_err();
    assert_eq!(e, HostError::Exited(0));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.iter().any(|l| l.starts_with("answer: ")), "{seen:?}");
    assert!(seen.iter().any(|l| l.starts_with("exit: ")), "{seen:?}");
}

#[test]
fn garbage_answers_are_channel_errors() {
    // bad-peer with argv "garbage" is a server that answers `05 garbage`.
    let mut h = ScriptHost::new(
        TxContext::minimal(contract("bad-peer"), Bytes::new()),
        vec![Bytes::from_static(b"garbage")],
        HostOptions::default(),
    )
    .unwrap();
    let e = h
        .call(&RequestPacket::new(method::ECHO, Payload::new()))
        .unwrap_err();
    assert_eq!(e, HostError::Ipc(ckb_ipc::IpcError::UnsupportedVersion(5)));
}

#[test]
fn a_server_that_exits_without_answering() {
    let mut h = ScriptHost::new(
        TxContext::minimal(contract("bad-peer"), Bytes::new()),
        vec![Bytes::from_static(b"silent")],
        HostOptions::default(),
    )
    .unwrap();
    let e = h
        .call(&RequestPacket::new(method::ECHO, Payload::new()))
        .unwrap_err();
    assert_eq!(e, HostError::Exited(0));
    assert_eq!(h.finish().unwrap().exit_code, 0);
}

/// A file of `tests/js` (`make js` bundles `dist/`, and installs ckb-js-vm with ckb-testtool).
fn js_file(path: &str) -> Bytes {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/js")
        .join(path);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `make js` first)", path.display()))
        .into()
}

#[test]
fn a_ckb_js_vm_server() {
    // ckb-js-vm keeps fds in 32 bits: it reads the host's only if they are below 2^32.
    let vm = js_file("node_modules/ckb-testtool/src/unittest/defaultScript/ckb-js-vm");
    let server = js_file("dist/server.js");
    let context = TxContext::minimal(vm, ckb_ipc_host::js_vm_args(&server)).with_cell_dep(server);
    let mut h = ScriptHost::new(context, vec![], HostOptions::default()).unwrap();
    let start = h.start().unwrap();
    assert!(
        start > 1_000_000,
        "ckb-js-vm starts in millions of cycles: {start}"
    );
    let (resp, cycles) = h
        .call(&RequestPacket::new(method::ADD, add_args(40, 2)))
        .unwrap();
    assert_eq!(
        (resp.error_code(), resp.payload()),
        (0, &42u64.to_le_bytes()[..])
    );
    assert!(cycles > 0);
    let (resp, _) = h
        .call(&RequestPacket::new(method::ECHO, b"hello".to_vec()))
        .unwrap();
    assert_eq!(resp.payload(), b"hello");
    let (resp, _) = h
        .call(&RequestPacket::new(method::FAIL, 0xdead_u64.to_le_bytes()))
        .unwrap();
    assert_eq!(resp.error_code(), 0xdead);
    // server.js returns from runServer when its client hangs up, and exits 0.
    assert_eq!(h.finish().unwrap().exit_code, 0);
}
