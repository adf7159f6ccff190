//! The commands: `init`, `exec`, `terminate` and `call` (`session` is in `session.rs`).

use std::process::ExitCode;
use std::time::Duration;

use ckb_ipc::RequestPacket;
use ckb_ipc_host::control::{Control, Report};

use crate::args::{seconds, CallArgs, ExecArgs, InitArgs, TerminateArgs};
use crate::client::{check_method, connect, payload, print_response, request, socket_path};
use crate::kind::{kind_of, Kind};
use crate::{session, Result};

pub(crate) fn exec(a: ExecArgs) -> Result<ExitCode> {
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

pub(crate) fn terminate(a: TerminateArgs) -> Result<ExitCode> {
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

pub(crate) fn init(a: InitArgs) -> Result<ExitCode> {
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

pub(crate) fn call(mut a: CallArgs) -> Result<ExitCode> {
    check_method(a.method)?;
    if a.payload.is_none() && a.payload_file.is_none() && a.json.is_none() {
        match last_after_method() {
            Some(last) if last.starts_with("0x") => {
                a.payload = a.args.pop().and_then(|s| s.into_string().ok());
            }
            // Taken as a script argument, it would send an empty payload without a word.
            Some(last) if looks_like_bare_hex(&last) => {
                return Err(format!(
                    "{last:?} after --method looks like a payload without its 0x: write \
                     0x{last} (a script argument goes before --method, or after --)"
                ));
            }
            _ => {}
        }
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

/// The last command-line argument when it comes right after `--method <ID>` (or
/// `--method=<ID>`): where `call` takes a payload, which clap would otherwise take for one more
/// server argument. `None` for anything else, such as an argument after `--`.
fn last_after_method() -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let (last, before) = args.split_last()?;
    let after_method = matches!(before, [.., m, _] if m == "--method")
        || matches!(before, [.., m] if m.starts_with("--method="));
    after_method.then(|| last.clone())
}

/// Whether `arg` reads as hex digits without the `0x` a payload needs (`0102`, `deadbeef`).
fn looks_like_bare_hex(arg: &str) -> bool {
    !arg.is_empty() && arg.len().is_multiple_of(2) && arg.bytes().all(|b| b.is_ascii_hexdigit())
}
