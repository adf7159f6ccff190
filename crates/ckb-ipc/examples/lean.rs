//! The README's lean-level example, compiled by `cargo test`; `make test` checks that the README
//! shows exactly the lines between the ANCHOR comments. `contracts/lean-server` and
//! `contracts/lean-client` are the complete scripts (measured by `make bench`); both run only
//! in CKB-VM, so `main` here does nothing.
#![allow(dead_code)]

const ADD: u64 = 2;
const UNKNOWN_METHOD: u64 = 1000;

// In a script, `ckb_ipc::no_heap!();` in place of `ckb_std::default_alloc!(..)`: no heap at
// all. Not here: this example is also built for the host, whose runtime allocates.

// ANCHOR: lean
use ckb_ipc::{Channel, FixedBuffer, Frame, IpcError, Source};

// The server script: each request is answered in place, in a static buffer.
fn program_entry() -> i8 {
    let (Some(bytes), Ok((read, write))) = (
        ckb_ipc::static_buffer!(4096), // the largest packet it takes, header included
        ckb_ipc::spawn::inherited_pipes(),
    ) else {
        return 1;
    };
    match Channel::with_fixed_buffer(read, write, bytes).serve_with(serve) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Reads the request in `frame`, writes the answer over it, returns the error code.
fn serve(method: u64, frame: &mut Frame<'_, FixedBuffer<'_>>) -> u64 {
    let args = frame.as_slice();
    let (Some(a), Some(b), ADD) = (args.get(..8), args.get(8..16), method) else {
        frame.clear(); // an error answer without payload
        return UNKNOWN_METHOD;
    };
    let sum = u64::from_le_bytes(a.try_into().unwrap_or_default())
        .wrapping_add(u64::from_le_bytes(b.try_into().unwrap_or_default()));
    frame.clear();
    match frame.extend_from_slice(&sum.to_le_bytes()) {
        Ok(()) => 0,
        Err(e) => e.wire_code(),
    }
}

// The client script: the request is built in the channel's buffer, the answer read where it
// arrived.
fn client(server_index: usize, bytes: &mut [u8]) -> Result<u64, IpcError> {
    let (read, write) = ckb_ipc::spawn_server(server_index, Source::CellDep, &[])?;
    let mut channel = Channel::with_fixed_buffer(read, write, bytes);
    channel.call_with(
        ADD,
        |out| {
            out.extend_from_slice(&40u64.to_le_bytes())?;
            out.extend_from_slice(&2u64.to_le_bytes())
        },
        |reply| {
            let sum = reply.into_result()?; // a non-zero error code becomes IpcError::ErrorCode
            Ok(u64::from_le_bytes(sum.try_into().map_err(|_| IpcError::Deserialize)?))
        },
    )
}
// ANCHOR_END: lean

fn main() {}
