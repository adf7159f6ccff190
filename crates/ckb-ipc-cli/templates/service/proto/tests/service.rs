//! `__NAME__-client` calls `__NAME__-server` in CKB-VM (ckb-testtool). Reads the binaries
//! `make build` wrote (`$CONTRACTS_DIR`, else build/release); `make test` builds them first.

use ckb_ipc_testtool::{data_hash, per_call_cycles, Contracts, Outcome, Tx};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// One transaction: the client, told the server's code hash and to make `calls` add calls.
fn run(calls: u32) -> Result<Outcome> {
    let contracts = Contracts::find()?;
    let client = contracts.load("__NAME__-client")?;
    let server = contracts.load("__NAME__-server")?;
    // The client's script args: [server code hash (data1): 32 bytes][calls: u32 LE].
    let mut args = data_hash(&server).to_vec();
    args.extend_from_slice(&calls.to_le_bytes());
    let tx = Tx::deploy(vec![client, server], |_, _| args)?;
    // A failing transaction is saved as failed_txs/<label>.json for ckb-debugger.
    Ok(tx.run(&format!("__NAME__-{calls}-calls"))?)
}

#[test]
fn the_client_calls_the_server() -> Result<()> {
    let outcome = run(4)?;
    // add(1), add(2), add(3), add(4): the client checked each answer and printed the total.
    assert_eq!(
        outcome.find("total: "),
        Some("10"),
        "{:?}",
        outcome.messages
    );
    println!("4 calls: {} cycles in all", outcome.cycles);
    Ok(())
}

#[test]
fn an_add_costs_a_few_thousand_cycles() -> Result<()> {
    // (16 calls - 0 calls) / 16: spawning the server and the other calls cancel out.
    let per_call = per_call_cycles(16, |calls| run(calls).map(|o| o.cycles))?;
    println!("add: {per_call} cycles per call");
    assert!((1_000..100_000).contains(&per_call), "{per_call}");
    Ok(())
}
