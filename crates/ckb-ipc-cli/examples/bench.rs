//! Calls per second through the host, against ckb-script-ipc-common's `native::spawn_server`
//! (a bare ckb-vm with faked pipes), both running build/release/owned-server; and the latency of
//! one `ckb-ipc exec` round trip. Prints a markdown table.
//!
//! ```text
//! make build && cargo build --release -p ckb-ipc-cli --bins --examples
//! target/release/examples/bench
//! ```

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use ckb_ipc::io::{ErrorType, Read, ReadVec, Write};
use ckb_ipc::{Channel, IpcError, Payload, RequestPacket};
use ckb_ipc_host::{HostOptions, ScriptHost, TxContext};
use ckb_ipc_testtool::Contracts;

/// ckb-script-ipc-common's native pipe as a channel end.
struct Theirs(ckb_script_ipc_common::native::Pipe);

impl ErrorType for Theirs {
    type Error = IpcError;
}

impl Read for Theirs {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, IpcError> {
        ckb_script_ipc_common::io::Read::read(&mut self.0, buf)
            .map_err(|_| IpcError::Io(embedded_io::ErrorKind::Other))
    }
}

impl ReadVec for Theirs {}

impl Write for Theirs {
    fn write(&mut self, buf: &[u8]) -> Result<usize, IpcError> {
        ckb_script_ipc_common::io::Write::write(&mut self.0, buf)
            .map_err(|_| IpcError::UnexpectedEof)
    }
    fn flush(&mut self) -> Result<(), IpcError> {
        Ok(())
    }
}

fn contracts() -> Result<PathBuf, String> {
    Contracts::find()
        .map(|c| c.dir)
        .map_err(|e| format!("{e} (run `make build` first)"))
}

struct Case {
    name: &'static str,
    request: RequestPacket,
    calls: u32,
}

fn cases() -> Vec<Case> {
    let mut add = Payload::new();
    add.extend_from_slice(&40u64.to_le_bytes());
    add.extend_from_slice(&2u64.to_le_bytes());
    vec![
        Case {
            name: "add",
            request: RequestPacket::new(2, add),
            calls: 5000,
        },
        Case {
            name: "echo 0 B",
            request: RequestPacket::new(1, Payload::new()),
            calls: 5000,
        },
        Case {
            name: "echo 1 KiB",
            request: RequestPacket::new(1, vec![7u8; 1024]),
            calls: 5000,
        },
        Case {
            name: "echo 64 KiB",
            request: RequestPacket::new(1, vec![7u8; 65536]),
            calls: 500,
        },
    ]
}

fn per_call(total: Duration, calls: u32) -> (f64, f64) {
    let us = total.as_secs_f64() * 1e6 / f64::from(calls);
    (1e6 / us, us)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = std::fs::read(contracts()?.join("owned-server"))
        .map_err(|e| format!("owned-server: {e} (run `make build`)"))?;
    println!("| call | host: calls/s | host: µs/call | host: cycles/call | native::spawn_server: calls/s | µs/call |");
    println!("|---|---:|---:|---:|---:|---:|");
    for case in cases() {
        let mut host = ScriptHost::new(
            TxContext::minimal(server.clone().into(), Default::default()),
            vec![],
            HostOptions {
                total_cycles: u64::MAX,
                ..Default::default()
            },
        )?;
        host.start()?;
        let mut cycles = 0;
        let start = Instant::now();
        for _ in 0..case.calls {
            let (resp, c) = host.call(&case.request)?;
            assert_eq!(resp.error_code(), 0);
            cycles = c;
        }
        let ours = per_call(start.elapsed(), case.calls);
        host.finish()?;

        let (read, write) = ckb_script_ipc_common::native::spawn_server(&server, &[])?;
        let mut channel = Channel::new(Theirs(read), Theirs(write)).with_max_payload(1 << 20);
        channel.call(&case.request)?; // the VM's start is not measured on either side
        let start = Instant::now();
        for _ in 0..case.calls {
            let resp = channel.call(&case.request)?;
            assert_eq!(resp.error_code(), 0);
        }
        let theirs = per_call(start.elapsed(), case.calls);
        println!(
            "| {} | {:.0} | {:.1} | {} | {:.0} | {:.1} |",
            case.name, ours.0, ours.1, cycles, theirs.0, theirs.1
        );
    }

    // One `ckb-ipc exec` per call: process start, connect, one call, exit.
    let tool = std::env::current_exe()?
        .parent()
        .and_then(|examples| examples.parent())
        .map(|dir| dir.join("ckb-ipc"))
        .filter(|p| p.exists())
        .ok_or("ckb-ipc binary not found next to the examples (cargo build --bins)")?;
    let dir = std::env::temp_dir().join(format!("ckb-ipc-bench-{}", std::process::id()));
    let run = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let out = Command::new(&tool)
            .env("CKB_IPC_DIR", &dir)
            .args(args)
            .output()?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
        }
        Ok(String::from_utf8(out.stdout)?)
    };
    let server_path = contracts()?.join("owned-server");
    let t = Instant::now();
    let session = run(&["init", server_path.to_str().ok_or("path")?])?;
    let init = t.elapsed();
    let session = session.trim();
    let n = 100;
    let t = Instant::now();
    for _ in 0..n {
        run(&[
            "exec",
            session,
            "--method",
            "2",
            "0x28000000000000000200000000000000",
        ])?;
    }
    let exec = t.elapsed() / n;
    let t = Instant::now();
    run(&["terminate", session, "bench done"])?;
    let terminate = t.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    println!();
    println!("| `ckb-ipc` step | wall time |");
    println!("|---|---:|");
    println!(
        "| init (owned-server) | {:.2} ms |",
        init.as_secs_f64() * 1e3
    );
    println!(
        "| exec add (mean of {n}) | {:.2} ms |",
        exec.as_secs_f64() * 1e3
    );
    println!("| terminate | {:.2} ms |", terminate.as_secs_f64() * 1e3);
    Ok(())
}
