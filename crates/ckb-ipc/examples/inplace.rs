//! The client half of the README's in-place example, compiled by `cargo test`; `make test`
//! checks that the README shows exactly the lines between the ANCHOR comments (the server half
//! is `contracts/inplace-server`). Scripts run only in CKB-VM, so `main` here does nothing.
#![allow(dead_code)]

const ADD: u64 = 2;

// ANCHOR: inplace
use ckb_ipc::{le, Channel, IpcError, Source};

/// Spawns the server, then one call: the request is built in the channel's buffer (`bytes`,
/// e.g. from `ckb_ipc::static_buffer!`), the answer read where it arrived.
fn add(server_index: usize, bytes: &mut [u8], a: u64, b: u64) -> Result<u64, IpcError> {
    let (read, write) = ckb_ipc::spawn_server(server_index, Source::CellDep, &[])?;
    let mut channel = Channel::with_fixed_buffer(read, write, bytes);
    channel.call_in_place(
        ADD,
        |out| {
            out.extend_from_slice(&a.to_le_bytes())?;
            out.extend_from_slice(&b.to_le_bytes())
        },
        |reply| {
            let sum = reply.into_result()?; // a non-zero error code becomes IpcError::ErrorCode
            match sum.len() {
                8 => le::u64_at(sum, 0).ok_or(IpcError::Deserialize),
                _ => Err(IpcError::Deserialize),
            }
        },
    )
}
// ANCHOR_END: inplace

fn main() {}
