//! Manual control of a channel: packets sent and received one at a time, requests built from
//! the last answer, buffers given back. The calls of [`Channel`]'s main API (`call`,
//! `call_in_place`, `execute`, `execute_in_place`) are made of these; a script needs them only
//! to drive its own loop (a relay, a server that answers out of order of its own making).

use crate::buffer::{no_room, Buffer, Frame, HeapBuffer};
use crate::error::IpcError;
use crate::io::{Reader, Writer};
use crate::packet::{Payload, RequestPacket, ResponsePacket};

use super::{Channel, Reply, RX_PAD};

/// Manual control, on both levels: requests from the last answer, packets sent one at a time.
impl<R, W, B> Channel<R, W, B>
where
    R: Reader,
    W: Writer,
    B: Buffer,
{
    /// [`call_in_place`](Self::call_in_place), where `edit` starts from the payload of the last answer
    /// (empty before the first): a relay or a loop that sends back what it got, changed in
    /// place, copies nothing.
    pub fn relay<T>(
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
    /// [`relay`](Self::relay): the last answer's payload (empty before the
    /// first), which the next `relay` sends as `edit` leaves it.
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

    /// Gives back a payload the caller is done with: the next packet is read into its buffer
    /// instead of a new allocation. Optional; it saves an allocation and a free per call. A
    /// channel over a [`FixedBuffer`](crate::FixedBuffer) reads into its own bytes and drops it.
    pub fn recycle(&mut self, payload: Payload) {
        let mut buf = payload.into_buffer();
        // Its first bytes serve as the receive pad, whose values do not matter: none to write
        // before the next read.
        buf.truncate(RX_PAD);
        self.buf.give_back(buf);
    }

    /// Sends a request without waiting for its response (see [`receive_response`](Channel::receive_response)).
    pub fn send_request(&mut self, request: &RequestPacket) -> Result<(), IpcError> {
        self.send(request.wire())
    }

    /// Sends a response (for servers that drive their own loop).
    pub fn send_response(&mut self, response: &ResponsePacket) -> Result<(), IpcError> {
        self.send(response.wire())
    }
}

/// Manual control of the owned level: packets received one at a time, buffers given back.
impl<R, W> Channel<R, W, HeapBuffer>
where
    R: Reader,
    W: Writer,
{
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
}
