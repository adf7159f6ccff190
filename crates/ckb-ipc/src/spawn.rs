//! Starting servers and serving on inherited pipes, as ckb-js-vm's `spawnCellServer`,
//! `spawnServer` and `runServer`.
//!
//! The client makes two pipes and passes `[read of the first, write of the second]` to the
//! server as its inherited fds, keeping the other two ends: the convention of ckb-js-vm and
//! ckb-script-ipc, so servers and clients of all three mix.

use core::ffi::CStr;
use core::mem::MaybeUninit;

use ckb_std::ckb_constants::Source;
use ckb_std::ckb_types::core::ScriptHashType;
use ckb_std::error::SysError;
use ckb_std::{high_level, syscalls};

use crate::buffer::{Buffer, FixedBuffer, Frame};
use crate::channel::{Channel, RequestHandler, DEFAULT_MAX_PAYLOAD};
use crate::error::IpcError;
use crate::io::pipe::Pipe;

/// The most argv strings a server can be spawned with: their pointers are passed from the
/// stack (more is [`IpcError::OutOfMemory`]).
pub const MAX_ARGV: usize = 32;

/// A spawned server: its process id and the client's ends of its two pipes. Spawn one with
/// [`ServerProcess::spawn`] or [`ServerProcess::spawn_cell`], the forms of [`spawn_server`]
/// and [`spawn_cell_server`] that keep the process id, to [`wait`] for the server's exit code.
#[derive(Debug)]
pub struct ServerProcess {
    pid: u64,
    read: Pipe,
    write: Pipe,
}

impl ServerProcess {
    /// [`spawn_server`], keeping the process id.
    pub fn spawn(index: usize, source: Source, argv: &[&CStr]) -> Result<Self, IpcError> {
        // Requests flow client -> server on the first pipe, responses back on the second.
        let (server_read, client_write) = Pipe::pair()?;
        let (client_read, server_write) = Pipe::pair()?;

        // On the stack, so spawning needs no heap (a script without an allocator can spawn),
        // and left uninitialized past `argv.len()`: the syscall reads `argc` pointers, and
        // zeroing all 32 would cost 200 cycles.
        let mut argv_ptrs = [const { MaybeUninit::<*const i8>::uninit() }; MAX_ARGV];
        if argv.len() > MAX_ARGV {
            return Err(IpcError::OutOfMemory);
        }
        for (ptr, arg) in argv_ptrs.iter_mut().zip(argv) {
            ptr.write(arg.as_ptr().cast());
        }
        // The syscall wants a 0-terminated fd list; fd 0 is never a pipe.
        let inherited = [server_read.fd(), server_write.fd(), 0];
        let mut pid = 0u64;
        let mut args = syscalls::SpawnArgs {
            argc: argv.len() as u64,
            argv: argv_ptrs.as_ptr().cast::<*const i8>(),
            process_id: &mut pid,
            inherited_fds: inherited.as_ptr(),
        };
        // On failure the four pipes drop and close here.
        syscalls::spawn(index, source, 0, 0, &mut args)?;
        // The server's ends now belong to the server: forget them without closing.
        let _ = (server_read.into_fd(), server_write.into_fd());
        Ok(Self {
            pid,
            read: client_read,
            write: client_write,
        })
    }

    /// [`spawn_cell_server`], keeping the process id. A code hash that no cell dep has is
    /// [`IpcError::CellDepNotFound`].
    pub fn spawn_cell(
        code_hash: &[u8],
        hash_type: ScriptHashType,
        argv: &[&CStr],
    ) -> Result<Self, IpcError> {
        let index = match high_level::look_for_dep_with_hash2(code_hash, hash_type) {
            Ok(index) => index,
            // The search ran past the last cell dep.
            Err(SysError::IndexOutOfBound) => return Err(IpcError::CellDepNotFound),
            Err(e) => return Err(e.into()),
        };
        Self::spawn(index, Source::CellDep, argv)
    }

    /// The process id, for [`wait`].
    pub fn pid(&self) -> u64 {
        self.pid
    }

    /// `(read, write)`: read responses from the first, write requests to the second.
    pub fn into_pipes(self) -> (Pipe, Pipe) {
        (self.read, self.write)
    }

    /// A channel over the server's pipes.
    pub fn into_channel(self) -> Channel<Pipe, Pipe> {
        Channel::new(self.read, self.write)
    }
}

/// Spawns the server at `index` in `source` (usually [`Source::CellDep`]) with `argv` (at most
/// [`MAX_ARGV`] strings), and returns the client's `(read, write)` pipes. Needs no heap.
/// [`ServerProcess::spawn`] keeps the process id too.
pub fn spawn_server(
    index: usize,
    source: Source,
    argv: &[&CStr],
) -> Result<(Pipe, Pipe), IpcError> {
    ServerProcess::spawn(index, source, argv).map(ServerProcess::into_pipes)
}

/// Spawns the cell-dep server whose data hash (`Data*` hash types) or type hash (`Type`) is
/// `code_hash`; returns the client's `(read, write)` pipes. [`ServerProcess::spawn_cell`]
/// keeps the process id too.
pub fn spawn_cell_server(
    code_hash: &[u8],
    hash_type: ScriptHashType,
    argv: &[&CStr],
) -> Result<(Pipe, Pipe), IpcError> {
    ServerProcess::spawn_cell(code_hash, hash_type, argv).map(ServerProcess::into_pipes)
}

/// Waits for process `pid` to exit and returns its exit code.
pub fn wait(pid: u64) -> Result<i8, IpcError> {
    Ok(syscalls::wait(pid)?)
}

/// Serves `handler` on the pipes this process inherited from its spawner, until the client
/// closes them, with the default payload limit ([`DEFAULT_MAX_PAYLOAD`]; [`run_server_with`]
/// sets another). A close at a packet boundary is `Ok(())`: return 0 from the script then.
///
/// The pipes are left for the script's exit to close (the scheduler closes a finished
/// script's fds): the client is gone or told already, and two `close` syscalls (1,000 cycles)
/// are saved. Return from the script soon after.
pub fn run_server<H: RequestHandler>(handler: H) -> Result<(), IpcError> {
    run_server_with(ServerOptions::new(), handler)
}

/// [`run_server`] with `options` (the payload limit).
pub fn run_server_with<H: RequestHandler>(
    options: ServerOptions,
    mut handler: H,
) -> Result<(), IpcError> {
    let mut channel = inherited_channel()?.with_max_payload(options.max_payload);
    let served = channel.execute(&mut handler);
    channel.leave_open();
    served
}

/// [`run_server`] on the in-place level, without a heap: each request is read into `bytes`
/// (its size bounds a request, header included) and answered in place by `handler`
/// ([`Channel::execute_in_place`]).
pub fn run_server_in_place<F>(bytes: &mut [u8], handler: F) -> Result<(), IpcError>
where
    F: FnMut(u64, &mut Frame<'_, FixedBuffer<'_>>) -> u64,
{
    let (read, write) = inherited_pipes()?;
    let mut channel = Channel::with_fixed_buffer(read, write, bytes);
    let served = channel.execute_in_place(handler);
    channel.leave_open();
    served
}

/// How [`run_server_with`] serves.
///
/// ```ignore
/// ckb_ipc::run_server_with(ServerOptions::new().max_payload(512 * 1024), handler)
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerOptions {
    /// The largest request payload served (larger ones are answered 28 and drained); the
    /// default is [`DEFAULT_MAX_PAYLOAD`].
    pub max_payload: u64,
}

impl ServerOptions {
    /// The defaults, as [`run_server`] serves.
    pub const fn new() -> Self {
        Self {
            max_payload: DEFAULT_MAX_PAYLOAD,
        }
    }

    /// Sets the largest request payload served ([`Channel::with_max_payload`]).
    pub const fn max_payload(mut self, max_payload: u64) -> Self {
        self.max_payload = max_payload;
        self
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Buffer> Channel<Pipe, Pipe, B> {
    /// Drops the channel without closing its pipes, for a server about to return from its
    /// script: the scheduler closes a finished script's fds, so two `close` syscalls (about
    /// 2,600 cycles with the scheduler's work) are saved. [`run_server`] does this itself.
    pub fn leave_open(self) {
        let (read, write) = self.into_inner();
        let _ = (read.into_fd(), write.into_fd());
    }
}

/// A channel over the first two inherited fds, `[read, write]`.
pub fn inherited_channel() -> Result<Channel<Pipe, Pipe>, IpcError> {
    let (read, write) = inherited_pipes()?;
    Ok(Channel::new(read, write))
}

/// The first two inherited fds as `(read, write)` pipes: a server's end of the channel its
/// spawner made (for a channel of one's own, e.g. [`Channel::with_fixed_buffer`]).
pub fn inherited_pipes() -> Result<(Pipe, Pipe), IpcError> {
    let mut fds = [0u64; 2];
    let count = syscalls::inherited_fds(&mut fds);
    if count < 2 {
        return Err(IpcError::Sys(SysError::InvalidFd));
    }
    let [read, write] = fds;
    Ok((Pipe::from_fd(read), Pipe::from_fd(write)))
}
