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
    /// Send one request to a session: `METHOD [ARG]...` by name (JSON in and out, from the
    /// service description), or `--method ID [0xHEX]` (the payload as 0x...).
    Exec(ExecArgs),
    /// Stop a session: close the server's pipes, wait for it, print its exit code and cycles.
    Terminate(TerminateArgs),
    /// Start, call once and stop a server in one process.
    Call(CallArgs),
    /// Write a repository of your own: a service's trait, server and client scripts, and their
    /// test in CKB-VM, in ckb-script-templates' layout (`make test` runs it).
    New(crate::new::NewArgs),
    /// Write code for a service from its description: `gen ts` writes one TypeScript module
    /// per service (its types, molecule codecs, a typed client and a request handler) for
    /// ckb-js-vm scripts using `@ckb-js-std/ipc`.
    Gen(crate::gen_ts::GenArgs),
    /// List a service's methods (FILE or SOCKET): one signature a line, with its id.
    Methods(MethodsArgs),
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
    #[arg(long, value_name = "PATH", help = DESCRIPTION_HELP)]
    pub(crate) description: Option<PathBuf>,
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
    /// `METHOD [ARG]...`: a method name and its arguments, one JSON value each. With --method:
    /// the payload as 0x-prefixed hex (default: empty).
    #[arg(value_name = "CALL", allow_negative_numbers = true)]
    pub(crate) words: Vec<String>,
    /// Method id (decimal or 0x hex): a raw request, its payload as bytes.
    #[arg(long, value_name = "ID", value_parser = method_id)]
    pub(crate) method: Option<u64>,
    /// Read the request payload (raw bytes) from this file (with --method).
    #[arg(long, value_name = "FILE", requires = "method")]
    pub(crate) payload_file: Option<PathBuf>,
    /// JSON payload (servers speaking ckb-script-ipc's serde_json payloads), with --method; the
    /// answer is printed as JSON too.
    #[arg(
        long,
        value_name = "JSON",
        requires = "method",
        conflicts_with = "payload_file"
    )]
    pub(crate) json: Option<String>,
    /// The service description (default: what the session found, else the server's own).
    #[arg(long, value_name = "PATH")]
    pub(crate) description: Option<PathBuf>,
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
    /// Method id (decimal or 0x hex): a raw request, its payload as bytes.
    #[arg(long, value_name = "ID", value_parser = method_id)]
    pub(crate) method: Option<u64>,
    /// Request payload as 0x-prefixed hex (or give it last, right after `--method <ID>`).
    #[arg(
        long,
        value_name = "0xHEX",
        conflicts_with = "payload_file",
        requires = "method"
    )]
    pub(crate) payload: Option<String>,
    /// Read the request payload (raw bytes) from this file.
    #[arg(long, value_name = "FILE", requires = "method")]
    pub(crate) payload_file: Option<PathBuf>,
    /// JSON payload; the answer is printed as JSON too.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["payload", "payload_file"], requires = "method")]
    pub(crate) json: Option<String>,
    #[arg(long, value_name = "PATH", help = DESCRIPTION_HELP)]
    pub(crate) description: Option<PathBuf>,
    /// How long a native program may take to listen, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub(crate) connect_timeout: f64,
    /// RISC-V ELF (hosted in CKB-VM) or native executable.
    pub(crate) file: PathBuf,
    /// Without --method: the method's name and its arguments, one JSON value each. With
    /// --method: arguments of the server (after `--` if one starts with `-`).
    #[arg(
        value_name = "METHOD [ARG]... | SERVER_ARG",
        allow_negative_numbers = true
    )]
    pub(crate) args: Vec<OsString>,
    /// Arguments of the server, after `--` (with a METHOD name: the only place for them).
    #[arg(last = true, value_name = "SERVER_ARG")]
    pub(crate) server_args: Vec<OsString>,
}

#[derive(Args)]
pub(crate) struct MethodsArgs {
    #[command(flatten)]
    pub(crate) host: HostArgs,
    #[arg(long, value_name = "PATH", help = DESCRIPTION_HELP)]
    pub(crate) description: Option<PathBuf>,
    /// How long a native program may take to listen, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub(crate) connect_timeout: f64,
    /// A server (RISC-V ELF or native executable), or the socket of a session (`ipc:...`).
    #[arg(value_name = "FILE|SOCKET")]
    pub(crate) target: String,
    /// Arguments of the server, after `--` (when it is started to ask its description).
    #[arg(last = true, value_name = "SERVER_ARG")]
    pub(crate) server_args: Vec<OsString>,
}

/// `--description` of the commands that start a server.
const DESCRIPTION_HELP: &str = "The service description (docs/description.md); default: \
    <FILE>.json beside FILE, else the server's own (discovery)";

/// A method id: decimal, or hex after `0x`.
fn method_id(s: &str) -> std::result::Result<u64, String> {
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    }
    .map_err(|e| e.to_string())
}

pub(crate) fn seconds(s: f64, what: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(s).map_err(|_| format!("{what}: {s} is not a number of seconds"))
}
