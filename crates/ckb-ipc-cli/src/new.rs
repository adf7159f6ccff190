//! `ckb-ipc new <DIR>`: a repository of one's own, in ckb-script-templates' layout, with a
//! service in it: its trait, a server and a client script, and their test in CKB-VM.
//!
//! The service's files are the ones `make new-service` writes into this repository
//! (`templates/service`, listed with their destinations in `templates/service.files`); only
//! the workspace's own files (`templates/project`) are this command's. Everything is compiled
//! into the tool, so it works from an installed binary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::Result;

#[derive(Args)]
pub(crate) struct NewArgs {
    /// The directory to create (or an empty one).
    pub(crate) dir: PathBuf,
    /// The service's name: lower-case letters, digits and single '-' (default: DIR's name).
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// A ckb-ipc checkout to take the crates from (`[patch.crates-io]`, and its Cargo.lock).
    #[arg(long, value_name = "CHECKOUT", conflicts_with = "ckb_ipc_git")]
    pub(crate) ckb_ipc_path: Option<PathBuf>,
    /// A git repository of ckb-ipc to take the crates from (`[patch.crates-io]`).
    #[arg(long, value_name = "URL")]
    pub(crate) ckb_ipc_git: Option<String>,
}

/// The service's template files, destinations and all (shared with `make new-service`).
const SERVICE_FILES: &str = include_str!("../templates/service.files");

fn service_template(path: &str) -> Option<&'static str> {
    Some(match path {
        "proto/Cargo.toml.tpl" => include_str!("../templates/service/proto/Cargo.toml.tpl"),
        "proto/src/lib.rs" => include_str!("../templates/service/proto/src/lib.rs"),
        "proto/tests/service.rs" => include_str!("../templates/service/proto/tests/service.rs"),
        "server/Cargo.toml.tpl" => include_str!("../templates/service/server/Cargo.toml.tpl"),
        "server/src/main.rs" => include_str!("../templates/service/server/src/main.rs"),
        "server/build.rs" => include_str!("../templates/service/server/build.rs"),
        "client/Cargo.toml.tpl" => include_str!("../templates/service/client/Cargo.toml.tpl"),
        "client/src/main.rs" => include_str!("../templates/service/client/src/main.rs"),
        _ => return None,
    })
}

/// The workspace's own files: destination, template.
const PROJECT: [(&str, &str); 6] = [
    (
        "Cargo.toml",
        include_str!("../templates/project/Cargo.toml.tpl"),
    ),
    ("Makefile", include_str!("../templates/project/Makefile")),
    (
        "scripts/stamp-description.sh",
        include_str!("../templates/project/stamp-description.sh"),
    ),
    (
        "rust-toolchain.toml",
        include_str!("../templates/project/rust-toolchain.toml"),
    ),
    (
        "README.md",
        include_str!("../templates/project/README.md.tpl"),
    ),
    (".gitignore", include_str!("../templates/project/gitignore")),
];

/// The crates' version: the tool is released with them (one workspace version).
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where the ckb-ipc crates come from until they are published.
enum Source {
    Checkout(PathBuf),
    Git(String),
    /// crates.io, with the patch section left commented out.
    Registry,
}

pub(crate) fn run(a: NewArgs) -> Result<ExitCode> {
    let name = match &a.name {
        Some(name) => name.clone(),
        None => a
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                format!(
                    "{}: no directory name to name the service after; give --name",
                    a.dir.display()
                )
            })?,
    };
    check_name(&name).map_err(|e| match a.name {
        Some(_) => e,
        None => format!("{e}; or give --name (the default is DIR's name)"),
    })?;
    let source = match (a.ckb_ipc_path, a.ckb_ipc_git) {
        (Some(path), _) => Source::Checkout(checkout(&path)?),
        (None, Some(url)) if url.trim().is_empty() || url.contains(['\n', '\r']) => {
            return Err(format!("--ckb-ipc-git: '{url}' is not a URL"));
        }
        (None, Some(url)) => Source::Git(url),
        (None, None) => Source::Registry,
    };
    check_dir(&a.dir)?;

    let files = files(&name, &source)?;
    for (dest, text) in &files {
        write(&a.dir.join(dest), text)?;
    }
    // The checkout's lock file: the versions ckb-ipc is tested with, so the first build resolves
    // to those (cargo drops the entries this workspace does not use) and shares their builds.
    if let Source::Checkout(checkout) = &source {
        let lock = checkout.join("Cargo.lock");
        if lock.is_file() {
            std::fs::copy(&lock, a.dir.join("Cargo.lock"))
                .map_err(|e| format!("copying {}: {e}", lock.display()))?;
        }
    }

    let dir = a.dir.display();
    println!(
        "Created {dir}, a workspace with the {} service:",
        trait_name(&name)
    );
    for (dest, _) in &files {
        println!("  {dest}");
    }
    if let Source::Registry = source {
        println!(
            "ckb-ipc is not on crates.io yet: uncomment [patch.crates-io] in {dir}/Cargo.toml"
        );
    }
    println!("Next: cd {dir} && make test");
    Ok(ExitCode::SUCCESS)
}

/// The rules of `make new-service`: a name that makes a package name, a Rust trait name
/// (`price-oracle` -> `PriceOracle`) and a crate path (`price_oracle_proto`).
fn check_name(name: &str) -> Result<()> {
    let words_ok = name.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    let starts_ok = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    // `self` would make the trait `Self`, a keyword.
    if words_ok && starts_ok && name.len() <= 40 && name != "self" {
        return Ok(());
    }
    Err(format!(
        "bad service name '{name}': use lower-case letters, digits and single '-', starting with a letter, at most 40 characters, not self (e.g. counter, price-oracle)"
    ))
}

/// The root of a ckb-ipc checkout, absolute: the generated project may live anywhere.
fn checkout(path: &Path) -> Result<PathBuf> {
    let root = std::fs::canonicalize(path)
        .map_err(|e| format!("--ckb-ipc-path {}: {e}", path.display()))?;
    if !root.join("crates/ckb-ipc/Cargo.toml").is_file() {
        return Err(format!(
            "--ckb-ipc-path {}: no crates/ckb-ipc/Cargo.toml there; give the root of a ckb-ipc checkout",
            path.display()
        ));
    }
    if root.to_str().is_none() {
        return Err(format!(
            "--ckb-ipc-path {}: the path is not UTF-8, which Cargo.toml needs",
            path.display()
        ));
    }
    Ok(root)
}

/// A new directory, or an empty one: nothing of the user's is overwritten.
fn check_dir(dir: &Path) -> Result<()> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(format!(
                "{}: the directory is not empty; give a new one",
                dir.display()
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(format!("{}: exists and is not a directory", dir.display())),
        Err(e) => Err(format!("{}: {e}", dir.display())),
    }
}

/// Every file of the project: its path in the project, its text.
fn files(name: &str, source: &Source) -> Result<Vec<(String, String)>> {
    let trait_name = trait_name(name);
    let crate_name = format!("{name}-proto").replace('-', "_");
    let patch = patch_section(source);
    let expand = |text: &str| {
        text.replace("__NAME__", name)
            .replace("__TRAIT__", &trait_name)
            .replace("__CRATE__", &crate_name)
            .replace("__VERSION__", VERSION)
            .replace("__PATCH__", &patch)
    };
    let mut files: Vec<(String, String)> = PROJECT
        .iter()
        .map(|(dest, text)| (dest.to_string(), expand(text)))
        .collect();
    for line in SERVICE_FILES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let (template, dest) = line
            .split_once(' ')
            .ok_or_else(|| format!("templates/service.files: bad line '{line}'"))?;
        let text = service_template(template)
            .ok_or_else(|| format!("templates/service.files: {template} is not compiled in"))?;
        files.push((dest.replace("__NAME__", name), expand(text)));
    }
    Ok(files)
}

/// counter -> Counter, price-oracle -> PriceOracle (as new-service.sh does).
fn trait_name(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Cargo.toml's `[patch.crates-io]`: the crates are not on crates.io yet.
fn patch_section(source: &Source) -> String {
    const CRATES: [&str; 3] = ["ckb-ipc", "ckb-ipc-macros", "ckb-ipc-testtool"];
    match source {
        Source::Checkout(root) => {
            let root = root.to_string_lossy();
            let mut s = format!(
                "# ckb-ipc is not on crates.io yet: its crates come from the checkout at {root}\n\
                 # (`ckb-ipc new --ckb-ipc-path`). Delete this section once they are published.\n\
                 [patch.crates-io]\n"
            );
            for c in CRATES {
                s += &format!(
                    "{c} = {{ path = {} }}\n",
                    toml_string(&format!("{root}/crates/{c}"))
                );
            }
            s
        }
        Source::Git(url) => {
            let mut s = String::from(
                "# ckb-ipc is not on crates.io yet: its crates come from git (`ckb-ipc new\n\
                 # --ckb-ipc-git`). Delete this section once they are published.\n\
                 [patch.crates-io]\n",
            );
            for c in CRATES {
                s += &format!("{c} = {{ git = {} }}\n", toml_string(url));
            }
            s
        }
        Source::Registry => {
            let repo = env!("CARGO_PKG_REPOSITORY");
            let mut s = String::from(
                "# ckb-ipc is not on crates.io yet: uncomment this section and point it at a checkout\n\
                 # of ckb-ipc (`path = \"<checkout>/crates/<crate>\"`) or at its git repository, as\n\
                 # `ckb-ipc new --ckb-ipc-path <checkout>` or `--ckb-ipc-git <url>` writes it.\n\
                 # Delete it once the crates are published.\n\
                 # [patch.crates-io]\n",
            );
            for c in CRATES {
                s += &format!("# {c} = {{ git = \"{repo}\" }}\n");
            }
            s
        }
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
