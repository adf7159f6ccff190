//! Honest peers over a limit, channels after an error, and spawn failures, in CKB-VM. A refused
//! packet must end in an error value on one call, never in a deadlock of the transaction, and
//! the channel must go on where the stream allows it.

use super::*;
use test_proto::{bad, over, scenario};

#[test]
fn a_request_one_byte_over_the_server_limit_is_answered_28_and_the_server_goes_on() {
    // 524,289 bytes to owned-server (limit 512 KiB) in one write: the server reads the body
    // it refuses, answers code 28 (general IO), and serves the next call.
    assert_eq!(
        over_limit("owned-client", "owned-server", over::REQUEST_ONE),
        "code 28 with 0 bytes; then add = 42"
    );
}

#[test]
fn a_streamed_request_twice_the_server_limit_is_answered_28_and_the_server_goes_on() {
    assert_eq!(
        over_limit("owned-client", "owned-server", over::REQUEST_TWICE),
        "code 28 with 0 bytes; then add = 42"
    );
}

#[test]
fn a_response_over_the_client_limit_is_refused_and_the_channel_stays_usable() {
    assert_eq!(
        over_limit("owned-client", "owned-server", over::RESPONSE_ONE),
        "PayloadTooLarge { len: 1025, max: 1024 }; then add = 42"
    );
    assert_eq!(
        over_limit("owned-client", "owned-server", over::RESPONSE_TWICE),
        "PayloadTooLarge { len: 2048, max: 1024 }; then add = 42"
    );
}

#[test]
fn a_typed_argument_one_byte_over_the_server_limit_is_an_error_code_not_a_deadlock() {
    assert_eq!(
        over_limit("typed-client", "typed-server", over::REQUEST_ONE),
        "ErrorCode(28); then add = 42"
    );
}

#[test]
fn a_typed_answer_over_the_client_limit_is_refused_and_the_client_goes_on() {
    assert_eq!(
        over_limit("typed-client", "typed-server", over::RESPONSE_ONE),
        "PayloadTooLarge { len: 1025, max: 1024 }; then add = 42"
    );
    assert_eq!(
        over_limit("typed-client", "typed-server", over::RESPONSE_TWICE),
        "PayloadTooLarge { len: 2048, max: 1024 }; then add = 42"
    );
}

/// The first and second outcome of calling a `bad-peer` server in `mode` twice.
fn call_twice(mode: &str) -> String {
    let tx = Tx::new(&["owned-client", "bad-peer"], |_, _| {
        client_args(
            scenario::BROKEN,
            1,
            [0; 32],
            ScriptHashType::Data1,
            mode.as_bytes(),
        )
    });
    tx.run(&format!("broken-{mode}"))
        .unwrap_or_else(|e| panic!("{e}"))
        .line("broken: ")
}

#[test]
fn after_an_error_inside_a_packet_the_next_call_fails_at_once() {
    // Before, the second call wrote a request and waited for an answer that could not come.
    for (mode, first) in [
        (bad::GARBAGE, "UnsupportedVersion(5)"),
        (bad::OVERLONG_VLQ, "VlqOverflow"),
        (bad::DIE_MID_RESPONSE, "UnexpectedEof"),
    ] {
        assert_eq!(
            call_twice(mode),
            format!("Err({first}), then Err(Broken) (broken: true, syscall-free: true)")
        );
    }
}

#[test]
fn an_error_code_leaves_the_channel_usable() {
    assert_eq!(
        call_twice(bad::UNKNOWN_CODE),
        "Ok(57005), then Err(Eof) (broken: false, syscall-free: false)"
    );
}

#[test]
fn spawn_cell_server_names_a_code_hash_missing_from_the_cell_deps() {
    let tx = Tx::new(&["owned-client", "owned-server"], |_, _| {
        client_args(
            scenario::SPAWN_BY_HASH,
            1,
            [0xee; 32],
            ScriptHashType::Data2,
            &[],
        )
    });
    let out = tx.run("spawn-missing").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.line("spawn: "), "CellDepNotFound");
    // And the same code path finds the server when the hash is right.
    let tx = Tx::new(&["owned-client", "owned-server"], |ctx, deps| {
        let hash = code_hash(ctx, &deps[1], ScriptHashType::Data2);
        client_args(scenario::SPAWN_BY_HASH, 1, hash, ScriptHashType::Data2, &[])
    });
    assert_eq!(
        tx.run("spawn-found")
            .unwrap_or_else(|e| panic!("{e}"))
            .line("spawn: "),
        "ok"
    );
}
