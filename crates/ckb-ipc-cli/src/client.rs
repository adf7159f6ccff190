//! The client side: request payloads from the command line, connecting to a session, one
//! request on a connection, and printing the answer.

use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use ckb_ipc::service::{SERVICE_ERROR, UNKNOWN_METHOD};
use ckb_ipc::{Payload, ProtocolErrorCode, RequestPacket, ResponsePacket};
use ckb_ipc_host::control::{CONTROL_METHOD, SESSION_ERROR};
use ckb_ipc_host::socket_channel;

use crate::description::Method;
use crate::typed::Types;
use crate::Result;

/// Exit status of a call answered with a non-zero error code (tool failures are 1, usage 2).
const EXIT_ERROR_CODE: u8 = 3;

/// `0x`-prefixed hex to bytes.
fn parse_hex(s: &str) -> Result<Vec<u8>> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| format!("bad hex payload {s:?}: it must start with 0x"))?;
    hex_digits(digits).map_err(|bad| match bad {
        HexError::Odd => format!("bad hex payload {s:?}: odd number of digits"),
        HexError::At(i) => format!("bad hex payload {s:?}: not a hex digit pair at {}", 2 + i),
    })
}

/// Why hex digits are not bytes: an odd count, or not a hex digit pair at this offset.
pub(crate) enum HexError {
    Odd,
    At(usize),
}

/// Hex digits (no `0x`), two a byte, to the bytes.
pub(crate) fn hex_digits(digits: &str) -> std::result::Result<Vec<u8>, HexError> {
    if !digits.len().is_multiple_of(2) {
        return Err(HexError::Odd);
    }
    (0..digits.len() / 2)
        .map(|i| {
            digits
                .get(2 * i..2 * i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
                .ok_or(HexError::At(2 * i))
        })
        .collect()
}

/// Bytes as `0x`-prefixed hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub(crate) fn payload(
    hex: Option<&str>,
    file: Option<&Path>,
    json: Option<&str>,
) -> Result<Payload> {
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

pub(crate) fn check_method(method: u64) -> Result<()> {
    if method == CONTROL_METHOD {
        return Err(format!(
            "method id {method} is reserved for session control"
        ));
    }
    Ok(())
}

/// The socket path of `ipc:<path>` or `<path>`.
pub(crate) fn socket_path(arg: &str) -> PathBuf {
    PathBuf::from(arg.strip_prefix("ipc:").unwrap_or(arg))
}

/// Connects to a session, telling a missing socket from a stale one.
pub(crate) fn connect(path: &Path) -> Result<UnixStream> {
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
pub(crate) fn request(
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
pub(crate) fn print_response(response: &ResponsePacket, json: bool) -> ExitCode {
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

/// Prints a typed service's answer to `method`: the payload decoded as JSON (an `Err(e)`, code
/// 257, as `e` of the method's error type, and `error 257 (SERVICE_ERROR: <type>)` on stderr);
/// other codes by name on stderr, with the payload as 0x-hex if there is one.
pub(crate) fn print_typed(response: &ResponsePacket, types: &Types, method: &Method) -> ExitCode {
    let payload = response.payload();
    let code = response.error_code();
    let decoded = match (code, &method.error) {
        (0, _) => Some(&method.returns),
        (SERVICE_ERROR, Some(e)) => Some(e),
        _ => None,
    };
    if let Some(ty) = decoded {
        match types.decode_named(ty, payload) {
            Ok(v) => println!("{v}"),
            Err(e) => {
                println!("{}", to_hex(payload));
                eprintln!("ckb-ipc: the answer of {} is not a {ty}: {e}", method.name);
                return ExitCode::FAILURE;
            }
        }
    } else if !payload.is_empty() {
        println!("{}", to_hex(payload));
    }
    match (code, decoded) {
        (0, _) => return ExitCode::SUCCESS,
        (_, Some(ty)) => eprintln!("error {code} (SERVICE_ERROR: {ty})"),
        _ => match code_name(code) {
            Some(name) => eprintln!("error {code} ({name})"),
            None => eprintln!("error {code}"),
        },
    }
    ExitCode::from(EXIT_ERROR_CODE)
}

/// The name of an error code a typed service or the transport defines (the others belong to
/// the service, and a JSON service's 7 is not `OtherEndClosed`: raw answers print no name).
fn code_name(code: u64) -> Option<String> {
    match code {
        UNKNOWN_METHOD => Some("UNKNOWN_METHOD: the server has no method of this id".into()),
        SERVICE_ERROR => Some("SERVICE_ERROR".into()),
        c => ProtocolErrorCode::from_code(c).map(|p| format!("{p:?}")),
    }
}

#[cfg(test)]
mod tests;
