//! The README's quick start, compiled by `cargo test`; `make test` checks that the README shows
//! exactly the lines between the ANCHOR comments. In a real project the trait lives in a crate
//! both scripts depend on, `program_entry` is the server script's entry and `client` runs in
//! another script; both run only in CKB-VM, so `main` here does nothing.
#![allow(dead_code)]

// ANCHOR: quickstart
use ckb_ipc::{IpcError, Payload, ScriptHashType};

/// A calculator, written once: `#[ckb_ipc::service]` makes `CalcClient` and `CalcServer`.
#[ckb_ipc::service]
pub trait Calc {
    /// Wrapping addition.
    fn add(a: u64, b: u64) -> u64;
    /// A typed service error travels apart from transport errors.
    fn div(a: u64, b: u64) -> Result<u64, u8>;
    /// `Payload` is the zero-copy `bytes`: no copy on either side.
    fn reverse(data: Payload) -> Payload;
}

// The server script: implement the trait (methods get `&mut self`) and serve it.
struct Calculator;

impl Calc for Calculator {
    fn add(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }
    fn div(&mut self, a: u64, b: u64) -> Result<u64, u8> {
        a.checked_div(b).ok_or(1)
    }
    fn reverse(&mut self, mut data: Payload) -> Payload {
        data.reverse();
        data
    }
}

fn program_entry() -> i8 {
    match ckb_ipc::run_server(CalcServer(Calculator)) {
        Ok(()) => 0, // the client hung up between calls
        Err(_) => 1,
    }
}

// The client script: spawn the server from the cell deps by code hash, and call it.
fn client(server_code_hash: &[u8; 32]) -> Result<(), IpcError> {
    let (read, write) = ckb_ipc::spawn_cell_server(server_code_hash, ScriptHashType::Data1, &[])?;
    let mut calc = CalcClient::new(read, write);
    assert_eq!(calc.add(40, 2)?, 42);
    assert_eq!(calc.div(1, 0)?, Err(1)); // the service said no
    assert_eq!(
        calc.reverse(Payload::from_slice(b"abc"))?.as_slice(),
        b"cba"
    );
    Ok(())
}
// ANCHOR_END: quickstart

fn main() {}
