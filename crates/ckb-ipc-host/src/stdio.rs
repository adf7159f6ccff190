//! std streams as channel ends, and [`serve`]: a native handler behind a Unix socket.

use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::{Duration, Instant};

use ckb_ipc::io::{ErrorType, Read, ReadVec, Write};
use ckb_ipc::{Channel, IpcError, Payload, RequestHandler, ResponsePacket};
use embedded_io::ErrorKind;

use crate::control::{Control, Report};

/// A `std::io` stream as a channel end. A reset or broken connection is end of stream, so a
/// peer that hangs up between packets is a clean close, as on a CKB pipe.
#[derive(Debug)]
pub struct StdIo<T>(pub T);

impl<T> ErrorType for StdIo<T> {
    type Error = IpcError;
}

fn kind(e: &io::Error) -> ErrorKind {
    match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ErrorKind::TimedOut,
        io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => ErrorKind::BrokenPipe,
        io::ErrorKind::OutOfMemory => ErrorKind::OutOfMemory,
        _ => ErrorKind::Other,
    }
}

impl<T: io::Read> Read for StdIo<T> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IpcError> {
        loop {
            return match self.0.read(buf) {
                Ok(n) => Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if kind(&e) == ErrorKind::BrokenPipe => Ok(0),
                Err(e) => Err(IpcError::Io(kind(&e))),
            };
        }
    }
}

impl<T: io::Read> ReadVec for StdIo<T> {
    /// Reads up to 256 KiB at once (the default's 512-byte windows cost a syscall each); the
    /// window stays bounded so a large payload is not zeroed over and over.
    fn read_vec(&mut self, buf: &mut Vec<u8>) -> Result<usize, IpcError> {
        const WINDOW: usize = 256 * 1024;
        let len = buf.len();
        buf.resize(buf.capacity().min(len.saturating_add(WINDOW)), 0);
        let result = self.read(buf.get_mut(len..).unwrap_or_default());
        buf.truncate(len + *result.as_ref().unwrap_or(&0));
        result
    }
}

impl<T: io::Write> Write for StdIo<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        loop {
            return match self.0.write(buf) {
                Ok(n) => Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                // The channel tells a close at a packet boundary from one inside a packet.
                Err(e) if kind(&e) == ErrorKind::BrokenPipe => Err(IpcError::UnexpectedEof),
                Err(e) => Err(IpcError::Io(kind(&e))),
            };
        }
    }

    fn flush(&mut self) -> Result<(), IpcError> {
        self.0.flush().map_err(|e| IpcError::Io(kind(&e)))
    }
}

/// A channel over one Unix socket connection.
pub fn socket_channel(
    stream: UnixStream,
) -> io::Result<Channel<StdIo<UnixStream>, StdIo<UnixStream>>> {
    let reader = stream.try_clone()?;
    Ok(Channel::new(StdIo(reader), StdIo(stream)))
}

/// Waits up to `timeout` for a connection; `Ok(None)` when none came (`None` waits forever).
pub fn accept_within(
    listener: &UnixListener,
    timeout: Option<Duration>,
) -> io::Result<Option<UnixStream>> {
    let deadline = timeout.map(|t| Instant::now() + t);
    loop {
        let wait_ms: libc::c_int = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(None);
                }
                left.as_millis().clamp(1, i32::MAX as u128) as libc::c_int
            }
        };
        let mut fds = libc::pollfd {
            fd: listener.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the listener's open fd, which outlives the call.
        let ready = unsafe { libc::poll(&mut fds, 1, wait_ms) };
        if ready < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if ready > 0 {
            return listener.accept().map(|(s, _)| Some(s));
        }
    }
}

/// Options of [`serve_with`].
#[derive(Debug, Clone, Copy)]
pub struct ServeOptions {
    /// End after this long without a connection (`None`: never).
    pub idle_timeout: Option<Duration>,
    /// How long one connection may stay silent before it is dropped.
    pub read_timeout: Duration,
    /// Largest request payload accepted.
    pub max_payload: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            idle_timeout: None,
            read_timeout: Duration::from_secs(30),
            max_payload: 64 << 20,
        }
    }
}

/// Serves `handler` natively on `listener` until a `Terminate` control request (what
/// `ckb-ipc terminate` sends) arrives; then removes the socket file and returns the reason.
///
/// Connections are served one at a time, so requests of two clients never interleave; the
/// framing is the wire format scripts use, so `ckb-ipc exec` calls this like a hosted script.
pub fn serve<H: RequestHandler + ?Sized>(
    listener: UnixListener,
    handler: &mut H,
) -> io::Result<String> {
    serve_with(listener, handler, ServeOptions::default())
}

/// [`serve`] with options; an idle timeout ends it with the reason `"idle timeout"`.
pub fn serve_with<H: RequestHandler + ?Sized>(
    listener: UnixListener,
    handler: &mut H,
    options: ServeOptions,
) -> io::Result<String> {
    let path = listener
        .local_addr()
        .ok()
        .and_then(|a| a.as_pathname().map(|p| p.to_path_buf()));
    let remove = || {
        if let Some(p) = &path {
            let _ = std::fs::remove_file(p);
        }
    };
    loop {
        let Some(stream) = accept_within(&listener, options.idle_timeout)? else {
            remove();
            return Ok("idle timeout".into());
        };
        stream.set_read_timeout(Some(options.read_timeout))?;
        let mut channel = socket_channel(stream)?.with_max_payload(options.max_payload);
        loop {
            let request = match channel.receive_request() {
                Ok(Some(request)) => request,
                Ok(None) => break,
                Err(e) => {
                    let _ = channel.send_error_code(e.wire_code());
                    break;
                }
            };
            let response = match Control::from_request(&request) {
                Some(Control::Terminate { reason }) => {
                    let _ = channel.send_response(&Report::default().to_response());
                    remove();
                    return Ok(reason);
                }
                Some(Control::Stats) => Report::default().to_response(),
                // No description file here: a client asks the handler itself (discovery).
                Some(Control::Describe) => ResponsePacket::ok(Payload::new()),
                None => handler.serve(request),
            };
            if channel.send_response(&response).is_err() {
                break;
            }
        }
    }
}
