//! For a server script's `build.rs` (feature `build`, host only): hands the description of
//! the services it serves to the build.
//!
//! ```toml
//! [build-dependencies]
//! ckb-ipc = { version = "0.1", features = ["build"] }
//! kv-proto = { path = "../kv-proto" }   # the crate with the #[ckb_ipc::service] trait
//! ```
//! ```ignore
//! // build.rs
//! fn main() -> std::io::Result<()> {
//!     ckb_ipc::build::describe(&[kv_proto::KeyValueMethods::description()])
//! }
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::string::String;

use crate::service::{document, Description};

/// The file in `$OUT_DIR` that [`describe`] writes and [`description!`](crate::description)
/// includes.
pub const DESCRIPTION_FILE: &str = "ckb-ipc-description.json";

/// Writes the description document of `services` (`docs/description.md`) to
/// `$OUT_DIR/ckb-ipc-description.json` (what `ckb_ipc::description!()` includes, for
/// discovery) and beside the binary cargo links, as `<package>.json` in
/// `target/<triple>/<profile>/` (where `make build` copies it from, next to the binary in
/// `build/<mode>/`). Cargo runs it again when the service's crate changes.
pub fn describe(services: &[Description]) -> io::Result<()> {
    let out_dir = env("OUT_DIR")?;
    let package = env("CARGO_PKG_NAME")?;
    let text = document(services);
    let out_dir = PathBuf::from(out_dir);
    std::fs::write(out_dir.join(DESCRIPTION_FILE), &text)?;
    // OUT_DIR is <target>/<triple>/<profile>/build/<package>-<hash>/out.
    if let Some(profile_dir) = out_dir.ancestors().nth(3) {
        write_if_changed(&profile_dir.join(std::format!("{package}.json")), &text)?;
    }
    std::println!("cargo:rerun-if-changed=build.rs");
    Ok(())
}

fn env(name: &str) -> io::Result<String> {
    std::env::var(name).map_err(|_| {
        io::Error::new(
            io::ErrorKind::NotFound,
            std::format!("ckb_ipc::build::describe runs in a build script: ${name} is not set"),
        )
    })
}

/// Leaves an identical file alone (its time stamp too).
fn write_if_changed(path: &Path, text: &str) -> io::Result<()> {
    match std::fs::read_to_string(path) {
        Ok(old) if old == text => Ok(()),
        _ => std::fs::write(path, text),
    }
}
