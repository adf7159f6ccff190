//! The README's `ckb-ipc` session, run as written: every command of the ```console block under
//! "Off-chain" in one shell, its output compared with the README's, socket paths aside (they
//! hold a process id). Cycle counts are deterministic, so they must match to the digit.
//! `make bench` runs it with `CKB_IPC_WRITE_README=1`, which writes the fresh run into the
//! README instead, as long as only its numbers changed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::{Path, PathBuf};
use std::process::Command;

/// The marker line right before the checked block.
const MARKER: &str =
    "<!-- the session below is run and checked by crates/ckb-ipc-cli/tests/readme.rs -->";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README's block: its lines, commands starting with `$ `.
fn readme_session() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let at = readme
        .find(MARKER)
        .expect("the session marker in README.md");
    let start = at + readme[at..].find("```console\n").expect("a console block") + 11;
    let end = start + readme[start..].find("```").expect("the block's end");
    readme[start..end].to_string()
}

/// Runs the commands of `session` in one bash (so `$S` carries over), echoing each as `$ cmd`
/// before its output, stderr and stdout interleaved as a terminal shows them.
fn run(session: &str, tool_dir: &Path, sockets: &Path) -> String {
    let commands: Vec<&str> = session
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .collect();
    let mut script = String::from("exec 2>&1\n");
    for c in &commands {
        script.push_str(&format!("echo {}\n{c}\n", shell_quote(&format!("$ {c}"))));
    }
    let path = format!(
        "{}:{}",
        tool_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(repo())
        .env("PATH", path)
        .env("CKB_IPC_DIR", sockets)
        .output()
        .expect("bash");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Socket paths replaced by `<socket>`.
fn normalized(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| match word.find('/') {
                    Some(at) if word.trim_end_matches([':', '\n']).ends_with(".sock") => {
                        let tail = if word.ends_with('\n') { "\n" } else { "" };
                        let colon = if word.trim_end().ends_with(':') {
                            ":"
                        } else {
                            ""
                        };
                        format!("{}<socket>{colon}{tail}", &word[..at])
                    }
                    _ => word.to_string(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

#[test]
fn the_readme_session_prints_what_the_readme_shows() {
    if !repo().join("build/release/owned-server").exists() {
        panic!("build/release/owned-server: run `make build` first (make test does)");
    }
    if !repo().join("tests/js/dist/server.js").exists() {
        panic!("tests/js/dist/server.js: run `make js` first (make test does)");
    }
    let tool = PathBuf::from(env!("CARGO_BIN_EXE_ckb-ipc"));
    let sockets = std::env::temp_dir().join(format!("ckb-ipc-readme-{}", std::process::id()));
    let expected = readme_session();
    let actual = run(&expected, tool.parent().expect("tool dir"), &sockets);
    let _ = std::fs::remove_dir_all(&sockets);
    if std::env::var_os("CKB_IPC_WRITE_README").is_some() {
        // `make bench`: the fresh run becomes the README's block (socket paths as before), when
        // only numbers moved; anything else is a change of behaviour for a person to look at.
        let digits_masked = |t: &str| normalized(t).replace(|c: char| c.is_ascii_digit(), "0");
        assert_eq!(
            digits_masked(&actual),
            digits_masked(&expected),
            "the README's ckb-ipc session changed more than its numbers; the fresh run:\n{actual}"
        );
        write_session(&expected, &actual);
        return;
    }
    assert_eq!(
        normalized(&actual),
        normalized(&expected),
        "README.md's ckb-ipc session differs from a fresh run; the fresh run:\n{actual}"
    );
}

/// Replaces the README's block with `fresh`, its socket paths replaced by the README's first.
fn write_session(old: &str, fresh: &str) {
    let is_socket = |w: &&str| w.trim_end_matches([':', '\n']).ends_with(".sock");
    let path_of = |w: &str| {
        let w = w.trim_end_matches([':', '\n']);
        w.find('/').map(|at| w[at..].to_string())
    };
    let readme_path = old.split([' ', '\n']).find(is_socket).and_then(path_of);
    let mut text = fresh.to_string();
    if let Some(keep) = readme_path {
        let fresh_paths: Vec<String> = fresh
            .split([' ', '\n'])
            .filter(is_socket)
            .filter_map(path_of)
            .collect();
        for p in fresh_paths {
            text = text.replace(&p, &keep);
        }
    }
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let at = readme
        .find(MARKER)
        .expect("the session marker in README.md");
    let start = at + readme[at..].find("```console\n").expect("a console block") + 11;
    let end = start + readme[start..].find("```").expect("the block's end");
    let updated = format!("{}{text}{}", &readme[..start], &readme[end..]);
    std::fs::write(&path, updated).expect("write README.md");
}

#[test]
fn socket_paths_are_normalized() {
    assert_eq!(
        normalized("ipc:/tmp/a/1-2.sock\nckb-ipc: no session at /x/y.sock: gone\n"),
        "ipc:<socket>\nckb-ipc: no session at <socket>: gone\n"
    );
}
