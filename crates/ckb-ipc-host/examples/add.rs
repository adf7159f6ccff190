//! The README's off-chain example: `owned-server` hosted in the CKB scheduler, called once.
//! `cargo run -p ckb-ipc-host --example add` from the repository root, after `make build`.
//! `make test` compiles it and checks that the README shows the lines between the ANCHORs.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // ANCHOR: host
    use ckb_ipc::{Payload, RequestPacket};
    use ckb_ipc_host::{HostOptions, ScriptHost, TxContext};

    let binary = std::fs::read("build/release/owned-server")?;
    // A transaction whose input is locked by the script; or TxContext::from_mock_json(..).
    let context = TxContext::minimal(binary.into(), Default::default());
    let mut host = ScriptHost::new(context, vec![], HostOptions::default())?;
    let args = [40u64.to_le_bytes(), 2u64.to_le_bytes()].concat();
    let (response, cycles) = host.call(&RequestPacket::new(2, Payload::from_slice(&args)))?;
    let sum = response.into_result()?;
    println!("add(40, 2) -> {sum:?} in {cycles} cycles");
    let exit = host.finish()?; // closes its pipes: the exit code and the session's cycles
    println!("exit code {}, {} cycles", exit.exit_code, exit.cycles);
    // ANCHOR_END: host
    Ok(())
}
