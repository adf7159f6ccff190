//! Client/server IPC for CKB-VM scripts over spawn pipes.
//!
//! The Rust counterpart of ckb-js-vm's IPC API ([`spawn_cell_server`], [`spawn_server`],
//! [`run_server`], [`Channel`], [`RequestHandler`]), byte-compatible with ckb-js-vm and
//! ckb-script-ipc-common on the wire, and built to spend as few cycles as the pipe allows.
//!
//! Layers, each usable without the ones above it:
//! - [`wire`]: VLQ and packet headers (no allocation);
//! - [`packet`]: owned request/response packets laid out ready to send;
//! - [`io`]: `embedded-io` transport and the CKB [`Pipe`];
//! - [`buffer`]: where a channel keeps its packets (heap, or a fixed buffer: no allocator);
//! - [`channel`]: [`Channel`] and [`RequestHandler`];
//! - [`spawn`]: starting servers and serving on inherited pipes;
//! - [`service`](mod@service): typed services with molecule payloads (`#[ckb_ipc::service]`).
//!
//! ```ignore
//! // client
//! let (read, write) = ckb_ipc::spawn_server(1, Source::CellDep, &[])?;
//! let mut channel = Channel::new(read, write);
//! let response = channel.call(&RequestPacket::new(ADD, args))?;
//!
//! // server
//! ckb_ipc::run_server(|req: RequestPacket| ResponsePacket::ok(req.into_payload()))
//! ```
#![no_std]

// Public (hidden) for the code #[derive(Molecule)] generates.
#[doc(hidden)]
pub extern crate alloc;
// Lets the code #[service] generates (which names ::ckb_ipc) compile inside this crate too.
extern crate self as ckb_ipc;

pub mod buffer;
pub mod channel;
pub mod error;
pub mod io;
pub mod packet;
pub mod service;
pub mod spawn;
pub mod wire;

pub use buffer::{Buffer, FixedBuffer, Frame, HeapBuffer};
pub use channel::{Channel, Reply, RequestHandler, DEFAULT_MAX_PAYLOAD};
pub use error::{IpcError, ProtocolErrorCode};
pub use io::{Pipe, ReadVec};
pub use packet::{Payload, RequestPacket, ResponsePacket};
pub use spawn::{
    run_server, run_server_with, spawn_cell_server, spawn_cell_server_process, spawn_server,
    spawn_server_process, wait, ServerProcess,
};

pub use ckb_ipc_macros::{service, Molecule};
pub use ckb_std::ckb_constants::Source;
pub use ckb_std::ckb_types::core::ScriptHashType;
