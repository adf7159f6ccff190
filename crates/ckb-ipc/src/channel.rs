//! `Channel`: request/response exchange over a reader and a writer, for both sides.
//!
//! Two levels over one framing. The borrowed level builds a request in the channel's own
//! buffer and lends the answer as a view into it ([`Channel::call_with`]), and a server answers
//! each request in place ([`Channel::serve_with`]): no packet is moved or copied, and over a
//! [`FixedBuffer`] nothing is allocated. The owned level ([`Channel::call`],
//! [`Channel::execute`]) moves [`RequestPacket`]s and [`ResponsePacket`]s in and out of the same
//! reads and writes.

use crate::buffer::{no_room, Buffer, FixedBuffer, Frame, HeapBuffer};
use crate::error::IpcError;
use crate::io::{ReadVec, Write};
use crate::packet::{Payload, RequestPacket, ResponsePacket, Wire};
use crate::wire::{self, MAX_HEADER_LEN};

/// Largest payload a channel accepts unless told otherwise: 256 KiB.
///
/// ckb-std's default heap is 516 KiB and its buddy allocator rounds a block up to a power of
/// two, so a 256 KiB packet already takes a 512 KiB block. Scripts that exchange more give
/// themselves a bigger heap (`default_alloc!`) and call [`Channel::with_max_payload`].
pub const DEFAULT_MAX_PAYLOAD: u64 = 256 * 1024;

/// Bytes kept in front of a received frame, so an answer made in place from a request's
/// payload (an echo, an in-place transform) still has room for its header when its codes are
/// longer. A packet is read at this offset of the buffer.
pub const RX_PAD: usize = 8;

/// Where the first packet built in an empty buffer starts: room for any header.
const TX_START: usize = MAX_HEADER_LEN;

/// Bytes asked for by the first read of the very first packet: a 1 KiB payload arrives in one
/// syscall. Later packets ask for the size of the one before.
const FIRST_READ: usize = 1024 + MAX_HEADER_LEN;

/// The smallest first read: any header fits, and with [`RX_PAD`] it is the 64 bytes that
/// ckb-std's fixed-block allocator serves far cheaper than its buddy allocator.
const MIN_READ: usize = 64 - RX_PAD;

/// Largest refused payload that is read and thrown away so the channel stays usable: 4 MiB, a
/// CKB-VM's whole memory, so no script can hold a larger packet to send honestly.
///
/// A peer's `write` blocks until every byte of it is read, so a side that refuses a length
/// must still consume the body, or both sides end up writing (the scheduler then aborts the
/// whole transaction as a deadlock). Above this bound the length can only be hostile: it is
/// refused at once and the channel is broken.
pub const MAX_DISCARD: u64 = 4 * 1024 * 1024;

/// Stack buffer a refused body is read through: no allocation, few syscalls.
const DISCARD_CHUNK: usize = 4096;

/// Handles one request. Implemented by closures `FnMut(RequestPacket) -> ResponsePacket`.
///
/// A handler reports a failure by answering with an error code ([`ResponsePacket::error`]);
/// the server then goes on with the next request.
pub trait RequestHandler {
    /// Answers `request`; an error is an answer too ([`ResponsePacket::error`]).
    fn serve(&mut self, request: RequestPacket) -> ResponsePacket;

    /// Serves `channel` until the client closes it ([`Channel::execute`] calls this). The
    /// default moves each request in and each response out through [`serve`](Self::serve);
    /// the servers `#[ckb_ipc::service]` generates answer in place instead
    /// ([`Channel::serve_with`]).
    fn serve_on<R, W>(&mut self, channel: &mut Channel<R, W>) -> Result<(), IpcError>
    where
        Self: Sized,
        R: ReadVec,
        W: Write,
        IpcError: From<R::Error> + From<W::Error>,
    {
        channel.serve_owned(self)
    }
}

impl<F: FnMut(RequestPacket) -> ResponsePacket> RequestHandler for F {
    fn serve(&mut self, request: RequestPacket) -> ResponsePacket {
        self(request)
    }
}

/// An answer as [`Channel::call_with`] lends it: a view into the channel's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply<'a> {
    error_code: u64,
    payload: &'a [u8],
}

impl<'a> Reply<'a> {
    /// The error code; 0 is success.
    pub fn error_code(&self) -> u64 {
        self.error_code
    }

    /// The payload bytes.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The payload if the error code is 0, else [`IpcError::ErrorCode`].
    pub fn into_result(self) -> Result<&'a [u8], IpcError> {
        match self.error_code {
            0 => Ok(self.payload),
            code => Err(IpcError::ErrorCode(code)),
        }
    }
}

/// One end of an IPC connection: a client [`call_with`](Self::call_with)s or
/// [`call`](Self::call)s, a server [`serve_with`](Self::serve_with)s or
/// [`execute`](Self::execute)s.
///
/// Cost per packet: one `write` syscall, and one `read` when the packet is no larger than the
/// previous one (or than 1 KiB for the first); every length is checked against
/// [`max_payload`](Self::max_payload) before anything is stored.
///
/// The buffer `B` is a [`HeapBuffer`] (the default, from [`new`](Channel::new)) or a
/// [`FixedBuffer`] the caller owns ([`with_buffer`](Channel::with_buffer)), for scripts
/// without a heap; the owned level needs the heap.
///
/// # After an error
/// A channel stays usable after [`IpcError::ErrorCode`] (a response like any other), and after
/// [`IpcError::PayloadTooLarge`] or [`IpcError::OutOfMemory`] for a packet of at most
/// [`MAX_DISCARD`] bytes: its body is read and thrown away, so the next packet starts where it
/// should. Any other error in the middle of a packet (a truncated or malformed packet, a failed
/// syscall, a larger refused length) leaves no packet boundary to find: the channel is broken
/// ([`is_broken`](Self::is_broken)) and every later call fails at once with
/// [`IpcError::Broken`], without a syscall. A close at a packet boundary ([`IpcError::Eof`])
/// is the end of the conversation, not breakage.
pub struct Channel<R, W, B = HeapBuffer> {
    reader: R,
    writer: W,
    max_payload: u64,
    /// Size of the first read for the next packet.
    read_hint: usize,
    buf: B,
    /// Where the payload of the last packet in `buf` starts; a packet built in place starts
    /// there too, its header going in front.
    at: usize,
    /// An error left the stream inside a packet: no call can succeed any more.
    broken: bool,
}

impl<R, W> Channel<R, W, HeapBuffer>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
{
    /// A channel reading packets from `reader` and writing to `writer`, with a heap buffer
    /// and the default limit.
    pub fn new(reader: R, writer: W) -> Self {
        Self::with_buffer(reader, writer, HeapBuffer::default())
    }
}

impl<'a, R, W> Channel<R, W, FixedBuffer<'a>>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
{
    /// A channel that never allocates: packets are read and built in `bytes`, and the limit is
    /// the largest payload they hold (`bytes.len()` less [`RX_PAD`] and a header). Use the
    /// borrowed level ([`call_with`](Self::call_with), [`serve_with`](Self::serve_with)).
    pub fn with_fixed_buffer(reader: R, writer: W, bytes: &'a mut [u8]) -> Self {
        let limit = bytes.len().saturating_sub(RX_PAD + MAX_HEADER_LEN) as u64;
        Self::with_buffer(reader, writer, FixedBuffer::new(bytes)).with_max_payload(limit)
    }
}

impl<R, W, B> Channel<R, W, B>
where
    R: ReadVec,
    W: Write,
    B: Buffer,
    IpcError: From<R::Error> + From<W::Error>,
{
    /// A channel over `buffer`, with the default limit.
    pub fn with_buffer(reader: R, writer: W, buffer: B) -> Self {
        Self {
            reader,
            writer,
            max_payload: DEFAULT_MAX_PAYLOAD,
            read_hint: FIRST_READ,
            buf: buffer,
            at: TX_START,
            broken: false,
        }
    }

    /// Sets the largest payload this end accepts (see [`DEFAULT_MAX_PAYLOAD`]).
    pub fn with_max_payload(mut self, max_payload: u64) -> Self {
        self.max_payload = max_payload.min(isize::MAX as u64 / 2);
        self
    }

    /// The largest payload this end accepts.
    pub fn max_payload(&self) -> u64 {
        self.max_payload
    }

    /// Whether an earlier error left the stream inside a packet (see [the type's
    /// docs](Self#after-an-error)): every call then returns [`IpcError::Broken`].
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    /// The reader and writer back.
    pub fn into_inner(self) -> (R, W) {
        (self.reader, self.writer)
    }

    /// Sends a request whose payload `build` writes into the channel's buffer, and lends the
    /// answer to `read`: no packet is allocated, moved or copied.
    ///
    /// ```ignore
    /// let sum = channel.call_with(
    ///     ADD,
    ///     |out| out.extend_from_slice(&[a.to_le_bytes(), b.to_le_bytes()].concat()),
    ///     |reply| Ok(u64::from_le_bytes(reply.into_result()?.try_into()?)),
    /// )?;
    /// ```
    ///
    /// An error from `build` sends nothing and leaves the channel as it was. A reply with a
    /// non-zero error code is still lent to `read` ([`Reply::into_result`]).
    pub fn call_with<T>(
        &mut self,
        method: u64,
        build: impl FnOnce(&mut Frame<'_, B>) -> Result<(), IpcError>,
        read: impl FnOnce(Reply<'_>) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        self.call_in_place(
            method,
            |out| {
                out.clear();
                build(out)
            },
            read,
        )
    }

    /// [`call_with`](Self::call_with), where `edit` starts from the payload of the last answer
    /// (empty before the first): a relay or a loop that sends back what it got, changed in
    /// place, copies nothing.
    pub fn call_in_place<T>(
        &mut self,
        method: u64,
        edit: impl FnOnce(&mut Frame<'_, B>) -> Result<(), IpcError>,
        read: impl FnOnce(Reply<'_>) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        self.send_in_place(method, edit)?;
        self.receive_reply(read)
    }

    /// Sends a request built in place: `edit` changes the payload of the last packet in the
    /// buffer (empty if there is none) into the request's.
    pub(crate) fn send_in_place(
        &mut self,
        method: u64,
        edit: impl FnOnce(&mut Frame<'_, B>) -> Result<(), IpcError>,
    ) -> Result<(), IpcError> {
        edit(&mut self.next_request()?)?;
        self.send_frame(method)
    }

    /// The payload of the next request, to prepare ahead of
    /// [`call_in_place`](Self::call_in_place): the last answer's payload (empty before the
    /// first), which the next `call_in_place` sends as `edit` leaves it.
    #[inline]
    pub fn next_request(&mut self) -> Result<Frame<'_, B>, IpcError> {
        if self.broken {
            return Err(IpcError::Broken);
        }
        if self.buf.len() < self.at {
            // An empty buffer: room for the header in front of the payload. A heap buffer
            // gets the room the answer's first read asks for as well, so the first call
            // allocates once instead of three times (header room, payload, answer), each
            // growth a copy and a free.
            let room = if B::GROWS {
                self.at.max(self.read_hint.saturating_add(RX_PAD))
            } else {
                self.at
            };
            if !self.buf.reserve_total(room) {
                return Err(no_room(&self.buf, self.at, 0));
            }
            self.buf.resize(self.at, 0);
        }
        Ok(Frame::new(&mut self.buf, self.at))
    }

    /// Reads the answer to a request sent with [`send_in_place`](Self::send_in_place) and
    /// lends it to `read`.
    #[inline(always)]
    pub(crate) fn receive_reply<T>(
        &mut self,
        read: impl FnOnce(Reply<'_>) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        let error_code = self.receive_frame()?.ok_or(IpcError::Eof)?;
        read(Reply {
            error_code,
            payload: self.buf.as_slice().get(self.at..).unwrap_or_default(),
        })
    }

    /// Serves requests until the client closes the channel: `handler` gets each request's
    /// method id and payload, turns the payload into its answer in place (reading it, then
    /// writing over it: [`Frame::clear`], [`Frame::extend_from_slice`]) and returns the
    /// answer's error code (0 for success). Nothing is allocated or copied by the channel.
    ///
    /// How the loop ends, and what a client that sends something else is told, is as for
    /// [`execute`](Self::execute).
    pub fn serve_with<F>(&mut self, mut handler: F) -> Result<(), IpcError>
    where
        F: FnMut(u64, &mut Frame<'_, B>) -> u64,
    {
        self.serve_loop(|ch, method| {
            let mut frame = Frame::new(&mut ch.buf, ch.at);
            let code = handler(method, &mut frame);
            // The handler may have put a payload of its own in (on the heap, without a copy).
            ch.at = frame.start;
            ch.send_frame(code)
        })
    }

    /// Sends a response carrying only `error_code` (built in the channel's buffer, like any
    /// packet: what [`next_request`](Self::next_request) would have lent is gone).
    pub fn send_error_code(&mut self, error_code: u64) -> Result<(), IpcError> {
        self.buf.truncate(TX_START);
        self.at = TX_START;
        let mut frame = self.next_request()?;
        frame.clear();
        self.send_frame(error_code)
    }

    /// Sends a request without waiting for its response (see [`receive_response`](Channel::receive_response)).
    pub fn send_request(&mut self, request: &RequestPacket) -> Result<(), IpcError> {
        self.send(request.wire())
    }

    /// Sends a response (for servers that drive their own loop).
    pub fn send_response(&mut self, response: &ResponsePacket) -> Result<(), IpcError> {
        self.send(response.wire())
    }

    /// The server loop of both levels: reads requests and lets `answer` reply to each (from
    /// the packet in the buffer, at `self.at`), until the client closes the channel. A refused
    /// request is answered with its wire code, and the loop goes on if the stream is still at
    /// a packet boundary.
    fn serve_loop(
        &mut self,
        mut answer: impl FnMut(&mut Self, u64) -> Result<(), IpcError>,
    ) -> Result<(), IpcError> {
        loop {
            let method = match self.receive_frame() {
                Ok(Some(method)) => method,
                Ok(None) => return Ok(()),
                Err(e) if !self.broken => {
                    // Refused, but the stream is at the next packet: tell the client, go on.
                    match self.send_error_code(e.wire_code()) {
                        Ok(()) => continue,
                        Err(IpcError::Eof) => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => {
                    // Best effort: the client may be gone, which is why we are here. The
                    // answer goes out whole even on a broken channel: it is a packet of its own.
                    self.broken = false;
                    let _ = self.send_error_code(e.wire_code());
                    self.broken = true;
                    return Err(e);
                }
            };
            match answer(self, method) {
                Ok(()) => {}
                // The client hung up without waiting for its answer: its choice, and the end.
                Err(IpcError::Eof) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends the packet in the buffer: `code`, and the payload from `self.at` on, its header
    /// put right in front (or written apart when there is no room for it).
    fn send_frame(&mut self, code: u64) -> Result<(), IpcError> {
        let at = self.at;
        let bytes = self.buf.as_mut_slice();
        let payload_len = bytes.len().saturating_sub(at) as u64;
        let header_len = wire::header_len(code, payload_len);
        // The header goes right before the payload, and the packet out in one write.
        let Some(from) = at.checked_sub(header_len) else {
            return self.send_apart(code);
        };
        let packet = bytes.get_mut(from..).unwrap_or_default();
        wire::put_header(code, payload_len, packet);
        Self::write_packet(&mut self.writer, &mut self.broken, packet, &[])
    }

    /// [`send_frame`](Self::send_frame) without room for the header in front of the payload
    /// (a code of more bytes than the request's): the header goes out first, from the stack.
    /// Apart from the common path, which then has no header array to zero (measured: ~60
    /// cycles a call on the heap channel, ~25 on a fixed one, for ~300 bytes of code).
    #[cold]
    #[inline(never)]
    fn send_apart(&mut self, code: u64) -> Result<(), IpcError> {
        let payload = self.buf.as_slice().get(self.at..).unwrap_or_default();
        let mut header = [0u8; MAX_HEADER_LEN];
        let n = wire::encode_header(code, payload.len() as u64, &mut header);
        let header = header.get(..n).unwrap_or_default();
        Self::write_packet(&mut self.writer, &mut self.broken, header, payload)
    }

    /// Writes one owned packet.
    fn send(&mut self, wire: Wire<'_>) -> Result<(), IpcError> {
        let (first, second) = wire.parts();
        Self::write_packet(&mut self.writer, &mut self.broken, first, second)
    }

    /// Writes one packet, `first` then `second`. A peer gone before it took any byte of it
    /// closed at a packet boundary ([`IpcError::Eof`]); gone in the middle,
    /// [`IpcError::UnexpectedEof`], and the channel is broken.
    fn write_packet(
        writer: &mut W,
        broken: &mut bool,
        first: &[u8],
        second: &[u8],
    ) -> Result<(), IpcError> {
        if *broken {
            return Err(IpcError::Broken);
        }
        let mut written = 0;
        let result = write_all(writer, first, &mut written)
            .and_then(|()| write_all(writer, second, &mut written));
        match result {
            Err(IpcError::UnexpectedEof) if written == 0 => Err(IpcError::Eof),
            Err(e) => {
                // Part of a packet may be out: the peer cannot find the next one.
                *broken = written > 0;
                Err(e)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Reads one packet into the buffer at [`RX_PAD`]: its code (method id or error code) is
    /// returned and its payload starts at `self.at`. `Ok(None)` is a close at a packet
    /// boundary. Marks the channel broken on an error that leaves the stream inside a packet.
    fn receive_frame(&mut self) -> Result<Option<u64>, IpcError> {
        if self.broken {
            return Err(IpcError::Broken);
        }
        // Broken until the stream is known to be at a packet boundary again.
        self.broken = true;
        let result = self.read_packet();
        if result.is_ok() {
            self.broken = false;
        }
        result
    }

    #[inline(always)]
    fn read_packet(&mut self) -> Result<Option<u64>, IpcError> {
        let want = self
            .read_hint
            .max(self.buf.stashed())
            .saturating_add(RX_PAD);
        // The pad's bytes do not matter: keep the last packet's instead of zeroing new ones.
        self.buf.truncate(RX_PAD);
        // A fixed buffer reads what it can hold; a heap one makes room for the expected size.
        if !self.buf.reserve_total(want) && B::GROWS {
            return Err(IpcError::OutOfMemory);
        }
        if self.buf.len() < RX_PAD {
            if B::GROWS {
                // A new heap buffer, or one whose packet was taken out (every call of an owned
                // client): a copy of constant length is a few stores, a `resize` a `memset`
                // call (~60 cycles).
                self.buf.truncate(0);
                self.buf.extend_from_slice(&[0; RX_PAD]);
            } else {
                // Once per fixed buffer; the copy above would cost the lean loop a few cycles
                // a packet (measured), through the code around it.
                self.buf.resize(RX_PAD, 0);
            }
        }
        if self.buf.stashed() > 0 {
            self.buf.unstash();
        }

        // Read until the header is complete. It is at most 21 bytes and the buffer holds at
        // least MIN_READ, so this is one read unless the peer dribbles its header.
        let (header, header_len) = loop {
            if self.buf.len() > RX_PAD {
                let frame = self.buf.as_slice().get(RX_PAD..).unwrap_or_default();
                match wire::decode_header(frame, self.max_payload) {
                    Ok(Some(found)) => break found,
                    Ok(None) => {}
                    Err(refused @ IpcError::PayloadTooLarge { .. }) => {
                        return Err(self.refuse(refused));
                    }
                    Err(e) => return Err(e),
                }
            }
            let len = self.buf.len();
            if len == self.buf.capacity() && !self.buf.reserve_total(len.saturating_add(MIN_READ)) {
                return Err(IpcError::OutOfMemory);
            }
            if self.buf.fill(&mut self.reader)? == 0 {
                return if self.buf.len() == RX_PAD {
                    Ok(None)
                } else {
                    Err(IpcError::UnexpectedEof)
                };
            }
        };

        // payload_len <= max_payload < isize::MAX / 2, checked by decode_header.
        let total = (header.payload_len as usize)
            .saturating_add(header_len)
            .saturating_add(RX_PAD);
        if self.buf.len() < total && !self.buf.reserve_total(total) {
            let start = header_len.saturating_add(RX_PAD);
            let refused = no_room(&self.buf, start, header.payload_len as usize);
            return Err(self.refuse(refused));
        }
        while self.buf.len() < total {
            if self.buf.fill(&mut self.reader)? == 0 {
                return Err(IpcError::UnexpectedEof);
            }
        }
        if self.buf.len() > total {
            // The peer wrote more than one packet at once: keep the rest for the next read.
            self.buf.stash(total)?;
        }
        self.read_hint = (total - RX_PAD).max(MIN_READ);
        self.at = header_len.saturating_add(RX_PAD);
        Ok(Some(header.code))
    }

    /// Throws away the packet at [`RX_PAD`] in the buffer (its header complete, its body maybe
    /// not yet read), so the stream is at the next packet; then `refused` is the answer, and
    /// the channel stays usable. A length over [`MAX_DISCARD`], or a peer gone mid-body,
    /// breaks it.
    #[cold]
    #[inline(never)]
    fn refuse(&mut self, refused: IpcError) -> IpcError {
        let frame = self.buf.as_slice().get(RX_PAD..).unwrap_or_default();
        let (len, body_at) = match wire::decode_header(frame, u64::MAX) {
            Ok(Some((header, header_len))) => (header.payload_len, header_len),
            Ok(None) => return IpcError::UnexpectedEof,
            Err(e) => return e,
        };
        if len > MAX_DISCARD {
            return refused;
        }
        // `len` <= MAX_DISCARD fits a usize on every target this runs on.
        let len = len as usize;
        let have = frame.len().saturating_sub(body_at);
        if have >= len {
            // The body is already here, and maybe the start of the next packet too.
            if self
                .buf
                .stash(len.saturating_add(body_at).saturating_add(RX_PAD))
                .is_ok()
            {
                self.broken = false;
            }
            return refused;
        }
        self.buf.truncate(RX_PAD);
        let mut left = len - have;
        let mut chunk = [0u8; DISCARD_CHUNK];
        while left > 0 {
            let want = chunk.get_mut(..left.min(DISCARD_CHUNK)).unwrap_or_default();
            match self.reader.read(want) {
                Ok(n @ 1..) => left = left.saturating_sub(n),
                Ok(0) => return IpcError::UnexpectedEof,
                Err(e) => return e.into(),
            }
        }
        self.broken = false;
        refused
    }
}

/// The owned level: packets moved in and out, over a [`HeapBuffer`].
impl<R, W> Channel<R, W, HeapBuffer>
where
    R: ReadVec,
    W: Write,
    IpcError: From<R::Error> + From<W::Error>,
{
    /// Sends `request` and waits for the response.
    ///
    /// A response with a non-zero error code is still `Ok` (its payload may say more); use
    /// [`ResponsePacket::into_result`] to turn it into [`IpcError::ErrorCode`]. A server that is
    /// gone, before taking the request or instead of answering, is [`IpcError::Eof`].
    pub fn call(&mut self, request: &RequestPacket) -> Result<ResponsePacket, IpcError> {
        self.send(request.wire())?;
        self.receive_response()
    }

    /// Serves requests with `handler` until the client closes the channel.
    ///
    /// A close at a packet boundary returns `Ok(())`, also when the client hangs up without
    /// reading its last answer. A request over the limit (or over the heap) within
    /// [`MAX_DISCARD`] is read and thrown away, answered with its wire code (28), and the loop
    /// goes on. Anything else the client sends that is not a valid request ends the loop with
    /// that error, after telling the client its wire code ([`IpcError::wire_code`]) if it still
    /// listens.
    pub fn execute<H: RequestHandler>(&mut self, handler: &mut H) -> Result<(), IpcError> {
        handler.serve_on(self)
    }

    /// The owned server loop: each request moved out to `handler`, each response sent from
    /// its own buffer.
    fn serve_owned<H: RequestHandler>(&mut self, handler: &mut H) -> Result<(), IpcError> {
        self.serve_loop(|ch, method| {
            let (payload, header_len) = ch.take_payload();
            let response = handler.serve(RequestPacket::received(method, payload, header_len));
            ch.send(response.wire())?;
            ch.recycle(response.into_payload());
            Ok(())
        })
    }

    /// Gives back a payload the caller is done with: the next packet is read into its buffer
    /// instead of a new allocation. Optional; it saves an allocation and a free per call.
    pub fn recycle(&mut self, payload: Payload) {
        let mut buf = payload.into_buffer();
        // Its first bytes serve as the receive pad, whose values do not matter: none to write
        // before the next read.
        buf.truncate(RX_PAD);
        self.buf.recycle(buf);
    }

    /// Reads the next request; `Ok(None)` when the client closed the channel at a boundary.
    pub fn receive_request(&mut self) -> Result<Option<RequestPacket>, IpcError> {
        Ok(match self.receive_frame()? {
            Some(method) => {
                let (payload, header_len) = self.take_payload();
                Some(RequestPacket::received(method, payload, header_len))
            }
            None => None,
        })
    }

    /// Reads the next response; a close instead is [`IpcError::Eof`].
    pub fn receive_response(&mut self) -> Result<ResponsePacket, IpcError> {
        let code = self.receive_frame()?.ok_or(IpcError::Eof)?;
        let (payload, header_len) = self.take_payload();
        Ok(ResponsePacket::received(code, payload, header_len))
    }

    /// The packet just read, out of the buffer as an owned payload, and its header length.
    fn take_payload(&mut self) -> (Payload, usize) {
        let at = core::mem::replace(&mut self.at, TX_START);
        let mut buf = self.buf.take();
        let total = buf.len();
        if buf.capacity() > 4 * total && buf.capacity() > 4096 {
            // A small packet in a big buffer (after a big one): give the memory back.
            let mut exact = alloc::vec::Vec::new();
            if exact.try_reserve_exact(total).is_ok() {
                exact.extend_from_slice(&buf);
                buf = exact;
            }
        }
        (Payload::from_parts(buf, at), at - RX_PAD)
    }
}

fn write_all<W: Write>(
    writer: &mut W,
    mut bytes: &[u8],
    written: &mut usize,
) -> Result<(), IpcError>
where
    IpcError: From<W::Error>,
{
    while !bytes.is_empty() {
        let n = writer.write(bytes)?;
        bytes = match bytes.get(n..) {
            Some(rest) if n > 0 => rest,
            // A writer that takes nothing (or claims more than it was given) is gone.
            _ => return Err(IpcError::UnexpectedEof),
        };
        *written = written.saturating_add(n);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::mem::{ChunkedReader, VecWriter};
    extern crate std;
    use std::vec;
    use std::vec::Vec;

    fn encode_requests(requests: &[RequestPacket]) -> Vec<u8> {
        let mut ch = Channel::new(&[][..], VecWriter::default());
        for r in requests {
            ch.send_request(r).unwrap();
        }
        let (_, w) = ch.into_inner();
        let split = requests
            .iter()
            .filter(|r| matches!(r.wire(), Wire::Split { .. }))
            .count();
        assert_eq!(
            w.writes,
            requests.len() + split,
            "one write per packet, two if split"
        );
        w.bytes
    }

    fn sample_requests() -> Vec<RequestPacket> {
        vec![
            RequestPacket::new(0, Payload::new()),
            RequestPacket::new(1, Payload::from_slice(b"hello")),
            RequestPacket::new(127, vec![0xabu8; 127]),
            RequestPacket::new(128, vec![0x5au8; 128]),
            RequestPacket::new(u64::MAX, vec![1u8; 3000]),
            RequestPacket::new(
                16384,
                Payload::from_slice(&(0..=255u8).cycle().take(16384).collect::<Vec<_>>()),
            ),
        ]
    }

    /// Serves `input` read in pieces of `sizes`; returns what the handler saw, what was
    /// answered and how `execute` ended.
    fn serve(input: &[u8], sizes: &[usize]) -> (Vec<RequestPacket>, Vec<u8>, Result<(), IpcError>) {
        let mut seen = Vec::new();
        let mut ch = Channel::new(ChunkedReader::new(input, sizes), VecWriter::default());
        let result = ch.execute(&mut |req: RequestPacket| {
            seen.push(req.clone());
            ResponsePacket::ok(req.into_payload())
        });
        (seen, ch.into_inner().1.bytes, result)
    }

    #[test]
    fn server_decodes_every_split_of_the_stream() {
        let requests = sample_requests();
        let stream = encode_requests(&requests);
        let (_, expected_out, _) = serve(&stream, &[usize::MAX]);
        for size in (1..=40).chain([127, 128, 129, 1000, 4096, 20000]) {
            let (seen, out, result) = serve(&stream, &[size]);
            assert_eq!(result, Ok(()), "read size {size}");
            assert_eq!(seen, requests, "read size {size}");
            assert_eq!(out, expected_out, "read size {size}");
        }
        // Irregular splits.
        let (seen, _, result) = serve(&stream, &[1, 7, 2, 300, 5, 64, 1, 1, 9999]);
        assert_eq!((seen, result), (requests, Ok(())));
    }

    #[test]
    fn client_reads_every_split_of_a_response() {
        let responses = [
            ResponsePacket::ok(Payload::from_slice(&7u64.to_le_bytes())),
            ResponsePacket::error(0xdead),
            ResponsePacket::new(u64::MAX, vec![3u8; 200]),
            ResponsePacket::ok(vec![9u8; 70000]),
        ];
        let mut stream = Vec::new();
        for r in &responses {
            stream.extend_from_slice(&r.to_bytes());
        }
        for size in [1, 2, 3, 5, 64, 100, 1 << 20] {
            let sizes = [size];
            let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default())
                .with_max_payload(1 << 20);
            let req = RequestPacket::new(5, Payload::from_slice(b"x"));
            for expected in &responses {
                assert_eq!(&ch.call(&req).unwrap(), expected, "read size {size}");
            }
            assert_eq!(ch.call(&req), Err(IpcError::Eof));
            let (_, w) = ch.into_inner();
            assert_eq!(w.bytes, [0, 5, 1, b'x'].repeat(responses.len() + 1));
        }
    }

    #[test]
    fn error_codes_reach_the_client_as_values() {
        let bytes = ResponsePacket::error(0xdead).to_bytes();
        let mut ch = Channel::new(&bytes[..], VecWriter::default());
        let got = ch.call(&RequestPacket::new(1, Payload::new())).unwrap();
        assert_eq!(got.error_code(), 0xdead);
        assert_eq!(got.into_result(), Err(IpcError::ErrorCode(0xdead)));
    }

    #[test]
    fn bad_streams_end_in_errors_and_the_client_is_told() {
        let mut max_plus_one = vec![0u8, 1];
        let mut len = [0u8; 10];
        let n = wire::vlq::encode(DEFAULT_MAX_PAYLOAD + 1, &mut len);
        max_plus_one.extend_from_slice(&len[..n]);
        let cases: Vec<(Vec<u8>, IpcError)> = vec![
            // Truncated inside the header and inside the payload.
            (vec![0, 1], IpcError::UnexpectedEof),
            (vec![0, 1, 5, 1, 2], IpcError::UnexpectedEof),
            // Length prefix of 2^60.
            (
                vec![0, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10],
                IpcError::PayloadTooLarge {
                    len: 1 << 60,
                    max: DEFAULT_MAX_PAYLOAD,
                },
            ),
            // Over the limit but small enough to drain: a body that never comes is a
            // truncated packet.
            (max_plus_one, IpcError::UnexpectedEof),
            // 11-byte VLQ.
            (
                vec![
                    0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
                ],
                IpcError::VlqOverflow,
            ),
            (vec![3, 0, 0], IpcError::UnsupportedVersion(3)),
        ];
        for (input, expected) in cases {
            for size in [1, 2, 1000] {
                let (seen, out, result) = serve(&input, &[size]);
                assert!(seen.is_empty());
                assert_eq!(result, Err(expected), "input {input:x?}");
                assert_eq!(
                    out,
                    [0, expected.wire_code() as u8, 0],
                    "error code sent for {input:x?}"
                );
            }
        }
    }

    #[test]
    fn valid_requests_before_garbage_are_served() {
        let mut stream = encode_requests(&sample_requests()[..2]);
        stream.extend_from_slice(&[0, 1, 9, 1]);
        let (seen, out, result) = serve(&stream, &[3]);
        assert_eq!(seen.len(), 2);
        assert_eq!(result, Err(IpcError::UnexpectedEof));
        assert!(out.ends_with(&[0, 22, 0]));
    }

    #[test]
    fn the_length_limit_is_the_channels() {
        let req = RequestPacket::new(1, vec![0u8; 100]);
        let stream = encode_requests(&[req]);
        let mut ch = Channel::new(&stream[..], VecWriter::default()).with_max_payload(99);
        assert_eq!(
            ch.receive_request().unwrap_err(),
            IpcError::PayloadTooLarge { len: 100, max: 99 }
        );
        let mut ch = Channel::new(&stream[..], VecWriter::default()).with_max_payload(100);
        assert_eq!(ch.receive_request().unwrap().unwrap().payload().len(), 100);
    }

    #[test]
    fn recycled_buffers_are_read_into() {
        let responses: Vec<u8> = [ResponsePacket::ok([1u8; 8]), ResponsePacket::ok([2u8; 8])]
            .iter()
            .flat_map(|r| r.to_bytes())
            .collect();
        let mut ch = Channel::new(&responses[..], VecWriter::default());
        let req = RequestPacket::new(1, Payload::new());
        let first = ch.call(&req).unwrap().into_result().unwrap();
        assert_eq!(first.as_slice(), [1u8; 8]);
        let ptr = first.as_slice().as_ptr();
        ch.recycle(first);
        let second = ch.call(&req).unwrap().into_result().unwrap();
        assert_eq!(second.as_slice(), [2u8; 8]);
        assert_eq!(
            second.as_slice().as_ptr(),
            ptr,
            "read into the recycled buffer"
        );
    }

    #[test]
    fn answering_in_the_request_buffer() {
        let mut p = Payload::from_slice(&[9u8; 16]);
        p.truncate(8);
        p.copy_from_slice(&[3u8; 8]);
        p.truncate(100);
        assert_eq!(
            ResponsePacket::ok(p).to_bytes(),
            [&[0u8, 0, 8][..], &[3u8; 8]].concat()
        );
    }

    /// Takes `room` bytes, then behaves like a pipe whose reader is gone.
    struct ClosingWriter {
        room: usize,
    }

    impl embedded_io::ErrorType for ClosingWriter {
        type Error = IpcError;
    }

    impl embedded_io::Write for ClosingWriter {
        fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
            match self.room.min(buf.len()) {
                0 => Err(IpcError::UnexpectedEof),
                n => {
                    self.room -= n;
                    Ok(n)
                }
            }
        }
        fn flush(&mut self) -> Result<(), IpcError> {
            Ok(())
        }
    }

    #[test]
    fn a_peer_gone_before_a_packet_is_eof_and_during_one_unexpected() {
        let req = RequestPacket::new(1, Payload::from_slice(b"ping"));
        let mut gone = Channel::new(&[][..], ClosingWriter { room: 0 });
        assert_eq!(gone.call(&req), Err(IpcError::Eof));
        let mut midway = Channel::new(&[][..], ClosingWriter { room: 3 });
        assert_eq!(midway.call(&req), Err(IpcError::UnexpectedEof));

        // A client that hangs up without reading its answer ends the server loop cleanly.
        let stream = req.to_bytes();
        let mut server = Channel::new(&stream[..], ClosingWriter { room: 0 });
        assert_eq!(
            server.execute(&mut |r: RequestPacket| ResponsePacket::ok(r.into_payload())),
            Ok(())
        );
    }

    #[test]
    fn echo_needs_no_copy_and_one_write() {
        // The response built from a received payload goes out in one piece.
        let stream = encode_requests(&[RequestPacket::new(1, vec![4u8; 1024])]);
        let mut ch = Channel::new(&stream[..], VecWriter::default());
        let req = ch.receive_request().unwrap().unwrap();
        let resp = ResponsePacket::new(300, req.into_payload());
        assert!(matches!(resp.wire(), Wire::Whole(_)));
    }
    /// Counts the reads that reach the transport, to prove a broken channel makes none.
    struct CountingReader<'a> {
        inner: ChunkedReader<'a>,
        reads: usize,
    }

    impl embedded_io::ErrorType for CountingReader<'_> {
        type Error = core::convert::Infallible;
    }

    impl embedded_io::Read for CountingReader<'_> {
        fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            self.reads += 1;
            self.inner.read(buf)
        }
    }

    impl ReadVec for CountingReader<'_> {}

    #[test]
    fn an_honest_request_over_the_limit_is_drained_answered_28_and_the_server_goes_on() {
        for over in [1usize, 100, 5000] {
            let max = 100usize;
            let stream = encode_requests(&[
                RequestPacket::new(1, vec![7u8; max + over]),
                RequestPacket::new(2, Payload::from_slice(b"next")),
            ]);
            for size in [1, 3, 64, 4096, usize::MAX] {
                let mut seen = Vec::new();
                let sizes = [size];
                let mut ch =
                    Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default())
                        .with_max_payload(max as u64);
                let result = ch.execute(&mut |req: RequestPacket| {
                    seen.push(req.clone());
                    ResponsePacket::ok(req.into_payload())
                });
                assert_eq!(result, Ok(()), "over {over}, read size {size}");
                assert_eq!(seen, [RequestPacket::new(2, Payload::from_slice(b"next"))]);
                let out = ch.into_inner().1.bytes;
                assert_eq!(out, [&[0u8, 28, 0][..], &[0, 0, 4], b"next"].concat());
            }
        }
    }

    #[test]
    fn a_client_drains_an_oversized_response_and_the_channel_stays_usable() {
        let stream = [
            ResponsePacket::ok(vec![1u8; 2048]).to_bytes(),
            ResponsePacket::ok(vec![2u8; 1025]).to_bytes(),
            ResponsePacket::ok(Payload::from_slice(&42u64.to_le_bytes())).to_bytes(),
        ]
        .concat();
        for size in [1, 7, 1024, usize::MAX] {
            let sizes = [size];
            let mut ch = Channel::new(ChunkedReader::new(&stream, &sizes), VecWriter::default())
                .with_max_payload(1024);
            let req = RequestPacket::new(1, Payload::from_slice(b"x"));
            assert_eq!(
                ch.call(&req),
                Err(IpcError::PayloadTooLarge {
                    len: 2048,
                    max: 1024
                })
            );
            assert!(!ch.is_broken());
            assert_eq!(
                ch.call(&req),
                Err(IpcError::PayloadTooLarge {
                    len: 1025,
                    max: 1024
                })
            );
            let third = ch.call(&req).unwrap().into_result().unwrap();
            assert_eq!(third.as_slice(), 42u64.to_le_bytes(), "read size {size}");
        }
    }

    #[test]
    fn a_length_over_max_discard_is_refused_at_once_and_breaks_the_channel() {
        let mut header = [0u8; MAX_HEADER_LEN];
        let n = wire::encode_header(0, MAX_DISCARD + 1, &mut header);
        let mut ch = Channel::new(&header[..n], VecWriter::default());
        let req = RequestPacket::new(1, Payload::new());
        assert_eq!(
            ch.call(&req),
            Err(IpcError::PayloadTooLarge {
                len: MAX_DISCARD + 1,
                max: DEFAULT_MAX_PAYLOAD
            })
        );
        assert!(ch.is_broken());
        // A server answers such a request with 28 before it stops, as before.
        let mut stream = header[..n].to_vec();
        stream[1] = 1;
        let (_, out, result) = serve(&stream, &[usize::MAX]);
        assert!(matches!(result, Err(IpcError::PayloadTooLarge { .. })));
        assert_eq!(out, [0, 28, 0]);
    }

    #[test]
    fn a_body_cut_short_while_draining_breaks_the_channel() {
        let mut stream = ResponsePacket::ok(vec![1u8; 300]).to_bytes();
        stream.truncate(200);
        let mut ch = Channel::new(&stream[..], VecWriter::default()).with_max_payload(100);
        let req = RequestPacket::new(1, Payload::new());
        assert_eq!(ch.call(&req), Err(IpcError::UnexpectedEof));
        assert!(ch.is_broken());
    }

    #[test]
    fn after_an_error_inside_a_packet_every_call_fails_at_once_without_a_syscall() {
        // Garbage, then a valid response the channel must not mistake for an answer.
        let stream = [
            &b"\x05garbage"[..],
            &ResponsePacket::ok([1u8; 8]).to_bytes(),
        ]
        .concat();
        let sizes = [8usize];
        let reader = CountingReader {
            inner: ChunkedReader::new(&stream, &sizes),
            reads: 0,
        };
        let mut ch = Channel::new(reader, VecWriter::default());
        let req = RequestPacket::new(1, Payload::from_slice(b"x"));
        assert_eq!(ch.call(&req), Err(IpcError::UnsupportedVersion(5)));
        assert!(ch.is_broken());
        let (reads, writes) = {
            let (r, w) = (&ch.reader, &ch.writer);
            (r.reads, w.writes)
        };
        for _ in 0..3 {
            assert_eq!(ch.call(&req), Err(IpcError::Broken));
            assert_eq!(ch.send_error_code(1), Err(IpcError::Broken));
            assert_eq!(ch.receive_request(), Err(IpcError::Broken));
        }
        assert_eq!(
            (ch.reader.reads, ch.writer.writes),
            (reads, writes),
            "no syscall"
        );
    }

    #[test]
    fn a_write_cut_short_breaks_the_channel() {
        let req = RequestPacket::new(1, Payload::from_slice(b"ping"));
        let mut ch = Channel::new(&[][..], ClosingWriter { room: 2 });
        assert_eq!(ch.call(&req), Err(IpcError::UnexpectedEof));
        assert_eq!(ch.call(&req), Err(IpcError::Broken));
        // Gone before the first byte: the end of the conversation, not breakage.
        let mut ch = Channel::new(&[][..], ClosingWriter { room: 0 });
        assert_eq!(ch.call(&req), Err(IpcError::Eof));
        assert!(!ch.is_broken());
    }
}
