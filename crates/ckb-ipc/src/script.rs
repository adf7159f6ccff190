//! What a script without a heap needs of its own: its args, and a debug line. ckb-std's
//! `high_level::load_script` and `debug!` allocate (a `Script` entity, a `String`); these read
//! into and format in buffers the caller or the stack owns.

use core::fmt;

use ckb_std::error::SysError;

use crate::error::IpcError;

/// The running script's args (the `args` of its `Script`), read into `buf` and lent from it:
/// `buf` holds the whole `Script` (53 bytes of `code_hash`, `hash_type` and headers, then the
/// args). A `buf` too small is `Sys(LengthNotEnough(n))`, `n` the bytes it needs.
pub fn script_args(buf: &mut [u8]) -> Result<&[u8], IpcError> {
    let len = ckb_std::syscalls::load_script(buf, 0).map_err(IpcError::Sys)?;
    let script = buf
        .get(..len)
        .ok_or(IpcError::Sys(SysError::LengthNotEnough(len)))?;
    args_of(script).ok_or(IpcError::Deserialize)
}

/// The `args` of a molecule `Script` (a table: its size, three offsets, then `code_hash`,
/// `hash_type` and `args`, a `Bytes`: a 4-byte length and the bytes), every number checked.
fn args_of(script: &[u8]) -> Option<&[u8]> {
    let word = |at: usize| -> Option<usize> {
        let bytes = script.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(bytes.try_into().ok()?) as usize)
    };
    let at = word(12)?;
    let len = word(at)?;
    let start = at.checked_add(4)?;
    script.get(start..start.checked_add(len)?)
}

/// Bytes of a [`debug_line`] (longer lines are cut, ending in `...`).
pub const DEBUG_LINE_MAX: usize = 255;

/// Prints `args` as one line of the transaction's debug output (ckb-std's `debug!`, formatted
/// on the stack instead of the heap): `ckb_ipc::debug_line(format_args!("bad reply {code}"))`.
pub fn debug_line(args: fmt::Arguments<'_>) {
    let mut line = Line {
        bytes: [0; DEBUG_LINE_MAX + 1],
        len: 0,
        cut: false,
    };
    // `Line` never fails; a `Display` that does leaves what it wrote.
    let _ = fmt::write(&mut line, args);
    if line.cut {
        let end = DEBUG_LINE_MAX.saturating_sub(3);
        if let Some(dots) = line.bytes.get_mut(end..DEBUG_LINE_MAX) {
            dots.copy_from_slice(b"...");
        }
        line.len = DEBUG_LINE_MAX;
    }
    // 0-terminated: the byte after the text (`bytes` is one longer than a line).
    if let Some(end) = line.bytes.get_mut(line.len) {
        *end = 0;
    }
    debug_cstr(&line.bytes);
}

/// A line being formatted: up to [`DEBUG_LINE_MAX`] bytes and a 0.
struct Line {
    bytes: [u8; DEBUG_LINE_MAX + 1],
    len: usize,
    cut: bool,
}

impl fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        // A 0 inside would end the line early: written as a space.
        for &b in s.as_bytes() {
            match self.bytes.get_mut(self.len) {
                Some(slot) if self.len < DEBUG_LINE_MAX => {
                    *slot = if b == 0 { b' ' } else { b };
                    self.len += 1;
                }
                _ => {
                    self.cut = true;
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}

/// The debug syscall on `text`, which holds a 0 (the line ends there); allocates nothing.
pub(crate) fn debug_cstr(text: &[u8]) {
    // Without its 0 the syscall would read past `text`: nothing is printed.
    if text.contains(&0) {
        #[cfg(target_arch = "riscv64")]
        // SAFETY: the debug syscall only reads the 0-terminated string at a0, within `text`.
        unsafe {
            core::arch::asm!(
                "ecall",
                inlateout("a0") text.as_ptr() as u64 => _,
                in("a7") ckb_std::ckb_constants::SYS_DEBUG,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)] // test code: a bad index fails the test
    use super::*;
    use fmt::Write;

    #[test]
    fn args_are_read_from_a_script_and_bad_offsets_refused() {
        use ckb_std::ckb_types::packed::{Bytes, Script};
        use ckb_std::ckb_types::prelude::{Builder, Entity};
        let script = Script::new_builder()
            .args(Bytes::from_slice(&[4, 0, 0, 0, 1, 2, 3, 4]).unwrap())
            .build();
        assert_eq!(args_of(script.as_slice()), Some(&[1, 2, 3, 4][..]));
        let mut bad = script.as_slice().to_vec();
        bad[12] = 0xff;
        assert_eq!(args_of(&bad), None);
        assert_eq!(args_of(&bad[..10]), None);
    }

    #[test]
    fn long_lines_are_cut_and_zeros_become_spaces() {
        let mut line = Line {
            bytes: [0; DEBUG_LINE_MAX + 1],
            len: 0,
            cut: false,
        };
        line.write_str("a\0b").unwrap();
        assert_eq!(&line.bytes[..3], b"a b");
        for _ in 0..300 {
            line.write_str("x").unwrap();
        }
        assert!(line.cut);
        assert_eq!(line.len, DEBUG_LINE_MAX);
    }
}
