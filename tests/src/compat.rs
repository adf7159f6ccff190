//! Cross-implementation transactions: our client against a server written with
//! ckb-script-ipc-common 1.1.0, and a client written with it against our server.

use super::*;
use test_proto::scenario;

#[test]
fn our_client_calls_a_ckb_script_ipc_common_server() {
    // add, a small and a 4 KiB echo, an error code; JSON payloads checked byte for byte.
    let tx = Tx::new(&["owned-client", "their-server"], |_, _| {
        client_args(
            scenario::THEIR_SERVER,
            1,
            [0; 32],
            ScriptHashType::Data1,
            &[],
        )
    });
    tx.run("our-client-their-server")
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_ckb_script_ipc_common_client_calls_our_server() {
    // Their Channel::call: echo (small, 8 KiB), add, an error code, then a call after it.
    let tx = Tx::new(&["their-client", "json-server"], |_, _| Vec::new());
    tx.run("their-client-our-server")
        .unwrap_or_else(|e| panic!("{e}"));
}
