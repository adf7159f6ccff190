//! Off-chain hosting for ckb-ipc servers.
//!
//! - [`ScriptHost`]: runs a server script as the root VM of the real CKB scheduler
//!   (`ckb_script::Scheduler`) in a transaction of your choice ([`TxContext`]), and calls it with
//!   the same [`ckb_ipc::Channel`] scripts use. Everything a script does on-chain works: spawning
//!   its own servers, `load_script`, `load_cell`, `load_witness`...
//! - [`serve`]: runs any [`ckb_ipc::RequestHandler`] natively behind a Unix socket, speaking the
//!   same wire bytes, so the `ckb-ipc` tool calls native services and scripts alike.
//! - [`control`]: the two reserved numbers sessions use for themselves (terminate, stats,
//!   the service's description, session failures).
//!
//! This crate sits on top of `ckb-ipc`; `ckb-ipc` never depends on it.
#![warn(missing_docs)]

mod context;
pub mod control;
mod error;
mod host;
mod pipes;
mod scheduler;
mod stdio;
mod syscalls;
mod vm_io;
mod watchdog;

pub use ckb_script::ScriptGroupType;
pub use context::{js_vm_args, CellType, ScriptSelector, TxContext};
pub use error::HostError;
pub use host::{DebugSink, Exit, HostOptions, ScriptHost};
pub use stdio::{accept_within, serve, serve_with, socket_channel, ServeOptions, StdIo};
pub use syscalls::{HOST_READ_FD, HOST_WRITE_FD, PIPE_BUDGET};
