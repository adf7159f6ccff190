//! The syscall handler of the host fds.
//!
//! The root VM's inherited fds are `[HOST_READ_FD, HOST_WRITE_FD]`, numbers the scheduler never
//! hands out. A syscall handler placed before CKB's own answers READ/WRITE/INHERITED_FD/CLOSE on
//! them for the root VM; everything else (spawn, pipes to its own children, load_*) is CKB's.
//! A second one, in every VM, keeps the scheduler's fds below the host's: [`PIPE_BUDGET`].
//! How the host drives the scheduler around the pauses this handler asks for: `scheduler.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ckb_mock_tx_types::Resource;
use ckb_script::cost_model::transferred_byte_cycles;
use ckb_script::types::{DebugPrinter, Machine, SgData, VmContext, VmId, FIRST_FD_SLOT};
use ckb_script::{generate_ckb_syscalls, ROOT_VM_ID};
use ckb_vm::machine::DefaultMachineRunner;
use ckb_vm::registers::{A0, A1, A2, A7};
use ckb_vm::{Error as VmError, Memory, Register, SupportMachine, Syscalls};

use crate::pipes::{lock, PendingRead, Pipes};

/// The root VM's read fd: requests from the host arrive here.
///
/// Below 2^31, so a script that keeps fds in 32 bits, even signed ones, reads it right:
/// ckb-js-vm does (`JS_NewUint32(ctx, (uint32_t)fds[i])` for `inheritedFds()`, `JS_ToUint32`
/// in `read`/`write`), and with 2^32 it read fd 0 and got INVALID_FD. Even, as CKB's read ends
/// are. The scheduler hands out fds from 2 upward, two per pipe, and never reuses one: it would
/// reach this number at its (2^30 - 1)th pipe, and the pipes alone cost about 2^30 * 1,300 cycles
/// (ecall and yield; closing fds to stay under 64 costs more): 1.4 * 10^12, 400 times CKB's
/// block limit. Only a session given a cycle limit that high could get there, and
/// [`PIPE_BUDGET`] refuses that pipe.
pub const HOST_READ_FD: u64 = 0x7fff_fffe;
/// The root VM's write fd: responses to the host go here. Odd, as CKB's write ends are; the
/// largest number a signed 32-bit fd holds.
pub const HOST_WRITE_FD: u64 = HOST_READ_FD + 1;

/// How many `pipe` calls the script (all its VMs) may make: the scheduler's next fd starts at
/// 2 and grows by 2 with every pipe it creates, so after this many the largest fd it has handed
/// out is `HOST_READ_FD - 1`. Every `pipe` syscall counts, refused ones too (they create
/// nothing), so the count is never below the scheduler's. The next one gets MAX_FDS_CREATED, as
/// when 64 fds are open.
pub const PIPE_BUDGET: u64 = (HOST_READ_FD - FIRST_FD_SLOT) / 2;

// CKB syscall numbers and results (ckb-script keeps its constants private).
const SYS_PIPE: u64 = 2604;
const SYS_WRITE: u64 = 2605;
const SYS_READ: u64 = 2606;
const SYS_INHERITED_FD: u64 = 2607;
const SYS_CLOSE: u64 = 2608;
pub(crate) const SUCCESS: u8 = 0;
const INVALID_FD: u8 = 6;
const OTHER_END_CLOSED: u8 = 7;
const MAX_FDS_CREATED: u8 = 9;
/// What CKB charges a pipe syscall on top of the ecall: it yields to the scheduler.
const YIELD_CYCLES: u64 = 800;

pub(crate) type Inner = <Machine as DefaultMachineRunner>::Inner;

/// What the syscall generator needs: a plain fn pointer gets its state from here.
#[derive(Clone)]
pub(crate) struct HostContext {
    pub(crate) pipes: Arc<Mutex<Pipes>>,
    pub(crate) debug: DebugPrinter,
    /// `pipe` calls of all VMs so far (see [`PIPE_BUDGET`]).
    pub(crate) pipes_made: Arc<AtomicU64>,
}

pub(crate) fn generate_syscalls(
    vm_id: &VmId,
    sg_data: &SgData<Resource>,
    vm_context: &VmContext<Resource>,
    ctx: &HostContext,
) -> Vec<Box<dyn Syscalls<Inner>>> {
    let mut syscalls: Vec<Box<dyn Syscalls<Inner>>> = vec![Box::new(PipeGuard {
        pipes_made: Arc::clone(&ctx.pipes_made),
    })];
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

/// Counts the `pipe` calls of one VM and refuses the one past [`PIPE_BUDGET`]; CKB answers the
/// others.
struct PipeGuard {
    pipes_made: Arc<AtomicU64>,
}

impl<Mac: SupportMachine> Syscalls<Mac> for PipeGuard {
    fn initialize(&mut self, _machine: &mut Mac) -> Result<(), VmError> {
        Ok(())
    }

    fn ecall(&mut self, machine: &mut Mac) -> Result<bool, VmError> {
        if reg(machine, A7) != SYS_PIPE {
            return Ok(false);
        }
        // The VMs run one at a time (one scheduler thread): Relaxed is enough.
        let before = self
            .pipes_made
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_add(1))
            })
            .unwrap_or(u64::MAX);
        if pipe_allowed(before) {
            return Ok(false);
        }
        finish(machine, MAX_FDS_CREATED)
    }
}

/// Whether a `pipe` call after `made` others may go to the scheduler.
fn pipe_allowed(made: u64) -> bool {
    made < PIPE_BUDGET
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
pub(crate) fn deliver<Mac: SupportMachine>(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The fds of a scheduler's `n`th pipe (1-based): ckb-script's `Fd::create`.
    fn nth_pipe(n: u64) -> (u64, u64) {
        let slot = FIRST_FD_SLOT + 2 * (n - 1);
        (slot, slot + 1)
    }

    #[test]
    fn host_fds_fit_in_a_signed_32_bit_number_and_keep_the_parity() {
        assert!(HOST_WRITE_FD <= i32::MAX as u64);
        assert_eq!(HOST_READ_FD % 2, 0);
        assert_eq!(HOST_WRITE_FD, HOST_READ_FD ^ 1);
    }

    #[test]
    fn the_pipes_allowed_end_just_below_the_host_fds() {
        assert!(pipe_allowed(PIPE_BUDGET - 1));
        assert!(!pipe_allowed(PIPE_BUDGET));
        assert!(!pipe_allowed(u64::MAX));
        let (r, w) = nth_pipe(PIPE_BUDGET);
        assert_eq!(w + 1, HOST_READ_FD);
        assert_eq!(nth_pipe(PIPE_BUDGET + 1), (HOST_READ_FD, HOST_WRITE_FD));
        assert!(r < HOST_READ_FD);
    }
}
