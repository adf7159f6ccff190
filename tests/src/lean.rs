//! The lean contracts (borrowed level, static buffers, no heap) against hostile and over-limit
//! peers in CKB-VM, each case as on the owned level (`adversarial.rs`, `limits.rs`): lean-server
//! answers what ipc-server answers, byte for byte, and exits with the same code; lean-client's
//! unchanged BENCH path ends in one of its exit codes where ipc-client's ends in the matching
//! `IpcError`. Never a panic, a VM fault or an allocation (an allocation aborts a script built
//! with `ckb_ipc::no_heap!`).

use super::*;
use demo_proto::{bad, bad_peer, over, scenario};

/// [`attack`] on lean-server, which must end exactly as the same attack on ipc-server.
fn attack_lean_and_owned(mode: &str) -> (String, String) {
    let lean = attack("lean-server", mode);
    assert_eq!(
        lean,
        attack("ipc-server", mode),
        "lean-server vs ipc-server on {mode}"
    );
    lean
}

#[test]
fn lean_server_answers_garbage_with_28_and_exits_1_as_ipc_server_does() {
    assert_eq!(
        attack_lean_and_owned(bad::GARBAGE),
        ("001c00".into(), "1".into())
    );
}

#[test]
fn lean_server_answers_a_truncated_request_with_22_and_exits_1_as_ipc_server_does() {
    assert_eq!(
        attack_lean_and_owned(bad::TRUNCATED),
        ("001600".into(), "1".into())
    );
}

#[test]
fn lean_server_refuses_a_2_pow_60_length_with_28_and_exits_1_as_ipc_server_does() {
    assert_eq!(
        attack_lean_and_owned(bad::HUGE_LENGTH),
        ("001c00".into(), "1".into())
    );
}

#[test]
fn lean_server_answers_an_overlong_vlq_with_24_and_exits_1_as_ipc_server_does() {
    assert_eq!(
        attack_lean_and_owned(bad::OVERLONG_VLQ),
        ("001800".into(), "1".into())
    );
}

#[test]
fn lean_server_refuses_an_unknown_version_with_28_and_exits_1_as_ipc_server_does() {
    assert_eq!(
        attack_lean_and_owned(bad::BAD_VERSION),
        ("001c00".into(), "1".into())
    );
}

#[test]
fn lean_server_answers_an_unknown_method_with_1000_and_exits_0_when_the_client_hangs_up() {
    // Error 1000 (VLQ e8 07), no payload: the request's "oops" is not echoed.
    assert_eq!(
        attack_lean_and_owned(bad::UNKNOWN_CODE),
        ("00e80700".into(), "0".into())
    );
}

/// The answer to `ADD(40, 2)`: code 0, 8 bytes, 42.
const ADD_42: &str = "0000082a00000000000000";

#[test]
fn lean_server_answers_an_unknown_method_with_1000_then_serves_the_next_call() {
    // Both requests in one write, so in one read: the add waits at the end of the static
    // buffer while the first is answered in place.
    assert_eq!(
        attack_lean_and_owned(bad_peer::UNKNOWN_THEN_ADD),
        (format!("00e80700{ADD_42}"), "0".into())
    );
}

#[test]
fn lean_limit_is_lean_servers_buffer_less_the_pad_and_a_header() {
    // lean-server's buffer is MAX_PAYLOAD + 64 bytes; Channel::with_fixed_buffer's limit.
    let buffer = demo_proto::MAX_PAYLOAD as usize + 64;
    assert_eq!(
        bad_peer::LEAN_LIMIT,
        buffer - ckb_ipc::RX_PAD - ckb_ipc::wire::MAX_HEADER_LEN
    );
    let (reader, writer) = (&[][..], ckb_ipc::io::mem::VecWriter::default());
    let mut bytes = vec![0u8; buffer];
    let ch = ckb_ipc::Channel::with_fixed_buffer(reader, writer, &mut bytes);
    assert_eq!(ch.max_payload(), bad_peer::LEAN_LIMIT as u64);
}

#[test]
fn lean_server_drains_a_request_one_byte_over_its_buffer_answers_28_and_serves_the_next_call() {
    // The header and 16 KiB of the body in one write: the server has part of the body when
    // it refuses, and reads the rest through its discard buffer. ipc-server (limit
    // MAX_PAYLOAD) refuses it too.
    assert_eq!(
        attack_lean_and_owned(bad_peer::OVER_LEAN_THEN_ADD),
        (format!("001c00{ADD_42}"), "0".into())
    );
}

#[test]
fn lean_server_drains_a_streamed_request_twice_the_limit_answers_28_and_serves_the_next_call() {
    // 1 MiB, the header alone in the first write: nothing of the body is in the buffer when
    // the server refuses it.
    let lean = over_limit("ipc-client", "lean-server", over::REQUEST_TWICE);
    assert_eq!(lean, "code 28 with 0 bytes; then add = 42");
    assert_eq!(
        lean,
        over_limit("ipc-client", "ipc-server", over::REQUEST_TWICE)
    );
}

#[test]
fn a_request_one_byte_over_ipc_servers_limit_fits_lean_servers_buffer_and_is_echoed() {
    // MAX_PAYLOAD + 1 bytes: under lean-server's limit (MAX_PAYLOAD + 35), so it echoes them,
    // and the echo is over the client's own limit (MAX_PAYLOAD), which drains it and goes on.
    assert_eq!(
        over_limit("ipc-client", "lean-server", over::REQUEST_ONE),
        "PayloadTooLarge { len: 524289, max: 524288 }; then add = 42"
    );
}

#[test]
fn the_owned_clients_honest_scenarios_pass_against_lean_server() {
    for s in [
        scenario::BY_INDEX,
        scenario::MANY_CALLS,
        scenario::LARGE_PAYLOAD,
    ] {
        let tx = Tx::new(&["ipc-client", "lean-server"], |_, _| {
            client_args(s, 1, [0; 32], ScriptHashType::Data1, &[])
        });
        tx.run(&format!("lean-server-scenario-{s}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The exit codes of lean-client (`fail` in contracts/lean-client).
mod exit {
    /// `IpcError::ErrorCode`: an answer with a non-zero code.
    pub const ERROR_CODE: i8 = 10;
    /// `IpcError::PayloadTooLarge`.
    pub const TOO_LARGE: i8 = 11;
    /// Any other `IpcError`.
    pub const OTHER: i8 = 12;
}

/// The BENCH scenario of `client` (op `op`, one call, 32-byte echoes) against `bad-peer` as
/// its server (cell dep 1), in `mode`: bad-peer, spawned without argv as BENCH spawns,
/// takes the mode from the args' code-hash field, which BENCH does not read. The client's
/// exit code, and what it printed; a failure that is no script's exit code (a VM fault, an
/// allocation in the heapless lean-client) panics.
fn bench_against(client: &str, mode: &str, op: u8) -> (i8, Vec<String>) {
    let code_hash = bad_peer::bench_code_hash(mode).expect("a mode of at most 32 bytes");
    let mut params = vec![op];
    params.extend_from_slice(&1u32.to_le_bytes());
    params.extend_from_slice(&32u32.to_le_bytes());
    let tx = Tx::new(&[client, "bad-peer"], |_, _| {
        client_args(
            scenario::BENCH,
            1,
            code_hash,
            ScriptHashType::Data1,
            &params,
        )
    });
    let err = tx
        .run(&format!("lean-bench-{client}-{mode}-{op}"))
        .expect_err("a bad server");
    let code = exit_code(&err.error).unwrap_or_else(|| panic!("not an exit code: {err}"));
    (code, err.messages)
}

/// The exit code in a verifier error of a script that returned non-zero.
fn exit_code(error: &str) -> Option<i8> {
    let rest = error.split("see error code ").nth(1)?;
    let code: String = rest
        .chars()
        .take_while(|c| *c == '-' || c.is_ascii_digit())
        .collect();
    code.parse().ok()
}

/// lean-client's exit code against `mode` (the same for an add and for an echo), checked
/// against what ipc-client's BENCH makes of the same server: exit 100 after printing
/// `ipc error: {owned}`.
fn lean_client_against(mode: &str, owned: &str) -> i8 {
    let (add, _) = bench_against("lean-client", mode, demo_proto::op::ADD);
    let (echo, _) = bench_against("lean-client", mode, demo_proto::op::ECHO);
    assert_eq!(add, echo, "lean-client's add and echo against {mode}");
    let (code, messages) = bench_against("ipc-client", mode, demo_proto::op::ADD);
    assert_eq!(code, 100, "ipc-client against {mode}: {messages:?}");
    assert_eq!(
        messages,
        [format!("ipc error: {owned}")],
        "ipc-client against {mode}"
    );
    add
}

#[test]
fn lean_client_rejects_garbage_with_exit_code_12_where_ipc_client_sees_version_5() {
    assert_eq!(
        lean_client_against(bad::GARBAGE, "unsupported packet version 5"),
        exit::OTHER
    );
}

#[test]
fn lean_client_rejects_a_truncated_response_followed_by_close_with_exit_code_12() {
    assert_eq!(
        lean_client_against(bad::TRUNCATED, "peer closed the channel inside a packet"),
        exit::OTHER
    );
}

#[test]
fn lean_client_refuses_a_2_pow_60_length_with_exit_code_11() {
    assert_eq!(
        lean_client_against(
            bad::HUGE_LENGTH,
            "payload of 1152921504606846976 bytes is over the limit of 524288"
        ),
        exit::TOO_LARGE
    );
}

#[test]
fn lean_client_rejects_an_overlong_vlq_with_exit_code_12() {
    assert_eq!(
        lean_client_against(bad::OVERLONG_VLQ, "VLQ does not fit in u64"),
        exit::OTHER
    );
}

#[test]
fn lean_client_rejects_an_unknown_version_with_exit_code_12() {
    assert_eq!(
        lean_client_against(bad::BAD_VERSION, "unsupported packet version 1"),
        exit::OTHER
    );
}

#[test]
fn lean_client_takes_an_unknown_error_code_as_an_error_code_and_exits_10() {
    assert_eq!(
        lean_client_against(bad::UNKNOWN_CODE, "peer returned error code 57005"),
        exit::ERROR_CODE
    );
}

#[test]
fn lean_client_sees_a_server_dying_mid_response_and_exits_12() {
    assert_eq!(
        lean_client_against(
            bad::DIE_MID_RESPONSE,
            "peer closed the channel inside a packet"
        ),
        exit::OTHER
    );
}

#[test]
fn lean_client_sees_a_server_closing_without_answer_and_exits_12() {
    assert_eq!(
        lean_client_against(bad::SILENT, "peer closed the channel"),
        exit::OTHER
    );
}

#[test]
fn a_server_that_writes_when_lean_client_writes_deadlocks_the_transaction_as_with_ipc_client() {
    // Nothing in either script can see it: the scheduler aborts the transaction.
    for client in ["lean-client", "ipc-client"] {
        let code_hash = bad_peer::bench_code_hash(bad::WRITE_FIRST).unwrap();
        let mut params = vec![demo_proto::op::ADD];
        params.extend_from_slice(&1u32.to_le_bytes());
        params.extend_from_slice(&0u32.to_le_bytes());
        let tx = Tx::new(&[client, "bad-peer"], |_, _| {
            client_args(
                scenario::BENCH,
                1,
                code_hash,
                ScriptHashType::Data1,
                &params,
            )
        });
        let err = tx
            .run(&format!("lean-bench-{client}-write-first"))
            .expect_err("deadlock");
        assert!(err.error.contains("deadlock"), "{client}: {err}");
    }
}

#[test]
fn a_bad_mode_rides_in_the_code_hash_field_of_bench_args() {
    // The mode round-trips; args of another scenario carry none.
    let hash = bad_peer::bench_code_hash(bad::GARBAGE).unwrap();
    let args = client_args(scenario::BENCH, 1, hash, ScriptHashType::Data1, &[0; 9]);
    assert_eq!(
        bad_peer::mode_in_bench_args(&args),
        Some(bad::GARBAGE.as_bytes())
    );
    let args = client_args(scenario::PROBE, 1, hash, ScriptHashType::Data1, &[]);
    assert_eq!(bad_peer::mode_in_bench_args(&args), None);
}
