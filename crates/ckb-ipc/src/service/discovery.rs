//! Discovery, opt-in: a server that answers [`DESCRIBE_METHOD`] with its description, so a
//! deployed binary can be described with no side file (`docs/description.md`).
//!
//! Nothing of it is in a server that does not wrap itself in [`Discoverable`]. One that does
//! carries the description's bytes (`ckb_ipc::description!()`, the document its `build.rs`
//! wrote) and one comparison per request; `make bench` measures both.

use super::DESCRIBE_METHOD;
use crate::buffer::{Frame, HeapBuffer};
use crate::channel::{Channel, RequestHandler};
use crate::error::IpcError;
use crate::io::{Reader, Writer};
use crate::packet::{RequestPacket, ResponsePacket};

/// A server that answers each request in place in the channel's buffer: what
/// `#[ckb_ipc::service]` generates (`<Trait>Server<T>`).
pub trait FrameHandler {
    /// Answers the request for `method` in `frame`: reads the arguments there and writes the
    /// answer over them; returns the error code (0 for success).
    fn serve_frame(&mut self, method: u64, frame: &mut Frame<'_, HeapBuffer>) -> u64;
}

/// `server`, also answering [`DESCRIBE_METHOD`] (an empty request) with `description`:
/// `run_server(Discoverable::new(ckb_ipc::description!(), KeyValueServer(store)))`.
pub struct Discoverable<S> {
    description: &'static str,
    server: S,
}

impl<S: FrameHandler> Discoverable<S> {
    /// `server`, described by `description` (the document; `ckb_ipc::description!()` includes
    /// the one the crate's `build.rs` wrote).
    pub fn new(description: &'static str, server: S) -> Self {
        Self {
            description,
            server,
        }
    }

    /// The server back.
    pub fn into_inner(self) -> S {
        self.server
    }
}

impl<S: FrameHandler> FrameHandler for Discoverable<S> {
    fn serve_frame(&mut self, method: u64, frame: &mut Frame<'_, HeapBuffer>) -> u64 {
        if method != DESCRIBE_METHOD {
            return self.server.serve_frame(method, frame);
        }
        frame.clear();
        match frame.extend_from_slice(self.description.as_bytes()) {
            Ok(()) => 0,
            Err(e) => e.wire_code(),
        }
    }
}

impl<S: FrameHandler> RequestHandler for Discoverable<S> {
    fn serve(&mut self, request: RequestPacket) -> ResponsePacket {
        super::server::serve_request(request, |method, frame| self.serve_frame(method, frame))
    }

    fn serve_on<R: Reader, W: Writer>(
        &mut self,
        channel: &mut Channel<R, W>,
    ) -> Result<(), IpcError> {
        channel.execute_in_place(|method, frame| self.serve_frame(method, frame))
    }
}
