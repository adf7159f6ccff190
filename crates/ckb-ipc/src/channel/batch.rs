//! Batches: many calls in one request packet ([`BATCH_METHOD`]), answered by one response
//! packet, so k calls cost the four syscalls of one (`docs/wire-format.md`, "Batches").
//!
//! The items of a batch are complete request packets laid end to end, the answer's payload the
//! response packets, one per item and in order: the packet encoder, decoder and checks of a
//! single call serve both. Every server loop of the crate answers batches, each item served by
//! the handler as a call would be: [`Channel::execute`] (any [`RequestHandler`]) and
//! [`Channel::execute_in_place`] (a closure, or a typed server). A batch is checked whole
//! ([`check_batch`]: every length against the bytes present, nothing allocated) before any of
//! its items is served; a malformed one is answered with the code of its error, and the
//! server goes on (the packet around it was whole).

use alloc::vec::Vec;

use crate::buffer::{Buffer, FixedBuffer, Frame, HeapBuffer};
use crate::error::IpcError;
use crate::io::{Reader, Writer};
use crate::packet::{Payload, RequestPacket, ResponsePacket};
use crate::wire::{self, check_batch, Packets, BATCH_METHOD, MIN_HEADER_LEN};

use super::{Channel, Reply, RequestHandler, RX_PAD, TX_START};

/// The items of a batch being built in place in the channel's buffer
/// ([`Channel::call_batch_in_place`]): each [`push`](Self::push) appends one request.
pub struct BatchBuilder<'f, B: Buffer> {
    frame: Frame<'f, B>,
    count: usize,
    /// The first error of a push that does not return one (the typed batch's): the batch is
    /// then not sent.
    pub(crate) error: Option<IpcError>,
}

impl<B: Buffer> BatchBuilder<'_, B> {
    /// Appends a request for `method` with `payload`; a batch cannot hold a batch
    /// ([`IpcError::Deserialize`]).
    pub fn push(&mut self, method: u64, payload: &[u8]) -> Result<(), IpcError> {
        self.push_with(method, payload.len(), |out| out.copy_from_slice(payload))
    }

    /// Appends a request for `method` whose `len` payload bytes `write` fills in place.
    pub fn push_with(
        &mut self,
        method: u64,
        len: usize,
        write: impl FnOnce(&mut [u8]),
    ) -> Result<(), IpcError> {
        if method == BATCH_METHOD {
            return Err(IpcError::Deserialize);
        }
        self.frame.append_item(method, len, write)?;
        self.count = self.count.saturating_add(1);
        Ok(())
    }

    /// Appends a request for `method` with `args` encoded in place (the typed batch).
    pub(crate) fn push_encoded<A: crate::service::Encode>(
        &mut self,
        method: u64,
        args: &A,
    ) -> usize {
        let index = self.count;
        if self.error.is_none() {
            match self.frame.append_packet(method, args) {
                Ok(()) => self.count = self.count.saturating_add(1),
                Err(e) => self.error = Some(e),
            }
        }
        index
    }

    /// Requests pushed so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no request was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// The answers to a batch, one [`Reply`] per request in the order they were pushed, lent from
/// the channel's buffer. Checked before they are lent: as many complete responses as requests.
#[derive(Clone, Debug)]
pub struct BatchReplies<'a> {
    all: &'a [u8],
    count: usize,
    /// The next reply: its index and where it starts in `all`.
    next: (usize, usize),
}

impl<'a> BatchReplies<'a> {
    /// The answers in `bytes`, `count` of them to come, not checked yet ([`check`](Self::check),
    /// [`finish`](Self::finish)).
    fn lent(bytes: &'a [u8], count: usize) -> Self {
        Self {
            all: bytes,
            count,
            next: (0, 0),
        }
    }

    /// Whether the answers are `count` complete responses and nothing more, checked whole.
    fn check(self) -> Result<Self, IpcError> {
        if wire::count_packets(self.all, u64::MAX, false)? != self.count {
            return Err(IpcError::Deserialize);
        }
        Ok(self)
    }

    /// [`check`](Self::check) after the replies were read, from where reading stopped: the
    /// typed batch's, whose results are decoded as they are split and thrown away if the
    /// answers were not all there (no second pass over them; measured: ~29 cycles an item of
    /// a typed batch of adds less).
    pub(crate) fn finish(&self) -> Result<(), IpcError> {
        let (read, at) = self.next;
        let rest = self.all.get(at..).unwrap_or_default();
        if read.saturating_add(wire::count_packets(rest, u64::MAX, false)?) != self.count {
            return Err(IpcError::Deserialize);
        }
        Ok(())
    }

    /// The answer to the request pushed `index`-th (from 0), in any order (in order it is
    /// one step each); `None` past the last.
    #[inline]
    pub fn get(&mut self, index: usize) -> Option<Reply<'a>> {
        if index == self.next.0 {
            return self.step();
        }
        self.seek(index)
    }

    /// [`get`](Self::get) out of order: from the first answer again, or stepping ahead.
    #[cold]
    #[inline(never)]
    fn seek(&mut self, index: usize) -> Option<Reply<'a>> {
        if index < self.next.0 {
            self.next = (0, 0);
        }
        while self.next.0 < index {
            self.next()?;
        }
        self.next()
    }

    /// The next answer. Inlined where a result is read by index in order (the typed batch's
    /// resolve, once a result: measured, ~35 cycles an item less than a call).
    #[inline(always)]
    fn step(&mut self) -> Option<Reply<'a>> {
        let (index, at) = self.next;
        let rest = self.all.get(at..).filter(|r| !r.is_empty())?;
        let (header, payload, after) = wire::split_packet(rest, u64::MAX).ok()?;
        self.next = (
            index.saturating_add(1),
            self.all.len().saturating_sub(after.len()),
        );
        Some(Reply {
            error_code: header.code,
            payload,
        })
    }
}

impl<'a> Iterator for BatchReplies<'a> {
    type Item = Reply<'a>;

    // Not inlined: the closures that read answers in a loop stay small enough to be inlined
    // themselves (measured: ~150 cycles a batch of the in-place client's, ~8 an item, less).
    fn next(&mut self) -> Option<Reply<'a>> {
        self.step()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count.saturating_sub(self.next.0);
        (left, Some(left))
    }
}

impl ExactSizeIterator for BatchReplies<'_> {}

impl<R, W, B> Channel<R, W, B>
where
    R: Reader,
    W: Writer,
    B: Buffer,
{
    /// Sends a batch of requests, which `build` pushes into the channel's buffer, in one
    /// packet, and lends the answers, one per request in order, to `read`: k calls for the
    /// syscalls of one, nothing allocated or copied by the channel.
    ///
    /// ```ignore
    /// let sums = channel.call_batch_in_place(
    ///     |batch| (0..16u64).try_for_each(|i| batch.push(ADD, &[i.to_le_bytes(), 1u64.to_le_bytes()].concat())),
    ///     |replies| Ok(replies.filter(|r| r.error_code() == 0).count()),
    /// )?;
    /// ```
    ///
    /// Each answer has its own error code: an item that failed does not stop the others. A
    /// server that does not answer the batch as one is [`IpcError::BatchRefused`] (a server
    /// that does not know batches answers its unknown-method code); the channel stays
    /// usable. A batch of one request goes out as that request alone, its response the one
    /// answer: it costs what the call does, and any server answers it. An error from `build`
    /// sends nothing.
    pub fn call_batch_in_place<T>(
        &mut self,
        build: impl FnOnce(&mut BatchBuilder<'_, B>) -> Result<(), IpcError>,
        read: impl FnOnce(BatchReplies<'_>) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        self.batch_lent(build, |replies, checked| match checked {
            true => read(replies),
            false => read(replies.check()?),
        })
    }

    /// [`call_batch_in_place`](Self::call_batch_in_place) with the replies lent before they are
    /// checked, and whether they were (a batch of one is a response read whole).
    pub(crate) fn batch_lent<T>(
        &mut self,
        build: impl FnOnce(&mut BatchBuilder<'_, B>) -> Result<(), IpcError>,
        read: impl FnOnce(BatchReplies<'_>, bool) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let count = {
            let mut frame = self.next_request()?;
            frame.clear();
            let mut batch = BatchBuilder {
                frame: frame.reborrow(),
                count: 0,
                error: None,
            };
            build(&mut batch)?;
            batch.error.map_or(Ok(batch.count), Err)?
        };
        if count == 1 {
            return self.call_one(read);
        }
        self.send_frame(BATCH_METHOD)?;
        self.receive_reply(|reply| match reply.error_code() {
            0 => read(BatchReplies::lent(reply.payload(), count), false),
            code => Err(IpcError::BatchRefused(code)),
        })
    }

    /// A batch of one request, built in the buffer: sent as the request itself, its response
    /// the one reply. It costs what the call does (measured: a batch packet of one cost 1.11x
    /// the call on the in-place level), and a server that does not know batches answers it.
    fn call_one<T>(
        &mut self,
        read: impl FnOnce(BatchReplies<'_>, bool) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        self.send_whole()?;
        self.receive_frame()?.ok_or(IpcError::Eof)?;
        // The response just read, header and payload: one packet, checked as it was read.
        let response = self.buf.as_slice().get(RX_PAD..).unwrap_or_default();
        read(BatchReplies::lent(response, 1), true)
    }

    /// Turns the batch just read into its answer with `handler` (the in-place loop's): the
    /// answers end to end from `self.at`, code 0; or nothing and the code of its error. Out of
    /// line, so the loop's path for a single call stays as it was.
    #[cold]
    #[inline(never)]
    pub(super) fn serve_batch_frame<F>(&mut self, handler: &mut F) -> u64
    where
        F: FnMut(u64, &mut Frame<'_, B>) -> u64,
    {
        match self.buf.serve_batch(self.at, self.max_payload, handler) {
            Ok(at) => {
                self.at = at;
                0
            }
            Err(e) => {
                self.at = self.buf.len();
                e.wire_code()
            }
        }
    }
}

/// Batches on the owned level: packets moved in and out.
impl<R, W> Channel<R, W, HeapBuffer>
where
    R: Reader,
    W: Writer,
{
    /// Sends `requests` as one batch and returns their responses, in order
    /// ([`call_batch_in_place`](Self::call_batch_in_place) with packets moved in and out).
    pub fn call_batch(
        &mut self,
        requests: &[RequestPacket],
    ) -> Result<Vec<ResponsePacket>, IpcError> {
        self.call_batch_in_place(
            |batch| {
                requests
                    .iter()
                    .try_for_each(|r| batch.push(r.method_id(), r.payload()))
            },
            |replies| {
                let mut out = Vec::new();
                out.try_reserve_exact(replies.len())?;
                out.extend(replies.map(|r| {
                    ResponsePacket::new(r.error_code(), Payload::from_slice(r.payload()))
                }));
                Ok(out)
            },
        )
    }
}

/// The owned loop's answer to the batch `items` (its payload): each item moved in to `handler`
/// as a [`RequestPacket`], each response appended to the answer; a malformed batch is answered
/// with its error's code. Out of line: the loop's path for a single call stays as it was.
#[cold]
#[inline(never)]
pub(super) fn serve_batch_owned<H: RequestHandler>(
    items: &[u8],
    max_payload: u64,
    handler: &mut H,
) -> ResponsePacket {
    match answers_owned(items, max_payload, handler) {
        Ok(answers) => ResponsePacket::ok(answers),
        Err(e) => ResponsePacket::error(e.wire_code()),
    }
}

fn answers_owned<H: RequestHandler>(
    items: &[u8],
    max_payload: u64,
    handler: &mut H,
) -> Result<Payload, IpcError> {
    check_batch(items, max_payload)?;
    let mut answers = Payload::new();
    answers.buffer_mut().try_reserve(items.len())?;
    for item in Packets::new(items, max_payload) {
        let (header, payload) = item?;
        let request = RequestPacket::new(header.code, Payload::from_slice(payload));
        let response = handler.serve(request);
        let wire = response.wire();
        let (first, second) = wire.parts();
        let out = answers.buffer_mut();
        out.try_reserve(first.len().saturating_add(second.len()))?;
        out.extend_from_slice(first);
        out.extend_from_slice(second);
    }
    Ok(answers)
}

/// A batch on the in-place level over the heap (a typed server): the answers built in a new
/// buffer, the channel's for the batch, each item copied in after the answers so far (room for
/// its header in front) and answered there by `handler`, its header then written in front (the
/// answer moved up only when its header is longer than the three bytes kept). A handler's
/// payload taken or given back is copied out or in ([`Frame::take_payload`]), so it cannot
/// take the answers with it. One allocation a batch (that buffer; the request's is freed),
/// none an item (measured, typed adds: ~55 cycles an item less, and ~300 a batch, than each
/// item copied into a buffer of its own and its answer copied out). An item whose payload the
/// handler takes (a `Payload` argument) pays a copy more, out and back in (measured: a typed
/// batch of 64 echoes of 32 B went from 2,174 to 2,295 cycles a call).
pub(crate) fn serve_batch_heap<F>(
    buf: &mut HeapBuffer,
    at: usize,
    max_payload: u64,
    handler: &mut F,
) -> Result<usize, IpcError>
where
    F: FnMut(u64, &mut Frame<'_, HeapBuffer>) -> u64,
{
    let batch = buf.take();
    let items = batch.get(at..).unwrap_or_default();
    wire::scan::<true>(items, max_payload, true)?;
    let mut answers = Vec::new();
    answers.try_reserve(TX_START.saturating_add(items.len()))?;
    answers.resize(TX_START, 0);
    buf.replace(answers);
    buf.answers_in_front(true);
    let served = serve_heap(buf, items, max_payload, handler);
    let lost = buf.answers_in_front(false);
    match served {
        Ok(()) if lost => Err(IpcError::OutOfMemory),
        Ok(()) => Ok(TX_START),
        Err(e) => Err(e),
    }
}

fn serve_heap<F>(
    buf: &mut HeapBuffer,
    mut items: &[u8],
    max_payload: u64,
    handler: &mut F,
) -> Result<(), IpcError>
where
    F: FnMut(u64, &mut Frame<'_, HeapBuffer>) -> u64,
{
    while !items.is_empty() {
        let (header, payload, rest) = wire::split_packet_ids(items, max_payload)?;
        items = rest;
        // The answers end at `end`; the item's payload goes after room for the smallest header.
        let end = buf.len();
        let start = end.saturating_add(MIN_HEADER_LEN);
        if !buf.reserve_total(start.saturating_add(payload.len())) {
            return Err(IpcError::OutOfMemory);
        }
        buf.append_after([0; MIN_HEADER_LEN], payload);
        let code = handler(header.code, &mut Frame::new(buf, start));
        if buf.answers_lost() || buf.len() < start {
            return Err(IpcError::OutOfMemory);
        }
        let answer_len = (buf.len() - start) as u64;
        if let Some(short) = wire::short_header_bytes(code, answer_len) {
            let _ = crate::unaligned::store_at(buf.as_mut_slice(), end, short);
            continue;
        }
        // A longer header (a code or an answer of 128 or more): the answer moves up.
        let header_len = wire::header_len(code, answer_len);
        let up = header_len.saturating_sub(MIN_HEADER_LEN);
        if !buf.reserve_total(buf.len().saturating_add(up)) {
            return Err(IpcError::OutOfMemory);
        }
        buf.resize(buf.len().saturating_add(up), 0);
        let bytes = buf.as_mut_slice();
        let answer = bytes.len().saturating_sub(up).saturating_sub(start);
        crate::buffer::copy_up(bytes, start, start.saturating_add(up), answer);
        wire::put_header(code, answer_len, bytes.get_mut(end..).unwrap_or_default());
    }
    Ok(())
}

/// The answer of a batch's item that the fixed buffer has no room for (from `start`, to go at
/// `to`): dropped, and the item refused alone, as a call whose answer the buffer cannot hold.
/// A code and no payload fits where the item was (its header took three bytes or more, so
/// `end + 3 <= start`): that answer's (code, length, where it ends).
#[cold]
#[inline(never)]
fn refuse_item(
    buf: &mut FixedBuffer<'_>,
    start: usize,
    end: usize,
    to: usize,
    answer_len: usize,
) -> (u64, usize, usize) {
    let code = crate::buffer::no_room(buf, to, answer_len).wire_code();
    buf.truncate(start);
    let to = end.saturating_add(MIN_HEADER_LEN);
    buf.move_down(start, to);
    (code, 0, to)
}

/// A batch on the in-place level over a fixed buffer, in that buffer and nothing else: each
/// item is answered by `handler` where it arrived, the items after it put aside with the free
/// bytes after the batch (a gap, [`FixedBuffer::lend_item`]), and its answer moved down to just
/// after the answers so far, its header written in front (no move at all while answers keep
/// their requests' lengths, as echoes do and a batch of one does). An answer that needs more
/// room than its request had closes the gap: the items still to serve move up to the bytes put
/// aside, and are served from there. An answer the buffer has no room for at all is that
/// item's refusal (28), the others answered.
pub(crate) fn serve_batch_fixed<'a, F>(
    buf: &mut FixedBuffer<'a>,
    at: usize,
    max_payload: u64,
    handler: &mut F,
) -> Result<usize, IpcError>
where
    F: FnMut(u64, &mut Frame<'_, FixedBuffer<'a>>) -> u64,
{
    let stashed = buf.stashed();
    let served = serve_fixed(buf, at, max_payload, handler);
    // On an error, what is left of the batch goes; what the peer sent after it stays.
    buf.end_batch(stashed);
    served
}

fn serve_fixed<'a, F>(
    buf: &mut FixedBuffer<'a>,
    at: usize,
    max_payload: u64,
    handler: &mut F,
) -> Result<usize, IpcError>
where
    F: FnMut(u64, &mut Frame<'_, FixedBuffer<'a>>) -> u64,
{
    let items_end = buf.len();
    check_batch(buf.as_slice().get(at..).unwrap_or_default(), max_payload)?;
    buf.open_gap(items_end);
    // The end of the answers so far; the start of the next item where the items arrived, or
    // once they were put aside (`gap_open` false), the bytes of them left there.
    let (mut end, mut next, mut left) = (at, at, 0usize);
    if !buf.gap_open() {
        // No free byte after the batch (the peer's next packet waits right behind it): its
        // items are where put-aside bytes start, served from there.
        buf.lend_item(at);
        (next, left) = (items_end, items_end - at);
    }
    loop {
        let (code, start) = if buf.gap_open() {
            let Some(item) = Some(buf.between(next, items_end)).filter(|i| !i.is_empty()) else {
                break;
            };
            let (header, payload, rest) = wire::split_packet(item, max_payload)?;
            let start = items_end - rest.len() - payload.len();
            next = items_end - rest.len();
            buf.lend_item(next);
            (header.code, start)
        } else {
            let Some(held) = buf.held().get(..left).filter(|h| !h.is_empty()) else {
                break;
            };
            let (header, payload, rest) = wire::split_packet(held, max_payload)?;
            let (len, after) = (payload.len(), rest.len());
            buf.skip_held(held.len() - after - len);
            left = after;
            // The request's payload after the answers and room for the smallest header.
            let start = end.saturating_add(MIN_HEADER_LEN);
            if !buf.take_held_to(start, len) {
                return Err(crate::buffer::no_room(buf, start, len));
            }
            (header.code, start)
        };
        let mut code = handler(code, &mut Frame::new(buf, start));
        let mut answer_len = buf.len().saturating_sub(start);
        let header_len = match wire::short_header_bytes(code, answer_len as u64) {
            Some(_) => MIN_HEADER_LEN,
            None => wire::header_len(code, answer_len as u64),
        };
        let mut to = end.saturating_add(header_len);
        if to < start {
            buf.move_down(start, to);
        } else if to > start {
            // A longer header than the request's: the answer moves up, maybe into the room of
            // the items after it.
            let total = to.saturating_add(answer_len);
            if buf.reserve_total(total) || buf.close_gap(total) {
                buf.move_tail(start, to);
            } else {
                (code, answer_len, to) = refuse_item(buf, start, end, to, answer_len);
            }
        }
        let room = buf.as_mut_slice().get_mut(end..).unwrap_or_default();
        wire::put_header(code, answer_len as u64, room);
        end = to.saturating_add(answer_len);
        if left == 0 && !buf.gap_open() {
            // The items left were put aside to make room (if any are left): served from there.
            left = items_end - next;
            next = items_end;
        }
    }
    buf.truncate(end);
    Ok(at)
}
