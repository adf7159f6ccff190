//! Client/server IPC for CKB-VM scripts over spawn pipes.
//!
//! The Rust counterpart of ckb-js-vm's IPC API ([`spawn_cell_server`], [`spawn_server`],
//! [`run_server`], [`Channel`], [`RequestHandler`]), byte-compatible with ckb-js-vm and
//! ckb-script-ipc-common on the wire, and built to spend as few cycles as the pipe allows.
//!
//! # Three levels, one framing
//! Every level reads and writes the same packets through the same checks; pick by what a
//! script needs, and mix them on one channel.
//!
//! | level | client | server | what moves |
//! |---|---|---|---|
//! | **typed** | the client `#[service]` makes | the server it makes, [`run_server`] | Rust values, molecule on the wire |
//! | **owned** | [`Channel::call`] | [`Channel::execute`], [`run_server`] | [`RequestPacket`] / [`ResponsePacket`] |
//! | **in-place** | [`Channel::call_in_place`] | [`Channel::execute_in_place`], [`run_server_in_place`] | nothing: built and answered in the channel's [`Buffer`] |
//!
//! The in-place level needs no heap over a [`FixedBuffer`] ([`static_buffer!`], [`no_heap!`]).
//! `_in_place` names the in-place form of a call; `_with` names the form that takes options
//! ([`run_server_with`], [`Channel::with_max_payload`]).
//!
//! # Items, by job
//! - Spawning a server: [`spawn_server`], [`spawn_cell_server`]; with its process id,
//!   [`ServerProcess::spawn`] and [`ServerProcess::spawn_cell`], then [`wait`]. At most
//!   [`MAX_ARGV`] argv strings.
//! - Serving on the inherited pipes: [`run_server`], [`run_server_with`] ([`ServerOptions`]),
//!   [`run_server_in_place`]; for a loop of one's own, [`inherited_channel`] and
//!   [`inherited_pipes`].
//! - The channel: [`Channel`], [`RequestHandler`], limits [`DEFAULT_MAX_PAYLOAD`] and
//!   [`MAX_DISCARD`]. Its manual controls (packets sent and received one at a time,
//!   [`Channel::relay`], [`Channel::next_request`], [`Channel::recycle`]) are documented apart,
//!   under "Manual control" on [`Channel`].
//! - Owned packets: [`RequestPacket`], [`ResponsePacket`], [`Payload`].
//! - In place: [`Reply`], [`Frame`], [`Buffer`] ([`HeapBuffer`], [`FixedBuffer`], [`RX_PAD`]).
//! - Typed services: [`macro@service`], [`derive@Molecule`], and the [`service`](mod@service)
//!   module (codec traits, method ids, the service error codes).
//! - Errors: [`IpcError`], [`ProtocolErrorCode`].
//!
//! # Layers usable alone
//! - [`wire`]: VLQ and packet headers (no allocation);
//! - [`io`]: the `embedded-io` transport traits, in-memory transports for tests; [`Pipe`] is
//!   the CKB one;
//! - [`le`]: little-endian integers read and written in a payload as one instruction, for raw
//!   and in-place handlers.
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

extern crate alloc;
// Lets the code #[service] generates (which names ::ckb_ipc) compile inside this crate too.
extern crate self as ckb_ipc;

mod buffer;
mod channel;
mod error;
mod packet;
mod script;
mod spawn;
mod unaligned;

#[cfg(feature = "build")]
extern crate std;

#[cfg(feature = "build")]
pub mod build;
pub mod io;
pub mod le;
pub mod service;
pub mod wire;

#[doc(hidden)]
pub mod __private;

pub use buffer::{Buffer, FixedBuffer, Frame, HeapBuffer};
pub use channel::{
    BatchBuilder, BatchReplies, Channel, Reply, RequestHandler, DEFAULT_MAX_PAYLOAD, MAX_DISCARD,
    RX_PAD,
};
pub use error::{IpcError, ProtocolErrorCode};
pub use io::pipe::Pipe;
pub use packet::{Payload, RequestPacket, ResponsePacket};
pub use script::{debug_line, script_args, DEBUG_LINE_MAX};
pub use spawn::{
    inherited_channel, inherited_pipes, run_server, run_server_in_place, run_server_with,
    spawn_cell_server, spawn_server, wait, ServerOptions, ServerProcess, MAX_ARGV,
};

pub use ckb_ipc_macros::{service, Molecule};
pub use ckb_std::ckb_constants::Source;
pub use ckb_std::ckb_types::core::ScriptHashType;

/// The description document the crate's `build.rs` wrote with `ckb_ipc::build::describe` (feature
/// `build`), as a `&'static str`: what a [`Discoverable`](service::Discoverable) server answers.
#[macro_export]
macro_rules! description {
    () => {
        include_str!(concat!(env!("OUT_DIR"), "/ckb-ipc-description.json"))
    };
}
