//! The framing of a channel: one packet read into its buffer, written from it, or refused and
//! drained. Every byte here comes from a peer that may be hostile: each length is checked
//! against the limit and the buffer before anything is stored, and any error that leaves the
//! stream inside a packet marks the channel broken.

use crate::buffer::{no_room, Buffer, HeapBuffer};
use crate::error::IpcError;
use crate::io::{Reader, Writer};
use crate::packet::{Payload, Wire};
use crate::wire::{self, MAX_HEADER_LEN};

use super::{Channel, DISCARD_CHUNK, MAX_DISCARD, MIN_READ, RX_PAD, TX_START};

impl<R, W, B> Channel<R, W, B>
where
    R: Reader,
    W: Writer,
    B: Buffer,
{
    /// The server loop of both levels: reads requests and lets `answer` reply to each (from
    /// the packet in the buffer, at `self.at`), until the client closes the channel. A refused
    /// request is answered with its wire code, and the loop goes on if the stream is still at
    /// a packet boundary.
    pub(super) fn serve_loop(
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
    pub(super) fn send_frame(&mut self, code: u64) -> Result<(), IpcError> {
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

    /// Sends the bytes from `self.at` on as they are: a packet already whole there, its header
    /// in front (a batch of one request: `Channel::call_batch_in_place`).
    pub(super) fn send_whole(&mut self) -> Result<(), IpcError> {
        let packet = self.buf.as_slice().get(self.at..).unwrap_or_default();
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
    pub(super) fn send(&mut self, wire: Wire<'_>) -> Result<(), IpcError> {
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
    pub(super) fn receive_frame(&mut self) -> Result<Option<u64>, IpcError> {
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
                // Once per fixed buffer; the copy above would cost the in-place loop a few cycles
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
            if self.buf.fill(&mut self.reader).map_err(Into::into)? == 0 {
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
            if self.buf.fill(&mut self.reader).map_err(Into::into)? == 0 {
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

impl<R, W> Channel<R, W, HeapBuffer>
where
    R: Reader,
    W: Writer,
{
    /// The packet just read, out of the buffer as an owned payload, and its header length.
    pub(super) fn take_payload(&mut self) -> (Payload, usize) {
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

fn write_all<W: Writer>(
    writer: &mut W,
    mut bytes: &[u8],
    written: &mut usize,
) -> Result<(), IpcError> {
    while !bytes.is_empty() {
        let n = writer.write(bytes).map_err(Into::into)?;
        bytes = match bytes.get(n..) {
            Some(rest) if n > 0 => rest,
            // A writer that takes nothing (or claims more than it was given) is gone.
            _ => return Err(IpcError::UnexpectedEof),
        };
        *written = written.saturating_add(n);
    }
    Ok(())
}
