//! The README's quick start, compiled by `cargo test` so it cannot rot. In a real script the
//! server body is `program_entry` of one contract and `add` is called from another; both run
//! only in CKB-VM, so `main` here does nothing.

use ckb_ipc::{Channel, IpcError, Payload, RequestPacket, ResponsePacket, ScriptHashType};

const ADD: u64 = 2;

/// The server script's entry.
#[allow(dead_code)]
fn server_entry() -> i8 {
    // Serves until the client closes its end; a close between packets is Ok.
    let served = ckb_ipc::run_server(|req: RequestPacket| match req.method_id() {
        ADD => {
            let p = req.payload();
            let (Some(a), Some(b)) = (p.get(..8), p.get(8..16)) else {
                return ResponsePacket::error(1001); // a service-defined error code
            };
            let sum = u64::from_le_bytes(a.try_into().unwrap_or_default())
                .wrapping_add(u64::from_le_bytes(b.try_into().unwrap_or_default()));
            ResponsePacket::ok(sum.to_le_bytes())
        }
        _ => ResponsePacket::error(1000),
    });
    if served.is_ok() {
        0
    } else {
        1
    }
}

/// The client side.
#[allow(dead_code)]
fn add(server_code_hash: &[u8; 32]) -> Result<u64, IpcError> {
    let (read, write) = ckb_ipc::spawn_cell_server(server_code_hash, ScriptHashType::Data1, &[])?;
    let mut channel = Channel::new(read, write);

    let mut args = Payload::with_capacity(16); // room for the header in front: one write, no copy
    args.extend_from_slice(&40u64.to_le_bytes());
    args.extend_from_slice(&2u64.to_le_bytes());
    let response = channel.call(&RequestPacket::new(ADD, args))?;

    // A non-zero error code becomes IpcError::ErrorCode(code).
    let sum = response.into_result()?;
    Ok(u64::from_le_bytes(
        sum.as_slice()
            .try_into()
            .map_err(|_| IpcError::Deserialize)?,
    ))
}

fn main() {}
