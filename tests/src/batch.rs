//! Batches in CKB-VM (`ckb_ipc::wire::BATCH_METHOD`): the raw client (`owned-client`) and the
//! typed one (`typed-client`) against every kind of server in the tree, ours answering each
//! item as a call, the foreign ones (ckb-script-ipc-common's `Channel` and `#[service]`, the
//! JavaScript server in ckb-js-vm) refusing the batch as an unknown method while the channel
//! goes on. `docs/compatibility.md` quotes these outcomes.

use super::*;
use test_proto::batch::SCENARIO;

/// `client`'s BATCH scenario against `server` (cell dep 1): the line it printed after `prefix`.
fn batch_line(client: &str, server: &str, prefix: &str) -> String {
    let tx = Tx::new(&[client, server], |_, _| {
        client_args(SCENARIO, 1, [0; 32], ScriptHashType::Data1, &[])
    });
    tx.run(&format!("batch-{client}-{server}").replace('/', "-"))
        .unwrap_or_else(|e| panic!("{e}"))
        .line(prefix)
}

fn raw_batch(server: &str) -> String {
    batch_line("owned-client", server, "batch: ")
}

fn typed_batch(server: &str) -> String {
    batch_line("typed-batch-client", server, "typed batch: ")
}

/// add(40, 2), fail(0xdead), echo "ping", method 0x99: answered one by one as single calls.
#[test]
fn the_owned_server_answers_each_item() {
    assert_eq!(
        raw_batch("owned-server"),
        "[0x0:2a00000000000000, 0xdead:, 0x0:70696e67, 0x3e8:]; then add = 3"
    );
}

/// The in-place server over its static buffer (no heap): its FAIL is unknown (1000).
#[test]
fn the_in_place_server_answers_each_item_in_its_buffer() {
    assert_eq!(
        raw_batch("inplace-server"),
        "[0x0:2a00000000000000, 0x3e8:, 0x0:70696e67, 0x3e8:]; then add = 3"
    );
}

/// A typed server answers a raw batch item by item: none of these ids is one of its methods.
#[test]
fn a_typed_server_answers_raw_items_as_unknown_methods() {
    assert_eq!(
        raw_batch("typed-server"),
        "[0x100:, 0x100:, 0x100:, 0x100:]; then add = ErrorCode(256)"
    );
}

/// The last item is an echo of 300 bytes: its answer's header is a byte longer than the room
/// the heap server keeps, so the answer moves up.
#[test]
fn typed_batches_against_the_typed_server() {
    assert_eq!(
        typed_batch("typed-server"),
        "Ok(42), Ok(\"ping\"), Ok(0), Ok(true); then add = 3"
    );
}

/// A `Discoverable` server (the kv-server example, `run_server(Discoverable::new(..))`) serves
/// the batch item by item too: none of these raw ids is one of its methods.
#[test]
fn a_discoverable_server_answers_each_item() {
    assert_eq!(
        raw_batch("kv-server"),
        "[0x100:, 0x100:, 0x100:, 0x100:]; then add = ErrorCode(256)"
    );
}

/// ckb-script-ipc-common reads the method id and ignores it: the batch's payload is not its
/// JSON, so it answers 27 (DeserializeError), and its serve loop ends on that error (the next
/// call finds the server gone). Our client names the refusal and is not broken.
#[test]
fn ckb_script_ipc_common_refuses_a_batch() {
    assert_eq!(
        raw_batch("their-server"),
        "BatchRefused(27); then add = Eof"
    );
}

/// The same through ckb-script-ipc's `#[service]` server.
#[test]
fn ckb_script_ipc_service_refuses_a_batch() {
    assert_eq!(
        raw_batch("their-macro-server"),
        "BatchRefused(27); then add = Eof"
    );
}

/// The answer to the ADD(40, 2) that follows each hostile batch.
const ADD_42: &str = "0000082a00000000000000";

/// A hostile batch, then an add in the same write: every server refuses the batch with the
/// code of what is wrong in it, serves nothing of it, and serves the add.
fn refused_then_add(mode: &str, code: &str) {
    for server in ["owned-server", "inplace-server"] {
        assert_eq!(
            attack(server, mode),
            (format!("00{code}00{ADD_42}"), "0".to_string()),
            "{server}, {mode}"
        );
    }
    // A typed server: the add is not one of its methods (0x100), but it is served.
    assert_eq!(
        attack("typed-server", mode),
        (format!("00{code}0000800200"), "0".to_string()),
        "typed-server, {mode}"
    );
}

#[test]
fn an_item_longer_than_the_batch_is_refused_22() {
    refused_then_add(test_proto::batch::ITEM_OVERRUN, "16");
}

#[test]
fn an_item_of_2_pow_60_bytes_is_refused_28_without_allocating() {
    refused_then_add(test_proto::batch::ITEM_HUGE, "1c");
}

#[test]
fn a_batch_in_a_batch_is_refused_27() {
    refused_then_add(test_proto::batch::NESTED, "1b");
}

/// 1,000 items of 3 bytes: 1,000 answers, from inplace-server too (no heap at all).
#[test]
fn a_thousand_empty_items_get_a_thousand_answers() {
    let answers = format!("0000b817{}", "000000".repeat(1000));
    for server in ["owned-server", "inplace-server"] {
        let (answer, exit) = attack(server, test_proto::batch::MANY_ITEMS);
        assert_eq!((answer == answers, exit.as_str()), (true, "0"), "{server}");
    }
}

/// `owned-client` against bad-peer answering a batch badly: a named error, the channel not
/// broken (the next call goes out, and finds the peer gone).
fn bad_answer(mode: &str) -> String {
    let tx = Tx::new(&["owned-client", "bad-peer"], |_, _| {
        client_args(SCENARIO, 1, [0; 32], ScriptHashType::Data1, mode.as_bytes())
    });
    tx.run(&format!("batch-answer-{mode}"))
        .unwrap_or_else(|e| panic!("{e}"))
        .line("batch: ")
}

#[test]
fn an_answer_of_too_few_responses_is_deserialize() {
    assert_eq!(
        bad_answer(test_proto::batch::SHORT_ANSWER),
        "Deserialize; then add = Eof"
    );
}

#[test]
fn an_answer_overrunning_the_batch_is_unexpected_eof() {
    assert_eq!(
        bad_answer(test_proto::batch::ANSWER_OVERRUN),
        "UnexpectedEof; then add = Eof"
    );
}
