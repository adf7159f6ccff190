//! The host's ends of the pipes, as the embedded-io reader and writer of its [`Channel`].
//!
//! [`Channel`]: ckb_ipc::Channel

use std::sync::{Arc, Mutex};

use ckb_ipc::io::{ErrorType, Read, ReadVec, Write};
use ckb_ipc::IpcError;

use crate::pipes::{lock, Pipes};
use crate::scheduler::{lock_vm, SharedVm, State};

/// The host's read end: reading runs the script until it has written something.
pub(crate) struct VmReader(pub(crate) SharedVm);

/// The host's write end: bytes wait in the pipe until the script reads them.
pub(crate) struct VmWriter(pub(crate) Arc<Mutex<Pipes>>);

impl ErrorType for VmReader {
    type Error = IpcError;
}

impl ErrorType for VmWriter {
    type Error = IpcError;
}

/// The channel only sees `IpcError`; the host error stays in the `Vm` and is picked up there.
pub(crate) const HOST_FAILED: IpcError = IpcError::Io(embedded_io::ErrorKind::Other);

impl VmReader {
    /// Runs the script until it has written something, then hands up to `max` bytes of it to
    /// `take`; `Ok(0)` once the script has exited.
    fn pull(
        &mut self,
        max: usize,
        take: impl FnOnce(std::collections::vec_deque::Drain<'_, u8>),
    ) -> Result<usize, IpcError> {
        let mut vm = lock_vm(&self.0);
        loop {
            {
                let mut pipes = lock(&vm.pipes);
                if !pipes.from_vm.is_empty() || max == 0 {
                    let n = pipes.from_vm.len().min(max);
                    take(pipes.from_vm.drain(..n));
                    return Ok(n);
                }
            }
            match vm.state {
                State::Running(_) => {}
                State::Exited(_) => return Ok(0),
                State::Failed(_) => return Err(HOST_FAILED),
            }
            if vm.step().is_err() {
                return Err(HOST_FAILED);
            }
        }
    }
}

impl Read for VmReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IpcError> {
        let max = buf.len();
        self.pull(max, |bytes| {
            for (dst, src) in buf.iter_mut().zip(bytes) {
                *dst = src;
            }
        })
    }
}

impl ReadVec for VmReader {
    /// Appends straight from the pipe: no zeroing, no 512-byte windows.
    fn read_vec(&mut self, buf: &mut Vec<u8>) -> Result<usize, IpcError> {
        let room = buf.capacity() - buf.len();
        self.pull(room, |bytes| buf.extend(bytes))
    }
}

impl Write for VmWriter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        let mut pipes = lock(&self.0);
        if pipes.script_read_closed {
            return Err(IpcError::UnexpectedEof);
        }
        pipes.to_vm.extend(buf.iter());
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), IpcError> {
        Ok(())
    }
}
