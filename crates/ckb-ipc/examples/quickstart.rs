//! The README's quick start, compiled by `cargo test` so it cannot rot. In a real project the
//! trait lives in a crate both scripts depend on, `server_entry` is the server script's
//! `program_entry` and `client` runs in another script; both run only in CKB-VM, so `main`
//! here does nothing.

use ckb_ipc::{IpcError, Payload, ScriptHashType};

/// The service, written once: `#[ckb_ipc::service]` makes `CalcClient` and `CalcServer`.
#[ckb_ipc::service]
pub trait Calc {
    fn add(a: u64, b: u64) -> u64;
    /// A typed service error travels apart from transport errors.
    fn div(a: u64, b: u64) -> Result<u64, u8>;
    /// `Payload` is the zero-copy `bytes`: no copy on either side.
    fn reverse(data: Payload) -> Payload;
}

/// The server's state and logic.
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

/// The server script's entry: serve until the client hangs up.
#[allow(dead_code)]
fn server_entry() -> i8 {
    match ckb_ipc::run_server(CalcServer(Calculator)) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// The client script: spawn the server from the cell deps by its code hash and call it.
#[allow(dead_code)]
fn client(server_code_hash: &[u8; 32]) -> Result<(), IpcError> {
    let (read, write) = ckb_ipc::spawn_cell_server(server_code_hash, ScriptHashType::Data1, &[])?;
    let mut calc = CalcClient::new(read, write);

    assert_eq!(calc.add(40, 2)?, 42);
    assert_eq!(calc.div(1, 0)?, Err(1)); // the service said no
    let back = calc.reverse(Payload::from_slice(b"abc"))?;
    assert_eq!(back.as_slice(), b"cba");
    Ok(())
}

fn main() {}
