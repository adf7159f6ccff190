//! Every client scenario against the real server binary in CKB-VM. Each scenario checks its
//! answers inside the client script, which exits non-zero on the first wrong one.

use super::*;
use test_proto::scenario;

fn pass(scenario: u8) -> Outcome {
    run_scenario(scenario, &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn spawn_by_cell_dep_index() {
    let out = pass(scenario::BY_INDEX);
    assert!(
        out.cycles > 100_000,
        "a spawn alone costs 100k cycles: {}",
        out.cycles
    );
}

#[test]
fn spawn_by_code_hash_data1() {
    run_scenario_with(scenario::BY_CODE_HASH, ScriptHashType::Data1, &[])
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn spawn_by_code_hash_type() {
    run_scenario_with(scenario::BY_CODE_HASH, ScriptHashType::Type, &[])
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn spawn_by_unknown_code_hash_fails_cleanly() {
    // A code hash that no cell dep has: spawn_cell_server returns an error, the client turns
    // it into exit code 100 (IpcError), not a VM fault.
    let tx = Tx::new(&["owned-client", "owned-server"], |_, _| {
        client_args(
            scenario::BY_CODE_HASH,
            1,
            [0xab; 32],
            ScriptHashType::Data1,
            &[],
        )
    });
    let err = tx.run("unknown-code-hash").expect_err("no such server");
    assert!(err.error.contains("error code 100"), "{err}");
}

#[test]
fn many_calls_on_one_channel() {
    pass(scenario::MANY_CALLS);
}

#[test]
fn server_error_codes_reach_the_client() {
    pass(scenario::ERROR_CODE);
}

#[test]
fn payload_of_256_kib() {
    let out = pass(scenario::LARGE_PAYLOAD);
    // 256 KiB each way at 1/4 cycle per byte on both sides is 262,144 cycles of transfer.
    assert!(out.cycles > 262_144, "{}", out.cycles);
}

#[test]
fn two_servers_at_once() {
    pass(scenario::TWO_SERVERS);
}

#[test]
fn server_spawning_its_own_server() {
    pass(scenario::NESTED);
}

#[test]
fn close_then_wait_for_exit_0() {
    pass(scenario::CLOSE_AND_WAIT);
}

#[test]
fn argv_reaches_the_server() {
    pass(scenario::ARGV);
}

#[test]
fn demo_prints_each_call_and_its_cycles() {
    let out = pass(scenario::DEMO);
    let text = out.messages.join("\n");
    for expected in [
        "add(40, 2) -> ok 42",
        "echo(\"hello, CKB\") -> ok, 10 bytes back",
        "echo(1 KiB) -> ok, 1024 bytes back",
        "fail(0xdead) -> error code 0xdead",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn spawn_server_costs_what_a_bare_spawn_does() {
    let (ours, raw) = spawn_server_overhead();
    println!("spawn_server: {ours} cycles, bare spawn: {raw}");
    // Same binary, same pipes: ckb-ipc adds next to nothing (measured: 0.995x).
    assert!(ours as f64 <= raw as f64 * 1.03, "{ours} vs {raw}");
}
