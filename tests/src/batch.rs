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
    batch_line("typed-client", server, "typed batch: ")
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

#[test]
fn typed_batches_against_the_typed_server() {
    assert_eq!(
        typed_batch("typed-server"),
        "Ok(42), Ok(\"ping\"), Ok(0); then add = 3"
    );
}

/// The discoverable build of typed-server (`make build-opt-levels`, which `make bench` runs:
/// `build/release/discovery/typed-server`).
#[test]
fn typed_batches_against_the_discoverable_server() {
    assert_eq!(
        typed_batch("discovery/typed-server"),
        "Ok(42), Ok(\"ping\"), Ok(0); then add = 3"
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

#[test]
#[ignore]
fn print_batch_cycles() {
    for r in measure_batches(8) {
        println!("{} | {} | {:?}", r.scenario, r.imp.name, r.cycles);
    }
}
