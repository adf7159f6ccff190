//! In-memory transports: run a channel against bytes, off-chain, in tests and fuzzers.

use alloc::vec::Vec;
use core::convert::Infallible;

use super::ReadVec;

/// Reads `data` in pieces whose sizes come from `sizes` (cycled; a 0 is read as 1), the way a
/// pipe may return a write in several partial reads. End of data is end of stream.
pub struct ChunkedReader<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    next: usize,
}

impl<'a> ChunkedReader<'a> {
    /// Reads `data`, `sizes[0]` bytes at most by the first `read`, `sizes[1]` by the next, ...
    pub fn new(data: &'a [u8], sizes: &'a [usize]) -> Self {
        Self {
            data,
            sizes,
            next: 0,
        }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> &'a [u8] {
        self.data
    }
}

impl embedded_io::ErrorType for ChunkedReader<'_> {
    type Error = Infallible;
}

impl embedded_io::Read for ChunkedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Infallible> {
        let size = match self.sizes.get(self.next % self.sizes.len().max(1)) {
            Some(&s) => s.max(1),
            None => usize::MAX,
        };
        self.next = self.next.wrapping_add(1);
        let n = size.min(buf.len()).min(self.data.len());
        let (head, tail) = self.data.split_at(n);
        if let Some(dst) = buf.get_mut(..n) {
            dst.copy_from_slice(head);
        }
        self.data = tail;
        Ok(n)
    }
}

impl ReadVec for ChunkedReader<'_> {}

/// Collects everything written to it.
#[derive(Default, Debug)]
pub struct VecWriter {
    /// Everything written so far.
    pub bytes: Vec<u8>,
    /// Number of `write` calls: what a pipe would charge a syscall for.
    pub writes: usize,
}

impl embedded_io::ErrorType for VecWriter {
    type Error = Infallible;
}

impl embedded_io::Write for VecWriter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.bytes.extend_from_slice(buf);
        self.writes += 1;
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
