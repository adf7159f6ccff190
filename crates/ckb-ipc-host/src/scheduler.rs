//! The CKB scheduler with the script in it, and what the host knows about it.
//!
//! The host drives the scheduler in its own thread: a read of an empty host pipe, and every
//! write to it, stop the scheduler with `Pause` right after the ecall (the PC is already past
//! it, as for CKB's own yields); the host then hands over the next bytes by completing the
//! pending read in the root VM's memory, and runs the scheduler again with the cycles left.
//! So the cycles a call costs are deterministic, and the limits are the scheduler's own.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use ckb_mock_tx_types::Resource;
use ckb_script::types::{Machine, SgData};
use ckb_script::{RunMode, Scheduler, ROOT_VM_ID};
use ckb_types::bytes::Bytes;
use ckb_vm::machine::{DefaultMachineRunner, Pause};
use ckb_vm::registers::A0;
use ckb_vm::{CoreMachine, Error as VmError, Register};

use crate::error::HostError;
use crate::host::HostOptions;
use crate::pipes::{lock, Pipes};
use crate::syscalls::{deliver, generate_syscalls, HostContext, Inner, SUCCESS};
use crate::watchdog::Watchdog;

type HostScheduler = Scheduler<Resource, HostContext, Machine>;

pub(crate) enum State {
    Running(Box<HostScheduler>),
    Exited(i8),
    Failed(HostError),
}

/// The scheduler and what the host knows about it; shared by [`ScriptHost`](crate::ScriptHost)
/// and its reader.
pub(crate) struct Vm {
    pub(crate) state: State,
    pub(crate) pipes: Arc<Mutex<Pipes>>,
    options: HostOptions,
    watchdog: Watchdog,
    /// The pause of the current call (the watchdog holds a clone).
    pause: Pause,
    /// Cycles consumed when the current call started.
    pub(crate) call_start: u64,
    /// Cycles consumed so far (kept when the scheduler is gone).
    pub(crate) cycles: u64,
}

impl Vm {
    /// Boots the script group of `sg_data` with `argv`; it starts running at the first step.
    pub(crate) fn new(sg_data: SgData<Resource>, argv: Vec<Bytes>, options: HostOptions) -> Self {
        let pipes = Arc::new(Mutex::new(Pipes::default()));
        let sink = Arc::clone(&options.debug);
        let host_context = HostContext {
            pipes: Arc::clone(&pipes),
            debug: Arc::new(move |_hash, msg| sink(msg)),
            pipes_made: Arc::default(),
        };
        let mut scheduler = HostScheduler::new(sg_data, generate_syscalls, host_context);
        scheduler.set_root_vm_args(argv);
        Self {
            state: State::Running(Box::new(scheduler)),
            pipes,
            options,
            watchdog: Watchdog::new(),
            pause: Pause::new(),
            call_start: 0,
            cycles: 0,
        }
    }

    pub(crate) fn begin_call(&mut self) {
        self.call_start = self.cycles;
        self.pause = Pause::new();
        self.watchdog.arm(
            Instant::now() + self.options.call_timeout,
            self.pause.clone(),
        );
    }

    pub(crate) fn end_call(&mut self) {
        self.watchdog.disarm();
    }

    pub(crate) fn fail(&mut self, e: HostError) -> HostError {
        // Dropping the scheduler tears down every VM of the script.
        self.state = State::Failed(e.clone());
        e
    }

    /// Runs the scheduler until the root VM needs the host or exits.
    pub(crate) fn step(&mut self) -> Result<(), HostError> {
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

pub(crate) type SharedVm = Arc<Mutex<Vm>>;

pub(crate) fn lock_vm(vm: &Mutex<Vm>) -> MutexGuard<'_, Vm> {
    vm.lock().unwrap_or_else(|p| p.into_inner())
}
