//! What kind of server a file is: a RISC-V ELF (hosted) or a native executable.

use std::io::Read as _;
use std::path::Path;

use crate::Result;

/// What kind of server a file is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    RiscV,
    Native,
}

const EM_RISCV: u16 = 243;

/// A RISC-V ELF is hosted; any other executable runs natively.
pub(crate) fn kind_of(file: &Path) -> Result<Kind> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("no such file: {}", file.display()),
        _ => format!("{}: {e}", file.display()),
    })?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    let mut head = [0u8; 20];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let elf = n == head.len() && head.starts_with(b"\x7fELF");
    if elf && u16::from_le_bytes([head[18], head[19]]) == EM_RISCV {
        return Ok(Kind::RiscV);
    }
    if meta.permissions().mode() & 0o111 != 0 {
        return Ok(Kind::Native);
    }
    Err(format!(
        "{} is neither a RISC-V ELF nor an executable",
        file.display()
    ))
}
