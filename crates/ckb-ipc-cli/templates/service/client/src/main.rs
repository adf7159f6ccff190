//! Spawns `__NAME__-server` from the cell deps and calls the __TRAIT__ service, checking every
//! answer. Script args: `[server code hash (data1): 32 bytes][calls: u32 LE]`. Exits 0 when
//! every answer is right, else the number of the check that failed.
#![no_std]
#![no_main]

use alloc::vec::Vec;
use ckb_ipc::ScriptHashType;
use ckb_std::ckb_types::prelude::*;
use __CRATE__::{__TRAIT__Client, NOT_ENOUGH};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

fn program_entry() -> i8 {
    match run() {
        Ok(()) => 0,
        Err(check) => check,
    }
}

fn run() -> Result<(), i8> {
    let script = ckb_std::high_level::load_script().map_err(|_| 1)?;
    let args: Vec<u8> = script.args().unpack();
    let code_hash: [u8; 32] = args.get(..32).and_then(|h| h.try_into().ok()).ok_or(2)?;
    let calls = args
        .get(32..36)
        .and_then(|c| c.try_into().ok())
        .map(u32::from_le_bytes)
        .ok_or(2)?;

    // Spawn the server by code hash: its cell dep can be anywhere in the transaction.
    let (read, write) =
        ckb_ipc::spawn_cell_server(&code_hash, ScriptHashType::Data1, &[]).map_err(|_| 3)?;
    let mut service = __TRAIT__Client::new(read, write);

    // `calls` calls, each checked: after add(i) the total is 1 + 2 + ... + i.
    for i in 1..=u64::from(calls) {
        if service.add(i) != Ok(i * (i + 1) / 2) {
            return Err(4);
        }
    }
    // A typed refusal travels apart from transport errors: Ok(Err(NOT_ENOUGH)).
    let total = service.total().map_err(|_| 5)?;
    if service.sub(total + 1) != Ok(Err(NOT_ENOUGH)) {
        return Err(6);
    }
    if service.sub(total) != Ok(Ok(0)) {
        return Err(7);
    }
    ckb_std::syscalls::debug(alloc::format!("total: {total}"));
    Ok(())
}
