//! `Channel`: request/response exchange over a reader and a writer, for both sides.
//!
//! Two levels over one framing. The in-place level builds a request in the channel's own
//! buffer and lends the answer as a view into it ([`Channel::call_in_place`]), and a server answers
//! each request in place ([`Channel::execute_in_place`]): no packet is moved or copied, and over a
//! [`FixedBuffer`] nothing is allocated. The owned level ([`Channel::call`],
//! [`Channel::execute`]) moves [`RequestPacket`]s and [`ResponsePacket`]s in and out of the same
//! reads and writes.

use crate::buffer::{Buffer, FixedBuffer, Frame, HeapBuffer};
use crate::error::IpcError;
use crate::io::{Reader, Writer};
use crate::packet::{RequestPacket, ResponsePacket};
use crate::wire::{BATCH_METHOD, MAX_HEADER_LEN};

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
    /// ([`Channel::execute_in_place`]).
    fn serve_on<R, W>(&mut self, channel: &mut Channel<R, W>) -> Result<(), IpcError>
    where
        Self: Sized,
        R: Reader,
        W: Writer,
    {
        channel.serve_owned(self)
    }
}

impl<F: FnMut(RequestPacket) -> ResponsePacket> RequestHandler for F {
    fn serve(&mut self, request: RequestPacket) -> ResponsePacket {
        self(request)
    }
}

/// An answer as [`Channel::call_in_place`] lends it: a view into the channel's buffer.
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

/// One end of an IPC connection: a client [`call_in_place`](Self::call_in_place)s or
/// [`call`](Self::call)s, a server [`execute_in_place`](Self::execute_in_place)s or
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
    R: Reader,
    W: Writer,
{
    /// A channel reading packets from `reader` and writing to `writer`, with a heap buffer
    /// and the default limit.
    pub fn new(reader: R, writer: W) -> Self {
        Self::with_buffer(reader, writer, HeapBuffer::default())
    }
}

impl<'a, R, W> Channel<R, W, FixedBuffer<'a>>
where
    R: Reader,
    W: Writer,
{
    /// A channel that never allocates: packets are read and built in `bytes`, and the limit is
    /// the largest payload they hold (`bytes.len()` less [`RX_PAD`] and a header). Use the
    /// in-place level ([`call_in_place`](Self::call_in_place), [`execute_in_place`](Self::execute_in_place)).
    pub fn with_fixed_buffer(reader: R, writer: W, bytes: &'a mut [u8]) -> Self {
        let limit = bytes.len().saturating_sub(RX_PAD + MAX_HEADER_LEN) as u64;
        Self::with_buffer(reader, writer, FixedBuffer::new(bytes)).with_max_payload(limit)
    }
}

impl<R, W, B> Channel<R, W, B>
where
    R: Reader,
    W: Writer,
    B: Buffer,
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
    /// let sum = channel.call_in_place(
    ///     ADD,
    ///     |out| out.extend_from_slice(&[a.to_le_bytes(), b.to_le_bytes()].concat()),
    ///     |reply| Ok(u64::from_le_bytes(reply.into_result()?.try_into()?)),
    /// )?;
    /// ```
    ///
    /// An error from `build` sends nothing and leaves the channel as it was. A reply with a
    /// non-zero error code is still lent to `read` ([`Reply::into_result`]).
    pub fn call_in_place<T>(
        &mut self,
        method: u64,
        build: impl FnOnce(&mut Frame<'_, B>) -> Result<(), IpcError>,
        read: impl FnOnce(Reply<'_>) -> Result<T, IpcError>,
    ) -> Result<T, IpcError> {
        self.relay(
            method,
            |out| {
                out.clear();
                build(out)
            },
            read,
        )
    }

    /// Serves requests until the client closes the channel: `handler` gets each request's
    /// method id and payload, turns the payload into its answer in place (reading it, then
    /// writing over it: [`Frame::clear`], [`Frame::extend_from_slice`]) and returns the
    /// answer's error code (0 for success). Nothing is allocated or copied by the channel.
    ///
    /// How the loop ends, and what a client that sends something else is told, is as for
    /// [`execute`](Self::execute).
    pub fn execute_in_place<F>(&mut self, mut handler: F) -> Result<(), IpcError>
    where
        F: FnMut(u64, &mut Frame<'_, B>) -> u64,
    {
        self.serve_loop(|ch, method| {
            let code = match method {
                // The batch's answers in the buffer, as one payload.
                BATCH_METHOD => ch.serve_batch_frame(&mut handler),
                _ => {
                    let mut frame = Frame::new(&mut ch.buf, ch.at);
                    let code = handler(method, &mut frame);
                    // The handler may have put a payload of its own in (on the heap, without
                    // a copy).
                    ch.at = frame.start;
                    code
                }
            };
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
}

/// The owned level: packets moved in and out, over a [`HeapBuffer`].
impl<R, W> Channel<R, W, HeapBuffer>
where
    R: Reader,
    W: Writer,
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
        let max_payload = self.max_payload;
        self.serve_loop(|ch, method| {
            let (payload, header_len) = ch.take_payload();
            // A batch is answered as one response: its items' answers.
            let response = match method {
                BATCH_METHOD => batch::serve_batch_owned(&payload, max_payload, handler),
                _ => handler.serve(RequestPacket::received(method, payload, header_len)),
            };
            ch.send(response.wire())?;
            ch.recycle(response.into_payload());
            Ok(())
        })
    }
}

mod batch;
mod framing;
mod manual;

pub(crate) use batch::{serve_batch_fixed, serve_batch_heap};
pub use batch::{BatchBuilder, BatchReplies};
#[cfg(test)]
mod tests;
