//! One error type for every layer, and its mapping to the wire's error codes.

use ckb_std::error::SysError;
use core::fmt;

/// Everything that can go wrong on a channel. Bytes from the peer end here, never in a panic.
///
/// New variants may come in a minor release (`#[non_exhaustive]`): a `match` needs a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IpcError {
    /// The peer closed its end at a packet boundary: a clean shutdown.
    /// [`Channel::execute`](crate::Channel::execute) returns `Ok(())` on it.
    Eof,
    /// The peer closed its end inside a packet, or before it took all of ours.
    UnexpectedEof,
    /// A VLQ that does not fit a `u64` (more than 10 bytes, or a 10th byte above 1).
    VlqOverflow,
    /// A header announced a payload above the channel's limit. Nothing was allocated for it.
    PayloadTooLarge {
        /// The length the header announced.
        len: u64,
        /// The limit of the channel that refused it.
        max: u64,
    },
    /// A packet of a protocol version other than 0, or whose version is not the single byte 0
    /// (`UnsupportedVersion(0)`: 0 written in more bytes).
    UnsupportedVersion(u64),
    /// The peer answered with this non-zero error code (any `u64`, known to us or not).
    ErrorCode(u64),
    /// A CKB syscall failed.
    Sys(SysError),
    /// A transport other than a CKB pipe failed.
    Io(embedded_io::ErrorKind),
    /// A payload within the limit could not be allocated.
    OutOfMemory,
    /// An earlier error left the channel inside a packet, so no later packet can be found;
    /// returned at once, without a syscall (see [`Channel`](crate::channel::Channel#after-an-error)).
    Broken,
    /// `spawn_cell_server`: no cell dep has this code hash and hash type.
    CellDepNotFound,
    /// A typed payload could not be encoded.
    Serialize,
    /// A payload did not decode as the type expected (also: a batch's answer that is not one
    /// response per request).
    Deserialize,
    /// The server answered a batch ([`BATCH_METHOD`](crate::wire::BATCH_METHOD)) with this
    /// non-zero code instead of its answers: a server that does not know batches answers its
    /// unknown-method code (or another error, `docs/compatibility.md`); one of ours, the code of
    /// a malformed batch. Nothing of the batch was served by ours; the channel stays usable.
    BatchRefused(u64),
}

/// The error codes the wire defines (ckb-script-ipc-common's `ProtocolErrorCode`).
///
/// 0 is success, 1..=9 are the CKB syscall errors, 20..=28 protocol errors; every other value
/// belongs to the service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
#[non_exhaustive]
pub enum ProtocolErrorCode {
    /// Success.
    Ok = 0,
    /// Syscall error 1: index out of bound.
    IndexOutOfBound = 1,
    /// Syscall error 2: item missing.
    ItemMissing = 2,
    /// Syscall error 3: length not enough.
    LengthNotEnough = 3,
    /// Syscall error 4: invalid data.
    InvalidData = 4,
    /// Syscall error 5: wait failure.
    WaitFailure = 5,
    /// Syscall error 6: invalid fd.
    InvalidFd = 6,
    /// Syscall error 7: the other end of the pipe is closed.
    OtherEndClosed = 7,
    /// Syscall error 8: too many VMs spawned.
    MaxVmsSpawned = 8,
    /// Syscall error 9: too many fds created.
    MaxFdsCreated = 9,
    /// An error with no finer code.
    UnknownError = 20,
    /// A syscall error with no code of its own.
    UnknownSysError = 21,
    /// The stream ended inside a packet.
    UnexpectedEof = 22,
    /// A VLQ was cut off.
    IncompleteVlqSeq = 23,
    /// A VLQ does not fit a `u64`.
    DecodeVlqOverflow = 24,
    /// Reading a VLQ failed.
    ReadVlqError = 25,
    /// A payload could not be encoded.
    SerializeError = 26,
    /// A payload could not be decoded.
    DeserializeError = 27,
    /// Any other transport or framing error (also: over the length limit, bad version).
    GeneralIoError = 28,
}

impl ProtocolErrorCode {
    /// The code for `value`, or `None` for a value the protocol leaves to services.
    pub const fn from_code(value: u64) -> Option<Self> {
        use ProtocolErrorCode::*;
        Some(match value {
            0 => Ok,
            1 => IndexOutOfBound,
            2 => ItemMissing,
            3 => LengthNotEnough,
            4 => InvalidData,
            5 => WaitFailure,
            6 => InvalidFd,
            7 => OtherEndClosed,
            8 => MaxVmsSpawned,
            9 => MaxFdsCreated,
            20 => UnknownError,
            21 => UnknownSysError,
            22 => UnexpectedEof,
            23 => IncompleteVlqSeq,
            24 => DecodeVlqOverflow,
            25 => ReadVlqError,
            26 => SerializeError,
            27 => DeserializeError,
            28 => GeneralIoError,
            _ => return None,
        })
    }
}

impl IpcError {
    /// The code a server sends its client when this error ends its loop.
    ///
    /// | error | code |
    /// |---|---|
    /// | `Sys(e)` | 1..=9 as the syscall's own number, 21 for others |
    /// | `UnexpectedEof`, `Eof` | 22 |
    /// | `VlqOverflow` | 24 |
    /// | `Serialize` / `Deserialize` | 26 / 27 |
    /// | `CellDepNotFound` | 2 (item missing) |
    /// | `PayloadTooLarge`, `UnsupportedVersion`, `Io`, `OutOfMemory`, `Broken` | 28 (no finer code exists) |
    /// | `ErrorCode(c)`, `BatchRefused(c)` | `c` |
    pub fn wire_code(&self) -> u64 {
        use ProtocolErrorCode as C;
        let code = match *self {
            IpcError::Sys(e) => match e {
                SysError::IndexOutOfBound => C::IndexOutOfBound,
                SysError::ItemMissing => C::ItemMissing,
                SysError::LengthNotEnough(_) => C::LengthNotEnough,
                SysError::Encoding => C::InvalidData,
                SysError::WaitFailure => C::WaitFailure,
                SysError::InvalidFd => C::InvalidFd,
                SysError::OtherEndClosed => C::OtherEndClosed,
                SysError::MaxVmsSpawned => C::MaxVmsSpawned,
                SysError::MaxFdsCreated => C::MaxFdsCreated,
                _ => C::UnknownSysError,
            },
            IpcError::Eof | IpcError::UnexpectedEof => C::UnexpectedEof,
            IpcError::VlqOverflow => C::DecodeVlqOverflow,
            IpcError::CellDepNotFound => C::ItemMissing,
            IpcError::Serialize => C::SerializeError,
            IpcError::Deserialize => C::DeserializeError,
            IpcError::PayloadTooLarge { .. }
            | IpcError::UnsupportedVersion(_)
            | IpcError::Io(_)
            | IpcError::OutOfMemory
            | IpcError::Broken => C::GeneralIoError,
            IpcError::ErrorCode(c) | IpcError::BatchRefused(c) => return c,
        };
        code as u64
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpcError::Eof => f.write_str("peer closed the channel"),
            IpcError::UnexpectedEof => f.write_str("peer closed the channel inside a packet"),
            IpcError::VlqOverflow => f.write_str("VLQ does not fit in u64"),
            IpcError::PayloadTooLarge { len, max } => {
                write!(f, "payload of {len} bytes is over the limit of {max}")
            }
            IpcError::UnsupportedVersion(0) => {
                f.write_str("packet version 0 in more than one byte")
            }
            IpcError::UnsupportedVersion(v) => write!(f, "unsupported packet version {v}"),
            IpcError::ErrorCode(c) => write!(f, "peer returned error code {c}"),
            IpcError::Sys(e) => write!(f, "syscall failed: {e:?}"),
            IpcError::Io(k) => write!(f, "transport error: {k:?}"),
            IpcError::OutOfMemory => f.write_str("out of memory for payload"),
            IpcError::Broken => f.write_str("channel broken by an earlier error inside a packet"),
            IpcError::CellDepNotFound => {
                f.write_str("no cell dep with this code hash and hash type")
            }
            IpcError::Serialize => f.write_str("payload could not be encoded"),
            IpcError::Deserialize => f.write_str("payload could not be decoded"),
            IpcError::BatchRefused(c) => write!(f, "peer refused the batch with error code {c}"),
        }
    }
}

impl core::error::Error for IpcError {}

impl embedded_io::Error for IpcError {
    fn kind(&self) -> embedded_io::ErrorKind {
        use embedded_io::ErrorKind as K;
        match self {
            IpcError::Eof | IpcError::UnexpectedEof | IpcError::Sys(SysError::OtherEndClosed) => {
                K::BrokenPipe
            }
            IpcError::Io(k) => *k,
            IpcError::OutOfMemory => K::OutOfMemory,
            IpcError::Sys(_) => K::Other,
            _ => K::InvalidData,
        }
    }
}

impl From<SysError> for IpcError {
    fn from(e: SysError) -> Self {
        IpcError::Sys(e)
    }
}

impl From<embedded_io::ErrorKind> for IpcError {
    fn from(k: embedded_io::ErrorKind) -> Self {
        IpcError::Io(k)
    }
}

impl From<core::convert::Infallible> for IpcError {
    fn from(e: core::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<alloc::collections::TryReserveError> for IpcError {
    fn from(_: alloc::collections::TryReserveError) -> Self {
        IpcError::OutOfMemory
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in (0..=9).chain(20..=28) {
            assert_eq!(
                ProtocolErrorCode::from_code(code).map(|c| c as u64),
                Some(code)
            );
        }
        for code in [10, 19, 29, 0xdead, u64::MAX] {
            assert_eq!(ProtocolErrorCode::from_code(code), None);
        }
        assert_eq!(IpcError::ErrorCode(0xdead).wire_code(), 0xdead);
        assert_eq!(IpcError::Sys(SysError::OtherEndClosed).wire_code(), 7);
        assert_eq!(IpcError::Sys(SysError::Unknown(99)).wire_code(), 21);
        assert_eq!(IpcError::VlqOverflow.wire_code(), 24);
    }
}
