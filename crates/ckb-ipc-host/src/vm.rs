//! Hosting a server script as the root VM of the real CKB scheduler.
//!
//! The root VM's inherited fds are `[HOST_READ_FD, HOST_WRITE_FD]`, numbers the scheduler never
//! hands out. A syscall handler placed before CKB's own answers READ/WRITE/INHERITED_FD/CLOSE on
//! them for the root VM; everything else (spawn, pipes to its own children, load_*) is CKB's.
//!
//! The host drives the scheduler in its own thread: a read of an empty host pipe, and every
//! write to it, stop the scheduler with `Pause` right after the ecall (the PC is already past
//! it, as for CKB's own yields); the host then hands over the next bytes by completing the
//! pending read in the root VM's memory, and runs the scheduler again with the cycles left.
//! So the cycles a call costs are deterministic, and the limits are the scheduler's own.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ckb_ipc::io::{ErrorType, Read, ReadVec, Write};
use ckb_ipc::{Channel, IpcError, RequestPacket, ResponsePacket};
use ckb_mock_tx_types::Resource;
use ckb_script::cost_model::transferred_byte_cycles;
use ckb_script::types::{DebugPrinter, Machine, SgData, VmContext, VmId};
use ckb_script::{generate_ckb_syscalls, RunMode, Scheduler, ROOT_VM_ID};
use ckb_types::bytes::Bytes;
use ckb_vm::machine::{DefaultMachineRunner, Pause};
use ckb_vm::registers::{A0, A1, A2, A7};
use ckb_vm::{CoreMachine, Error as VmError, Memory, Register, SupportMachine, Syscalls};

use crate::context::TxContext;
use crate::error::HostError;

/// The root VM's read fd: requests from the host arrive here.
pub const HOST_READ_FD: u64 = 1 << 32;
/// The root VM's write fd: responses to the host go here.
pub const HOST_WRITE_FD: u64 = (1 << 32) + 1;

// CKB syscall numbers and results (ckb-script keeps its constants private).
const SYS_WRITE: u64 = 2605;
const SYS_READ: u64 = 2606;
const SYS_INHERITED_FD: u64 = 2607;
const SYS_CLOSE: u64 = 2608;
const SUCCESS: u8 = 0;
const INVALID_FD: u8 = 6;
const OTHER_END_CLOSED: u8 = 7;
/// What CKB charges a pipe syscall on top of the ecall: it yields to the scheduler.
const YIELD_CYCLES: u64 = 800;

type Inner = <Machine as DefaultMachineRunner>::Inner;
type HostScheduler = Scheduler<Resource, HostContext, Machine>;

/// Receives the script's debug output (`ckb_std::debug!`, `syscalls::debug`).
pub type DebugSink = Arc<dyn Fn(&str) + Send + Sync>;

/// Limits and hooks of a hosted script.
#[derive(Clone)]
pub struct HostOptions {
    /// Cycles one call may take (all VMs of the script together).
    pub call_cycles: u64,
    /// Cycles the whole session may take.
    pub total_cycles: u64,
    /// Wall-clock time one call may take.
    pub call_timeout: Duration,
    /// Largest response payload accepted.
    pub max_payload: u64,
    /// Where debug output goes; stderr by default.
    pub debug: DebugSink,
}

impl Default for HostOptions {
    /// CKB's block limit (3.5 G cycles) for a call and for the session, 10 s per call.
    fn default() -> Self {
        Self {
            call_cycles: 3_500_000_000,
            total_cycles: 3_500_000_000,
            call_timeout: Duration::from_secs(10),
            max_payload: 64 << 20,
            debug: Arc::new(|msg| eprintln!("[script] {msg}")),
        }
    }
}

/// How a hosted script ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    /// The root VM's exit code.
    pub exit_code: i8,
    /// Cycles of the whole session, all VMs included.
    pub cycles: u64,
}

/// The host's two pipes to the root VM.
#[derive(Default)]
struct Pipes {
    /// Host to script: requests.
    to_vm: VecDeque<u8>,
    /// Script to host: responses.
    from_vm: VecDeque<u8>,
    host_write_closed: bool,
    host_read_closed: bool,
    script_read_closed: bool,
    script_write_closed: bool,
    /// A read of the root VM waiting for host bytes.
    pending_read: Option<PendingRead>,
    /// The handler (not the watchdog) stopped the scheduler.
    stopped_for_host: bool,
}

#[derive(Clone, Copy)]
struct PendingRead {
    buffer_addr: u64,
    length_addr: u64,
    length: u64,
}

fn lock(pipes: &Mutex<Pipes>) -> MutexGuard<'_, Pipes> {
    // A panic while holding this lock leaves plain data behind: keep going.
    pipes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the syscall generator needs: a plain fn pointer gets its state from here.
#[derive(Clone)]
struct HostContext {
    pipes: Arc<Mutex<Pipes>>,
    debug: DebugPrinter,
}

fn generate_syscalls(
    vm_id: &VmId,
    sg_data: &SgData<Resource>,
    vm_context: &VmContext<Resource>,
    ctx: &HostContext,
) -> Vec<Box<dyn Syscalls<Inner>>> {
    let mut syscalls: Vec<Box<dyn Syscalls<Inner>>> = Vec::new();
    if *vm_id == ROOT_VM_ID {
        syscalls.push(Box::new(HostFds {
            pipes: Arc::clone(&ctx.pipes),
        }));
    }
    syscalls.extend(generate_ckb_syscalls(
        vm_id, sg_data, vm_context, &ctx.debug,
    ));
    syscalls
}

/// Answers the root VM's syscalls on the host fds; leaves every other syscall to CKB.
struct HostFds {
    pipes: Arc<Mutex<Pipes>>,
}

impl<Mac: SupportMachine> Syscalls<Mac> for HostFds {
    fn initialize(&mut self, _machine: &mut Mac) -> Result<(), VmError> {
        Ok(())
    }

    fn ecall(&mut self, machine: &mut Mac) -> Result<bool, VmError> {
        let number = reg(machine, A7);
        let fd = reg(machine, A0);
        match number {
            SYS_INHERITED_FD => {
                let buffer_addr = fd;
                let length_addr = reg(machine, A1);
                let room = machine
                    .memory_mut()
                    .load64(&Mac::REG::from_u64(length_addr))?
                    .to_u64();
                let fds = [HOST_READ_FD, HOST_WRITE_FD];
                for (i, fd) in fds.iter().enumerate().take(room.min(2) as usize) {
                    machine.memory_mut().store64(
                        &Mac::REG::from_u64(buffer_addr.wrapping_add(8 * i as u64)),
                        &Mac::REG::from_u64(*fd),
                    )?;
                }
                machine
                    .memory_mut()
                    .store64(&Mac::REG::from_u64(length_addr), &Mac::REG::from_u64(2))?;
                finish(machine, SUCCESS)
            }
            SYS_READ if fd == HOST_READ_FD => self.read(machine),
            SYS_WRITE if fd == HOST_WRITE_FD => self.write(machine),
            SYS_CLOSE if fd == HOST_READ_FD || fd == HOST_WRITE_FD => {
                let mut pipes = lock(&self.pipes);
                let closed = if fd == HOST_READ_FD {
                    &mut pipes.script_read_closed
                } else {
                    &mut pipes.script_write_closed
                };
                let code = if *closed { INVALID_FD } else { SUCCESS };
                *closed = true;
                drop(pipes);
                finish(machine, code)
            }
            _ => Ok(false),
        }
    }
}

/// A register's value (the registers are an array of 32; the index is a constant).
fn reg<Mac: SupportMachine>(machine: &Mac, index: usize) -> u64 {
    machine.registers().get(index).map_or(0, |r| r.to_u64())
}

/// The arguments of a `read` or `write` syscall: the buffer's address, the address of the
/// length, and the length stored there.
fn io_args<Mac: SupportMachine>(machine: &mut Mac) -> Result<(u64, u64, u64), VmError> {
    let buffer_addr = reg(machine, A1);
    let length_addr = reg(machine, A2);
    let length = machine
        .memory_mut()
        .load64(&Mac::REG::from_u64(length_addr))?
        .to_u64();
    Ok((buffer_addr, length_addr, length))
}

/// Charges the yield and sets the result register, as CKB's own pipe syscalls do.
fn finish<Mac: SupportMachine>(machine: &mut Mac, code: u8) -> Result<bool, VmError> {
    machine.add_cycles_no_checking(YIELD_CYCLES)?;
    machine.set_register(A0, Mac::REG::from_u8(code));
    Ok(true)
}

impl HostFds {
    fn read<Mac: SupportMachine>(&mut self, machine: &mut Mac) -> Result<bool, VmError> {
        let (buffer_addr, length_addr, length) = io_args(machine)?;
        let mut pipes = lock(&self.pipes);
        if pipes.script_read_closed {
            drop(pipes);
            return finish(machine, INVALID_FD);
        }
        let read = PendingRead {
            buffer_addr,
            length_addr,
            length,
        };
        if !pipes.to_vm.is_empty() || length == 0 {
            deliver(machine, &mut pipes, read)?;
            drop(pipes);
            return finish(machine, SUCCESS);
        }
        if pipes.host_write_closed {
            drop(pipes);
            return finish(machine, OTHER_END_CLOSED);
        }
        // Nothing to read yet: stop the scheduler; the host completes this read later.
        machine.add_cycles_no_checking(YIELD_CYCLES)?;
        pipes.pending_read = Some(read);
        pipes.stopped_for_host = true;
        Err(VmError::Pause)
    }

    fn write<Mac: SupportMachine>(&mut self, machine: &mut Mac) -> Result<bool, VmError> {
        let (buffer_addr, _, length) = io_args(machine)?;
        let mut pipes = lock(&self.pipes);
        if pipes.script_write_closed {
            drop(pipes);
            return finish(machine, INVALID_FD);
        }
        if pipes.host_read_closed {
            drop(pipes);
            return finish(machine, OTHER_END_CLOSED);
        }
        let bytes = machine.memory_mut().load_bytes(buffer_addr, length)?;
        machine.add_cycles_no_checking(transferred_byte_cycles(length))?;
        pipes.from_vm.extend(bytes.iter());
        finish(machine, SUCCESS)?;
        if length == 0 {
            return Ok(true);
        }
        // Hand the bytes to the host now; the script goes on when the host runs it again.
        pipes.stopped_for_host = true;
        Err(VmError::Pause)
    }
}

/// Copies host bytes into a read of the root VM and completes it (no result code).
fn deliver<Mac: SupportMachine>(
    machine: &mut Mac,
    pipes: &mut Pipes,
    read: PendingRead,
) -> Result<(), VmError> {
    let n = (pipes.to_vm.len() as u64).min(read.length);
    let bytes: Vec<u8> = pipes.to_vm.drain(..n as usize).collect();
    machine.memory_mut().store_bytes(read.buffer_addr, &bytes)?;
    machine.add_cycles_no_checking(transferred_byte_cycles(n))?;
    machine.memory_mut().store64(
        &Mac::REG::from_u64(read.length_addr),
        &Mac::REG::from_u64(n),
    )?;
    Ok(())
}

/// Interrupts the running scheduler when a call's deadline passes.
struct Watchdog {
    shared: Arc<(Mutex<Watch>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Watch {
    armed: Option<(Instant, Pause)>,
    quit: bool,
}

impl Watchdog {
    fn new() -> Self {
        let shared = Arc::new((Mutex::new(Watch::default()), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("ckb-ipc-watchdog".into())
            .spawn(move || watch(&theirs))
            .ok();
        Self { shared, thread }
    }

    fn arm(&self, deadline: Instant, pause: Pause) {
        let (watch, cv) = &*self.shared;
        watch.lock().unwrap_or_else(|p| p.into_inner()).armed = Some((deadline, pause));
        cv.notify_one();
    }

    fn disarm(&self) {
        let (watch, _) = &*self.shared;
        watch.lock().unwrap_or_else(|p| p.into_inner()).armed = None;
    }
}

fn watch(shared: &(Mutex<Watch>, Condvar)) {
    let (watch, cv) = shared;
    let mut w = watch.lock().unwrap_or_else(|p| p.into_inner());
    while !w.quit {
        w = match &w.armed {
            None => cv.wait(w).unwrap_or_else(|p| p.into_inner()),
            Some((deadline, pause)) => {
                let now = Instant::now();
                if now >= *deadline {
                    pause.interrupt();
                    w.armed = None;
                    continue;
                }
                let wait = *deadline - now;
                cv.wait_timeout(w, wait)
                    .unwrap_or_else(|p| p.into_inner())
                    .0
            }
        };
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (watch, cv) = &*self.shared;
        watch.lock().unwrap_or_else(|p| p.into_inner()).quit = true;
        cv.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

enum State {
    Running(Box<HostScheduler>),
    Exited(i8),
    Failed(HostError),
}

/// The scheduler and what the host knows about it; shared by [`ScriptHost`] and its reader.
struct Vm {
    state: State,
    pipes: Arc<Mutex<Pipes>>,
    options: HostOptions,
    watchdog: Watchdog,
    /// The pause of the current call (the watchdog holds a clone).
    pause: Pause,
    /// Cycles consumed when the current call started.
    call_start: u64,
    /// Cycles consumed so far (kept when the scheduler is gone).
    cycles: u64,
}

impl Vm {
    fn begin_call(&mut self) {
        self.call_start = self.cycles;
        self.pause = Pause::new();
        self.watchdog.arm(
            Instant::now() + self.options.call_timeout,
            self.pause.clone(),
        );
    }

    fn end_call(&mut self) {
        self.watchdog.disarm();
    }

    fn fail(&mut self, e: HostError) -> HostError {
        // Dropping the scheduler tears down every VM of the script.
        self.state = State::Failed(e.clone());
        e
    }

    /// Runs the scheduler until the root VM needs the host or exits.
    fn step(&mut self) -> Result<(), HostError> {
        let State::Running(scheduler) = &mut self.state else {
            return match &self.state {
                State::Failed(e) => Err(e.clone()),
                _ => Ok(()),
            };
        };
        if let Err(e) = resume_read(scheduler, &self.pipes) {
            return Err(self.fail(e));
        }
        let call_left = self
            .options
            .call_cycles
            .saturating_sub(self.cycles - self.call_start);
        let total_left = self.options.total_cycles.saturating_sub(self.cycles);
        let result = scheduler.run(RunMode::Pause(
            self.pause.clone(),
            call_left.min(total_left),
        ));
        self.cycles = scheduler.consumed_cycles();
        match result {
            Ok(done) => {
                self.state = State::Exited(done.exit_code);
                Ok(())
            }
            Err(VmError::Pause) if lock(&self.pipes).stopped_for_host => Ok(()),
            Err(VmError::Pause) => Err(self.fail(HostError::Timeout(self.options.call_timeout))),
            Err(VmError::CyclesExceeded) => {
                let e = if total_left <= call_left {
                    HostError::TotalCyclesExceeded {
                        limit: self.options.total_cycles,
                    }
                } else {
                    HostError::CallCyclesExceeded {
                        limit: self.options.call_cycles,
                    }
                };
                Err(self.fail(e))
            }
            Err(e) => Err(self.fail(HostError::Vm(e.to_string()))),
        }
    }
}

/// Completes the root VM's pending read with the bytes the host has sent since (or end of
/// stream if the host closed its end).
fn resume_read(scheduler: &mut HostScheduler, pipes: &Mutex<Pipes>) -> Result<(), HostError> {
    let mut pipes = lock(pipes);
    pipes.stopped_for_host = false;
    let Some(read) = pipes.pending_read else {
        return Ok(());
    };
    if pipes.to_vm.is_empty() && !pipes.host_write_closed {
        return Err(HostError::Stalled);
    }
    pipes.pending_read = None;
    let pipes = &mut *pipes;
    scheduler
        .peek(
            &ROOT_VM_ID,
            |m| {
                let inner = m.inner_mut();
                deliver(inner, pipes, read)?;
                inner.set_register(A0, <Inner as CoreMachine>::REG::from_u8(SUCCESS));
                Ok(())
            },
            |_, _| {
                Err(VmError::Unexpected(
                    "root VM suspended while reading".into(),
                ))
            },
        )
        .map_err(|e| HostError::Vm(e.to_string()))
}

type SharedVm = Arc<Mutex<Vm>>;

fn lock_vm(vm: &Mutex<Vm>) -> MutexGuard<'_, Vm> {
    vm.lock().unwrap_or_else(|p| p.into_inner())
}

/// The host's read end: reading runs the script until it has written something.
struct VmReader(SharedVm);

/// The host's write end: bytes wait in the pipe until the script reads them.
struct VmWriter(Arc<Mutex<Pipes>>);

impl ErrorType for VmReader {
    type Error = IpcError;
}

impl ErrorType for VmWriter {
    type Error = IpcError;
}

/// The channel only sees `IpcError`; the host error stays in the `Vm` and is picked up there.
const HOST_FAILED: IpcError = IpcError::Io(embedded_io::ErrorKind::Other);

impl VmReader {
    /// Runs the script until it has written something, then hands up to `max` bytes of it to
    /// `take`; `Ok(0)` once the script has exited.
    fn pull(
        &mut self,
        max: usize,
        take: impl FnOnce(std::collections::vec_deque::Drain<'_, u8>),
    ) -> Result<usize, IpcError> {
        let mut vm = lock_vm(&self.0);
        loop {
            {
                let mut pipes = lock(&vm.pipes);
                if !pipes.from_vm.is_empty() || max == 0 {
                    let n = pipes.from_vm.len().min(max);
                    take(pipes.from_vm.drain(..n));
                    return Ok(n);
                }
            }
            match vm.state {
                State::Running(_) => {}
                State::Exited(_) => return Ok(0),
                State::Failed(_) => return Err(HOST_FAILED),
            }
            if vm.step().is_err() {
                return Err(HOST_FAILED);
            }
        }
    }
}

impl Read for VmReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IpcError> {
        let max = buf.len();
        self.pull(max, |bytes| {
            for (dst, src) in buf.iter_mut().zip(bytes) {
                *dst = src;
            }
        })
    }
}

impl ReadVec for VmReader {
    /// Appends straight from the pipe: no zeroing, no 512-byte windows.
    fn read_vec(&mut self, buf: &mut Vec<u8>) -> Result<usize, IpcError> {
        let room = buf.capacity() - buf.len();
        self.pull(room, |bytes| buf.extend(bytes))
    }
}

impl Write for VmWriter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        let mut pipes = lock(&self.0);
        if pipes.script_read_closed {
            return Err(IpcError::UnexpectedEof);
        }
        pipes.to_vm.extend(buf.iter());
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), IpcError> {
        Ok(())
    }
}

/// A server script running as the root VM of the CKB scheduler, and the host's channel to it.
///
/// ```ignore
/// let mut host = ScriptHost::new(TxContext::minimal(elf, Bytes::new()), vec![], HostOptions::default())?;
/// let (response, cycles) = host.call(&RequestPacket::new(2, args))?;
/// let exit = host.finish()?;
/// ```
pub struct ScriptHost {
    channel: Channel<VmReader, VmWriter>,
    vm: SharedVm,
}

impl ScriptHost {
    /// Boots the script group of `context` with `argv`; it starts running at the first call.
    pub fn new(
        context: TxContext,
        argv: Vec<Bytes>,
        options: HostOptions,
    ) -> Result<Self, HostError> {
        let sg_data = context.script_group_data()?;
        let pipes = Arc::new(Mutex::new(Pipes::default()));
        let sink = Arc::clone(&options.debug);
        let host_context = HostContext {
            pipes: Arc::clone(&pipes),
            debug: Arc::new(move |_hash, msg| sink(msg)),
        };
        let mut scheduler = HostScheduler::new(sg_data, generate_syscalls, host_context);
        scheduler.set_root_vm_args(argv);
        let max_payload = options.max_payload;
        let vm = Arc::new(Mutex::new(Vm {
            state: State::Running(Box::new(scheduler)),
            pipes: Arc::clone(&pipes),
            options,
            watchdog: Watchdog::new(),
            pause: Pause::new(),
            call_start: 0,
            cycles: 0,
        }));
        let channel =
            Channel::new(VmReader(Arc::clone(&vm)), VmWriter(pipes)).with_max_payload(max_payload);
        Ok(Self { channel, vm })
    }

    /// Sends one request and waits for its response; returns it with the cycles the call took:
    /// all VMs of the script, from where the script was left (just after its previous answer,
    /// or at its start) to the last byte of this answer. So the first call also pays for the
    /// script's start unless [`start`](Self::start) ran it, and every later call pays exactly
    /// one read and one write syscall, as on-chain.
    pub fn call(&mut self, request: &RequestPacket) -> Result<(ResponsePacket, u64), HostError> {
        {
            let mut vm = lock_vm(&self.vm);
            match &vm.state {
                State::Failed(_) => return Err(HostError::TornDown),
                State::Exited(code) => return Err(HostError::Exited(*code)),
                State::Running(_) => {}
            }
            vm.begin_call();
        }
        let result = self.channel.call(request);
        let mut vm = lock_vm(&self.vm);
        vm.end_call();
        match result {
            Ok(response) => Ok((response, vm.cycles - vm.call_start)),
            Err(e) => Err(match &vm.state {
                State::Failed(host) if e == HOST_FAILED => host.clone(),
                State::Exited(code) if e == IpcError::Eof => HostError::Exited(*code),
                _ => vm.fail(HostError::Ipc(e)),
            }),
        }
    }

    /// Runs the script until it first waits for a request (or exits, which is an error), so a
    /// script that fails while starting is caught before anyone calls it. Returns the cycles
    /// its start took. Optional: the first call starts the script otherwise.
    pub fn start(&mut self) -> Result<u64, HostError> {
        let mut vm = lock_vm(&self.vm);
        vm.begin_call();
        let result = loop {
            match &vm.state {
                State::Exited(code) => break Err(HostError::Exited(*code)),
                State::Failed(_) => break Err(HostError::TornDown),
                State::Running(_) => {}
            }
            {
                let pipes = lock(&vm.pipes);
                if pipes.pending_read.is_some() || !pipes.from_vm.is_empty() {
                    break Ok(vm.cycles);
                }
            }
            if let Err(e) = vm.step() {
                break Err(e);
            }
        };
        vm.end_call();
        result
    }

    /// Cycles the script has consumed so far.
    pub fn cycles(&self) -> u64 {
        lock_vm(&self.vm).cycles
    }

    /// Whether the script is still running (not exited, not torn down).
    pub fn is_running(&self) -> bool {
        matches!(lock_vm(&self.vm).state, State::Running(_))
    }

    /// Closes the host's ends of both pipes and runs the script until it exits (within one
    /// call's cycle and time limits); returns its exit code and the session's cycles.
    pub fn finish(self) -> Result<Exit, HostError> {
        let mut vm = lock_vm(&self.vm);
        {
            let mut pipes = lock(&vm.pipes);
            pipes.host_write_closed = true;
            pipes.host_read_closed = true;
            pipes.from_vm.clear();
        }
        vm.begin_call();
        let result = loop {
            match &vm.state {
                State::Exited(code) => {
                    break Ok(Exit {
                        exit_code: *code,
                        cycles: vm.cycles,
                    })
                }
                State::Failed(e) => break Err(e.clone()),
                State::Running(_) => {}
            }
            if let Err(e) = vm.step() {
                break Err(e);
            }
            lock(&vm.pipes).from_vm.clear();
        };
        vm.end_call();
        result
    }
}
