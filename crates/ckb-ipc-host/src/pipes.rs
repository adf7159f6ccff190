//! The two pipes between the host and the root VM: what the syscall handler, the host's channel
//! ends and the scheduler loop share.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};

/// The host's two pipes to the root VM.
#[derive(Default)]
pub(crate) struct Pipes {
    /// Host to script: requests.
    pub(crate) to_vm: VecDeque<u8>,
    /// Script to host: responses.
    pub(crate) from_vm: VecDeque<u8>,
    pub(crate) host_write_closed: bool,
    pub(crate) host_read_closed: bool,
    pub(crate) script_read_closed: bool,
    pub(crate) script_write_closed: bool,
    /// A read of the root VM waiting for host bytes.
    pub(crate) pending_read: Option<PendingRead>,
    /// The handler (not the watchdog) stopped the scheduler.
    pub(crate) stopped_for_host: bool,
}

#[derive(Clone, Copy)]
pub(crate) struct PendingRead {
    pub(crate) buffer_addr: u64,
    pub(crate) length_addr: u64,
    pub(crate) length: u64,
}

pub(crate) fn lock(pipes: &Mutex<Pipes>) -> MutexGuard<'_, Pipes> {
    // A panic while holding this lock leaves plain data behind: keep going.
    pipes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
