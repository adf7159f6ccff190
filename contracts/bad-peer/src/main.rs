//! A hostile IPC peer (see `demo_proto::bad`). Spawned with an argv it is a bad server for a
//! real client; run as the root script it is a bad client of a real server (cell dep 1), and
//! prints `answer: <hex>` (what the server sent back) and `exit: <code>` (how it ended).
#![no_std]
#![no_main]

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use ckb_std::ckb_constants::Source;
use ckb_std::ckb_types::prelude::*;
use ckb_std::{env, high_level, syscalls};
use demo_proto::bad;

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

/// The bytes each mode sends where a packet belongs.
fn bad_bytes(mode: &str) -> Option<&'static [u8]> {
    Some(match mode {
        bad::GARBAGE => b"\x05garbage",
        bad::TRUNCATED | bad::DIE_MID_RESPONSE => &[0, 0, 10, 1, 2, 3],
        bad::HUGE_LENGTH => &[0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10],
        bad::OVERLONG_VLQ => &[
            0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0,
        ],
        bad::BAD_VERSION => &[1, 0, 0],
        bad::UNKNOWN_CODE => &[0, 0xad, 0xbd, 0x03, 4, b'o', b'o', b'p', b's'],
        bad::WRITE_FIRST => &[0, 1, 4, b'p', b'o', b'n', b'g'],
        _ => return None,
    })
}

fn program_entry() -> i8 {
    match env::argv().first() {
        Some(mode) => bad_server(mode.to_str().unwrap_or_default()),
        None => bad_client(),
    }
}

fn bad_server(mode: &str) -> i8 {
    let mut fds = [0u64; 2];
    if syscalls::inherited_fds(&mut fds) < 2 {
        return 1;
    }
    let [rfd, wfd] = fds;
    let mut buf = [0u8; 256];
    if mode != bad::WRITE_FIRST {
        // Take the request first, as a server should.
        let _ = syscalls::read(rfd, &mut buf);
    }
    if mode == bad::SILENT {
        return 0;
    }
    let Some(bytes) = bad_bytes(mode) else {
        return 2;
    };
    let _ = syscalls::write(wfd, bytes);
    match mode {
        bad::DIE_MID_RESPONSE => 0,
        _ => {
            let _ = syscalls::close(wfd);
            // Stay alive until the client hangs up.
            let _ = syscalls::read(rfd, &mut buf);
            0
        }
    }
}

fn bad_client() -> i8 {
    let Ok(script) = high_level::load_script() else {
        return 10;
    };
    let args: Vec<u8> = script.args().unpack();
    let mode = core::str::from_utf8(&args).unwrap_or_default();
    let Some(bytes) = bad_bytes(mode) else {
        return 11;
    };
    let Ok(server) = ckb_ipc::spawn_server_process(1, Source::CellDep, &[]) else {
        return 12;
    };
    let pid = server.pid();
    let (read, write) = server.into_pipes();
    let _ = syscalls::write(write.fd(), bytes);
    if mode == bad::TRUNCATED {
        drop(write);
        return report(read, None, pid);
    }
    report(read, Some(write), pid)
}

/// Reads the server's answer (one write arrives in one read), hangs up, then reads whatever is
/// left and prints it all, then the server's exit code.
fn report(read: ckb_ipc::Pipe, write: Option<ckb_ipc::Pipe>, pid: u64) -> i8 {
    let mut answer = Vec::new();
    let mut buf = [0u8; 256];
    if let Ok(n) = syscalls::read(read.fd(), &mut buf) {
        answer.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    drop(write);
    while let Ok(n @ 1..) = syscalls::read(read.fd(), &mut buf) {
        answer.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let hex: String = answer.iter().map(|b| format!("{b:02x}")).collect();
    syscalls::debug(format!("answer: {hex}"));
    drop(read);
    match ckb_ipc::wait(pid) {
        Ok(code) => syscalls::debug(format!("exit: {code}")),
        Err(e) => syscalls::debug(format!("exit: {e}")),
    }
    0
}
