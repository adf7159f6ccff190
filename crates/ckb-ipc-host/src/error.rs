//! `HostError`: everything that can go wrong hosting a script, on top of the wire's `IpcError`.

use std::fmt;
use std::time::Duration;

use ckb_ipc::IpcError;

/// Why a hosted script (or a native session) could not answer.
///
/// After any variant but [`HostError::Ipc`] with a service error code the script's VM is torn
/// down: later calls fail with [`HostError::TornDown`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HostError {
    /// The transaction context could not be built: a mock tx that does not parse, a script group
    /// that is not there, a binary that is not a RISC-V ELF...
    Context(String),
    /// The channel failed: the script answered bytes that are not a response packet, or the
    /// transport broke.
    Ipc(IpcError),
    /// The script exited (with this code) before it answered.
    Exited(i8),
    /// One call ran over its cycle limit.
    CallCyclesExceeded {
        /// The per-call limit.
        limit: u64,
    },
    /// The session ran over its total cycle limit.
    TotalCyclesExceeded {
        /// The session's limit.
        limit: u64,
    },
    /// One call took longer than this wall-clock time.
    Timeout(Duration),
    /// The script waits for more request bytes while the host waits for its answer.
    Stalled,
    /// CKB-VM stopped the script with this error (invalid instruction, deadlock...).
    Vm(String),
    /// An earlier error tore the script down.
    TornDown,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Context(why) => write!(f, "transaction context: {why}"),
            HostError::Ipc(e) => write!(f, "bad answer or broken channel: {e}"),
            HostError::Exited(code) => {
                write!(f, "server exited with code {code} before answering")
            }
            HostError::CallCyclesExceeded { limit } => {
                write!(f, "call exceeded its cycle limit of {limit}")
            }
            HostError::TotalCyclesExceeded { limit } => {
                write!(f, "session exceeded its total cycle limit of {limit}")
            }
            HostError::Timeout(t) => write!(f, "call timed out after {:.3} s", t.as_secs_f64()),
            HostError::Stalled => {
                f.write_str("server waits for more input while the host waits for its answer")
            }
            HostError::Vm(e) => write!(f, "CKB-VM error: {e}"),
            HostError::TornDown => f.write_str("server was torn down by an earlier error"),
        }
    }
}

impl std::error::Error for HostError {}

impl From<IpcError> for HostError {
    fn from(e: IpcError) -> Self {
        HostError::Ipc(e)
    }
}
