//! The calls of the code `#[service(json)]` generates (the messages: the `json` section of
//! [`service`](super)).

pub use serde;
pub use serde_json;

use crate::channel::Channel;
use crate::error::{IpcError, ProtocolErrorCode};
use crate::io::{Reader, Writer};
use crate::packet::{Payload, RequestPacket, ResponsePacket};
use serde::{de::DeserializeOwned, Serialize};

/// Client side: sends `request`, decodes the response enum.
pub fn call<R, W, Req, Resp>(channel: &mut Channel<R, W>, request: &Req) -> Result<Resp, IpcError>
where
    R: Reader,
    W: Writer,
    Req: Serialize,
    Resp: DeserializeOwned,
{
    let payload = Payload::from(serde_json::to_vec(request).map_err(|_| IpcError::Serialize)?);
    let resp = channel
        .call(&RequestPacket::new(0, payload))?
        .into_result()?;
    serde_json::from_slice(&resp).map_err(|_| IpcError::Deserialize)
}

/// Server side: the request enum, or the response refusing it.
pub fn request<Req: DeserializeOwned>(req: &RequestPacket) -> Result<Req, ResponsePacket> {
    serde_json::from_slice(req.payload())
        .map_err(|_| ResponsePacket::error(ProtocolErrorCode::DeserializeError as u64))
}

/// Server side: the response enum as a response.
pub fn respond<Resp: Serialize>(response: &Resp) -> ResponsePacket {
    match serde_json::to_vec(response) {
        Ok(bytes) => ResponsePacket::ok(bytes),
        Err(_) => ResponsePacket::error(ProtocolErrorCode::SerializeError as u64),
    }
}
