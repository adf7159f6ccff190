//! [`Output`]: where [`Encode::encode`](super::Encode::encode) writes, a run of exactly
//! `encoded_len()` bytes reserved ahead (in a channel's buffer, heap or fixed, or a `Vec`), so
//! encoding needs no heap of its own.

use alloc::vec::Vec;
use core::mem::MaybeUninit;

use crate::error::IpcError;

/// The room an encoding is written into, front to back: as many bytes as the value's
/// [`encoded_len`](super::Encode::encoded_len) said. A write past the end is dropped and
/// remembered, so a length that does not match the encoding is [`IpcError::Serialize`] where
/// the room is handed back (`finish`), never a panic or a stray byte.
pub struct Output<'a> {
    /// Memory that need not be initialised: a heap buffer's spare capacity is written as it
    /// is, with no zeroing first.
    room: &'a mut [MaybeUninit<u8>],
    /// Bytes written so far, the first `at` of `room` initialised; `usize::MAX` once a write
    /// did not fit (one field for both: one store less per write).
    at: usize,
}

impl<'a> Output<'a> {
    /// An output over `room`.
    pub(crate) fn new(room: &'a mut [MaybeUninit<u8>]) -> Self {
        Self { room, at: 0 }
    }

    /// Appends `bytes`.
    #[inline(always)]
    pub fn put(&mut self, bytes: &[u8]) {
        // Wrapping: below the sentinel `at` is at most the room's length and no slice is longer
        // than `isize::MAX`, so only the sentinel wraps, and a range from it is refused.
        let end = self.at.wrapping_add(bytes.len());
        match self.room.get_mut(self.at..end) {
            Some(dst) => {
                // One `memcpy` (stores, for a length known at compile time); `dst` is as long
                // as `bytes`, which the optimiser sees, so no length check is left.
                dst.write_copy_of_slice(bytes);
                self.at = end;
            }
            None => self.at = usize::MAX,
        }
    }

    /// Appends an integer's `N` little-endian bytes, as one store where `N` is 2, 4 or 8, a few
    /// for a packet header's 3 or 7 ([`crate::unaligned::store`]: the room has any alignment).
    #[inline(always)]
    pub(crate) fn put_word<const N: usize>(&mut self, bytes: [u8; N]) {
        let end = self.at.wrapping_add(N);
        match self.room.get_mut(self.at..end) {
            Some(dst) => {
                // SAFETY: `dst` is `N` bytes of the room; writing bytes into `MaybeUninit`s
                // initialises them.
                unsafe { crate::unaligned::store(dst.as_mut_ptr().cast::<u8>(), bytes) };
                self.at = end;
            }
            None => self.at = usize::MAX,
        }
    }

    /// Appends one byte.
    #[inline]
    pub fn put_u8(&mut self, byte: u8) {
        self.put(&[byte])
    }

    /// Appends a molecule header number (sizes, counts and offsets are u32 on the wire).
    #[inline]
    pub(crate) fn put_u32(&mut self, n: usize) {
        self.put_word((n as u32).to_le_bytes())
    }

    /// The bytes written, if they are exactly the room: the length of the encoding, all of
    /// it initialised. Any other count is [`IpcError::Serialize`].
    #[inline]
    pub(crate) fn finish(self) -> Result<usize, IpcError> {
        // `usize::MAX` is no room's length: no slice is that long.
        if self.at != self.room.len() {
            return Err(IpcError::Serialize);
        }
        Ok(self.at)
    }
}

/// Encodes `len` bytes with `write` after the bytes in use of `vec` (room made first); the
/// bytes are kept only if `write` wrote exactly `len`, otherwise `vec` is as it was and the
/// answer is [`IpcError::Serialize`].
pub(crate) fn append_to_vec(
    vec: &mut Vec<u8>,
    len: usize,
    write: impl FnOnce(&mut Output<'_>),
) -> Result<(), IpcError> {
    vec.try_reserve(len)?;
    append_in_capacity(vec, len, write)
}

/// [`append_to_vec`] where the room is reserved already (a channel's heap buffer: the frame
/// made it); [`IpcError::Serialize`] if it is not there.
#[inline(always)]
pub(crate) fn append_in_capacity(
    vec: &mut Vec<u8>,
    len: usize,
    write: impl FnOnce(&mut Output<'_>),
) -> Result<(), IpcError> {
    let room = vec
        .spare_capacity_mut()
        .get_mut(..len)
        .ok_or(IpcError::Serialize)?;
    let mut out = Output::new(room);
    write(&mut out);
    let n = out.finish()?;
    // SAFETY: `finish` said the output wrote all `n` bytes of the spare capacity it was
    // given, front to back, so they are initialised. Wrapping, not `+` (overflow checks are
    // on in scripts, and a panic costs its location): `n` fits the spare capacity, so the sum
    // is at most the capacity.
    unsafe { vec.set_len(vec.len().wrapping_add(n)) };
    Ok(())
}
