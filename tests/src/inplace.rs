//! The in-place contracts (static buffers, no heap) against hostile and over-limit
//! peers in CKB-VM, each case as on the owned level (`adversarial.rs`, `limits.rs`): inplace-server
//! answers what owned-server answers, byte for byte, and exits with the same code; inplace-client's
//! unchanged BENCH path ends in one of its exit codes where owned-client's ends in the matching
//! `IpcError`. Never a panic, a VM fault or an allocation (an allocation aborts a script built
//! with `ckb_ipc::no_heap!`).

use super::*;
use test_proto::{bad, bad_peer, over, scenario};

/// [`attack`] on inplace-server, which must end exactly as the same attack on owned-server.
fn attack_inplace_and_owned(mode: &str) -> (String, String) {
    let inplace = attack("inplace-server", mode);
    assert_eq!(
        inplace,
        attack("owned-server", mode),
        "inplace-server vs owned-server on {mode}"
    );
    inplace
}

#[test]
fn inplace_server_answers_each_bad_request_and_exits_as_owned_server_does() {
    // (mode, the answer's bytes, the exit code): garbage, a 2^60 length and an unknown version
    // are answered 28, a truncated request 22, an 11-byte VLQ 24, each then exit 1; a
    // well-formed request of an unknown method gets error 1000 (VLQ e8 07) and no payload (the
    // request's "oops" is not echoed), then exit 0 when the client hangs up.
    for (mode, answer, exit) in [
        (bad::GARBAGE, "001c00", "1"),
        (bad::TRUNCATED, "001600", "1"),
        (bad::HUGE_LENGTH, "001c00", "1"),
        (bad::OVERLONG_VLQ, "001800", "1"),
        (bad::BAD_VERSION, "001c00", "1"),
        (bad::UNKNOWN_CODE, "00e80700", "0"),
    ] {
        assert_eq!(
            attack_inplace_and_owned(mode),
            (answer.into(), exit.into()),
            "{mode}"
        );
    }
}

/// The answer to `ADD(40, 2)`: code 0, 8 bytes, 42.
const ADD_42: &str = "0000082a00000000000000";

#[test]
fn inplace_server_answers_an_unknown_method_with_1000_then_serves_the_next_call() {
    // Both requests in one write, so in one read: the add waits at the end of the static
    // buffer while the first is answered in place.
    assert_eq!(
        attack_inplace_and_owned(bad_peer::UNKNOWN_THEN_ADD),
        (format!("00e80700{ADD_42}"), "0".into())
    );
}

#[test]
fn inplace_limit_is_inplace_servers_buffer_less_the_pad_and_a_header() {
    // inplace-server's buffer is MAX_PAYLOAD + 64 bytes; Channel::with_fixed_buffer's limit.
    let buffer = test_proto::MAX_PAYLOAD as usize + 64;
    assert_eq!(
        bad_peer::INPLACE_LIMIT,
        buffer - ckb_ipc::RX_PAD - ckb_ipc::wire::MAX_HEADER_LEN
    );
    let (reader, writer) = (&[][..], ckb_ipc::io::mem::VecWriter::default());
    let mut bytes = vec![0u8; buffer];
    let ch = ckb_ipc::Channel::with_fixed_buffer(reader, writer, &mut bytes);
    assert_eq!(ch.max_payload(), bad_peer::INPLACE_LIMIT as u64);
}

#[test]
fn inplace_server_drains_a_request_one_byte_over_its_buffer_answers_28_and_serves_the_next_call() {
    // The header and 16 KiB of the body in one write: the server has part of the body when
    // it refuses, and reads the rest through its discard buffer. owned-server (limit
    // MAX_PAYLOAD) refuses it too.
    assert_eq!(
        attack_inplace_and_owned(bad_peer::OVER_INPLACE_THEN_ADD),
        (format!("001c00{ADD_42}"), "0".into())
    );
}

#[test]
fn inplace_server_drains_a_streamed_request_twice_the_limit_answers_28_and_serves_the_next_call() {
    // 1 MiB, the header alone in the first write: nothing of the body is in the buffer when
    // the server refuses it.
    let inplace = over_limit("owned-client", "inplace-server", over::REQUEST_TWICE);
    assert_eq!(inplace, "code 28 with 0 bytes; then add = 42");
    assert_eq!(
        inplace,
        over_limit("owned-client", "owned-server", over::REQUEST_TWICE)
    );
}

#[test]
fn a_request_one_byte_over_owned_servers_limit_fits_inplace_servers_buffer_and_is_echoed() {
    // MAX_PAYLOAD + 1 bytes: under inplace-server's limit (MAX_PAYLOAD + 35), so it echoes them,
    // and the echo is over the client's own limit (MAX_PAYLOAD), which drains it and goes on.
    assert_eq!(
        over_limit("owned-client", "inplace-server", over::REQUEST_ONE),
        "PayloadTooLarge { len: 524289, max: 524288 }; then add = 42"
    );
}

#[test]
fn the_owned_clients_honest_scenarios_pass_against_inplace_server() {
    for s in [
        scenario::BY_INDEX,
        scenario::MANY_CALLS,
        scenario::LARGE_PAYLOAD,
    ] {
        let tx = Tx::new(&["owned-client", "inplace-server"], |_, _| {
            client_args(s, 1, [0; 32], ScriptHashType::Data1, &[])
        });
        tx.run(&format!("inplace-server-scenario-{s}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// The exit codes of inplace-client (`fail` in contracts/inplace-client).
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
/// allocation in the heapless inplace-client) panics.
fn bench_against(client: &str, mode: &str, op: u8) -> (i8, Vec<String>) {
    let err = bench_failure(client, mode, op, 32);
    let code = ckb_ipc_testtool::exit_code(&err.error)
        .unwrap_or_else(|| panic!("not an exit code: {err}"));
    (code, err.messages)
}

/// The BENCH transaction of `client` (one call of `op`, `size`-byte echoes) against `bad-peer`
/// in `mode`, which must fail: how.
fn bench_failure(client: &str, mode: &str, op: u8, size: u32) -> Failure {
    let code_hash = bad_peer::bench_code_hash(mode).expect("a mode of at most 32 bytes");
    let mut params = vec![op];
    params.extend_from_slice(&1u32.to_le_bytes());
    params.extend_from_slice(&size.to_le_bytes());
    let tx = Tx::new(&[client, "bad-peer"], |_, _| {
        client_args(
            scenario::BENCH,
            1,
            code_hash,
            ScriptHashType::Data1,
            &params,
        )
    });
    tx.run(&format!("inplace-bench-{client}-{mode}-{op}"))
        .expect_err("a bad server")
}

/// inplace-client's exit code against `mode` (the same for an add and for an echo), checked
/// against what owned-client's BENCH makes of the same server: exit 100 after printing
/// `ipc error: {owned}`.
fn inplace_client_against(mode: &str, owned: &str) -> i8 {
    let (add, _) = bench_against("inplace-client", mode, test_proto::op::ADD);
    let (echo, _) = bench_against("inplace-client", mode, test_proto::op::ECHO);
    assert_eq!(add, echo, "inplace-client's add and echo against {mode}");
    let (code, messages) = bench_against("owned-client", mode, test_proto::op::ADD);
    assert_eq!(code, 100, "owned-client against {mode}: {messages:?}");
    assert_eq!(
        messages,
        [format!("ipc error: {owned}")],
        "owned-client against {mode}"
    );
    add
}

#[test]
fn inplace_client_ends_in_an_exit_code_where_owned_client_ends_in_the_matching_error() {
    // (mode, what owned-client prints, inplace-client's exit code): an unknown error code is an
    // error code (10), a 2^60 length too large (11), everything else another error (12).
    for (mode, owned, code) in [
        (bad::GARBAGE, "unsupported packet version 5", exit::OTHER),
        (
            bad::TRUNCATED,
            "peer closed the channel inside a packet",
            exit::OTHER,
        ),
        (
            bad::HUGE_LENGTH,
            "payload of 1152921504606846976 bytes is over the limit of 524288",
            exit::TOO_LARGE,
        ),
        (bad::OVERLONG_VLQ, "VLQ does not fit in u64", exit::OTHER),
        (
            bad::BAD_VERSION,
            "unsupported packet version 1",
            exit::OTHER,
        ),
        (
            bad::UNKNOWN_CODE,
            "peer returned error code 57005",
            exit::ERROR_CODE,
        ),
        (
            bad::DIE_MID_RESPONSE,
            "peer closed the channel inside a packet",
            exit::OTHER,
        ),
        (bad::SILENT, "peer closed the channel", exit::OTHER),
    ] {
        assert_eq!(inplace_client_against(mode, owned), code, "{mode}");
    }
}

#[test]
fn a_server_that_writes_when_inplace_client_writes_deadlocks_the_transaction_as_with_owned_client()
{
    // Nothing in either script can see it: the scheduler aborts the transaction.
    for client in ["inplace-client", "owned-client"] {
        let err = bench_failure(client, bad::WRITE_FIRST, test_proto::op::ADD, 0);
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
