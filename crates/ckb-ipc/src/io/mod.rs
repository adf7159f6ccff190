//! Transport: the `embedded-io` traits, plus reading into a `Vec` without zeroing it first.
//!
//! A channel works over any [`embedded_io::Read`] + [`ReadVec`] and [`embedded_io::Write`] whose
//! errors convert into [`IpcError`]: the bounds [`Reader`] and [`Writer`] say so in one word. [`Pipe`](crate::Pipe) is the CKB one.

pub mod mem;
pub(crate) mod pipe;

pub use embedded_io::{ErrorType, Read, Write};

use alloc::vec::Vec;

use crate::error::IpcError;

/// What a channel reads from: a [`ReadVec`] whose errors convert into [`IpcError`].
/// Implemented for every such reader; name it in bounds (`R: Reader`), implement [`ReadVec`].
pub trait Reader: ReadVec<Error: Into<IpcError>> {}

impl<T: ReadVec<Error: Into<IpcError>> + ?Sized> Reader for T {}

/// What a channel writes to: an `embedded-io` [`Write`] whose errors convert into [`IpcError`].
/// Implemented for every such writer; name it in bounds (`W: Writer`), implement [`Write`].
pub trait Writer: Write<Error: Into<IpcError>> {}

impl<T: Write<Error: Into<IpcError>> + ?Sized> Writer for T {}

/// Reading into a `Vec`'s spare capacity.
///
/// The channel reads a payload straight into the `Vec` that becomes the packet. Zeroing that
/// memory first would cost about 0.75 cycles a byte on CKB-VM, three times what the pipe itself
/// charges, so [`Pipe`](crate::Pipe) lets the syscall fill uninitialized memory. Any other reader gets a
/// correct default (zero, then [`Read::read`]) from an empty `impl ReadVec for MyReader {}`.
pub trait ReadVec: Read {
    /// Reads some bytes into `buf`'s spare capacity and appends them; `Ok(0)` is end of stream
    /// (or no spare capacity).
    fn read_vec(&mut self, buf: &mut Vec<u8>) -> Result<usize, Self::Error> {
        // Zero a bounded window, not all the spare room: many small reads stay linear.
        const WINDOW: usize = 512;
        let len = buf.len();
        buf.resize(buf.capacity().min(len.saturating_add(WINDOW)), 0);
        let result = self.read(buf.get_mut(len..).unwrap_or_default());
        let n = match &result {
            Ok(n) => *n,
            Err(_) => 0,
        };
        buf.truncate(len.saturating_add(n));
        result
    }
}

impl<T: ReadVec + ?Sized> ReadVec for &mut T {
    fn read_vec(&mut self, buf: &mut Vec<u8>) -> Result<usize, Self::Error> {
        T::read_vec(self, buf)
    }
}

impl ReadVec for &[u8] {}
