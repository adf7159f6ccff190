//! Session control on the same wire: requests with method [`CONTROL_METHOD`] are for the
//! session (the `ckb-ipc` tool, or [`serve`](crate::serve)), not for the service behind it.

use ckb_ipc::{Payload, RequestPacket, ResponsePacket};

/// Method id reserved for session control; a session never forwards it to its server.
pub const CONTROL_METHOD: u64 = u64::MAX;

/// Error code a session answers with when it (not the service) failed; the payload is the
/// reason in UTF-8. Service error codes are passed through unchanged.
pub const SESSION_ERROR: u64 = u64::MAX;

const OP_TERMINATE: u8 = 0;
const OP_STATS: u8 = 1;
const OP_DESCRIBE: u8 = 2;

/// A control request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// Close the server's pipes, wait for it, answer a [`Report`], end the session.
    Terminate {
        /// Why, for the session's log.
        reason: String,
    },
    /// Answer a [`Report`] of the last call's cycles and the session's so far.
    Stats,
    /// Answer the description of the service (docs/description.md) the session found for its
    /// server: the document's JSON bytes; an empty payload when it has none (then ask the
    /// server itself); [`session_error`] when it refused the one it found (and why).
    Describe,
}

impl Control {
    /// The request packet carrying this control message.
    pub fn to_request(&self) -> RequestPacket {
        let mut payload = Payload::new();
        match self {
            Control::Terminate { reason } => {
                payload.push(OP_TERMINATE);
                payload.extend_from_slice(reason.as_bytes());
            }
            Control::Stats => payload.push(OP_STATS),
            Control::Describe => payload.push(OP_DESCRIBE),
        }
        RequestPacket::new(CONTROL_METHOD, payload)
    }

    /// The control message in a request, if it is one (a bad one is `None` too).
    pub fn from_request(request: &RequestPacket) -> Option<Self> {
        if request.method_id() != CONTROL_METHOD {
            return None;
        }
        match request.payload().split_first()? {
            (&OP_TERMINATE, reason) => Some(Control::Terminate {
                reason: String::from_utf8_lossy(reason).into_owned(),
            }),
            (&OP_STATS, []) => Some(Control::Stats),
            (&OP_DESCRIBE, []) => Some(Control::Describe),
            _ => None,
        }
    }
}

/// What a session answers to a control request: `code` is the server's exit code (after
/// `Terminate`) or 0, `cycles` the session's total, `last_call_cycles` those of the last call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    /// The server's exit code after `Terminate`, else 0.
    pub exit_code: i8,
    /// Cycles of the session so far (0 for native servers).
    pub cycles: u64,
    /// Cycles of the last call (0 for native servers).
    pub last_call_cycles: u64,
}

impl Report {
    /// `exit_code (1) ++ cycles (u64 LE) ++ last_call_cycles (u64 LE)`.
    pub fn to_response(&self) -> ResponsePacket {
        let mut payload = Payload::new();
        payload.push(self.exit_code as u8);
        payload.extend_from_slice(&self.cycles.to_le_bytes());
        payload.extend_from_slice(&self.last_call_cycles.to_le_bytes());
        ResponsePacket::ok(payload)
    }

    /// The report in a response; `None` if it is not one.
    pub fn from_response(response: &ResponsePacket) -> Option<Self> {
        if response.error_code() != 0 {
            return None;
        }
        let p = response.payload();
        if p.len() != 17 {
            return None;
        }
        let (code, rest) = p.split_first()?;
        let (cycles, last) = rest.split_at(8);
        Some(Report {
            exit_code: *code as i8,
            cycles: u64::from_le_bytes(cycles.try_into().ok()?),
            last_call_cycles: u64::from_le_bytes(last.try_into().ok()?),
        })
    }
}

/// A response reporting that the session itself failed, with `reason`.
pub fn session_error(reason: &str) -> ResponsePacket {
    ResponsePacket::new(SESSION_ERROR, Payload::from_slice(reason.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_report_round_trip() {
        for c in [
            Control::Terminate {
                reason: "done".into(),
            },
            Control::Stats,
            Control::Describe,
        ] {
            assert_eq!(Control::from_request(&c.to_request()), Some(c));
        }
        assert_eq!(
            Control::from_request(&RequestPacket::new(1, Payload::new())),
            None
        );
        let r = Report {
            exit_code: -3,
            cycles: 123_456,
            last_call_cycles: 789,
        };
        assert_eq!(Report::from_response(&r.to_response()), Some(r));
        assert_eq!(Report::from_response(&session_error("x")), None);
    }
}
