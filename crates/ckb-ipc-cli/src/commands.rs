//! The commands: `init`, `exec`, `terminate`, `call` and `methods` (`session` is in
//! `session.rs`).

use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use ckb_ipc::{Payload, RequestPacket, ResponsePacket};
use ckb_ipc_host::control::{Control, Report};

use crate::args::{seconds, CallArgs, ExecArgs, InitArgs, MethodsArgs, TerminateArgs};
use crate::client::{
    check_method, connect, payload, print_response, print_typed, request, socket_path,
};
use crate::description::{Document, Found, Method, Service};
use crate::kind::{kind_of, Kind};
use crate::session::Started;
use crate::typed::Types;
use crate::{session, Result};

pub(crate) fn exec(a: ExecArgs) -> Result<ExitCode> {
    let path = socket_path(&a.socket);
    let timeout = seconds(a.timeout, "--timeout")?;
    let stream;
    let doc;
    let (req, typed) = match a.method {
        Some(id) => {
            check_method(id)?;
            let hex = match a.words.as_slice() {
                [] => None,
                [hex] if a.payload_file.is_none() && a.json.is_none() => Some(hex.as_str()),
                [_] => return Err("give the payload once: 0xHEX, --payload-file or --json".into()),
                _ => return Err("with --method, give at most one payload (0xHEX)".into()),
            };
            let body = payload(hex, a.payload_file.as_deref(), a.json.as_deref())?;
            stream = connect(&path)?;
            (RequestPacket::new(id, body), None)
        }
        None => {
            let (name, args) = a.words.split_first().ok_or(
                "give a METHOD name and its arguments (see `ckb-ipc methods`), or --method ID",
            )?;
            (doc, stream) =
                session_description(connect(&path)?, &path, a.description.as_deref(), timeout)?;
            let (req, service, method) = typed_request(&doc, name, args)?;
            (req, Some((Types::new(&service.types), method)))
        }
    };
    let (response, stream) = request(stream, &path, &req, Some(timeout))?;
    if a.cycles {
        // Same connection: no other client's call can come in between.
        if let Ok((stats, _)) = request(stream, &path, &Control::Stats.to_request(), Some(timeout))
        {
            if let Some(r) = Report::from_response(&stats) {
                eprintln!("cycles {}", r.last_call_cycles);
            }
        }
    }
    Ok(match typed {
        Some((types, method)) => print_typed(&response, &types, method),
        None => print_response(&response, a.json.is_some()),
    })
}

/// The description of the service behind a session: `--description`, else what the session
/// found for its FILE, else the server's own (discovery), asked on the same connection.
fn session_description(
    stream: UnixStream,
    path: &Path,
    given: Option<&Path>,
    timeout: Duration,
) -> Result<(Document, UnixStream)> {
    if let Some(given) = given {
        return Ok((Document::load(given)?, stream));
    }
    let timeout = Some(timeout);
    let (answer, stream) = request(stream, path, &Control::Describe.to_request(), timeout)?;
    let found = Found::from_response(
        &answer,
        &format!("the description of session {}", path.display()),
    )?;
    let mut stream = Some(stream);
    let doc = found.or_discover(&format!("the server of {}", path.display()), |req| {
        let s = stream.take().ok_or("no connection")?;
        let (response, s) = request(s, path, req, timeout)?;
        stream = Some(s);
        Ok(response)
    })?;
    let stream = match stream {
        Some(s) => s,
        None => connect(path)?,
    };
    Ok((doc, stream))
}

/// The request calling `name` with `args` (JSON texts), and the method's service and entry.
fn typed_request<'d>(
    doc: &'d Document,
    name: &str,
    args: &[String],
) -> Result<(RequestPacket, &'d Service, &'d Method)> {
    let (service, method) = doc.method(name)?;
    let body = Types::new(&service.types).encode_args(method, args)?;
    check_method(method.id)?;
    Ok((
        RequestPacket::new(method.id, Payload::from(body)),
        service,
        method,
    ))
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
    if let Some(d) = &a.description {
        if kind == Kind::Native {
            return Err(
                "--description: a native server's session keeps none; give it to exec".into(),
            );
        }
        // Refused here, before going to the background.
        Found::for_file(&a.file, Some(d))?;
    }
    if kind == Kind::RiscV {
        // Catch a bad transaction here, with the file names, before going to the background.
        let binary = std::fs::read(&a.file).map_err(|e| format!("{}: {e}", a.file.display()))?;
        a.host.context(&a.file, &binary)?;
        a.host.options()?;
    }
    let idle = seconds(a.idle_timeout, "--idle-timeout")?;
    let connect_timeout = seconds(a.connect_timeout, "--connect-timeout")?;
    // The session finds the file again: give it an absolute path, as it may run elsewhere.
    let description = a
        .description
        .as_deref()
        .map(std::path::absolute)
        .transpose()
        .map_err(|e| format!("--description: {e}"))?;
    let path = session::spawn(
        kind,
        &a.file,
        &a.args,
        &a.host,
        description.as_deref(),
        idle,
        connect_timeout,
    )?;
    println!("ipc:{}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn call(mut a: CallArgs) -> Result<ExitCode> {
    let kind = kind_of(&a.file)?;
    let timeout = seconds(a.connect_timeout, "--connect-timeout")?;
    let Some(id) = a.method else {
        return call_typed(a, kind, timeout);
    };
    check_method(id)?;
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
    let req = RequestPacket::new(id, body);
    let argv = [a.args, a.server_args].concat();
    let mut server = Started::start(kind, &a.file, &argv, &a.host, timeout)?;
    let outcome = server.call(&req);
    call_end(server, outcome, |response| print_response(response, json))
}

/// `call FILE METHOD [ARG]...`: the description of FILE (its file, else the server's own,
/// asked of the same server before the call).
fn call_typed(a: CallArgs, kind: Kind, timeout: Duration) -> Result<ExitCode> {
    let words = a
        .args
        .into_iter()
        .map(|w| w.into_string().map_err(|w| format!("{w:?} is not UTF-8")))
        .collect::<Result<Vec<String>>>()?;
    let (name, args) = words
        .split_first()
        .ok_or("give a METHOD name and its arguments (see `ckb-ipc methods`), or --method ID")?;
    let found = Found::for_file(&a.file, a.description.as_deref())?;
    // Refuse what can be refused before the server starts.
    if let Found::File(doc, _) = &found {
        typed_request(doc, name, args)?;
    }
    let mut server = Started::start(kind, &a.file, &a.server_args, &a.host, timeout)?;
    let doc = found.or_discover(&a.file.display().to_string(), |req| Ok(server.call(req)?.0));
    let doc = match doc {
        Ok(doc) => doc,
        Err(e) => return call_end(server, Err(e), |_| ExitCode::FAILURE),
    };
    let (req, service, method) = match typed_request(&doc, name, args) {
        Ok(r) => r,
        Err(e) => return call_end(server, Err(e), |_| ExitCode::FAILURE),
    };
    let outcome = server.call(&req);
    let types = Types::new(&service.types);
    call_end(server, outcome, |r| print_typed(r, &types, method))
}

/// The end of a `call`: the server finishes, the answer is printed and decides the exit
/// status; the server's exit code is reported, like `terminate` does (a ckb-script-ipc-common
/// server exits -1 when the client hangs up: that is no failure of the call).
fn call_end(
    server: Started,
    outcome: Result<(ResponsePacket, u64)>,
    print: impl FnOnce(&ResponsePacket) -> ExitCode,
) -> Result<ExitCode> {
    let hosted = matches!(server, Started::Hosted(_));
    let end = server.finish();
    let (response, cycles) = outcome?;
    let report = end?;
    let code = print(&response);
    if hosted {
        eprintln!("cycles {cycles} (call), {} (session)", report.cycles);
    }
    eprintln!("exit code {}", report.exit_code);
    Ok(code)
}

/// `methods FILE|SOCKET`: one line a method, `name(arg: Type, ...) -> Type   id 0x.. (..)`.
pub(crate) fn methods(a: MethodsArgs) -> Result<ExitCode> {
    let file = Path::new(&a.target);
    let doc = if a.target.starts_with("ipc:") || is_socket(file) {
        let path = socket_path(&a.target);
        let timeout = Duration::from_secs(600);
        session_description(connect(&path)?, &path, a.description.as_deref(), timeout)?.0
    } else {
        let kind = kind_of(file)?;
        match Found::for_file(file, a.description.as_deref())? {
            Found::File(doc, _) => doc,
            found => {
                let timeout = seconds(a.connect_timeout, "--connect-timeout")?;
                let mut server = Started::start(kind, file, &a.server_args, &a.host, timeout)?;
                let doc = found.or_discover(&a.target, |req| Ok(server.call(req)?.0));
                let _ = server.finish();
                doc?
            }
        }
    };
    let many = doc.services.len() > 1;
    let lines: Vec<(String, u64)> = doc
        .services
        .iter()
        .flat_map(|s| {
            s.methods.iter().map(move |m| match many {
                true => (format!("{}::{}", s.name, m.signature()), m.id),
                false => (m.signature(), m.id),
            })
        })
        .collect();
    let width = lines
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    for (line, id) in lines {
        println!("{line:width$}   id {id:#010x} ({id})");
    }
    Ok(ExitCode::SUCCESS)
}

fn is_socket(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
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
