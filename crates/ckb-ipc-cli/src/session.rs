//! Sessions: the background process that owns a hosted script (or a native program started
//! by `init`), its socket directory, and `call` without a session.

use std::ffi::OsString;
use std::fs::{DirBuilder, File};
use std::hash::{BuildHasher, Hasher};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use ckb_ipc::{RequestPacket, ResponsePacket};
use ckb_ipc_host::control::{session_error, Control, Report};
use ckb_ipc_host::{accept_within, socket_channel, ScriptHost};
use clap::Args;

use crate::args::seconds;
use crate::client::{self, connect};
use crate::description::Found;
use crate::host_args::HostArgs;
use crate::kind::Kind;
use crate::Result;

#[derive(Args)]
pub(crate) struct SessionArgs {
    /// Socket to listen on.
    #[arg(long)]
    socket: PathBuf,
    /// End after this many seconds without a message.
    #[arg(long)]
    idle_timeout: f64,
    #[command(flatten)]
    host: HostArgs,
    /// The service description to answer `Control::Describe` with (default: `<FILE>.json`).
    #[arg(long)]
    description: Option<PathBuf>,
    file: PathBuf,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<OsString>,
}

/// How long one connection may stay silent before the session drops it, so a stuck client
/// cannot hold the session (clients are served one at a time).
const CONNECTION_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The per-user socket directory (mode 0700): `$CKB_IPC_DIR`, else
/// `$XDG_RUNTIME_DIR/ckb-ipc`, else `/tmp/ckb-ipc-<uid>`.
fn socket_dir() -> Result<PathBuf> {
    // SAFETY: getuid has no preconditions and cannot fail.
    let uid = unsafe { libc::getuid() };
    let dir = if let Some(d) = std::env::var_os("CKB_IPC_DIR") {
        PathBuf::from(d)
    } else if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR") {
        PathBuf::from(d).join("ckb-ipc")
    } else {
        std::env::temp_dir().join(format!("ckb-ipc-{uid}"))
    };
    match DirBuilder::new().mode(0o700).recursive(true).create(&dir) {
        Ok(()) => {}
        Err(e) => return Err(format!("socket directory {}: {e}", dir.display())),
    }
    let meta = std::fs::metadata(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if meta.uid() != uid || meta.permissions().mode() & 0o077 != 0 {
        return Err(format!(
            "refusing socket directory {}: it must belong to you with mode 0700",
            dir.display()
        ));
    }
    Ok(dir)
}

/// A fresh socket path in the per-user directory.
fn new_socket_path() -> Result<PathBuf> {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    let name = format!("{}-{:016x}.sock", std::process::id(), h.finish());
    Ok(socket_dir()?.join(name))
}

fn log_path(socket: &Path) -> PathBuf {
    let mut p = socket.as_os_str().to_owned();
    p.push(".log");
    PathBuf::from(p)
}

/// Starts a session (or a native program) in the background and waits until its socket
/// accepts connections; returns the socket path.
pub(crate) fn spawn(
    kind: Kind,
    file: &Path,
    args: &[OsString],
    host: &HostArgs,
    description: Option<&Path>,
    idle: Duration,
    connect_timeout: Duration,
) -> Result<PathBuf> {
    let socket = new_socket_path()?;
    let log_file = log_path(&socket);
    let log = File::create(&log_file).map_err(|e| format!("{}: {e}", log_file.display()))?;
    let mut cmd = match kind {
        Kind::RiscV => {
            let me = std::env::current_exe().map_err(|e| format!("own executable: {e}"))?;
            let mut c = Command::new(me);
            c.arg("session")
                .arg("--socket")
                .arg(&socket)
                .arg("--idle-timeout")
                .arg(idle.as_secs_f64().to_string())
                .args(host.to_flags());
            if let Some(d) = description {
                c.arg("--description").arg(d);
            }
            c.arg(file).arg("--").args(args);
            c
        }
        Kind::Native => {
            let mut c = Command::new(file);
            c.args(args).arg(format!("ipc:{}", socket.display()));
            c
        }
    };
    // Its own process group: the terminal's Ctrl-C for `init` does not reach the session.
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0);
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", file.display()))?;
    let deadline = Instant::now() + connect_timeout;
    loop {
        if UnixStream::connect(&socket).is_ok() {
            return Ok(socket);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let why = last_line(&log_file);
            print_tail(&log_file);
            let _ = std::fs::remove_file(&log_file);
            let _ = std::fs::remove_file(&socket);
            return Err(match (kind, why) {
                (_, Some(why)) => format!("{} did not start: {why}", file.display()),
                (Kind::Native, None) => format!(
                    "{} exited ({status}) before listening on its socket",
                    file.display()
                ),
                (Kind::RiscV, None) => format!("session for {} exited ({status})", file.display()),
            });
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            print_tail(&log_file);
            let _ = std::fs::remove_file(&socket);
            return Err(format!(
                "{} did not accept connections on {} within {:.1} s",
                file.display(),
                socket.display(),
                connect_timeout.as_secs_f64()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The last line of a session log that says what went wrong.
fn last_line(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.trim_start_matches("ckb-ipc: ").to_string())
}

/// How many lines of its output a session that failed to start shows.
const TAIL_LINES: usize = 20;

/// Prints to stderr the last lines of a log before the one [`last_line`] reports: what the
/// script (or native program) said before it failed (`[script] Error: read operation failed`),
/// which the log's removal would otherwise take away.
fn print_tail(log: &Path) {
    let Ok(text) = std::fs::read_to_string(log) else {
        return;
    };
    let mut lines: Vec<&str> = text.lines().collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    lines.pop();
    let skipped = lines.len().saturating_sub(TAIL_LINES);
    if skipped > 0 {
        eprintln!("({skipped} earlier lines of output not shown)");
    }
    for line in lines.iter().skip(skipped) {
        eprintln!("{line}");
    }
}

/// Boots the script for `file` with the host options.
fn boot(file: &Path, args: &[OsString], host: &HostArgs) -> Result<ScriptHost> {
    let binary = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let ctx = host.context(file, &binary)?;
    let argv = args
        .iter()
        .map(|a| a.as_encoded_bytes().to_vec().into())
        .collect();
    let mut script = ScriptHost::new(ctx, argv, host.options()?).map_err(|e| e.to_string())?;
    script.start().map_err(|e| match e {
        ckb_ipc_host::HostError::Exited(code) => {
            format!("server exited with code {code} during init")
        }
        e => format!("server failed during init: {e}"),
    })?;
    Ok(script)
}

/// A server started for one command (`call`, `methods FILE`): requests one at a time, then
/// its end. A RISC-V server runs in this process, with no session and no socket.
pub(crate) enum Started {
    Hosted(Box<ScriptHost>),
    /// A native server listening on this socket.
    Native(PathBuf),
}

impl Started {
    pub(crate) fn start(
        kind: Kind,
        file: &Path,
        args: &[OsString],
        host: &HostArgs,
        connect_timeout: Duration,
    ) -> Result<Started> {
        Ok(match kind {
            Kind::RiscV => Started::Hosted(Box::new(boot(file, args, host)?)),
            Kind::Native => Started::Native(spawn(
                Kind::Native,
                file,
                args,
                host,
                None,
                Duration::ZERO,
                connect_timeout,
            )?),
        })
    }

    /// One request; the answer and its cycles (0 for a native server).
    pub(crate) fn call(&mut self, request: &RequestPacket) -> Result<(ResponsePacket, u64)> {
        match self {
            Started::Hosted(script) => script.call(request).map_err(|e| e.to_string()),
            // One connection a request: the server takes one at a time.
            Started::Native(path) => connect(path)
                .and_then(|s| client::request(s, path, request, None))
                .map(|(r, _)| (r, 0)),
        }
    }

    /// Closes the server's pipes and waits for it: its exit code and cycles.
    pub(crate) fn finish(self) -> Result<Report> {
        match self {
            Started::Hosted(script) => script
                .finish()
                .map(|exit| Report {
                    exit_code: exit.exit_code,
                    cycles: exit.cycles,
                    last_call_cycles: 0,
                })
                .map_err(|e| e.to_string()),
            Started::Native(path) => {
                let stop = connect(&path).and_then(|s| {
                    client::request(
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
                let (response, _) = stop?;
                Ok(Report::from_response(&response).unwrap_or_default())
            }
        }
    }
}

fn log(msg: &str) {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default();
    // The log is a file; nothing sensible to do if writing to it fails.
    let _ = writeln!(std::io::stderr(), "[{t:.3}] {msg}");
}

/// The background session: hosts the script and serves one connection at a time.
pub(crate) fn run(a: SessionArgs) -> Result<ExitCode> {
    let mut options = a.host.clone();
    let idle = seconds(a.idle_timeout, "--idle-timeout")?;
    options.call_timeout = a.host.call_timeout;
    let mut script = boot(&a.file, &a.args, &options)?;
    // Found once, answered to every `Control::Describe` (init has already refused a bad
    // --description; a refused <FILE>.json is reported to the typed calls that need it).
    let described =
        Found::for_file(&a.file, a.description.as_deref()).unwrap_or_else(Found::Refused);
    let listener = UnixListener::bind(&a.socket)
        .map_err(|e| format!("cannot listen on {}: {e}", a.socket.display()))?;
    let _ = std::fs::set_permissions(&a.socket, std::fs::Permissions::from_mode(0o600));
    log(&format!(
        "session {} for {} (pid {})",
        a.socket.display(),
        a.file.display(),
        std::process::id()
    ));
    let mut last_call_cycles = 0;
    let end = |script: ScriptHost, why: &str| -> Report {
        let report = match script.finish() {
            Ok(exit) => {
                log(&format!(
                    "{why}: exit code {}, cycles {}",
                    exit.exit_code, exit.cycles
                ));
                Report {
                    exit_code: exit.exit_code,
                    cycles: exit.cycles,
                    last_call_cycles: 0,
                }
            }
            Err(e) => {
                log(&format!("{why}: server did not finish: {e}"));
                Report::default()
            }
        };
        let _ = std::fs::remove_file(&a.socket);
        report
    };
    loop {
        let stream = match accept_within(&listener, Some(idle)) {
            Ok(Some(s)) => s,
            Ok(None) => {
                end(script, &format!("idle for {:.1} s", idle.as_secs_f64()));
                return Ok(ExitCode::SUCCESS);
            }
            Err(e) => {
                end(script, &format!("accept failed: {e}"));
                return Err(format!("accept: {e}"));
            }
        };
        let _ = stream.set_read_timeout(Some(CONNECTION_READ_TIMEOUT));
        let Ok(channel) = socket_channel(stream) else {
            continue;
        };
        let mut channel = channel.with_max_payload(64 << 20);
        loop {
            let request = match channel.receive_request() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    log(&format!("bad request: {e}"));
                    let _ = channel.send_error_code(e.wire_code());
                    break;
                }
            };
            let response: ResponsePacket = match Control::from_request(&request) {
                Some(Control::Terminate { reason }) => {
                    log(&format!("terminate: {reason}"));
                    let report = end(script, "terminated");
                    let _ = channel.send_response(&report.to_response());
                    return Ok(ExitCode::SUCCESS);
                }
                Some(Control::Describe) => described.to_response(),
                Some(Control::Stats) => Report {
                    exit_code: 0,
                    cycles: script.cycles(),
                    last_call_cycles,
                }
                .to_response(),
                None => {
                    let method = request.method_id();
                    match script.call(&request) {
                        Ok((response, cycles)) => {
                            last_call_cycles = cycles;
                            log(&format!(
                                "method {method}: error code {}, {cycles} cycles",
                                response.error_code()
                            ));
                            response
                        }
                        Err(e) => {
                            // The script is torn down: end the session (its socket goes), then
                            // say why, so a caller that sees the error finds no session left.
                            log(&format!("method {method}: {e}"));
                            end(script, "session failed");
                            let _ = channel.send_response(&session_error(&e.to_string()));
                            return Ok(ExitCode::FAILURE);
                        }
                    }
                }
            };
            if channel.send_response(&response).is_err() {
                break;
            }
        }
    }
}
