//! Where a channel keeps the packet it reads or writes: a growing heap buffer, or a fixed one
//! the caller owns (a `static` or a stack array), for scripts without a heap.
//!
//! A [`Buffer`] is a `Vec`-like run of bytes: `len` bytes in use, room for `capacity` without
//! asking for more. A channel reads a packet into it and lets a caller build or answer one in
//! place ([`Frame`]), so a call needs no other memory. Bytes a peer sent past the end of a
//! packet (two packets in one write) are put aside ([`stash`](Buffer::stash)) until the next
//! read, where they do not get in the way of a packet being built.

use alloc::vec::Vec;

use crate::error::IpcError;
use crate::io::ReadVec;
use crate::packet::Payload;
use crate::service::codec::Output;
use crate::service::Encode;

/// The storage of a channel: [`HeapBuffer`] or [`FixedBuffer`], and no other (the trait is
/// sealed: the channel's checks rely on how these two keep their bytes). Name it in bounds, as
/// in `Frame<'_, B: Buffer>`.
pub trait Buffer: sealed::Sealed {
    /// Whether [`reserve_total`](Self::reserve_total) can find more room (a heap), or the
    /// capacity is all there is (a fixed buffer: a packet that does not fit is too large).
    const GROWS: bool;
    /// Bytes in use.
    fn len(&self) -> usize;
    /// Whether no byte is in use.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes that fit without another [`reserve_total`](Self::reserve_total).
    fn capacity(&self) -> usize;
    /// The bytes in use.
    fn as_slice(&self) -> &[u8];
    /// The bytes in use, to change in place.
    fn as_mut_slice(&mut self) -> &mut [u8];
    /// Keeps the first `len` bytes (no effect if `len` is not shorter).
    fn truncate(&mut self, len: usize);
    /// Makes room for `total` bytes in all; `false` if there is none to be had.
    fn reserve_total(&mut self, total: usize) -> bool;
    /// Grows to `len` bytes (within [`capacity`](Self::capacity)), new ones set to `value`.
    fn resize(&mut self, len: usize, value: u8);
    /// Appends `bytes` if they fit within [`capacity`](Self::capacity) (nothing otherwise).
    fn extend_from_slice(&mut self, bytes: &[u8]);
    /// Reads from `reader` into the room after the bytes in use; `Ok(0)` is end of stream, or
    /// no room.
    fn fill<R: ReadVec>(&mut self, reader: &mut R) -> Result<usize, R::Error>;
    /// Puts the bytes from `from` on aside (the start of the next packet) and truncates there.
    fn stash(&mut self, from: usize) -> Result<(), IpcError>;
    /// Bytes put aside.
    fn stashed(&self) -> usize;
    /// Appends the bytes put aside (room for them reserved by the caller).
    fn unstash(&mut self);
}

mod sealed {
    use crate::channel::Channel;
    use crate::error::IpcError;
    use crate::io::{Reader, Writer};
    use crate::packet::ResponsePacket;
    use crate::service::codec::Output;

    use super::Frame;

    /// Only this crate's buffers are [`Buffer`](super::Buffer)s; what only the crate calls
    /// on them is here, out of the public trait.
    pub trait Sealed {
        /// Encodes `len` bytes with `write` after the bytes in use (room for them reserved by
        /// the caller), written where they stay: kept only if `write` wrote exactly `len`.
        fn append_encoded(
            &mut self,
            len: usize,
            write: impl FnOnce(&mut Output<'_>),
        ) -> Result<(), IpcError>;
        /// Takes `buf` to read into, if this buffer can use it (the heap; a fixed buffer
        /// drops it).
        fn give_back(&mut self, buf: alloc::vec::Vec<u8>);
        /// Where [`reserve_total`](super::Buffer::reserve_total) found no room for `total`
        /// bytes, finds more if it can: a fixed buffer serving a batch where it arrived moves
        /// the items still to serve out of the way (the heap has none to find).
        fn make_room(&mut self, total: usize) -> bool;
        /// Adds `n` bytes in use (room for them reserved by the caller), of no particular
        /// value: a fixed buffer's bytes are always initialised and are left as they are (no
        /// fill: 3 cycles a byte on CKB-VM), the heap's are zeroed.
        fn extend_len(&mut self, n: usize);
        /// The answer to a request sent, received as an owned packet, its buffer taken out of
        /// the channel's (no copy): the heap's. A fixed buffer keeps its bytes: it receives
        /// nothing and answers [`IpcError::OutOfMemory`] (the typed client reads in place
        /// there instead, and never asks).
        fn owned_response<R: Reader, W: Writer>(
            channel: &mut Channel<R, W, Self>,
        ) -> Result<ResponsePacket, IpcError>
        where
            Self: Sized;
        /// Serves the batch whose payload is from `at` on, each item with `handler`, and leaves
        /// the answers end to end in the buffer; returns where they start. An error: the batch
        /// is answered with its code (the buffer's content then does not matter).
        fn serve_batch<F>(
            &mut self,
            at: usize,
            max_payload: u64,
            handler: &mut F,
        ) -> Result<usize, IpcError>
        where
            Self: super::Buffer + Sized,
            F: FnMut(u64, &mut Frame<'_, Self>) -> u64;
    }

    impl Sealed for super::HeapBuffer {
        // Always: where the encoding's bytes are constants (a typed call's header) they are
        // stored as such.
        #[inline(always)]
        fn append_encoded(
            &mut self,
            len: usize,
            write: impl FnOnce(&mut Output<'_>),
        ) -> Result<(), IpcError> {
            crate::service::codec::append_in_capacity(&mut self.buf, len, write)
        }
        #[inline]
        fn give_back(&mut self, buf: alloc::vec::Vec<u8>) {
            self.recycle(buf)
        }
        #[inline]
        fn make_room(&mut self, _: usize) -> bool {
            false
        }
        #[inline]
        fn extend_len(&mut self, n: usize) {
            self.buf.resize(self.buf.len().saturating_add(n), 0);
        }
        #[inline]
        fn owned_response<R: Reader, W: Writer>(
            channel: &mut Channel<R, W, Self>,
        ) -> Result<ResponsePacket, IpcError> {
            channel.receive_response()
        }
        fn serve_batch<F>(
            &mut self,
            at: usize,
            max_payload: u64,
            handler: &mut F,
        ) -> Result<usize, IpcError>
        where
            F: FnMut(u64, &mut Frame<'_, Self>) -> u64,
        {
            crate::channel::serve_batch_heap(self, at, max_payload, handler)
        }
    }

    impl Sealed for super::FixedBuffer<'_> {
        #[inline]
        fn append_encoded(
            &mut self,
            len: usize,
            write: impl FnOnce(&mut Output<'_>),
        ) -> Result<(), IpcError> {
            let end = self.len.saturating_add(len);
            if end > super::Buffer::capacity(self) {
                return Err(IpcError::Serialize);
            }
            let room = self
                .bytes
                .get_mut(self.len..end)
                .ok_or(IpcError::Serialize)?;
            // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and an `Output` writes only
            // initialised bytes, so the bytes stay initialised whatever it does.
            let room = unsafe { &mut *(room as *mut [u8] as *mut [core::mem::MaybeUninit<u8>]) };
            let mut out = Output::new(room);
            write(&mut out);
            self.len = self.len.saturating_add(out.finish()?);
            Ok(())
        }
        #[inline]
        fn give_back(&mut self, _: alloc::vec::Vec<u8>) {}
        #[inline]
        fn make_room(&mut self, total: usize) -> bool {
            self.close_gap(total)
        }
        #[inline]
        fn extend_len(&mut self, n: usize) {
            self.len = self
                .len
                .saturating_add(n)
                .min(super::Buffer::capacity(self));
        }
        #[inline]
        fn owned_response<R: Reader, W: Writer>(
            _: &mut Channel<R, W, Self>,
        ) -> Result<ResponsePacket, IpcError> {
            Err(IpcError::OutOfMemory)
        }
        fn serve_batch<F>(
            &mut self,
            at: usize,
            max_payload: u64,
            handler: &mut F,
        ) -> Result<usize, IpcError>
        where
            F: FnMut(u64, &mut Frame<'_, Self>) -> u64,
        {
            crate::channel::serve_batch_fixed(self, at, max_payload, handler)
        }
    }
}

/// A buffer on the heap that grows as packets need it (the default of a channel).
///
/// It reads into memory that it has not zeroed first ([`ReadVec`]): zeroing would cost three
/// times what the pipe charges per byte.
#[derive(Default)]
pub struct HeapBuffer {
    buf: Vec<u8>,
    stash: Vec<u8>,
    /// While a batch is served in it (`channel::serve_batch_heap`): the answers so far are in
    /// front of the frame, so a handler's payload is copied out and in
    /// ([`Frame::take_payload`], [`Frame::put_payload`]), never taken with them.
    under_answers: bool,
    /// A handler's payload could not be copied out or in (no memory): the batch cannot be
    /// answered.
    answers_lost: bool,
    /// The buffer of the last payload copied in during a batch, for the next one copied out
    /// (an echo's item allocates nothing).
    spare: Vec<u8>,
}

impl HeapBuffer {
    /// A buffer over `buf` as it is.
    pub(crate) fn from_vec(buf: Vec<u8>) -> Self {
        Self {
            buf,
            stash: Vec::new(),
            under_answers: false,
            answers_lost: false,
            spare: Vec::new(),
        }
    }

    /// Serves a batch's items after the answers in the buffer (`on`), or ends it; whether the
    /// answers were lost since the last call ([`HeapBuffer::answers_lost`]).
    pub(crate) fn answers_in_front(&mut self, on: bool) -> bool {
        self.under_answers = on;
        self.spare = Vec::new();
        core::mem::replace(&mut self.answers_lost, false)
    }

    /// Whether a handler's payload could not be copied out or in since the batch started.
    #[inline]
    pub(crate) fn answers_lost(&self) -> bool {
        self.answers_lost
    }

    /// [`Frame::take_payload`] under a batch's answers, first half: the bytes from `start` on
    /// copied into the spare buffer (grown if it is too small), which then stands in the
    /// buffer's place to be taken, the answers in the spare's ([`put_back`](Self::put_back));
    /// returns the copy's headroom. No memory for the copy: nothing moves, the buffer is taken
    /// answers and all, and the batch is refused ([`answers_lost`](Self::answers_lost)). Apart
    /// and returning a number, so that a single call's `take_payload` stays two inlined
    /// branches (measured: returning the `Payload` from here cost a typed echo ~40 cycles a
    /// call, batch or not).
    #[cold]
    #[inline(never)]
    fn copy_out(&mut self, start: usize) -> usize {
        let bytes = self.buf.get(start..).unwrap_or_default();
        let mut copy = core::mem::take(&mut self.spare);
        copy.clear();
        if copy
            .try_reserve_exact(Payload::HEADROOM.saturating_add(bytes.len()))
            .is_err()
        {
            self.answers_lost = true;
            return start;
        }
        // Constant lengths: stores, not a `memset` call (~45 cycles).
        copy.extend_from_slice(&[0; Payload::HEADROOM]);
        append(&mut copy, bytes);
        self.buf.truncate(start);
        self.spare = core::mem::replace(&mut self.buf, copy);
        Payload::HEADROOM
    }

    /// [`Frame::take_payload`] under a batch's answers, second half: the answers back in the
    /// buffer once the copy was taken.
    #[inline]
    fn put_back(&mut self) {
        self.buf = core::mem::take(&mut self.spare);
    }

    /// [`Frame::put_payload`] under a batch's answers: the payload's bytes copied in from
    /// `start` on.
    #[cold]
    #[inline(never)]
    fn copy_in(&mut self, start: usize, bytes: &[u8]) {
        self.buf.truncate(start);
        if self.buf.len() < start || !self.reserve_total(start.saturating_add(bytes.len())) {
            self.answers_lost = true;
            return;
        }
        self.append(bytes);
    }

    /// Takes the bytes out, for an owned packet; the buffer is left empty.
    pub(crate) fn take(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.buf)
    }

    /// [`Buffer::reserve_total`] past the capacity: a new allocation and a copy of the bytes
    /// in use (growing the Vec would copy its whole old capacity: the allocator does not know
    /// what is in use). Apart, so that the common case inlines as one comparison and the
    /// functions it is inlined in keep the registers they had.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, total: usize) -> bool {
        let mut grown = Vec::new();
        if grown.try_reserve_exact(total).is_err() {
            return false;
        }
        grown.extend_from_slice(&self.buf);
        self.buf = grown;
        true
    }

    /// Puts `buf` in place of the bytes in use (the bytes put aside stay).
    pub(crate) fn replace(&mut self, buf: Vec<u8>) {
        self.buf = buf;
    }

    /// Appends `bytes` within the capacity ([`append`]).
    pub(crate) fn append(&mut self, bytes: &[u8]) {
        append(&mut self.buf, bytes)
    }

    /// Appends `head`, then `bytes`, within the capacity (reserved by the caller; nothing
    /// otherwise): a batch's item after room for its answer's header, `head` in one or two
    /// stores ([`crate::unaligned::store`]).
    #[inline]
    pub(crate) fn append_after<const N: usize>(&mut self, head: [u8; N], bytes: &[u8]) {
        let n = bytes.len();
        let spare = self.buf.spare_capacity_mut();
        if spare.len() < N.saturating_add(n) {
            return;
        }
        let at = spare.as_mut_ptr().cast::<u8>();
        // SAFETY: the spare capacity holds `N + n` bytes, apart from `bytes` (another
        // borrow); once they are written the first `N + n` spare bytes are initialised.
        unsafe {
            crate::unaligned::store(at, head);
            crate::unaligned::copy_forward(at.add(N), bytes.as_ptr(), n);
            self.buf.set_len(self.buf.len().saturating_add(N + n));
        }
    }

    /// Gives a buffer back to be read into, if it is larger than the one there.
    pub(crate) fn recycle(&mut self, buf: Vec<u8>) {
        if buf.capacity() > self.buf.capacity() {
            self.buf = buf;
        }
    }
}

impl Buffer for HeapBuffer {
    const GROWS: bool = true;
    #[inline]
    fn len(&self) -> usize {
        self.buf.len()
    }
    #[inline]
    fn capacity(&self) -> usize {
        self.buf.capacity()
    }
    #[inline]
    fn as_slice(&self) -> &[u8] {
        &self.buf
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }
    #[inline]
    fn reserve_total(&mut self, total: usize) -> bool {
        total <= self.buf.capacity() || self.grow(total)
    }
    #[inline]
    fn resize(&mut self, len: usize, value: u8) {
        self.buf.resize(len, value);
    }
    #[inline]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }
    #[inline]
    fn fill<R: ReadVec>(&mut self, reader: &mut R) -> Result<usize, R::Error> {
        reader.read_vec(&mut self.buf)
    }
    #[inline]
    fn stash(&mut self, from: usize) -> Result<(), IpcError> {
        let rest = self.buf.get(from..).unwrap_or_default();
        self.stash.try_reserve_exact(rest.len())?;
        self.stash.extend_from_slice(rest);
        self.buf.truncate(from);
        Ok(())
    }
    #[inline]
    fn stashed(&self) -> usize {
        self.stash.len()
    }
    #[inline]
    fn unstash(&mut self) {
        self.buf.append(&mut self.stash);
    }
}

/// A buffer of fixed size that the caller owns: a channel over it never allocates. A packet
/// larger than it fits is refused as [`IpcError::PayloadTooLarge`].
///
/// Bytes of the next packet that came with the last read (from a peer that writes several
/// packets at once) wait at the end of the buffer, so an answer grown in place has that much
/// less room while they are there.
///
/// ```
/// use ckb_ipc::FixedBuffer;
/// let mut bytes = [0u8; 256];
/// let buffer = FixedBuffer::new(&mut bytes);
/// # let _ = buffer;
/// ```
pub struct FixedBuffer<'a> {
    bytes: &'a mut [u8],
    len: usize,
    /// Bytes put aside, kept at the very end of `bytes`.
    stashed: usize,
    /// While a batch is served where it arrived (`channel::serve_batch_fixed`): the bytes of
    /// no value in the put-aside ones, between the batch's items still to serve (from the
    /// start of the put-aside bytes to `gap_at`) and what the peer sent after the batch.
    gap: usize,
    gap_at: usize,
}

impl<'a> FixedBuffer<'a> {
    /// A buffer over `bytes` (their contents do not matter).
    pub fn new(bytes: &'a mut [u8]) -> Self {
        Self {
            bytes,
            len: 0,
            stashed: 0,
            gap: 0,
            gap_at: 0,
        }
    }

    /// [`Frame::reserve`] past the capacity while a batch is served where it arrived:
    /// the items still to serve move up to the bytes put aside, closing the gap, so the answer
    /// being made has all the room a call's would (less those items). Once a batch.
    #[cold]
    #[inline(never)]
    pub(crate) fn close_gap(&mut self, total: usize) -> bool {
        if self.gap == 0 {
            return false;
        }
        let from = self.bytes.len().saturating_sub(self.stashed);
        move_bytes(self.bytes, from..self.gap_at, from.saturating_add(self.gap));
        self.stashed = self.stashed.saturating_sub(self.gap);
        self.gap = 0;
        total <= self.capacity()
    }
}

/// What a batch is served with over a fixed buffer (`channel::serve_batch_fixed`): each item is
/// answered where it arrived, the items after it counted as put aside with the free bytes
/// after them (a gap) until an answer needs that room; then they wait at the front of the
/// put-aside bytes, each taken out in turn to be answered.
impl FixedBuffer<'_> {
    /// Starts serving the batch that ends at `end` (the bytes in use) where it arrived: the
    /// free bytes after it are the gap.
    pub(crate) fn open_gap(&mut self, end: usize) {
        self.gap_at = end;
        self.gap = self.capacity().saturating_sub(end);
    }

    /// The bytes from `from` to `to`, in use or not (the batch's items, where they arrived).
    pub(crate) fn between(&self, from: usize, to: usize) -> &[u8] {
        self.bytes.get(from..to).unwrap_or_default()
    }

    /// Whether the items after the one being served are still where they arrived.
    pub(crate) fn gap_open(&self) -> bool {
        self.gap > 0
    }

    /// Lends the item that ends at `end` (where it arrived) as the bytes in use: what follows
    /// it is put aside, the gap with it, until an answer needs the room.
    pub(crate) fn lend_item(&mut self, end: usize) {
        self.len = end.min(self.gap_at);
        self.stashed = self.bytes.len().saturating_sub(self.len);
    }

    /// Ends a batch: the bytes the peer sent after it, `stashed` of them, are the only ones
    /// put aside.
    pub(crate) fn end_batch(&mut self, stashed: usize) {
        self.stashed = stashed.min(self.bytes.len());
        self.gap = 0;
    }

    /// The bytes put aside, front first.
    pub(crate) fn held(&self) -> &[u8] {
        let at = self.bytes.len().saturating_sub(self.stashed);
        self.bytes.get(at..).unwrap_or_default()
    }

    /// Forgets the first `n` bytes put aside.
    pub(crate) fn skip_held(&mut self, n: usize) {
        self.stashed = self.stashed.saturating_sub(n);
    }

    /// Moves the first `n` bytes put aside down to `start`, the bytes in use then ending after
    /// them; `false` (nothing moved) if `start` is past where they are, or fewer are put aside.
    /// Their own bytes are room enough: they go down or stay.
    pub(crate) fn take_held_to(&mut self, start: usize, n: usize) -> bool {
        let at = self.bytes.len().saturating_sub(self.stashed);
        if start > at || n > self.stashed {
            return false;
        }
        if start < at {
            copy_down(self.bytes, at, start, n);
        }
        self.len = start.saturating_add(n);
        self.stashed -= n;
        true
    }

    /// [`move_tail`](Self::move_tail) down (the answer to a batch's item, to just after the
    /// answers before it), without its checks for a move up: ~20 cycles an item of a batch of
    /// 64 adds less than `move_tail` (measured).
    pub(crate) fn move_down(&mut self, from: usize, to: usize) {
        let n = self.len.saturating_sub(from);
        if to < from {
            copy_down(self.bytes, from, to, n);
            self.len = to.saturating_add(n);
        }
    }

    /// Moves the bytes in use from `from` on to `to` (within the capacity), the length with them.
    pub(crate) fn move_tail(&mut self, from: usize, to: usize) {
        let from = from.min(self.len);
        let end = to.saturating_add(self.len - from);
        if end <= Buffer::capacity(self) {
            move_bytes(self.bytes, from..self.len, to);
            self.len = end;
        }
    }
}

impl Buffer for FixedBuffer<'_> {
    const GROWS: bool = false;
    #[inline]
    fn len(&self) -> usize {
        self.len
    }
    #[inline]
    fn capacity(&self) -> usize {
        self.bytes.len().saturating_sub(self.stashed)
    }
    #[inline]
    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
    #[inline]
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.len).unwrap_or_default()
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
    #[inline]
    fn reserve_total(&mut self, total: usize) -> bool {
        total <= self.capacity()
    }
    #[inline]
    fn resize(&mut self, len: usize, value: u8) {
        let len = len.min(self.capacity());
        if let Some(new) = self.bytes.get_mut(self.len..len) {
            new.fill(value);
        }
        self.len = len;
    }
    #[inline]
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        // `bytes.len()` as the copy's length: a constant once inlined, so a short copy is a
        // few stores instead of a `memcpy` call (100+ cycles for 8 bytes).
        let end = self.len.saturating_add(bytes.len());
        if end <= self.capacity() {
            if let Some(room) = self.bytes.get_mut(self.len..end) {
                room.copy_from_slice(bytes);
                self.len = end;
            }
        }
    }
    #[inline]
    fn fill<R: ReadVec>(&mut self, reader: &mut R) -> Result<usize, R::Error> {
        let cap = self.capacity();
        let room = self.bytes.get_mut(self.len..cap).unwrap_or_default();
        if room.is_empty() {
            return Ok(0);
        }
        let n = reader.read(room)?.min(cap.saturating_sub(self.len));
        self.len = self.len.saturating_add(n);
        Ok(n)
    }
    #[inline]
    fn stash(&mut self, from: usize) -> Result<(), IpcError> {
        let from = from.min(self.len);
        let n = self.len - from;
        let to = self.capacity().saturating_sub(n);
        move_bytes(self.bytes, from..self.len, to);
        self.stashed = self.stashed.saturating_add(n);
        self.len = from;
        Ok(())
    }
    #[inline]
    fn stashed(&self) -> usize {
        self.stashed
    }
    #[inline]
    fn unstash(&mut self) {
        let size = self.bytes.len();
        let n = self.stashed.min(size.saturating_sub(self.len));
        let at = size.saturating_sub(self.stashed);
        move_bytes(self.bytes, at..at.saturating_add(n), self.len);
        self.len = self.len.saturating_add(n);
        self.stashed = 0;
    }
}

/// `bytes.copy_within(from, to)`, nothing if a range is out of bounds. Every server loop
/// answers batches, which move answers down to the ones before them over a fixed buffer
/// (`channel::serve_batch_fixed`): a move goes 8 bytes a step ([`copy_down`], [`copy_up`]),
/// where the `memmove` of compiler-builtins goes a byte a step between addresses of different
/// alignment (~100 cycles for the 8 bytes of an add's answer, measured), and is ~900 bytes of
/// code.
fn move_bytes(bytes: &mut [u8], from: core::ops::Range<usize>, to: usize) {
    let Some(n) = from.end.checked_sub(from.start) else {
        return;
    };
    if to.checked_add(n).is_none_or(|end| end > bytes.len()) || from.end > bytes.len() {
        return;
    }
    if to < from.start {
        copy_down(bytes, from.start, to, n);
    } else {
        copy_up(bytes, from.start, to, n);
    }
}

/// Copies the `n` bytes at `from` up to `to` (`to >= from`, `to + n` within `bytes`, the
/// ranges overlapping or not), 8 bytes a step ([`crate::unaligned::copy_backward`]). Nothing
/// if a range is out of bounds.
#[inline]
pub(crate) fn copy_up(bytes: &mut [u8], from: usize, to: usize, n: usize) {
    if to < from || to.checked_add(n).is_none_or(|end| end > bytes.len()) {
        return;
    }
    let base = bytes.as_mut_ptr();
    // SAFETY: `from <= to` and `to + n <= bytes.len()`: both ranges are in `bytes`, the
    // destination not below the source.
    unsafe { crate::unaligned::copy_backward(base.add(to), base.add(from), n) }
}

/// Copies the `n` bytes at `from` down to `to` (`to < from`, `from + n` within `bytes`, the
/// ranges overlapping or not), 8 bytes a step ([`crate::unaligned::copy_forward`]). Nothing
/// if a range is out of bounds.
#[inline]
fn copy_down(bytes: &mut [u8], from: usize, to: usize, n: usize) {
    if to >= from || from.checked_add(n).is_none_or(|end| end > bytes.len()) {
        return;
    }
    let base = bytes.as_mut_ptr();
    // SAFETY: `to < from` and `from + n <= bytes.len()`: both ranges are in `bytes`, the
    // destination below the source.
    unsafe { crate::unaligned::copy_forward(base.add(to), base.add(from), n) }
}

/// Appends `bytes` to `vec` if its spare capacity holds them (reserved by the caller; nothing
/// otherwise), 8 bytes a step ([`crate::unaligned::copy_forward`]): a batch's items and
/// answers on the heap (`Vec`'s own `extend_from_slice` is a `memcpy`, a byte a step between
/// addresses of different alignment).
#[inline]
pub(crate) fn append(vec: &mut Vec<u8>, bytes: &[u8]) {
    let n = bytes.len();
    let spare = vec.spare_capacity_mut();
    if spare.len() < n {
        return;
    }
    // SAFETY: the spare capacity holds `n` bytes, apart from `bytes` (another borrow); once
    // they are written the first `n` spare bytes are initialised.
    unsafe {
        crate::unaligned::copy_forward(spare.as_mut_ptr().cast::<u8>(), bytes.as_ptr(), n);
        vec.set_len(vec.len().saturating_add(n));
    }
}

/// Why `len` payload bytes from `start` on do not fit `buf`: more than a fixed buffer holds
/// ([`IpcError::PayloadTooLarge`], with the room it has there), or more than the heap gives.
#[cold]
pub(crate) fn no_room<B: Buffer + ?Sized>(buf: &B, start: usize, len: usize) -> IpcError {
    if B::GROWS {
        return IpcError::OutOfMemory;
    }
    IpcError::PayloadTooLarge {
        len: len as u64,
        max: buf.capacity().saturating_sub(start) as u64,
    }
}

/// The payload of a packet being built or answered, in place in a channel's buffer: a request
/// before [`Channel::call_in_place`](crate::channel::Channel::call_in_place) sends it, or a request a
/// [`execute_in_place`](crate::channel::Channel::execute_in_place) handler turns into its answer. The bytes
/// in front of it are kept free for the packet's header.
pub struct Frame<'a, B: Buffer + ?Sized> {
    buf: &'a mut B,
    /// Where the payload starts in `buf`; the bytes before it are room for the header.
    pub(crate) start: usize,
}

impl<'a, B: Buffer + ?Sized> Frame<'a, B> {
    /// The payload from `start` on in `buf`, which must hold `start` bytes.
    pub(crate) fn new(buf: &'a mut B, start: usize) -> Self {
        Self { buf, start }
    }

    /// The payload bytes.
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        self.buf.as_slice().get(self.start..).unwrap_or_default()
    }

    /// The payload bytes, to change in place.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        self.buf
            .as_mut_slice()
            .get_mut(self.start..)
            .unwrap_or_default()
    }

    /// Payload length.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// Whether the payload is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Empties the payload.
    #[inline]
    pub fn clear(&mut self) {
        self.buf.truncate(self.start);
    }

    /// Keeps the first `len` bytes of the payload.
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(self.start.saturating_add(len));
    }

    /// Makes room for `additional` more payload bytes: [`IpcError::PayloadTooLarge`] when a
    /// fixed buffer cannot hold them, [`IpcError::OutOfMemory`] when the heap cannot.
    #[inline]
    pub fn reserve(&mut self, additional: usize) -> Result<(), IpcError> {
        let total = self.buf.len().max(self.start).saturating_add(additional);
        if !self.buf.reserve_total(total) && !self.buf.make_room(total) {
            return Err(no_room(
                self.buf,
                self.start,
                total.saturating_sub(self.start),
            ));
        }
        if self.buf.len() < self.start {
            // The payload was taken out ([`take_payload`](Frame::take_payload)): room again.
            self.buf.resize(self.start, 0);
        }
        Ok(())
    }

    /// Appends `bytes` to the payload.
    #[inline]
    pub fn extend_from_slice(&mut self, bytes: &[u8]) -> Result<(), IpcError> {
        self.reserve(bytes.len())?;
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// Makes `value`'s encoding the whole payload, written in place after making room for all
    /// of it at once (the typed client's request, the typed server's answer): no other memory,
    /// heap or fixed. An encoding of another length than its `encoded_len` is
    /// [`IpcError::Serialize`], the payload then empty.
    #[inline]
    pub(crate) fn encode<T: Encode + ?Sized>(&mut self, value: &T) -> Result<(), IpcError> {
        self.clear();
        let len = value.encoded_len();
        if !self.fits(len) {
            return self.encode_grown(value, len);
        }
        self.buf.append_encoded(len, |out| value.encode(out))
    }

    /// [`encode`](Self::encode) where the room is not there yet: made first.
    #[cold]
    #[inline(never)]
    fn encode_grown<T: Encode + ?Sized>(&mut self, value: &T, len: usize) -> Result<(), IpcError> {
        self.reserve(len)?;
        self.buf.append_encoded(len, |out| value.encode(out))
    }

    /// Whether `additional` bytes more fit after the payload as it is, with nothing to grow,
    /// move or give back: the appends' common case, which then calls nothing, the rest apart
    /// and never joining it again (a call on the way, even one not taken, makes the function
    /// save registers on every call: measured, ~30 cycles a typed answer less, ~80 a typed
    /// batch's item on the client).
    #[inline(always)]
    fn fits(&self, additional: usize) -> bool {
        let len = self.buf.len();
        len >= self.start && additional <= self.buf.capacity().saturating_sub(len)
    }

    /// [`reserve`](Self::reserve) for a payload built a piece at a time (a batch's requests):
    /// on the heap, room for twice the bytes in use when there is not enough, so it is copied a
    /// few times in all instead of once a piece (measured: ~55 cycles an item of a batch of 64
    /// typed adds); a fixed buffer has what it has.
    #[inline]
    pub(crate) fn reserve_more(&mut self, additional: usize) -> Result<(), IpcError> {
        let len = self.buf.len().max(self.start);
        if B::GROWS && self.buf.capacity() < len.saturating_add(additional) {
            // Best effort: the exact room below is what counts.
            let _ = self
                .buf
                .reserve_total(len.saturating_mul(2).saturating_add(additional));
        }
        self.reserve(additional)
    }

    /// Appends a packet of `code` whose payload is `value`'s encoding (a typed batch's item),
    /// written in place: header and payload one encoding, in room that is there already (the
    /// rest apart, [`append_packet_grown`](Self::append_packet_grown)).
    #[inline]
    pub(crate) fn append_packet<T: Encode + ?Sized>(
        &mut self,
        code: u64,
        value: &T,
    ) -> Result<(), IpcError> {
        let len = value.encoded_len();
        let total = crate::wire::header_len(code, len as u64).saturating_add(len);
        if !self.fits(total) {
            return self.append_packet_grown(code, value);
        }
        self.buf.append_encoded(total, |out| {
            put_packet_header(out, code, len as u64);
            value.encode(out)
        })
    }

    /// [`append_packet`](Self::append_packet) where the room is not there yet: made first,
    /// then the header and the payload each an encoding (one closure called from two places
    /// would no longer be inlined in the common case).
    #[cold]
    #[inline(never)]
    fn append_packet_grown<T: Encode + ?Sized>(
        &mut self,
        code: u64,
        value: &T,
    ) -> Result<(), IpcError> {
        let len = value.encoded_len();
        self.append_header(code, len)?;
        self.buf.append_encoded(len, |out| value.encode(out))
    }

    /// Appends a packet of `code` whose `len` payload bytes `write` fills in place (a raw
    /// batch's item).
    #[inline(always)]
    pub(crate) fn append_item(
        &mut self,
        code: u64,
        len: usize,
        write: impl FnOnce(&mut [u8]),
    ) -> Result<(), IpcError> {
        self.append_header(code, len)?;
        let at = self.buf.len();
        self.buf.extend_len(len);
        write(self.buf.as_mut_slice().get_mut(at..).unwrap_or_default());
        Ok(())
    }

    /// Appends the header of a packet of `code` and `len` payload bytes, room made for all of
    /// it at once ([`reserve_more`](Self::reserve_more)); the payload is the caller's to append.
    /// Written as an encoding: on the heap into the spare capacity, not zeroed first (measured:
    /// ~35 cycles an item of a typed batch less than zeroing it, then writing it).
    #[inline(always)]
    fn append_header(&mut self, code: u64, len: usize) -> Result<(), IpcError> {
        let wire_len = len as u64;
        let header_len = crate::wire::header_len(code, wire_len);
        self.reserve_more(header_len.saturating_add(len))?;
        self.buf
            .append_encoded(header_len, |out| put_packet_header(out, code, wire_len))
    }

    /// The same frame, borrowed for shorter.
    pub(crate) fn reborrow(&mut self) -> Frame<'_, B> {
        Frame {
            buf: &mut *self.buf,
            start: self.start,
        }
    }

    /// Sets the payload length to `len`, new bytes set to `value`.
    #[inline]
    pub fn resize(&mut self, len: usize, value: u8) -> Result<(), IpcError> {
        self.reserve(len.saturating_sub(self.len()))?;
        self.buf.resize(self.start.saturating_add(len), value);
        Ok(())
    }
}

/// Writes the header of a packet of `code` and `payload_len` bytes into `out`. Constant
/// lengths, so stores (a run-time length would be a `memcpy` call), three for a typed call's
/// 7 bytes (measured: ~10 cycles an item less than a byte a store).
#[inline(always)]
fn put_packet_header(out: &mut Output<'_>, code: u64, payload_len: u64) {
    if let Some(header) = crate::wire::id_header_bytes(code, payload_len) {
        out.put_word(header);
    } else if let Some(header) = crate::wire::short_header_bytes(code, payload_len) {
        out.put_word(header);
    } else {
        let mut header = [0u8; crate::wire::MAX_HEADER_LEN];
        let n = crate::wire::encode_header(code, payload_len, &mut header);
        out.put(header.get(..n).unwrap_or_default());
    }
}

/// On the heap a frame's bytes can move in and out as owned payloads, without a copy.
impl Frame<'_, HeapBuffer> {
    /// The payload as an owned [`Payload`], its buffer taken out of the channel's (no copy);
    /// the frame is empty after. An item of a batch is copied out instead: the answers before
    /// it stay in the buffer.
    pub fn take_payload(&mut self) -> Payload {
        if !self.buf.under_answers {
            return Payload::from_parts(self.buf.take(), self.start);
        }
        let start = self.buf.copy_out(self.start);
        let copy = self.buf.take();
        self.buf.put_back();
        Payload::from_parts(copy, start)
    }

    /// Makes `payload` the frame's payload, adopting its buffer (no copy; an item of a batch
    /// copies its bytes in).
    pub fn put_payload(&mut self, payload: Payload) {
        if self.buf.under_answers {
            self.buf.copy_in(self.start, payload.as_slice());
            // Its buffer for the next payload copied out.
            self.buf.spare = payload.into_buffer();
            return;
        }
        self.start = payload.headroom();
        self.buf.buf = payload.into_buffer();
    }
}

impl<B: Buffer + ?Sized> embedded_io::ErrorType for Frame<'_, B> {
    type Error = IpcError;
}

/// Lets encoders write straight into the packet.
impl<B: Buffer + ?Sized> embedded_io::Write for Frame<'_, B> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        self.extend_from_slice(buf)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), IpcError> {
        Ok(())
    }
}

/// A `&'static mut [u8; N]` of zeroed bytes, for a [`FixedBuffer`]: `Some` the first time this
/// expansion runs, `None` after (each use of the macro is its own buffer). CKB-VM starts a
/// script's memory zeroed, so a static costs nothing to set up, where a stack array would be
/// zeroed by hand.
///
/// ```ignore
/// let bytes = ckb_ipc::static_buffer!(4096).ok_or(IpcError::OutOfMemory)?;
/// let (read, write) = ckb_ipc::inherited_pipes()?;
/// let mut channel = Channel::with_fixed_buffer(read, write, bytes);
/// ```
#[macro_export]
macro_rules! static_buffer {
    ($n:expr) => {{
        static mut BYTES: [u8; $n] = [0; $n];
        static mut TAKEN: bool = false;
        // SAFETY: a CKB-VM script is one thread, and TAKEN lets out at most one reference.
        unsafe {
            if *::core::ptr::addr_of!(TAKEN) {
                ::core::option::Option::None
            } else {
                *::core::ptr::addr_of_mut!(TAKEN) = true;
                ::core::option::Option::Some(&mut *::core::ptr::addr_of_mut!(BYTES))
            }
        }
    }};
}

/// Declares a script without a heap: a global allocator that refuses every request (ckb-std
/// links `alloc`, so a script must name an allocator, and this one has no heap behind it).
///
/// Use it instead of `ckb_std::default_alloc!` in a script whose channels run over
/// [`FixedBuffer`]s: the allocator is a few instructions and no memory, and an allocation
/// that slipped in anyway aborts the script (a failed transaction in the tests) instead of
/// quietly taking a heap.
#[macro_export]
macro_rules! no_heap {
    () => {
        #[global_allocator]
        static NO_HEAP: $crate::__private::NoHeap = $crate::__private::NoHeap;
    };
}

/// The allocator of [`no_heap!`]: every allocation fails.
pub struct NoHeap;

// SAFETY: never hands out memory, so it cannot hand out the same memory twice.
unsafe impl core::alloc::GlobalAlloc for NoHeap {
    unsafe fn alloc(&self, _: core::alloc::Layout) -> *mut u8 {
        refused();
        core::ptr::null_mut()
    }
    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}

/// The debug line a refused allocation prints before the script aborts (the VM's own words
/// are only an exit code, or a fault with debug assertions on); ckb-ipc-testtool recognises it.
const NO_HEAP_REFUSED: &core::ffi::CStr =
    c"ckb-ipc: no_heap!() refused an allocation: this script has no heap";

/// Prints [`NO_HEAP_REFUSED`] through the debug syscall, allocating nothing.
#[cold]
#[inline(never)]
fn refused() {
    crate::script::debug_cstr(NO_HEAP_REFUSED.to_bytes_with_nul());
}
