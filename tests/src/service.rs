//! The typed service layer in CKB-VM: the example key-value service (`examples/kv-server`,
//! `#[ckb_ipc::service]` server) used by the example client script (`examples/kv-client`)
//! through the generated client.

use super::*;
use test_proto::scenario;

#[test]
fn a_script_uses_the_key_value_service() {
    // get/put/remove/count/scan, typed refusals (key or value too long), then more calls, and
    // apply with each variant of the `Change` enum (a molecule union); the
    // client finds the server by its code hash, its script args.
    let server = binary("kv-server");
    let args = ckb_ipc_testtool::data_hash(&server).to_vec();
    let tx = Tx::deploy(vec![binary("kv-client"), server], |_, _| args).unwrap();
    let out = tx.run("kv-service").unwrap_or_else(|e| panic!("{e}"));
    assert!(out.messages.is_empty(), "{:?}", out.messages);
}

#[test]
fn the_typed_server_answers_bad_bytes_with_error_codes() {
    // The hostile client's mode bytes against the typed server: garbage (version 5) ends the
    // loop with code 28; a well-formed request for an unknown method id (0xdead) gets
    // UNKNOWN_METHOD (0x100, VLQ 80 02) and the server goes on, exiting 0 when hung up on.
    let run = |mode: &str| {
        let tx = Tx::new(&["bad-peer", "kv-server"], |_, _| mode.as_bytes().to_vec());
        let out = tx
            .run(&format!("kv-attack-{mode}"))
            .unwrap_or_else(|e| panic!("{e}"));
        out.messages.join("\n")
    };
    let garbage = run(test_proto::bad::GARBAGE);
    assert!(
        garbage.contains("answer: 001c00") && garbage.contains("exit: 1"),
        "{garbage}"
    );
    let unknown = run(test_proto::bad::UNKNOWN_CODE);
    assert!(
        unknown.contains("answer: 00800200") && unknown.contains("exit: 0"),
        "{unknown}"
    );
}

/// BENCH args: `calls` calls of `op` with `size`-byte payloads.
fn bench_args(op: u8, calls: u32, size: u32) -> Vec<u8> {
    let mut params = vec![op];
    params.extend_from_slice(&calls.to_le_bytes());
    params.extend_from_slice(&size.to_le_bytes());
    client_args(scenario::BENCH, 1, [0; 32], ScriptHashType::Data1, &params)
}

#[test]
fn json_mode_serves_a_ckb_script_ipc_macro_client() {
    // their-macro-client: ckb-script-ipc's generated client; json-typed-server: ours.
    for (op, size) in [(test_proto::op::ADD, 0), (test_proto::op::ECHO, 300)] {
        let tx = Tx::new(&["their-macro-client", "json-typed-server"], |_, _| {
            bench_args(op, 3, size)
        });
        tx.run(&format!("json-mode-server-{op}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn json_mode_calls_a_ckb_script_ipc_macro_server() {
    for (op, size) in [(test_proto::op::ADD, 0), (test_proto::op::ECHO, 300)] {
        let tx = Tx::new(&["json-typed-client", "their-macro-server"], |_, _| {
            bench_args(op, 3, size)
        });
        tx.run(&format!("json-mode-client-{op}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn a_client_run_on_vm_version_1_fails_with_a_hint_to_use_data2() {
    // Under hash type data1 the client runs on CKB-VM version 1, which has no spawn: the VM
    // says `InvalidEcall(2604)`, the failure says what to change.
    let server = binary("kv-server");
    let args = ckb_ipc_testtool::data_hash(&server).to_vec();
    let tx = Tx::deploy_as(
        ScriptHashType::Data1,
        vec![binary("kv-client"), server],
        |_, _| args,
    )
    .unwrap();
    let err = tx
        .run("kv-client-data1")
        .expect_err("no spawn on VM version 1");
    assert!(err.error.contains("InvalidEcall(26"), "{err}");
    let shown = format!("{err:?}");
    assert!(
        shown.contains("hint: the script ran on CKB-VM version 1")
            && shown.contains("`data2` or `type`"),
        "{shown}"
    );
}

#[test]
fn an_allocation_under_no_heap_fails_with_a_line_and_a_hint() {
    // The VM only says the script's exit code; the refusing allocator says why first.
    let tx = Tx::deploy(vec![binary("no-heap-alloc")], |_, _| Vec::new()).unwrap();
    let err = tx
        .run("no-heap-alloc")
        .expect_err("the allocation is refused");
    assert!(
        err.messages
            .iter()
            .any(|m| m.contains("ckb-ipc: no_heap!() refused an allocation")),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("hint: a script declared with `ckb_ipc::no_heap!()` allocated"),
        "{err}"
    );
}

/// typed-fixed-client's args: `calls` calls of `add(a + i, b)`, each to answer `expected + i`.
fn typed_fixed_args(calls: u32, a: u64, b: u64, expected: u64) -> Vec<u8> {
    let mut args = calls.to_le_bytes().to_vec();
    for n in [a, b, expected] {
        args.extend_from_slice(&n.to_le_bytes());
    }
    args
}

/// typed-fixed-client against typed-server with these args.
fn run_typed_fixed(label: &str, args: Vec<u8>) -> Result<Outcome, Failure> {
    Tx::new(&["typed-fixed-client", "typed-server"], |_, _| args).run(label)
}

#[test]
fn the_typed_client_calls_over_a_fixed_buffer_in_a_script_without_a_heap() {
    // BenchClient over Channel::with_fixed_buffer under ckb_ipc::no_heap!(): any allocation
    // would abort the script, so passing shows the typed calls need no heap.
    for (label, a, b, expected) in [
        ("typed-fixed-add", 40, 2, 42),
        ("typed-fixed-add-wrapping", u64::MAX, 2, 1),
    ] {
        let out = run_typed_fixed(label, typed_fixed_args(8, a, b, expected))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.messages.is_empty(), "{:?}", out.messages);
    }
}

#[test]
fn the_heapless_typed_client_checks_its_answers() {
    // The same calls told to expect one more than the sum: the first answer is refused.
    let err = run_typed_fixed("typed-fixed-add-wrong", typed_fixed_args(3, 40, 2, 43))
        .expect_err("a sum the script does not expect");
    assert_eq!(ckb_ipc_testtool::exit_code(&err.error), Some(4), "{err}");
    assert!(
        err.messages
            .iter()
            .any(|m| m.contains("typed-fixed-client: add #0 answered 42")),
        "{:?}",
        err.messages
    );
}
