//! [`ScriptHost`]: a server script hosted as the root VM of the real CKB scheduler, its
//! [`HostOptions`] and its [`Exit`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ckb_ipc::{Channel, IpcError, RequestPacket, ResponsePacket};
use ckb_types::bytes::Bytes;

use crate::context::TxContext;
use crate::error::HostError;
use crate::pipes::lock;
use crate::scheduler::{lock_vm, SharedVm, State, Vm};
use crate::vm_io::{VmReader, VmWriter, HOST_FAILED};

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
        let max_payload = options.max_payload;
        let vm = Vm::new(sg_data, argv, options);
        let pipes = Arc::clone(&vm.pipes);
        let vm = Arc::new(Mutex::new(vm));
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
