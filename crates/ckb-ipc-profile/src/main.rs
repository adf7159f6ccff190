//! Where the cycles of a call go: a client script and the server it spawns, each run in ckb-vm
//! with CKB's cost model (`estimate_cycles`; ISA IMC, B and MOP, version 2, as ckb-script runs
//! them) on a thread of its own, their pipes in memory; the cycles of each instruction counted
//! at its pc, and reported per function (with what is inlined in it) and per source line, from
//! the binaries' line tables (`llvm-addr2line`). Two runs, the second's args making no calls
//! (BENCH's `calls` of 0), are subtracted, so what is left is the calls alone.
//!
//! Not the CKB scheduler: it leaves out what ckb-script adds per syscall (800 cycles a yield,
//! the bytes a pipe moves), which `make bench` measures; a `write` here returns at once. What
//! the scripts compute is the same instruction for instruction. `make profile` builds the
//! scripts with line tables and runs it.
//!
//! A developer's tool, not a script: it reads binaries and args it was given, no peer's bytes,
//! and stops with a message (`unwrap`, `expect`) on anything it did not expect.
//!
//! usage: ckb-ipc-profile CLIENT_ELF SERVER_ELF add|echo SIZE K [TOP]: 8 batches of K calls
//! (K 0: 8 single calls) of the client's BENCH scenario (`test_proto::bench_params`).
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};

use bytes::Bytes;
use ckb_vm::machine::{
    CoreMachine, DefaultCoreMachine, DefaultMachineBuilder, SupportMachine, VERSION2,
};
use ckb_vm::memory::sparse::SparseMemory;
use ckb_vm::memory::wxorx::WXorXMemory;
use ckb_vm::registers::{A0, A1, A2, A3, A4, A7};
use ckb_vm::{Error, Memory, Register, Syscalls, ISA_B, ISA_IMC, ISA_MOP};

static PROFILES: Mutex<Vec<(String, HashMap<u64, u64>)>> = Mutex::new(Vec::new());
static CHILDREN: Mutex<Vec<std::thread::JoinHandle<i8>>> = Mutex::new(Vec::new());
type Core = DefaultCoreMachine<u64, WXorXMemory<SparseMemory<u64>>>;

#[derive(Default)]
struct Pipe {
    bytes: VecDeque<u8>,
    writer_closed: bool,
    reader_closed: bool,
}

#[derive(Default)]
struct World {
    pipes: Mutex<Vec<Pipe>>,
    changed: Condvar,
}

struct Vm {
    world: Arc<World>,
    inherited: Vec<u64>,
    owned: Arc<Mutex<Vec<u64>>>,
    script: Vec<u8>,
    server: Option<(Bytes, String)>,
}

fn load_bytes<M: SupportMachine>(m: &mut M, addr: u64, n: u64) -> Result<Vec<u8>, Error> {
    (0..n)
        .map(|i| Ok(m.memory_mut().load8(&M::REG::from_u64(addr + i))?.to_u8()))
        .collect()
}

impl<M: SupportMachine> Syscalls<M> for Vm {
    fn initialize(&mut self, _: &mut M) -> Result<(), Error> {
        Ok(())
    }
    fn ecall(&mut self, m: &mut M) -> Result<bool, Error> {
        let code = m.registers()[A7].to_u64();
        let a0 = m.registers()[A0].to_u64();
        let a1 = m.registers()[A1].to_u64();
        let a2 = m.registers()[A2].to_u64();
        let mut ret = 0u64;
        match code {
            2041 => ret = 2,
            2042 => ret = m.cycles(),
            2177 => {
                let mut s = Vec::new();
                let mut a = a0;
                loop {
                    let b = m.memory_mut().load8(&M::REG::from_u64(a))?.to_u8();
                    if b == 0 {
                        break;
                    }
                    s.push(b);
                    a += 1;
                }
                eprintln!("debug: {}", String::from_utf8_lossy(&s));
            }
            2052 => {
                // load_script(addr, len_addr, offset)
                let len = m.memory_mut().load64(&M::REG::from_u64(a1))?.to_u64();
                let off = m.registers()[A2].to_u64() as usize;
                let data = self.script.get(off..).unwrap_or_default();
                let n = data.len().min(len as usize);
                m.memory_mut().store_bytes(a0, &data[..n])?;
                m.memory_mut()
                    .store64(&M::REG::from_u64(a1), &M::REG::from_u64(data.len() as u64))?;
            }
            2603 => ret = 0,
            2604 => {
                let mut pipes = self.world.pipes.lock().unwrap();
                pipes.push(Pipe::default());
                let k = pipes.len() as u64; // fds 2k (read) and 2k+1 (write)
                m.memory_mut()
                    .store64(&M::REG::from_u64(a0), &M::REG::from_u64(2 * k))?;
                m.memory_mut()
                    .store64(&M::REG::from_u64(a0 + 8), &M::REG::from_u64(2 * k + 1))?;
                self.owned.lock().unwrap().extend([2 * k, 2 * k + 1]);
            }
            2601 => {
                let spgs = m.registers()[A4].to_u64();
                let _ = m.registers()[A3].to_u64();
                let pid_addr = m
                    .memory_mut()
                    .load64(&M::REG::from_u64(spgs + 16))?
                    .to_u64();
                let mut fds_addr = m
                    .memory_mut()
                    .load64(&M::REG::from_u64(spgs + 24))?
                    .to_u64();
                let mut fds = Vec::new();
                while fds_addr != 0 {
                    let fd = m.memory_mut().load64(&M::REG::from_u64(fds_addr))?.to_u64();
                    if fd == 0 {
                        break;
                    }
                    fds.push(fd);
                    fds_addr += 8;
                }
                self.owned.lock().unwrap().retain(|f| !fds.contains(f));
                let (elf, out) = self.server.clone().expect("one spawn");
                let world = self.world.clone();
                CHILDREN.lock().unwrap().push(std::thread::spawn(move || {
                    run_vm(world, elf, fds, Vec::new(), None, &out)
                }));
                if pid_addr != 0 {
                    m.memory_mut()
                        .store64(&M::REG::from_u64(pid_addr), &M::REG::from_u64(1))?;
                }
            }
            2602 => {
                let h = CHILDREN.lock().unwrap().pop();
                let code = h.map(|h| h.join().unwrap()).unwrap_or(0);
                m.memory_mut()
                    .store8(&M::REG::from_u64(a1), &M::REG::from_u64(code as u8 as u64))?;
            }
            2607 => {
                let len = m.memory_mut().load64(&M::REG::from_u64(a1))?.to_u64() as usize;
                for (i, fd) in self.inherited.iter().take(len).enumerate() {
                    m.memory_mut()
                        .store64(&M::REG::from_u64(a0 + 8 * i as u64), &M::REG::from_u64(*fd))?;
                }
                m.memory_mut().store64(
                    &M::REG::from_u64(a1),
                    &M::REG::from_u64(self.inherited.len() as u64),
                )?;
            }
            2606 => {
                // read(fd, buf, len_addr)
                let want = m.memory_mut().load64(&M::REG::from_u64(a2))?.to_u64() as usize;
                let k = (a0 / 2 - 1) as usize;
                let mut pipes = self.world.pipes.lock().unwrap();
                loop {
                    let p = &mut pipes[k];
                    if !p.bytes.is_empty() {
                        let n = want.min(p.bytes.len());
                        let got: Vec<u8> = p.bytes.drain(..n).collect();
                        drop(pipes);
                        m.memory_mut().store_bytes(a1, &got)?;
                        m.memory_mut()
                            .store64(&M::REG::from_u64(a2), &M::REG::from_u64(n as u64))?;
                        break;
                    }
                    if p.writer_closed {
                        ret = 7;
                        break;
                    }
                    pipes = self.world.changed.wait(pipes).unwrap();
                }
                self.world.changed.notify_all();
            }
            2605 => {
                let n = m.memory_mut().load64(&M::REG::from_u64(a2))?.to_u64();
                let data = load_bytes(m, a1, n)?;
                let k = (a0 / 2 - 1) as usize;
                let mut pipes = self.world.pipes.lock().unwrap();
                if pipes[k].reader_closed {
                    ret = 7;
                } else {
                    pipes[k].bytes.extend(data);
                }
                drop(pipes);
                self.world.changed.notify_all();
            }
            2608 => {
                close(&self.world, a0);
                self.owned.lock().unwrap().retain(|f| *f != a0);
            }
            _ => return Err(Error::InvalidEcall(code)),
        }
        m.set_register(A0, M::REG::from_u64(ret));
        Ok(true)
    }
}

fn close(world: &World, fd: u64) {
    let k = (fd / 2 - 1) as usize;
    let mut pipes = world.pipes.lock().unwrap();
    if fd.is_multiple_of(2) {
        pipes[k].reader_closed = true;
    } else {
        pipes[k].writer_closed = true;
    }
    drop(pipes);
    world.changed.notify_all();
}

fn run_vm(
    world: Arc<World>,
    elf: Bytes,
    inherited: Vec<u64>,
    script: Vec<u8>,
    server: Option<(Bytes, String)>,
    out: &str,
) -> i8 {
    let owned = Arc::new(Mutex::new(inherited.clone()));
    let core = Core::new(ISA_IMC | ISA_B | ISA_MOP, VERSION2, u64::MAX);
    let vm = Vm {
        world: world.clone(),
        inherited,
        owned: owned.clone(),
        script,
        server,
    };
    let mut machine = DefaultMachineBuilder::new(core)
        .instruction_cycle_func(Box::new(ckb_vm::cost_model::estimate_cycles))
        .syscall(Box::new(vm))
        .build();
    machine
        .load_program(&elf, std::iter::empty::<Result<Bytes, Error>>())
        .unwrap();
    let mut decoder = ckb_vm::decoder::build_decoder::<u64>(ISA_IMC | ISA_B | ISA_MOP, VERSION2);
    let mut hist: HashMap<u64, u64> = HashMap::new();
    machine.set_running(true);
    while machine.running() {
        let pc = *machine.pc();
        let before = machine.cycles();
        if let Err(e) = machine.step(&mut decoder) {
            eprintln!("{out}: {e:?} at {pc:#x}");
            break;
        }
        *hist.entry(pc).or_default() += machine.cycles() - before;
    }
    for fd in owned.lock().unwrap().iter() {
        close(&world, *fd);
    }
    if machine.exit_code() != 0 {
        eprintln!("{out}: exit code {}", machine.exit_code());
    }
    PROFILES.lock().unwrap().push((out.to_string(), hist));
    machine.exit_code()
}

fn script_bytes(args: &[u8]) -> Vec<u8> {
    // molecule Script table: code_hash Byte32, hash_type byte, args Bytes.
    let total = 16 + 32 + 1 + 4 + args.len();
    let mut s = Vec::new();
    for v in [total, 16, 48, 49] {
        s.extend_from_slice(&(v as u32).to_le_bytes());
    }
    s.extend_from_slice(&[0; 32]);
    s.push(0);
    s.extend_from_slice(&(args.len() as u32).to_le_bytes());
    s.extend_from_slice(args);
    s
}

/// The client's BENCH script args: `calls` of `op` with `size` bytes, `k` a batch (0: single
/// calls); the server at cell-dep index 1, as `make bench` runs them.
fn bench_args(op: u8, calls: u32, size: u32, k: u8) -> Vec<u8> {
    let mut args = vec![test_proto::scenario::BENCH, 1];
    args.resize(test_proto::scenario::ARGS_HEADER_LEN, 0);
    args.push(op);
    args.extend_from_slice(&calls.to_le_bytes());
    args.extend_from_slice(&size.to_le_bytes());
    args.push(k);
    args
}

/// Runs the client (which spawns the server) once; the cycles per pc of each VM.
fn profile(client: &Bytes, server: &Bytes, args: &[u8]) -> HashMap<String, HashMap<u64, u64>> {
    PROFILES.lock().unwrap().clear();
    let world = Arc::new(World::default());
    let code = run_vm(
        world,
        client.clone(),
        Vec::new(),
        script_bytes(args),
        Some((server.clone(), "server".to_string())),
        "client",
    );
    let hs: Vec<_> = CHILDREN.lock().unwrap().drain(..).collect();
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(code, 0, "the client failed");
    PROFILES.lock().unwrap().drain(..).collect()
}

/// Frames (function, file:line), innermost first, of each pc in `elf`: llvm-addr2line.
fn frames(elf: &str, pcs: &[u64]) -> HashMap<u64, Vec<(String, String)>> {
    use std::io::Write;
    let mut child = std::process::Command::new("llvm-addr2line")
        .args(["-f", "-i", "-C", "-a", "-e", elf])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("llvm-addr2line");
    let input: String = pcs.iter().map(|p| format!("{p:#x}\n")).collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut frames: HashMap<u64, Vec<(String, String)>> = HashMap::new();
    let mut lines = text.lines();
    let mut cur = 0;
    while let Some(line) = lines.next() {
        if let Some(a) = line.strip_prefix("0x") {
            cur = u64::from_str_radix(a, 16).unwrap();
            frames.entry(cur).or_default();
        } else {
            let loc = lines.next().unwrap_or("?");
            let short: Vec<&str> = loc.rsplit('/').take(2).collect();
            let loc = format!("{}/{}", short.get(1).unwrap_or(&""), short[0]);
            frames.entry(cur).or_default().push((line.to_string(), loc));
        }
    }
    frames
}

fn report(name: &str, elf: &str, hist: &HashMap<u64, i64>, per: f64, top: usize) {
    let pcs: Vec<u64> = hist.keys().copied().collect();
    let frames = frames(elf, &pcs);
    let mut inlined: HashMap<String, i64> = HashMap::new();
    let mut lines: HashMap<String, i64> = HashMap::new();
    for (pc, c) in hist {
        let none = vec![("?".to_string(), "?".to_string())];
        let fr = frames.get(pc).filter(|f| !f.is_empty()).unwrap_or(&none);
        let mut seen = std::collections::HashSet::new();
        for (f, _) in fr {
            if seen.insert(f.clone()) {
                *inlined.entry(f.clone()).or_default() += c;
            }
        }
        let (f, loc) = &fr[0];
        let f: String = f.chars().take(60).collect();
        *lines.entry(format!("{loc}  [{f}]")).or_default() += c;
    }
    let total: i64 = hist.values().sum();
    println!("== {name}: {:.1} cycles per call", total as f64 / per);
    for (title, map) in [
        ("function, with what is inlined in it", inlined),
        ("line", lines),
    ] {
        println!("-- by {title}");
        let mut v: Vec<_> = map.into_iter().collect();
        v.sort_by_key(|e| std::cmp::Reverse(e.1));
        for (k, c) in v.into_iter().take(top) {
            let k: String = k.chars().take(120).collect();
            println!("{:9.1}  {k}", c as f64 / per);
        }
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 6 {
        eprintln!("usage: ckb-ipc-profile CLIENT_ELF SERVER_ELF add|echo SIZE K [TOP]");
        std::process::exit(2);
    }
    let client = Bytes::from(std::fs::read(&a[1]).expect("client"));
    let server = Bytes::from(std::fs::read(&a[2]).expect("server"));
    let op = match a[3].as_str() {
        "add" => test_proto::op::ADD,
        _ => test_proto::op::ECHO,
    };
    let size: u32 = a[4].parse().expect("size");
    let k: u8 = a[5].parse().expect("k");
    let top: usize = a.get(6).map_or(30, |t| t.parse().expect("top"));
    let batches = 8;
    let calls = f64::from(batches * u32::from(k.max(1)));
    let run = profile(&client, &server, &bench_args(op, batches, size, k));
    let base = profile(&client, &server, &bench_args(op, 0, size, k));
    let shape = match k {
        0 => "single calls".to_string(),
        k => format!("{batches} batches of {k}"),
    };
    println!(
        "{} of {size} B, {calls} calls ({shape}): cycles per call, less a run of none",
        a[3]
    );
    for (name, elf) in [("client", &a[1]), ("server", &a[2])] {
        let mut hist: HashMap<u64, i64> = HashMap::new();
        for (pc, c) in &run[name] {
            *hist.entry(*pc).or_default() += *c as i64;
        }
        for (pc, c) in base.get(name).into_iter().flatten() {
            *hist.entry(*pc).or_default() -= *c as i64;
        }
        hist.retain(|_, c| *c != 0);
        // PROFILE_PCS=DIR: each pc's cycles per call too, for reading beside a disassembly.
        if let Ok(dir) = std::env::var("PROFILE_PCS") {
            let mut pcs: Vec<_> = hist.iter().collect();
            pcs.sort();
            let text: String = pcs
                .into_iter()
                .map(|(pc, c)| format!("{pc:x} {:.2}\n", *c as f64 / calls))
                .collect();
            std::fs::write(format!("{dir}/{name}.pcs"), text).expect("PROFILE_PCS");
        }
        report(name, elf, &hist, calls, top);
    }
}
