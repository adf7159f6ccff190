//! Hostile peers against the real client and the real server, in CKB-VM. Every case must end
//! in a specific `IpcError` (or error response), never a panic or a VM fault.

use super::*;
use test_proto::{bad, scenario};

/// Our `owned-client` calls `bad-peer` acting as a server in `mode`; returns what the client saw.
fn probe(mode: &str) -> Result<String, String> {
    let tx = Tx::new(&["owned-client", "bad-peer"], |_, _| {
        client_args(
            scenario::PROBE,
            1,
            [0; 32],
            ScriptHashType::Data1,
            mode.as_bytes(),
        )
    });
    let out = tx.run(&format!("probe-{mode}"))?;
    Ok(out.line("probe: "))
}

fn probe_ok(mode: &str) -> String {
    probe(mode).unwrap_or_else(|e| panic!("{e}"))
}

/// [`attack`](super::attack) on our `owned-server`.
fn attack(mode: &str) -> (String, String) {
    super::attack("owned-server", mode)
}

#[test]
fn client_rejects_garbage() {
    assert_eq!(probe_ok(bad::GARBAGE), "UnsupportedVersion(5)");
}

#[test]
fn client_rejects_a_truncated_response_followed_by_close() {
    assert_eq!(probe_ok(bad::TRUNCATED), "UnexpectedEof");
}

#[test]
fn client_refuses_a_2_pow_60_length_without_allocating() {
    assert_eq!(
        probe_ok(bad::HUGE_LENGTH),
        "PayloadTooLarge { len: 1152921504606846976, max: 262144 }"
    );
}

#[test]
fn client_rejects_an_overlong_vlq() {
    assert_eq!(probe_ok(bad::OVERLONG_VLQ), "VlqOverflow");
}

#[test]
fn client_rejects_an_unknown_version() {
    assert_eq!(probe_ok(bad::BAD_VERSION), "UnsupportedVersion(1)");
}

#[test]
fn client_accepts_an_unknown_error_code_as_a_value() {
    assert_eq!(
        probe_ok(bad::UNKNOWN_CODE),
        "response code 0xdead payload [111, 111, 112, 115]"
    );
}

#[test]
fn client_sees_a_server_dying_mid_response() {
    assert_eq!(probe_ok(bad::DIE_MID_RESPONSE), "UnexpectedEof");
}

#[test]
fn client_sees_a_server_closing_without_answer() {
    assert_eq!(probe_ok(bad::SILENT), "Eof");
}

#[test]
fn a_server_that_writes_when_it_should_read_deadlocks_the_transaction() {
    // Both ends write at once: nothing in the scripts can see it; the CKB scheduler aborts the
    // whole transaction. This is what a user sees.
    let err = probe(bad::WRITE_FIRST).expect_err("deadlock");
    assert!(err.contains("deadlock"), "{err}");
}

#[test]
fn server_answers_garbage_with_an_error_code_and_exits_1() {
    // UnsupportedVersion -> 28 (general IO), sent as an empty error response.
    assert_eq!(attack(bad::GARBAGE), ("001c00".into(), "1".into()));
}

#[test]
fn server_answers_a_truncated_request_with_22() {
    assert_eq!(attack(bad::TRUNCATED), ("001600".into(), "1".into()));
}

#[test]
fn server_refuses_a_2_pow_60_length() {
    assert_eq!(attack(bad::HUGE_LENGTH), ("001c00".into(), "1".into()));
}

#[test]
fn server_answers_an_overlong_vlq_with_24() {
    assert_eq!(attack(bad::OVERLONG_VLQ), ("001800".into(), "1".into()));
}

#[test]
fn server_refuses_an_unknown_version() {
    assert_eq!(attack(bad::BAD_VERSION), ("001c00".into(), "1".into()));
}

#[test]
fn server_answers_an_unknown_method_and_goes_on() {
    // Method 0xdead is unknown to owned-server: error 1000 (VLQ e8 07), then a clean exit 0 when
    // the client hangs up.
    assert_eq!(attack(bad::UNKNOWN_CODE), ("00e80700".into(), "0".into()));
}
