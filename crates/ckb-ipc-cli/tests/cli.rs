//! The `ckb-ipc` binary against the real contracts (build/release or $CONTRACTS_DIR).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing
)] // test helpers

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use ckb_ipc_testtool::Contracts;

fn contract(name: &str) -> PathBuf {
    let contracts = Contracts::find().unwrap_or_else(|e| panic!("{e} (run `make build` first)"));
    let path = contracts.dir.join(name);
    assert!(path.exists(), "{}: run `make build` first", path.display());
    path
}

/// The native example server (cargo builds examples for tests).
fn native_add() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/native-add");
    assert!(path.exists(), "{}", path.display());
    path
}

/// A socket directory per test, so tests neither see nor clean up each other's sessions.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("ckb-ipc-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Dir(dir)
    }

    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("ckb-ipc").unwrap();
        c.env("CKB_IPC_DIR", &self.0)
            .timeout(Duration::from_secs(30));
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// Starts a session (short idle timeout: a failing test leaves nothing running long).
    fn init(&self, args: &[&str]) -> String {
        let out = self.run(&[&["init", "--idle-timeout", "20"], args].concat());
        assert!(out.status.success(), "init: {}", text(&out.stderr));
        let line = text(&out.stdout);
        assert!(line.starts_with("ipc:") && line.ends_with('\n'), "{line:?}");
        line.trim_end().to_string()
    }

    /// The directory itself (0700, as the tool wants it), for test files.
    fn create(&self) {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .recursive(true)
            .create(&self.0)
            .unwrap();
    }

    fn sockets(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.0)
            .map(|d| {
                d.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "sock"))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        for s in self.sockets() {
            let _ = self
                .cmd()
                .args(["terminate", s.to_str().unwrap(), "test cleanup"])
                .output();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn path_of(session: &str) -> &Path {
    Path::new(session.strip_prefix("ipc:").unwrap())
}

/// Whether `path` disappears within `limit` (a session cleans up after its last answer).
fn gone_within(path: &Path, limit: Duration) -> bool {
    let start = Instant::now();
    while path.exists() {
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

const ADD_40_2: &str = "0x28000000000000000200000000000000";

#[test]
fn init_exec_terminate_round_trip() {
    let d = Dir::new("round-trip");
    let owned_server = contract("owned-server");
    let s = d.init(&[owned_server.to_str().unwrap()]);
    let sock = path_of(&s);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&d.0).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    let out = d.run(&["exec", &s, "--method", "2", ADD_40_2]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");

    // Without the ipc: prefix, with --cycles.
    let out = d.run(&[
        "exec",
        sock.to_str().unwrap(),
        "--method",
        "1",
        "0x68656c6c6f",
        "--cycles",
    ]);
    assert_eq!(text(&out.stdout), "0x68656c6c6f\n");
    let cycles: u64 = text(&out.stderr)
        .trim()
        .strip_prefix("cycles ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(cycles > 1000, "{cycles}");

    // An error code: `error <code>` on stderr, exit 3.
    let out = d.run(&["exec", &s, "--method", "3", "0xadde000000000000"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(text(&out.stderr), "error 57005\n");

    // A payload from a file.
    let file = d.0.join("payload.bin");
    std::fs::write(&file, vec![0xabu8; 4096]).unwrap();
    let out = d.run(&[
        "exec",
        &s,
        "--method",
        "1",
        "--payload-file",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        text(&out.stdout).trim_end(),
        format!("0x{}", "ab".repeat(4096))
    );

    let out = d.run(&["terminate", &s, "done"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("exit code 0\ncycles "), "{stdout}");
    assert!(!sock.exists(), "terminate removes the socket");
    let log = std::fs::read_to_string(format!("{}.log", sock.display())).unwrap();
    assert!(log.contains("terminate: done"), "{log}");

    let out = d.run(&["exec", &s, "--method", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no session at"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn idle_timeout_ends_the_session() {
    let d = Dir::new("idle");
    let out = d.run(&[
        "init",
        "--idle-timeout",
        "0.3",
        contract("owned-server").to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let s = text(&out.stdout).trim_end().to_string();
    let start = Instant::now();
    while path_of(&s).exists() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "session outlived its idle timeout"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = std::fs::read_to_string(format!("{}.log", path_of(&s).display())).unwrap();
    assert!(log.contains("idle for 0.3 s: exit code 0"), "{log}");
    let out = d.run(&["exec", &s, "--method", "1"]);
    assert!(text(&out.stderr).contains("no session at"));
}

#[test]
fn call_in_one_process() {
    let d = Dir::new("call");
    let out = d.run(&[
        "call",
        contract("owned-server").to_str().unwrap(),
        "--method",
        "2",
        ADD_40_2,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
    assert!(
        text(&out.stderr).starts_with("cycles "),
        "{}",
        text(&out.stderr)
    );

    // Server arguments before --method stay arguments.
    let out = d.run(&[
        "call",
        contract("owned-server").to_str().unwrap(),
        "a",
        "bc",
        "--method",
        "4",
    ]);
    assert_eq!(text(&out.stdout), "0x6100626300\n");
    // ... and so does one after `--`, hex or not.
    let out = d.run(&[
        "call",
        contract("owned-server").to_str().unwrap(),
        "--method",
        "4",
        "--",
        "0102",
    ]);
    assert_eq!(text(&out.stdout), "0x3031303200\n");

    // A native server: started, called, terminated.
    let out = d.run(&[
        "call",
        native_add().to_str().unwrap(),
        "--method",
        "2",
        ADD_40_2,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
    assert!(d.sockets().is_empty());
}

#[test]
fn native_session() {
    let d = Dir::new("native");
    let s = d.init(&[native_add().to_str().unwrap()]);
    let out = d.run(&["exec", &s, "--method", "2", ADD_40_2]);
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
    let out = d.run(&["exec", &s, "--method", "9"]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(3), "error 1000\n".into())
    );
    let out = d.run(&["terminate", &s]);
    assert_eq!(text(&out.stdout), "exit code 0\ncycles 0\n");
    assert!(gone_within(path_of(&s), Duration::from_secs(5)));
    // A native program that exits instead of listening.
    let out = d.run(&["init", native_add().to_str().unwrap(), "--exit-early"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("exited (exit status: 4) before listening"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn two_execs_at_once_do_not_interleave() {
    let d = Dir::new("concurrent");
    let s = d.init(&[contract("owned-server").to_str().unwrap()]);
    let big = d.0.join("big.bin");
    let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&big, &bytes).unwrap();
    let want = format!(
        "0x{}\n",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (mut cmd, s, big) = (d.cmd(), s.clone(), big.clone());
            std::thread::spawn(move || {
                cmd.args([
                    "exec",
                    &s,
                    "--method",
                    "1",
                    "--payload-file",
                    big.to_str().unwrap(),
                ])
                .output()
                .unwrap()
            })
        })
        .collect();
    for t in threads {
        let out = t.join().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout) == want, "answers got mixed");
    }
}

#[test]
fn bad_input_is_one_line_and_non_zero() {
    let d = Dir::new("bad");
    let owned_server = contract("owned-server");
    let owned_server = owned_server.to_str().unwrap();
    let readme = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let bad_json = d.0.join("bad.json");
    d.create();
    std::fs::write(&bad_json, "{").unwrap();
    let stale = d.0.join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let s = d.init(&[owned_server]);

    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["init", "/no/such/file"], "no such file: /no/such/file"),
        (
            vec!["init", readme],
            "is neither a RISC-V ELF nor an executable",
        ),
        (
            vec!["exec", &s, "--method", "2", "0xzz"],
            "bad hex payload \"0xzz\"",
        ),
        (
            vec!["exec", &s, "--method", "2", "0x123"],
            "odd number of digits",
        ),
        (
            vec!["exec", &s, "--method", "2", "12"],
            "must start with 0x",
        ),
        // `call` takes a script argument there too, so it asks instead of sending nothing.
        (
            vec!["call", owned_server, "--method", "2", "0102"],
            "\"0102\" after --method looks like a payload without its 0x: write 0x0102",
        ),
        (
            vec!["exec", &s, "--method", "18446744073709551616"],
            "number too large",
        ),
        (
            vec!["exec", &s, "--method", "18446744073709551615"],
            "reserved for session control",
        ),
        (
            vec!["exec", "/no/such.sock", "--method", "1"],
            "no session at /no/such.sock",
        ),
        (
            vec!["exec", stale.to_str().unwrap(), "--method", "1"],
            "stale socket",
        ),
        (vec!["terminate", stale.to_str().unwrap()], "stale socket"),
        (
            vec!["init", "--tx", bad_json.to_str().unwrap(), owned_server],
            "mock tx does not parse",
        ),
        (
            vec![
                "init",
                "--cell-index",
                "5",
                "--tx",
                bad_json.to_str().unwrap(),
                owned_server,
            ],
            "does not parse",
        ),
    ];
    for (args, want) in cases {
        let out = d.run(&args);
        let err = text(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
        if !want.contains("number too large") {
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        }
    }
    // The session survived all of that.
    let out = d.run(&["exec", &s, "--method", "2", ADD_40_2]);
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
}

#[test]
fn mock_tx_script_group_selection() {
    let d = Dir::new("mock");
    d.create();
    let owned_server = contract("owned-server");
    let ctx = ckb_ipc_host::TxContext::minimal(
        std::fs::read(&owned_server).unwrap().into(),
        Default::default(),
    )
    .with_cell_dep(std::fs::read(&owned_server).unwrap().into());
    let tx = d.0.join("tx.json");
    std::fs::write(&tx, ctx.to_mock_json().unwrap()).unwrap();
    let tx = tx.to_str().unwrap();
    let s = d.init(&["--tx", tx, owned_server.to_str().unwrap()]);
    // NESTED_ADD through cell dep 1 of the file's transaction.
    let out = d.run(&[
        "exec",
        &s,
        "--method",
        "5",
        "0x0128000000000000000200000000000000",
    ]);
    assert_eq!(
        text(&out.stdout),
        "0x2a00000000000000\n",
        "{}",
        text(&out.stderr)
    );

    for (args, want) in [
        (vec!["--cell-index", "1"], "no input 1"),
        (vec!["--script-group-type", "type"], "has no type script"),
        (vec!["--cell-type", "output"], "no output 0"),
    ] {
        let out = d.run(
            &[
                &["init", "--tx", tx],
                &args[..],
                &[owned_server.to_str().unwrap()],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains(want), "{}", text(&out.stderr));
    }
    let out = d.run(&["init", "--tx", tx, contract("kv-server").to_str().unwrap()]);
    assert!(
        text(&out.stderr).contains("is not the binary"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn servers_that_fail() {
    let d = Dir::new("fail");
    let bad_peer = contract("bad-peer");
    let bad_peer = bad_peer.to_str().unwrap();
    // Exits during init: bad-peer without argv is a client that runs to its end.
    let out = d.run(&["init", bad_peer]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("exited with code"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("during init"),
        "{}",
        text(&out.stderr)
    );

    for (mode, want) in [
        ("garbage", "unsupported packet version 5"),
        ("silent", "server exited with code 0 before answering"),
        ("die-mid-response", "inside a packet"),
    ] {
        let s = d.init(&[bad_peer, mode]);
        let out = d.run(&["exec", &s, "--method", "1", "0x01"]);
        assert_eq!(out.status.code(), Some(1), "{mode}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains(want),
            "{mode}: {}",
            text(&out.stderr)
        );
        // The session ends with its server: it removes its socket right after answering, so
        // give it a moment (the exec above may return first).
        assert!(gone_within(path_of(&s), Duration::from_secs(5)), "{mode}");
    }

    let s = d.init(&[
        "--call-cycles-limit",
        "20000",
        contract("owned-server").to_str().unwrap(),
    ]);
    let big = d.0.join("big.bin");
    std::fs::write(&big, vec![1u8; 200_000]).unwrap();
    let out = d.run(&[
        "exec",
        &s,
        "--method",
        "1",
        "--payload-file",
        big.to_str().unwrap(),
    ]);
    assert!(
        text(&out.stderr).contains("exceeded its cycle limit of 20000"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn refuses_a_socket_directory_others_can_enter() {
    let d = Dir::new("open-dir");
    std::fs::create_dir_all(&d.0).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&d.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = d.run(&["init", contract("owned-server").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("mode 0700"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_payloads() {
    let d = Dir::new("json");
    let s = d.init(&[contract("json-server").to_str().unwrap()]);
    let out = d.run(&["exec", &s, "--method", "0", "--json", r#"{"Add": [40, 2]}"#]);
    assert_eq!(text(&out.stdout), "{\"Add\":42}\n", "{}", text(&out.stderr));
    let out = d.run(&["exec", &s, "--method", "0", "--json", r#"{"Echo": [1, 2]}"#]);
    assert_eq!(text(&out.stdout), "{\"Echo\":[1,2]}\n");
    let out = d.run(&["exec", &s, "--method", "0", "--json", "{oops"]);
    assert!(
        text(&out.stderr).starts_with("ckb-ipc: bad JSON payload"),
        "{}",
        text(&out.stderr)
    );
    let out = d.run(&[
        "call",
        contract("json-server").to_str().unwrap(),
        "--method",
        "0",
        "--json",
        r#"{"Fail": 7}"#,
    ]);
    assert_eq!(
        (
            out.status.code(),
            text(&out.stderr).lines().next().unwrap().to_string()
        ),
        (Some(3), "error 7".into())
    );
}

#[test]
fn help_on_every_command() {
    let d = Dir::new("help");
    for cmd in [
        &[][..],
        &["init"],
        &["exec"],
        &["terminate"],
        &["call"],
        &["methods"],
    ] {
        let out = d.run(&[cmd, &["--help"]].concat());
        assert!(out.status.success(), "{cmd:?}");
        assert!(text(&out.stdout).contains("Usage: ckb-ipc"), "{cmd:?}");
    }
}

/// The description `make build` wrote beside the server (its build.rs, then the stamp).
fn fixture(name: &str) -> PathBuf {
    let mut path = contract(name).into_os_string();
    path.push(".json");
    PathBuf::from(path)
}

/// `server` copied into the test's directory with the fixture beside it as `<FILE>.json`,
/// its `binary` member recording the copy's size and SHA-256 (or `binary` when given).
fn described_copy(d: &Dir, server: &str, binary: Option<serde_json::Value>) -> PathBuf {
    use sha2::{Digest, Sha256};
    d.create();
    let copy = d.0.join(server);
    std::fs::copy(contract(server), &copy).unwrap();
    let bytes = std::fs::read(&copy).unwrap();
    let sha: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture(server)).unwrap()).unwrap();
    doc["binary"] =
        binary.unwrap_or_else(|| serde_json::json!({ "size": bytes.len(), "sha256": sha }));
    std::fs::write(d.0.join(format!("{server}.json")), doc.to_string()).unwrap();
    copy
}

#[test]
fn typed_calls_by_name() {
    let d = Dir::new("typed");
    let server = described_copy(&d, "typed-server", None);
    let server = server.to_str().unwrap();

    let listing = "add(a: Uint64, b: Uint64) -> Uint64   id 0x2732f940 (657652032)\n\
                   echo(data: Bytes) -> Bytes            id 0x6ccc2a98 (1825319576)\n";
    let out = d.run(&["methods", server]);
    assert_eq!(text(&out.stdout), listing, "{}", text(&out.stderr));
    let given = fixture("typed-server");
    let original = contract("typed-server");
    let out = d.run(&[
        "methods",
        "--description",
        given.to_str().unwrap(),
        original.to_str().unwrap(),
    ]);
    assert_eq!(text(&out.stdout), listing, "{}", text(&out.stderr));

    let s = d.init(&[server]);
    let out = d.run(&["methods", &s]);
    assert_eq!(text(&out.stdout), listing, "{}", text(&out.stderr));
    let out = d.run(&["exec", &s, "add", "40", "2"]);
    assert_eq!(text(&out.stdout), "42\n", "{}", text(&out.stderr));
    assert!(out.status.success());
    let out = d.run(&["exec", &s, "add", "\"18446744073709551615\"", "0"]);
    assert_eq!(text(&out.stdout), "\"18446744073709551615\"\n");
    let out = d.run(&["exec", &s, "echo", "\"0x0102\"", "--cycles"]);
    assert_eq!(text(&out.stdout), "\"0x0102\"\n");
    assert!(
        text(&out.stderr).starts_with("cycles "),
        "{}",
        text(&out.stderr)
    );

    // Refused before anything is sent: one line naming the argument, and the session goes on.
    for (args, want) in [
        (
            vec!["add", "\"x\"", "2"],
            "ckb-ipc: argument `a` of add: expected Uint64 (an unsigned integer of 8 bytes), got \"x\"\n",
        ),
        (
            vec!["add", "-1", "2"],
            "ckb-ipc: argument `a` of add: expected Uint64 (an unsigned integer of 8 bytes), got -1 (out of range)\n",
        ),
        (
            vec!["add", "1"],
            "ckb-ipc: add takes 2 arguments (a: Uint64, b: Uint64), got 1\n",
        ),
        (
            vec!["echo", "0x01"],
            "ckb-ipc: argument `data` of echo: expected Bytes (bytes as \"0x..\" hex), got 0x01, which is not JSON (a string goes in quotes: '\"0x01\"')\n",
        ),
        (
            vec!["sub", "1", "2"],
            "ckb-ipc: no method \"sub\": the service has add, echo\n",
        ),
    ] {
        let out = d.run(&[&["exec", &s][..], &args].concat());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert_eq!(text(&out.stderr), want, "{args:?}");
    }
    let out = d.run(&["exec", &s, "add", "40", "2"]);
    assert_eq!(text(&out.stdout), "42\n");
    // The raw form, with the id in hex.
    let out = d.run(&["exec", &s, "--method", "0x2732f940", ADD_40_2]);
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
    // An id the server does not know, by name.
    let unknown = std::fs::read_to_string(fixture("typed-server"))
        .unwrap()
        .replace("657652032", "657652033");
    std::fs::write(d.0.join("unknown.json"), unknown).unwrap();
    let out = d.run(&[
        "exec",
        &s,
        "--description",
        d.0.join("unknown.json").to_str().unwrap(),
        "add",
        "1",
        "2",
    ]);
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (
            Some(3),
            "error 256 (UNKNOWN_METHOD: the server has no method of this id)\n".into()
        )
    );

    // `call` by name: the answer decides the status, the server's exit code is reported.
    let out = d.run(&["call", server, "add", "40", "2"]);
    assert_eq!(text(&out.stdout), "42\n", "{}", text(&out.stderr));
    assert!(out.status.success());
    assert!(
        text(&out.stderr).ends_with("\nexit code 0\n"),
        "{}",
        text(&out.stderr)
    );
    let out = d.run(&["call", server, "add", "x", "2"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("got x, which is not JSON"),
        "{}",
        text(&out.stderr)
    );
    let out = d.run(&["call", server, "--method", "0x2732f940", ADD_40_2]);
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");
}

#[test]
fn key_value_session_by_name() {
    let d = Dir::new("typed-kv");
    // The description beside the binary (build/release/kv-server.json).
    let kv = contract("kv-server");
    let k = d.init(&[kv.to_str().unwrap()]);
    let exec = |args: &[&str]| {
        let out = d.run(&[&["exec", &k][..], args].concat());
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    };
    assert_eq!(exec(&["put", "\"0x6b\"", "\"0x76\""]).1, "null\n");
    assert_eq!(exec(&["get", "\"0x6b\""]).1, "\"0x76\"\n");
    assert_eq!(exec(&["put", "\"0x6b\"", "\"0x77\""]).1, "\"0x76\"\n");
    assert_eq!(exec(&["count"]).1, "1\n");
    assert_eq!(
        exec(&["scan", "\"0x\""]).1,
        "[{\"key\":\"0x6b\",\"value\":\"0x77\"}]\n"
    );
    // Err(KvError::KEY_TOO_LONG): the error value on stdout, the code and its type on stderr.
    let long = format!("\"0x{}\"", "aa".repeat(65));
    assert_eq!(
        exec(&["put", &long, "\"0x\""]),
        (
            Some(3),
            "1\n".into(),
            "error 257 (SERVICE_ERROR: KvError)\n".into()
        )
    );
    assert_eq!(exec(&["get", "\"0x6b\""]).1, "\"0x77\"\n");
    // An enum (a molecule union): `{"Variant": value}`, or the name of a unit variant.
    let put = r#"{"Put": {"key": "0x6c", "value": "0x78"}}"#;
    assert_eq!(exec(&["apply", put]).1, "null\n");
    assert_eq!(exec(&["apply", r#"{"Remove": "0x6b"}"#]).1, "\"0x77\"\n");
    assert_eq!(exec(&["count"]).1, "1\n");
    assert_eq!(exec(&["apply", r#""Clear""#]).1, "null\n");
    assert_eq!(exec(&["count"]).1, "0\n");
    let refused = exec(&["apply", r#"{"Burn": 1}"#]);
    assert_eq!(refused.0, Some(1), "{refused:?}");
    assert!(refused.2.contains("Change"), "{refused:?}");
    assert_eq!(exec(&["count"]).1, "0\n");
}

#[test]
fn a_discoverable_server_describes_itself() {
    // kv-server answers DESCRIBE_METHOD: a copy without its .json is described by the server.
    let d = Dir::new("discovery");
    d.create();
    let copy = d.0.join("kv-server");
    std::fs::copy(contract("kv-server"), &copy).unwrap();
    let out = d.run(&["methods", copy.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("apply(change: Change)"),
        "{}",
        text(&out.stdout)
    );
    let k = d.init(&[copy.to_str().unwrap()]);
    let out = d.run(&["exec", &k, "put", "\"0x01\"", "\"0x02\""]);
    assert_eq!(text(&out.stdout), "null\n", "{}", text(&out.stderr));
}

#[test]
fn descriptions_that_do_not_belong_are_refused() {
    let d = Dir::new("typed-refused");
    let stale = serde_json::json!({ "size": 1, "sha256": "00" });
    let server = described_copy(&d, "typed-server", Some(stale));
    let server = server.to_str().unwrap();
    let json = format!("{server}.json");
    let want = format!("ckb-ipc: {json} does not describe {server}: it is for a binary of 1 bytes");

    let out = d.run(&["methods", server]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with(&want),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(text(&out.stderr).lines().count(), 1);
    let out = d.run(&["call", server, "add", "40", "2"]);
    assert!(
        text(&out.stderr).starts_with(&want),
        "{}",
        text(&out.stderr)
    );
    // Given on purpose, it stops init.
    let out = d.run(&["init", "--description", &json, server]);
    assert!(
        text(&out.stderr).starts_with(&want),
        "{}",
        text(&out.stderr)
    );
    // Found beside the file, it stops typed calls only.
    let s = d.init(&[server]);
    let out = d.run(&["exec", &s, "add", "40", "2"]);
    assert!(
        text(&out.stderr).contains(&want["ckb-ipc: ".len()..]),
        "{}",
        text(&out.stderr)
    );
    let out = d.run(&["exec", &s, "--method", "657652032", ADD_40_2]);
    assert_eq!(text(&out.stdout), "0x2a00000000000000\n");

    // A description that does not parse is named with the parse error.
    std::fs::write(&json, "{\"format\": ").unwrap();
    let out = d.run(&["methods", server]);
    assert_eq!(
        text(&out.stderr),
        format!("ckb-ipc: {json}: not a service description: EOF while parsing a value at line 1 column 11\n")
    );
    // No description at all: the server is asked (discovery); typed-server has none.
    std::fs::remove_file(&json).unwrap();
    let out = d.run(&["methods", server]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the server has no discovery"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn call_reports_the_exit_code_of_a_ckb_script_ipc_server() {
    // ckb-script-ipc-common's server exits -1 when its client hangs up: the answer decides.
    let d = Dir::new("their-exit");
    let out = d.run(&[
        "call",
        contract("their-server").to_str().unwrap(),
        "--method",
        "0",
        "--json",
        r#"{"Add": [40, 2]}"#,
    ]);
    assert_eq!(text(&out.stdout), "{\"Add\":42}\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).ends_with("\nexit code -1\n"),
        "{}",
        text(&out.stderr)
    );
}
