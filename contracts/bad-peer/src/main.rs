//! A hostile IPC peer (see `test_proto::bad`). Spawned with an argv it is a bad server for a
//! real client; run as the root script it is a bad client of a real server (cell dep 1), and
//! prints `answer: <hex>` (what the server sent back) and `exit: <code>` (how it ended).
//! Spawned without argv by a client's BENCH scenario, it is the bad server of the mode in the
//! BENCH args (`test_proto::bad_peer`).
#![no_std]
#![no_main]

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use ckb_std::ckb_constants::Source;
use ckb_std::ckb_types::prelude::*;
use ckb_std::{env, high_level, syscalls};
use test_proto::{bad, bad_peer, batch};

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
        bad_peer::UNKNOWN_THEN_ADD => &[
            0, 0xad, 0xbd, 0x03, 4, b'o', b'o', b'p', b's', // method 0xdead, "oops"
            0, 2, 16, 40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, // ADD(40, 2)
        ],
        batch::ITEM_OVERRUN => &[
            0, 0xfe, 0xff, 0xff, 0xff, 0x07, 6, 0, 2, 10, 1, 2,
            3, // a batch: ADD of 10 bytes, 3 there
            0, 2, 16, 40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, // ADD(40, 2)
        ],
        batch::ITEM_HUGE => &[
            0, 0xfe, 0xff, 0xff, 0xff, 0x07, 11, 0, 2, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0x80, 0x10, // a batch: ADD of 2^60 bytes
            0, 2, 16, 40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, // ADD(40, 2)
        ],
        batch::NESTED => &[
            0, 0xfe, 0xff, 0xff, 0xff, 0x07, 7, 0, 0xfe, 0xff, 0xff, 0xff, 0x07,
            0, // in a batch
            0, 2, 16, 40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, // ADD(40, 2)
        ],
        batch::SHORT_ANSWER => &[0, 0, 3, 0, 0, 0],
        batch::ANSWER_OVERRUN => &[0, 0, 3, 0, 0, 9],
        _ => return None,
    })
}

/// [`batch::MANY_ITEMS`]: a batch of 1,000 empty echoes (alone: more than a server's first
/// read, an `ADD` after it in the same write would leave both sides writing).
fn many_items() -> Vec<u8> {
    let mut bytes = alloc::vec![0, 0xfe, 0xff, 0xff, 0xff, 0x07, 0xb8, 0x17]; // 3,000 bytes
    for _ in 0..1000 {
        bytes.extend_from_slice(&[0, 1, 0]);
    }
    bytes
}

fn program_entry() -> i8 {
    match env::argv().first() {
        Some(mode) => bad_server(mode.to_str().unwrap_or_default()),
        None => match bench_mode() {
            Some(mode) => bad_server(&mode),
            None => bad_client(),
        },
    }
}

/// Whether this process was spawned with pipes (the root script inherits none).
fn spawned() -> bool {
    let mut fds = [0u64; 2];
    syscalls::inherited_fds(&mut fds) >= 2
}

/// The bad-server mode the BENCH script args carry (`test_proto::bad_peer`), when this process
/// was spawned with pipes by such a client; `None` otherwise (then it is the bad client, as a
/// root script or under `ckb-ipc init`, whose args carry no mode).
fn bench_mode() -> Option<String> {
    if !spawned() {
        return None;
    }
    let script = high_level::load_script().ok()?;
    let args: Vec<u8> = script.args().unpack();
    let mode = bad_peer::mode_in_bench_args(&args)?;
    let mode = core::str::from_utf8(mode).ok()?;
    (!mode.is_empty()).then(|| mode.into())
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
    if mode == bad_peer::OVER_INPLACE_THEN_ADD {
        return over_lean_then_add();
    }
    let many = many_items();
    let bytes = match mode {
        batch::MANY_ITEMS => many.as_slice(),
        _ => match bad_bytes(mode) {
            Some(bytes) => bytes,
            None => return 11,
        },
    };
    let Ok(server) = ckb_ipc::ServerProcess::spawn(1, Source::CellDep, &[]) else {
        return 12;
    };
    let pid = server.pid();
    let (read, write) = server.into_pipes();
    let _ = syscalls::write(write.fd(), bytes);
    if mode == bad::TRUNCATED {
        drop(write);
        return report(Vec::new(), read, None, pid);
    }
    report(Vec::new(), read, Some(write), pid)
}

/// `bad_peer::OVER_INPLACE_THEN_ADD`: a request one byte over inplace-server's limit, its answer read
/// before the `ADD` goes out (a server answering while the client still writes would leave
/// both sides writing).
fn over_lean_then_add() -> i8 {
    let Ok(server) = ckb_ipc::ServerProcess::spawn(1, Source::CellDep, &[]) else {
        return 12;
    };
    let pid = server.pid();
    let (read, write) = server.into_pipes();
    let len = bad_peer::INPLACE_LIMIT + 1;
    let mut chunk = [0x5au8; 16 * 1024];
    let mut header = [0u8; ckb_ipc::wire::MAX_HEADER_LEN];
    let n = ckb_ipc::wire::encode_header(test_proto::method::ECHO, len as u64, &mut header);
    let (Some(head), Some(header)) = (chunk.get_mut(..n), header.get(..n)) else {
        return 13;
    };
    head.copy_from_slice(header);
    if !write_all(write.fd(), &chunk) {
        return 14;
    }
    let mut left = len - (chunk.len() - n);
    chunk.fill(0x5a);
    while left > 0 {
        let part = chunk.get(..left.min(chunk.len())).unwrap_or_default();
        if !write_all(write.fd(), part) {
            return 14;
        }
        left -= part.len();
    }
    let mut buf = [0u8; 256];
    let mut answer = Vec::new();
    if let Ok(n) = syscalls::read(read.fd(), &mut buf) {
        answer.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let add: [u8; 19] = [0, 2, 16, 40, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0];
    if !write_all(write.fd(), &add) {
        return 14;
    }
    report(answer, read, Some(write), pid)
}

/// Writes all of `bytes`; `false` if the pipe would not take them.
fn write_all(fd: u64, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        match syscalls::write(fd, bytes) {
            Ok(n @ 1..) => bytes = bytes.get(n..).unwrap_or_default(),
            _ => return false,
        }
    }
    true
}

/// Reads the server's answer (one write arrives in one read) after the bytes of `answer`, hangs
/// up, then reads whatever is left and prints it all, then the server's exit code.
fn report(mut answer: Vec<u8>, read: ckb_ipc::Pipe, write: Option<ckb_ipc::Pipe>, pid: u64) -> i8 {
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
