//! `ckb-ipc`: host a CKB-VM IPC server off-chain and call it, one process per message.
//!
//! forge-exec's session model: `init` starts a session in the background and prints
//! `ipc:<socket>`, every `exec` is one request, `terminate` ends it. `call` does all three.

mod session;

use std::ffi::OsString;
use std::io::Read as _;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use ckb_ipc::{Payload, RequestPacket, ResponsePacket};
use ckb_ipc_host::{
    socket_channel, CellType, Control, HostOptions, Report, ScriptSelector, TxContext,
    CONTROL_METHOD, SESSION_ERROR,
};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit status of a call answered with a non-zero error code (tool failures are 1, usage 2).
const EXIT_ERROR_CODE: u8 = 3;

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
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a session in the background and print `ipc:<socket path>` once it accepts connections.
    Init(InitArgs),
    /// Send one request to a session; print the response payload as 0x...
    Exec(ExecArgs),
    /// Stop a session: close the server's pipes, wait for it, print its exit code and cycles.
    Terminate(TerminateArgs),
    /// Start, call once and stop a server in one process.
    Call(CallArgs),
    /// The background half of `init` (internal).
    #[command(hide = true)]
    Session(session::SessionArgs),
}

/// How a RISC-V script is hosted.
#[derive(Args, Clone, Debug)]
pub struct HostArgs {
    /// ckb-debugger mock transaction (JSON) to run the script in; FILE must be the binary its
    /// script group runs. Default: a transaction with one input locked by FILE.
    #[arg(long, value_name = "MOCK_TX_JSON")]
    pub tx: Option<PathBuf>,
    /// Which script of the cell runs (with --tx).
    #[arg(long, value_enum, default_value = "lock")]
    pub script_group_type: GroupType,
    /// Whether --cell-index counts inputs or outputs (with --tx).
    #[arg(long, value_enum, default_value = "input")]
    pub cell_type: CellSide,
    /// The cell whose script runs (with --tx).
    #[arg(long, default_value_t = 0)]
    pub cell_index: usize,
    /// Extra cell dep for the default transaction (a binary the script may spawn); repeatable,
    /// they become cell deps 1, 2, ...
    #[arg(long, value_name = "FILE")]
    pub dep: Vec<PathBuf>,
    /// Cycles the whole session may take.
    #[arg(long, default_value_t = 3_500_000_000)]
    pub cycles_limit: u64,
    /// Cycles one call may take.
    #[arg(long, default_value_t = 3_500_000_000)]
    pub call_cycles_limit: u64,
    /// Seconds one call may take (wall clock).
    #[arg(long, default_value_t = 10.0)]
    pub call_timeout: f64,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum GroupType {
    Lock,
    Type,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CellSide {
    Input,
    Output,
}

#[derive(Args)]
struct InitArgs {
    #[command(flatten)]
    host: HostArgs,
    /// End the session after this many seconds without a message.
    #[arg(long, default_value_t = 60.0)]
    idle_timeout: f64,
    /// How long to wait for the session to accept connections, in seconds.
    #[arg(long, default_value_t = 3.0)]
    connect_timeout: f64,
    /// RISC-V ELF (hosted in CKB-VM) or native executable.
    file: PathBuf,
    /// Arguments (argv of the script, or of the native program before `ipc:<socket>`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

#[derive(Args)]
struct ExecArgs {
    /// Socket of the session, with or without `ipc:`.
    socket: String,
    /// Method id (u64).
    #[arg(long, value_name = "ID")]
    method: u64,
    /// Request payload as 0x-prefixed hex (default: empty).
    #[arg(conflicts_with = "payload_file", value_name = "0xHEX")]
    payload: Option<String>,
    /// Read the request payload (raw bytes) from this file.
    #[arg(long, value_name = "FILE")]
    payload_file: Option<PathBuf>,
    /// JSON payload (servers speaking ckb-script-ipc's serde_json payloads); the answer is
    /// printed as JSON too.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["payload", "payload_file"])]
    json: Option<String>,
    /// Also print the call's cycles (hosted scripts) on stderr.
    #[arg(long)]
    cycles: bool,
    /// Give up waiting for the answer after this many seconds.
    #[arg(long, default_value_t = 600.0)]
    timeout: f64,
}

#[derive(Args)]
struct TerminateArgs {
    /// Socket of the session, with or without `ipc:`.
    socket: String,
    /// Why the session ends (logged by the session).
    reason: Option<String>,
}

#[derive(Args)]
struct CallArgs {
    #[command(flatten)]
    host: HostArgs,
    /// Method id (u64).
    #[arg(long, value_name = "ID")]
    method: u64,
    /// Request payload as 0x-prefixed hex (or give it last, right after `--method <ID>`).
    #[arg(long, value_name = "0xHEX", conflicts_with = "payload_file")]
    payload: Option<String>,
    /// Read the request payload (raw bytes) from this file.
    #[arg(long, value_name = "FILE")]
    payload_file: Option<PathBuf>,
    /// JSON payload; the answer is printed as JSON too.
    #[arg(long, value_name = "JSON", conflicts_with_all = ["payload", "payload_file"])]
    json: Option<String>,
    /// How long a native program may take to listen, in seconds.
    #[arg(long, default_value_t = 3.0)]
    connect_timeout: f64,
    /// RISC-V ELF (hosted in CKB-VM) or native executable.
    file: PathBuf,
    /// Arguments of the server (after `--` if one starts with `-`).
    args: Vec<OsString>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(a) => init(a),
        Command::Exec(a) => exec(a),
        Command::Terminate(a) => terminate(a),
        Command::Call(a) => call(a),
        Command::Session(a) => session::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ckb-ipc: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;

/// What kind of server a file is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    RiscV,
    Native,
}

const EM_RISCV: u16 = 243;

/// A RISC-V ELF is hosted; any other executable runs natively.
pub fn kind_of(file: &Path) -> Result<Kind> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("no such file: {}", file.display()),
        _ => format!("{}: {e}", file.display()),
    })?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    let mut head = [0u8; 20];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let elf = n == head.len() && head.starts_with(b"\x7fELF");
    if elf && u16::from_le_bytes([head[18], head[19]]) == EM_RISCV {
        return Ok(Kind::RiscV);
    }
    if meta.permissions().mode() & 0o111 != 0 {
        return Ok(Kind::Native);
    }
    Err(format!(
        "{} is neither a RISC-V ELF nor an executable",
        file.display()
    ))
}

fn seconds(s: f64, what: &str) -> Result<Duration> {
    Duration::try_from_secs_f64(s).map_err(|_| format!("{what}: {s} is not a number of seconds"))
}

impl HostArgs {
    /// The transaction context for `binary` and the host options.
    pub fn context(&self, file: &Path, binary: &[u8]) -> Result<TxContext> {
        let ctx = match &self.tx {
            Some(tx) => {
                let json = std::fs::read_to_string(tx)
                    .map_err(|e| format!("mock tx {}: {e}", tx.display()))?;
                let selector = ScriptSelector {
                    group_type: match self.script_group_type {
                        GroupType::Lock => ckb_ipc_host::ScriptGroupType::Lock,
                        GroupType::Type => ckb_ipc_host::ScriptGroupType::Type,
                    },
                    cell_type: match self.cell_type {
                        CellSide::Input => CellType::Input,
                        CellSide::Output => CellType::Output,
                    },
                    cell_index: self.cell_index,
                };
                let ctx = TxContext::from_mock_json(&json, selector)
                    .map_err(|e| format!("mock tx {}: {e}", tx.display()))?;
                let program = ctx
                    .program()
                    .map_err(|e| format!("mock tx {}: {e}", tx.display()))?;
                if program.as_ref() != binary {
                    return Err(format!(
                        "{} is not the binary the selected script group of {} runs",
                        file.display(),
                        tx.display()
                    ));
                }
                ctx
            }
            None => TxContext::minimal(binary.to_vec().into(), Default::default()),
        };
        let mut ctx = ctx;
        for dep in &self.dep {
            if self.tx.is_some() {
                return Err("--dep adds to the default transaction; put cell deps in --tx".into());
            }
            let data = std::fs::read(dep).map_err(|e| format!("{}: {e}", dep.display()))?;
            ctx = ctx.with_cell_dep(data.into());
        }
        Ok(ctx)
    }

    pub fn options(&self) -> Result<HostOptions> {
        Ok(HostOptions {
            call_cycles: self.call_cycles_limit,
            total_cycles: self.cycles_limit,
            call_timeout: seconds(self.call_timeout, "--call-timeout")?,
            ..HostOptions::default()
        })
    }

    /// These options as command-line flags, for the background session.
    pub fn to_flags(&self) -> Vec<OsString> {
        let mut f: Vec<OsString> = Vec::new();
        if let Some(tx) = &self.tx {
            f.push("--tx".into());
            f.push(tx.clone().into());
        }
        for dep in &self.dep {
            f.push("--dep".into());
            f.push(dep.clone().into());
        }
        let group = match self.script_group_type {
            GroupType::Lock => "lock",
            GroupType::Type => "type",
        };
        let side = match self.cell_type {
            CellSide::Input => "input",
            CellSide::Output => "output",
        };
        for (k, v) in [
            ("--script-group-type", group.to_string()),
            ("--cell-type", side.to_string()),
            ("--cell-index", self.cell_index.to_string()),
            ("--cycles-limit", self.cycles_limit.to_string()),
            ("--call-cycles-limit", self.call_cycles_limit.to_string()),
            ("--call-timeout", self.call_timeout.to_string()),
        ] {
            f.push(k.into());
            f.push(v.into());
        }
        f
    }
}

/// `0x`-prefixed hex to bytes.
fn parse_hex(s: &str) -> Result<Vec<u8>> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| format!("bad hex payload {s:?}: it must start with 0x"))?;
    if digits.len() % 2 != 0 {
        return Err(format!("bad hex payload {s:?}: odd number of digits"));
    }
    (0..digits.len() / 2)
        .map(|i| {
            digits
                .get(2 * i..2 * i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or_else(|| {
                    format!(
                        "bad hex payload {s:?}: not a hex digit pair at {}",
                        2 + 2 * i
                    )
                })
        })
        .collect()
}

fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn payload(hex: Option<&str>, file: Option<&Path>, json: Option<&str>) -> Result<Payload> {
    if let Some(j) = json {
        let value: serde_json::Value =
            serde_json::from_str(j).map_err(|e| format!("bad JSON payload: {e}"))?;
        return serde_json::to_vec(&value)
            .map(Payload::from)
            .map_err(|e| format!("bad JSON payload: {e}"));
    }
    match (hex, file) {
        (Some(h), _) => parse_hex(h).map(Payload::from),
        (None, Some(f)) => std::fs::read(f)
            .map(Payload::from)
            .map_err(|e| format!("payload file {}: {e}", f.display())),
        (None, None) => Ok(Payload::new()),
    }
}

fn check_method(method: u64) -> Result<()> {
    if method == CONTROL_METHOD {
        return Err(format!(
            "method id {method} is reserved for session control"
        ));
    }
    Ok(())
}

/// The socket path of `ipc:<path>` or `<path>`.
fn socket_path(arg: &str) -> PathBuf {
    PathBuf::from(arg.strip_prefix("ipc:").unwrap_or(arg))
}

/// Connects to a session, telling a missing socket from a stale one.
pub fn connect(path: &Path) -> Result<UnixStream> {
    match std::fs::symlink_metadata(path) {
        Err(_) => {
            return Err(format!(
                "no session at {}: the socket does not exist (ended or never started)",
                path.display()
            ))
        }
        Ok(m) if !m.file_type().is_socket() => {
            return Err(format!("{} is not a socket", path.display()))
        }
        Ok(_) => {}
    }
    UnixStream::connect(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::ConnectionRefused => format!(
            "stale socket {}: no session listens there (it died?)",
            path.display()
        ),
        _ => format!("cannot connect to {}: {e}", path.display()),
    })
}

/// One request on a connection; a session failure comes back as `Err`.
pub fn request(
    stream: UnixStream,
    path: &Path,
    request: &RequestPacket,
    timeout: Option<Duration>,
) -> Result<(ResponsePacket, UnixStream)> {
    stream
        .set_read_timeout(timeout)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let keep = stream
        .try_clone()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut channel = socket_channel(stream)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .with_max_payload(64 << 20);
    let response = channel.call(request).map_err(|e| match e {
        ckb_ipc::IpcError::Eof | ckb_ipc::IpcError::UnexpectedEof => {
            format!("session at {} closed without answering", path.display())
        }
        ckb_ipc::IpcError::Io(embedded_io::ErrorKind::TimedOut) => {
            format!("no answer from {} in time", path.display())
        }
        e => format!("garbage answer from {}: {e}", path.display()),
    })?;
    if response.error_code() == SESSION_ERROR {
        return Err(format!(
            "session {}: {}",
            path.display(),
            String::from_utf8_lossy(response.payload())
        ));
    }
    Ok((response, keep))
}

/// Prints a service response the way `exec` and `call` do: the payload as 0x-hex (as JSON
/// text with `json` when it is JSON), `error <code>` on stderr for a non-zero code.
fn print_response(response: &ResponsePacket, json: bool) -> ExitCode {
    let payload = response.payload();
    let shown = match json {
        true if serde_json::from_slice::<serde_json::Value>(payload).is_ok() => {
            String::from_utf8_lossy(payload).into_owned()
        }
        _ => to_hex(payload),
    };
    if response.error_code() == 0 {
        println!("{shown}");
        return ExitCode::SUCCESS;
    }
    if !payload.is_empty() {
        println!("{shown}");
    }
    eprintln!("error {}", response.error_code());
    ExitCode::from(EXIT_ERROR_CODE)
}

fn exec(a: ExecArgs) -> Result<ExitCode> {
    check_method(a.method)?;
    let body = payload(
        a.payload.as_deref(),
        a.payload_file.as_deref(),
        a.json.as_deref(),
    )?;
    let path = socket_path(&a.socket);
    let stream = connect(&path)?;
    let timeout = seconds(a.timeout, "--timeout")?;
    let (response, stream) = request(
        stream,
        &path,
        &RequestPacket::new(a.method, body),
        Some(timeout),
    )?;
    if a.cycles {
        // Same connection: no other client's call can come in between.
        if let Ok((stats, _)) = request(stream, &path, &Control::Stats.to_request(), Some(timeout))
        {
            if let Some(r) = Report::from_response(&stats) {
                eprintln!("cycles {}", r.last_call_cycles);
            }
        }
    }
    Ok(print_response(&response, a.json.is_some()))
}

fn terminate(a: TerminateArgs) -> Result<ExitCode> {
    let path = socket_path(&a.socket);
    let reason = a.reason.unwrap_or_else(|| "terminated".into());
    let stream = connect(&path)?;
    let (response, _) = request(
        stream,
        &path,
        &Control::Terminate { reason }.to_request(),
        Some(Duration::from_secs(600)),
    )?;
    let report = Report::from_response(&response).ok_or_else(|| {
        format!(
            "{} does not understand terminate (answered error {})",
            path.display(),
            response.error_code()
        )
    })?;
    // A native server may leave its socket behind.
    let _ = std::fs::remove_file(&path);
    println!("exit code {}", report.exit_code);
    println!("cycles {}", report.cycles);
    Ok(ExitCode::SUCCESS)
}

fn init(a: InitArgs) -> Result<ExitCode> {
    let kind = kind_of(&a.file)?;
    if kind == Kind::RiscV {
        // Catch a bad transaction here, with the file names, before going to the background.
        let binary = std::fs::read(&a.file).map_err(|e| format!("{}: {e}", a.file.display()))?;
        a.host.context(&a.file, &binary)?;
        a.host.options()?;
    }
    let idle = seconds(a.idle_timeout, "--idle-timeout")?;
    let connect_timeout = seconds(a.connect_timeout, "--connect-timeout")?;
    let path = session::spawn(kind, &a.file, &a.args, &a.host, idle, connect_timeout)?;
    println!("ipc:{}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn call(mut a: CallArgs) -> Result<ExitCode> {
    check_method(a.method)?;
    if a.payload.is_none()
        && a.payload_file.is_none()
        && a.json.is_none()
        && trailing_hex_after_method()
    {
        a.payload = a.args.pop().and_then(|s| s.into_string().ok());
    }
    let body = payload(
        a.payload.as_deref(),
        a.payload_file.as_deref(),
        a.json.as_deref(),
    )?;
    let json = a.json.is_some();
    let req = RequestPacket::new(a.method, body);
    match kind_of(&a.file)? {
        Kind::RiscV => session::call_in_process(&a.file, &a.args, &a.host, &req, json),
        Kind::Native => {
            let timeout = seconds(a.connect_timeout, "--connect-timeout")?;
            let path = session::spawn(
                Kind::Native,
                &a.file,
                &a.args,
                &a.host,
                Duration::ZERO,
                timeout,
            )?;
            // The first connection must be closed before the next: the server takes one at a time.
            let outcome =
                connect(&path).and_then(|s| request(s, &path, &req, None).map(|(r, _)| r));
            let stop = connect(&path).and_then(|s| {
                request(
                    s,
                    &path,
                    &Control::Terminate {
                        reason: "call done".into(),
                    }
                    .to_request(),
                    Some(Duration::from_secs(10)),
                )
            });
            let _ = std::fs::remove_file(&path);
            let response = outcome?;
            stop?;
            Ok(print_response(&response, json))
        }
    }
}

/// Whether the command line ends with `--method <ID> 0x...` (the payload of `call`, which
/// clap would otherwise take for one more server argument).
fn trailing_hex_after_method() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let n = args.len();
    let Some(last) = args.last() else {
        return false;
    };
    if !last.starts_with("0x") || n < 3 {
        return false;
    }
    let before = &args[..n - 1];
    matches!(before, [.., m, _] if m == "--method")
        || matches!(before, [.., m] if m.starts_with("--method="))
}
