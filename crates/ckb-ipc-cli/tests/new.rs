//! `ckb-ipc new`: what it writes, what it refuses. Building and testing what it writes (`make
//! test` in the generated project) is CI's job (`.ci/run`); here cargo only reads its manifests.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)] // test code

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An empty scratch directory per test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn join(&self, path: &str) -> PathBuf {
        self.0.join(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(test: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("ckb-ipc-new-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

fn new(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("ckb-ipc")
        .unwrap()
        .arg("new")
        .args(args)
        .assert()
}

/// The lines of `text` from the one starting with `first` up to (not including) the next
/// `[section]` header or the end.
fn section<'a>(text: &'a str, first: &str) -> &'a str {
    let start = text.find(first).unwrap_or_else(|| panic!("no {first}"));
    let rest = &text[start + first.len()..];
    let end = rest.find("\n[").map_or(rest.len(), |e| e + 1);
    &text[start..start + first.len() + end]
}

/// The line of `text` that starts with `prefix`.
fn line<'a>(text: &'a str, prefix: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix}"))
}

#[test]
fn a_project_from_a_checkout() {
    let base = scratch("checkout");
    let dir = base.join("my-service");
    let root = repo();
    new(&[
        dir.to_str().unwrap(),
        "--ckb-ipc-path",
        root.to_str().unwrap(),
    ])
    .success();

    let manifest = read(&dir.join("Cargo.toml"));
    for c in ["ckb-ipc", "ckb-ipc-macros", "ckb-ipc-testtool"] {
        let patch = format!("{c} = {{ path = \"{}/crates/{c}\" }}", root.display());
        assert!(manifest.contains(&patch), "no `{patch}` in\n{manifest}");
    }
    assert!(manifest.contains("\n[patch.crates-io]\n"), "{manifest}");
    // Dependencies by version, the same as this workspace's.
    let ours = read(&root.join("Cargo.toml"));
    let version = line(&ours, "version = ");
    assert_eq!(
        line(&manifest, "ckb-ipc = "),
        format!("ckb-ipc = \"{}\"", &version[11..version.len() - 1])
    );
    assert_eq!(line(&manifest, "ckb-std = "), line(&ours, "ckb-std = "));
    let testtool = read(&root.join("crates/ckb-ipc-testtool/Cargo.toml"));
    assert_eq!(
        line(&manifest, "ckb-testtool = "),
        line(&testtool, "ckb-testtool = ")
    );
    // The profiles the README's cycles assume, the toolchain, the RISC-V flags: ours.
    assert_eq!(
        section(&manifest, "[profile.release]"),
        section(&ours, "[profile.release]")
    );
    assert_eq!(
        section(&manifest, "[profile.dev]"),
        section(&ours, "[profile.dev]")
    );
    assert_eq!(
        read(&dir.join("rust-toolchain.toml")),
        read(&root.join("rust-toolchain.toml"))
    );
    let makefile = read(&dir.join("Makefile"));
    let our_makefile = read(&root.join("Makefile"));
    assert_eq!(
        line(&makefile, "CONTRACT_RUSTFLAGS := "),
        line(&our_makefile, "CONTRACT_RUSTFLAGS := ")
    );
    assert_eq!(line(&makefile, "riscv-target:"), "riscv-target:");
    // The checkout's lock file, so the first build takes the versions ckb-ipc is tested with.
    assert_eq!(
        read(&dir.join("Cargo.lock")),
        read(&root.join("Cargo.lock"))
    );
    let ignore = read(&dir.join(".gitignore"));
    for ignored in ["/build", "/target", "failed_txs/"] {
        assert!(
            ignore.lines().any(|l| l == ignored),
            "{ignored} in .gitignore"
        );
    }

    // The service's files are the in-tree templates, expanded as new-service.sh expands them.
    let templates = repo().join("crates/ckb-ipc-cli/templates/service");
    let server = read(&templates.join("server/src/main.rs"))
        .replace("__CRATE__", "my_service_proto")
        .replace("__TRAIT__", "MyService")
        .replace("__NAME__", "my-service");
    assert_eq!(
        read(&dir.join("contracts/my-service-server/src/main.rs")),
        server
    );
    for file in [
        "contracts/my-service-proto/src/lib.rs",
        "contracts/my-service-proto/tests/my-service.rs",
        "contracts/my-service-client/src/main.rs",
        "contracts/my-service-client/Cargo.toml",
        "README.md",
    ] {
        let text = read(&dir.join(file));
        assert!(!text.contains("__"), "{file}: a placeholder left:\n{text}");
    }

    // Cargo reads the workspace as a workspace of the three crates (no build, no network).
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let metadata = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for package in ["my-service-proto", "my-service-server", "my-service-client"] {
        assert!(
            metadata.contains(&format!("\"name\":\"{package}\"")),
            "{package}: {metadata}"
        );
    }
}

#[test]
fn every_template_file_is_listed_and_compiled_in() {
    // A file added under templates/service but not to service.files would be written by neither.
    let templates = repo().join("crates/ckb-ipc-cli/templates");
    let listed = read(&templates.join("service.files"));
    let mut found = Vec::new();
    let mut dirs = vec![templates.join("service")];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                found.push(
                    path.strip_prefix(templates.join("service"))
                        .unwrap()
                        .to_owned(),
                );
            }
        }
    }
    assert_eq!(found.len(), 8, "{found:?}");
    for f in found {
        let f = f.to_str().unwrap();
        assert!(
            listed.lines().any(|l| l.starts_with(&format!("{f} "))),
            "{f} not in service.files"
        );
    }
    // And the tool writes every listed file (it refuses to run otherwise).
    let base = scratch("listed");
    let dir = base.join("counter");
    new(&[dir.to_str().unwrap()]).success();
    for l in listed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let dest = l.split_once(' ').unwrap().1.replace("__NAME__", "counter");
        assert!(dir.join(&dest).is_file(), "{dest}");
    }
}

#[test]
fn without_a_source_the_patch_is_commented_out() {
    let base = scratch("registry");
    let dir = base.join("price-oracle");
    let out = new(&[dir.to_str().unwrap()]).success().get_output().clone();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("uncomment [patch.crates-io]"), "{stdout}");
    let manifest = read(&dir.join("Cargo.toml"));
    assert!(
        !manifest.lines().any(|l| l.starts_with("[patch")),
        "{manifest}"
    );
    assert!(
        manifest.contains("\n# [patch.crates-io]\n# ckb-ipc = { git = "),
        "{manifest}"
    );
    assert!(
        !dir.join("Cargo.lock").exists(),
        "no lock file without a checkout"
    );
    let proto = read(&dir.join("contracts/price-oracle-proto/src/lib.rs"));
    assert!(proto.contains("pub trait PriceOracle {"), "{proto}");
}

#[test]
fn a_git_source_and_a_name() {
    let base = scratch("git");
    let dir = base.join("Not_A_Name");
    let url = "https://example.com/ckb-ipc.git";
    new(&[
        dir.to_str().unwrap(),
        "--name",
        "counter",
        "--ckb-ipc-git",
        url,
    ])
    .success();
    let manifest = read(&dir.join("Cargo.toml"));
    for c in ["ckb-ipc", "ckb-ipc-macros", "ckb-ipc-testtool"] {
        assert!(
            manifest.contains(&format!("\n{c} = {{ git = \"{url}\" }}\n")),
            "{manifest}"
        );
    }
    assert!(dir.join("contracts/counter-server/src/main.rs").is_file());
}

/// A refusal: exit 1, one line on stderr, nothing written.
fn refused(args: &[&str], dir: &Path, says: &str) {
    let out = new(args).failure().get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("ckb-ipc: ") && stderr.contains(says),
        "{stderr}"
    );
    assert!(
        !dir.join("Cargo.toml").exists(),
        "{}: written despite the refusal",
        dir.display()
    );
}

#[test]
fn bad_names_are_refused() {
    let base = scratch("names");
    for name in [
        "Counter",
        "2fast",
        "a--b",
        "a-",
        "a_b",
        "self",
        "",
        &"x".repeat(41),
    ] {
        let dir = base.join("ok");
        refused(
            &[dir.to_str().unwrap(), "--name", name],
            &dir,
            "bad service name",
        );
    }
    // The default name is DIR's; the error says how to give another.
    let dir = base.join("My_Service");
    refused(&[dir.to_str().unwrap()], &dir, "give --name");
    assert!(!dir.exists());
}

#[test]
fn an_existing_directory_is_refused_unless_empty() {
    let base = scratch("existing");
    let dir = base.join("counter");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    refused(&[dir.to_str().unwrap()], &dir, "is not empty");
    assert_eq!(read(&dir.join("notes.txt")), "mine");
    let file = base.join("file");
    std::fs::write(&file, "mine").unwrap();
    refused(
        &[file.to_str().unwrap(), "--name", "counter"],
        &base.0,
        "not a directory",
    );
    // An empty directory is taken.
    let empty = base.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    new(&[empty.to_str().unwrap(), "--name", "counter"]).success();
    assert!(empty.join("Makefile").is_file());
}

#[test]
fn a_path_that_is_no_checkout_is_refused() {
    let base = scratch("nocheckout");
    let dir = base.join("counter");
    refused(
        &[
            dir.to_str().unwrap(),
            "--ckb-ipc-path",
            base.0.to_str().unwrap(),
        ],
        &dir,
        "no crates/ckb-ipc/Cargo.toml",
    );
    refused(
        &[dir.to_str().unwrap(), "--ckb-ipc-path", "/no/such/dir"],
        &dir,
        "--ckb-ipc-path /no/such/dir",
    );
}
