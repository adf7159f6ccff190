//! The command line: the commands and their arguments (clap), and seconds given as flags.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::host_args::HostArgs;
use crate::{session, Result};

#[derive(Parser)]
#[command(
    name = "ckb-ipc",
    version,
    about = "Host a CKB-VM IPC server off-chain and call it, one process per message",
    long_about = "Host a CKB-VM IPC server off-chain and call it, one process per message.\n\n\
        `init` starts a session in the background and prints `ipc:<socket>`; each `exec` sends \
        one request to it; `terminate` stops it. A RISC-V ELF runs as the root VM of the CKB \
        scheduler (it can spawn, load_script, load_cell... against the transaction given with \
        --tx, or a minimal one); any other executable runs natively with `ipc:<socket>` \
        appended to its arguments and must serve the same wire format there."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Start a session in the background and print `ipc:<socket path>` once it accepts connections.
    Init(InitArgs),
    /// Send one request to a session; print the response payload as 0x...
    Exec(ExecArgs),
    /// Stop a session: close the server's pipes, wait for it, print its exit code and cycles.
    Terminate(TerminateArgs),
    /// Start, call once and stop a server in one process.
    Call(CallArgs),
    /// Write a repository of your own: a service's trait, server and client scripts, and their
    /// test in CKB-VM, in ckb-script-templates' layout (`make test` runs it).
    New(crate::new::NewArgs),
    /// The background half of `init` (internal).
    #[command(hide = true)]
    Session(session::SessionArgs),
}

#[derive(Args)]
pub(crate) struct InitArgs {
    #[command(flatten)]
    pub(crate) host: HostArgs,
    /// End the session after this many seconds without a message.
    #[arg(long, default_value_t = 60.0)]
    pub(crate) idle_timeout: f64,
    /// How long to wait for the session to accept connections, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub(crate) connect_timeout: f64,
    /// RISC-V ELF (hosted in CKB-VM) or native executable.
    pub(crate) file: PathBuf,
    /// Arguments (argv of the script, or of the native program before `ipc:<socket>`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub(crate) args: Vec<OsString>,
}

#[derive(Args)]
pub(crate) struct ExecArgs {
    /// Socket of the session, with or without `ipc:`.
    pub(crate) socket: String,
    /// Method id (u64).
    #[arg(long, value_name = "ID")]
    pub(crate) method: u64,
    /// Request payload as 0x-prefixed hex (default: empty).
    #[arg(conflicts_with = "payload_file", value_name = "0xHEX")]
    pub(crate) payload: Option<String>,
    /// Read the request payload (raw bytes) from this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) payload_file: Option<PathBuf>,
    /// JSON payload (servers speaking ckb-script-ipc's serde_json payloads); the answer is
    /// printed as JSON too.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["payload", "payload_file"])]
    pub(crate) json: Option<String>,
    /// Also print the call's cycles (hosted scripts) on stderr.
    #[arg(long)]
    pub(crate) cycles: bool,
    /// Give up waiting for the answer after this many seconds.
    #[arg(long, default_value_t = 600.0)]
    pub(crate) timeout: f64,
}

#[derive(Args)]
pub(crate) struct TerminateArgs {
    /// Socket of the session, with or without `ipc:`.
    pub(crate) socket: String,
    /// Why the session ends (logged by the session).
    pub(crate) reason: Option<String>,
}

#[derive(Args)]
pub(crate) struct CallArgs {
    #[command(flatten)]
    pub(crate) host: HostArgs,
    /// Method id (u64).
    #[arg(long, value_name = "ID")]
    pub(crate) method: u64,
    /// Request payload as 0x-prefixed hex (or give it last, right after `--method <ID>`).
    #[arg(long, value_name = "0xHEX", conflicts_with = "payload_file")]
    pub(crate) payload: Option<String>,
    /// Read the request payload (raw bytes) from this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) payload_file: Option<PathBuf>,
    /// JSON payload; the answer is printed as JSON too.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["payload", "payload_file"])]
    pub(crate) json: Option<String>,
    /// How long a native program may take to listen, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub(crate) connect_timeout: f64,
    /// RISC-V ELF (hosted in CKB-VM) or native executable.
    pub(crate) file: PathBuf,
    /// Arguments of the server (after `--` if one starts with `-`).
    pub(crate) args: Vec<OsString>,
}

pub(crate) fn seconds(s: f64, what: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(s).map_err(|_| format!("{what}: {s} is not a number of seconds"))
}
