//! A CKB pipe file descriptor as an `embedded-io` reader/writer.

#[cfg(target_arch = "riscv64")]
use alloc::vec::Vec;
use ckb_std::error::SysError;
use ckb_std::syscalls;

use super::ReadVec;
use crate::error::IpcError;

/// One end of a CKB pipe (read fds are even, write fds odd). Closed when dropped, so the peer
/// sees end of stream.
///
/// Reads map the syscall's `OtherEndClosed` to `Ok(0)`: both that and a plain `Ok(0)` mean the
/// writer is gone, and the channel decides whether that was at a packet boundary.
#[derive(Debug)]
pub struct Pipe {
    fd: u64,
}

impl Pipe {
    /// Wraps a file descriptor this process owns (from `pipe()` or `inherited_fds()`).
    pub fn from_fd(fd: u64) -> Self {
        Self { fd }
    }

    /// The file descriptor, still owned by this `Pipe`.
    pub fn fd(&self) -> u64 {
        self.fd
    }

    /// Gives up ownership without closing (for example to pass the fd to a child).
    pub fn into_fd(self) -> u64 {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }

    /// Creates a pipe: `(read end, write end)`.
    pub fn pair() -> Result<(Pipe, Pipe), IpcError> {
        let (r, w) = syscalls::pipe()?;
        Ok((Pipe::from_fd(r), Pipe::from_fd(w)))
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // Nothing useful can be done if close fails: the fd is gone either way.
        let _ = syscalls::close(self.fd);
    }
}

impl embedded_io::ErrorType for Pipe {
    type Error = IpcError;
}

fn eof_as_zero(r: Result<usize, SysError>) -> Result<usize, IpcError> {
    match r {
        Ok(n) => Ok(n),
        Err(SysError::OtherEndClosed) => Ok(0),
        Err(e) => Err(IpcError::Sys(e)),
    }
}

impl embedded_io::Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IpcError> {
        if buf.is_empty() {
            return Ok(0);
        }
        eof_as_zero(syscalls::read(self.fd, buf))
    }
}

impl ReadVec for Pipe {
    #[cfg(target_arch = "riscv64")]
    fn read_vec(&mut self, buf: &mut Vec<u8>) -> Result<usize, IpcError> {
        let spare = buf.spare_capacity_mut();
        if spare.is_empty() {
            return Ok(0);
        }
        let n = eof_as_zero(raw::read_uninit(self.fd, spare))?;
        // SAFETY: the syscall initialized the first `n` spare bytes; `n <= spare.len()` is
        // checked in `read_uninit`.
        unsafe { buf.set_len(buf.len() + n) };
        Ok(n)
    }
}

impl embedded_io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        if buf.is_empty() {
            // A zero-length write would reach the reader as end of stream.
            return Ok(0);
        }
        match syscalls::write(self.fd, buf) {
            Ok(n) => Ok(n),
            Err(SysError::OtherEndClosed) => Err(IpcError::UnexpectedEof),
            Err(e) => Err(IpcError::Sys(e)),
        }
    }

    fn flush(&mut self) -> Result<(), IpcError> {
        Ok(())
    }
}

#[cfg(target_arch = "riscv64")]
mod raw {
    use ckb_std::ckb_constants::SYS_READ;
    use ckb_std::error::SysError;
    use core::mem::MaybeUninit;

    /// `read` into memory that may be uninitialized: ckb-std's `read` takes `&mut [u8]`, which
    /// would force the caller to zero it first.
    pub fn read_uninit(fd: u64, buf: &mut [MaybeUninit<u8>]) -> Result<usize, SysError> {
        let mut len = buf.len() as u64;
        let ret: u64;
        // SAFETY: the kernel writes at most `len` bytes at `buf` and the count back to `len`.
        unsafe {
            core::arch::asm!(
                "ecall",
                inlateout("a0") fd => ret,
                in("a1") buf.as_mut_ptr(),
                in("a2") &mut len as *mut u64,
                in("a3") 0u64,
                in("a4") 0u64,
                in("a5") 0u64,
                in("a7") SYS_READ,
            );
        }
        match ret {
            0 => Ok((len as usize).min(buf.len())),
            1 => Err(SysError::IndexOutOfBound),
            6 => Err(SysError::InvalidFd),
            7 => Err(SysError::OtherEndClosed),
            x => Err(SysError::Unknown(x)),
        }
    }
}
