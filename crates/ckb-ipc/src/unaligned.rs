//! Loads, stores and copies at any address.
//!
//! CKB-VM loads and stores words at any alignment: an `ld` or `sd` costs 2 cycles, a `lw` 3,
//! the same as a byte's `lbu` or `sb`. Rust does not know this for `riscv64imac` (the
//! `unaligned-scalar-mem` target feature is unstable), so it reads a `u64` from bytes of
//! unknown alignment with eight byte loads and the shifts that join them (~40 cycles,
//! measured), and `memcpy` goes a byte a step between addresses of different alignment (~10
//! cycles a byte). On RISC-V these say the word loads and stores in assembly; elsewhere (the
//! tests, the fuzzers) they are the plain operations.

/// The `N` bytes at `bytes` as one load of `N` bytes (a `u16`, `u32` or `u64`'s little-endian
/// bytes; any other `N` a copy): `<T>::from_le_bytes(load(b))` is one instruction.
#[inline(always)]
pub(crate) fn load<const N: usize>(bytes: &[u8; N]) -> [u8; N] {
    #[cfg(target_arch = "riscv64")]
    {
        let p = bytes.as_ptr();
        let word: u64;
        // SAFETY: `p` points to `N` readable bytes, and the instruction reads `N` of them.
        unsafe {
            match N {
                8 => core::arch::asm!("ld {w}, 0({p})", w = lateout(reg) word, p = in(reg) p,
                    options(nostack, readonly, preserves_flags)),
                4 => core::arch::asm!("lwu {w}, 0({p})", w = lateout(reg) word, p = in(reg) p,
                    options(nostack, readonly, preserves_flags)),
                2 => core::arch::asm!("lhu {w}, 0({p})", w = lateout(reg) word, p = in(reg) p,
                    options(nostack, readonly, preserves_flags)),
                _ => return *bytes,
            }
        }
        let mut out = [0u8; N];
        if let Some(word_bytes) = word.to_le_bytes().get(..N) {
            out.copy_from_slice(word_bytes);
        }
        out
    }
    #[cfg(not(target_arch = "riscv64"))]
    {
        *bytes
    }
}

/// Writes `bytes` at `dst` as one store of `N` bytes where `N` is 2, 4 or 8, as two where it
/// is 3 and three where it is 7 (a packet header's lengths; a copy otherwise).
///
/// # Safety
/// `dst` points to `N` writable bytes.
#[inline(always)]
pub(crate) unsafe fn store<const N: usize>(dst: *mut u8, bytes: [u8; N]) {
    #[cfg(target_arch = "riscv64")]
    {
        let mut word = [0u8; 8];
        if let Some(low) = word.get_mut(..N) {
            low.copy_from_slice(&bytes);
        }
        let word = u64::from_le_bytes(word);
        // SAFETY: the caller's: `dst` points to `N` writable bytes, and the instruction
        // writes `N` of them.
        unsafe {
            match N {
                8 => core::arch::asm!("sd {w}, 0({d})", w = in(reg) word, d = in(reg) dst,
                    options(nostack, preserves_flags)),
                4 => core::arch::asm!("sw {w}, 0({d})", w = in(reg) word, d = in(reg) dst,
                    options(nostack, preserves_flags)),
                2 => core::arch::asm!("sh {w}, 0({d})", w = in(reg) word, d = in(reg) dst,
                    options(nostack, preserves_flags)),
                3 => core::arch::asm!("sh {w}, 0({d})", "srli {w}, {w}, 16", "sb {w}, 2({d})",
                    w = inout(reg) word => _, d = in(reg) dst, options(nostack, preserves_flags)),
                7 => core::arch::asm!("sw {w}, 0({d})", "srli {w}, {w}, 32", "sh {w}, 4({d})",
                    "srli {w}, {w}, 16", "sb {w}, 6({d})",
                    w = inout(reg) word => _, d = in(reg) dst, options(nostack, preserves_flags)),
                _ => core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, N),
            }
        }
    }
    #[cfg(not(target_arch = "riscv64"))]
    // SAFETY: the caller's.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, N)
    }
}

/// The `N` bytes of `bytes` at `at`, as one [`load`], if they are there.
#[inline(always)]
pub(crate) fn load_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    Some(load(bytes.get(at..)?.first_chunk::<N>()?))
}

/// Writes `value` into `bytes` at `at` as [`store`] does, if it fits (nothing otherwise).
#[inline(always)]
pub(crate) fn store_at<const N: usize>(bytes: &mut [u8], at: usize, value: [u8; N]) -> Option<()> {
    let room = bytes.get_mut(at..)?.first_chunk_mut::<N>()?;
    // SAFETY: `room` is `N` writable bytes.
    unsafe { store(room.as_mut_ptr(), value) };
    Some(())
}

/// Copies `n` bytes from `src` to `dst` front to back, a 64-bit load and store a step.
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, and `dst` not above `src` if they overlap.
#[cfg(target_arch = "riscv64")]
#[inline]
pub(crate) unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    // Each word is loaded before it is stored, and a store at `dst + i` (not above `src + i`)
    // never reaches a word not loaded yet. The last word is loaded first, before any store,
    // and stored last.
    unsafe {
        if n < 8 {
            for i in 0..n {
                core::ptr::write_volatile(dst.add(i), *src.add(i));
            }
            return;
        }
        let last: u64;
        core::arch::asm!("ld {w}, 0({s})", w = out(reg) last, s = in(reg) src.add(n - 8),
            options(nostack, readonly, preserves_flags));
        let mut i = 0;
        while i + 8 <= n {
            core::arch::asm!("ld {w}, 0({s})", "sd {w}, 0({d})", w = out(reg) _,
                s = in(reg) src.add(i), d = in(reg) dst.add(i),
                options(nostack, preserves_flags));
            i += 8;
        }
        core::arch::asm!("sd {w}, 0({d})", w = in(reg) last, d = in(reg) dst.add(n - 8),
            options(nostack, preserves_flags));
    }
}

/// Copies `n` bytes from `src` to `dst` back to front, a 64-bit load and store a step: the
/// mirror of [`copy_forward`], for moves up.
///
/// # Safety
/// `src..src + n` readable, `dst..dst + n` writable, and `dst` not below `src` if they overlap.
#[cfg(target_arch = "riscv64")]
#[inline]
pub(crate) unsafe fn copy_backward(dst: *mut u8, src: *const u8, n: usize) {
    // Each word is loaded before it is stored, and a store at `dst + i` (not below `src + i`)
    // never reaches a word not loaded yet. The first word is loaded first, before any store,
    // and stored last.
    unsafe {
        if n < 8 {
            for i in (0..n).rev() {
                core::ptr::write_volatile(dst.add(i), *src.add(i));
            }
            return;
        }
        let first: u64;
        core::arch::asm!("ld {w}, 0({s})", w = out(reg) first, s = in(reg) src,
            options(nostack, readonly, preserves_flags));
        let mut i = n;
        while i >= 8 {
            i -= 8;
            core::arch::asm!("ld {w}, 0({s})", "sd {w}, 0({d})", w = out(reg) _,
                s = in(reg) src.add(i), d = in(reg) dst.add(i),
                options(nostack, preserves_flags));
        }
        core::arch::asm!("sd {w}, 0({d})", w = in(reg) first, d = in(reg) dst,
            options(nostack, preserves_flags));
    }
}

/// [`copy_backward`] off CKB-VM: `core::ptr::copy`.
///
/// # Safety
/// As for the CKB-VM one.
#[cfg(not(target_arch = "riscv64"))]
#[inline]
pub(crate) unsafe fn copy_backward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's.
    unsafe { core::ptr::copy(src, dst, n) }
}

/// [`copy_forward`] off CKB-VM: `core::ptr::copy`.
///
/// # Safety
/// As for the CKB-VM one.
#[cfg(not(target_arch = "riscv64"))]
#[inline]
pub(crate) unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller's.
    unsafe { core::ptr::copy(src, dst, n) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_stores_and_copies_are_the_plain_ones() {
        let bytes: [u8; 12] = core::array::from_fn(|i| i as u8 * 17 + 3);
        for at in 0..4 {
            let w: &[u8; 8] = bytes[at..at + 8].try_into().unwrap();
            assert_eq!(u64::from_le_bytes(load(w)), u64::from_le_bytes(*w));
            let mut out = [0u8; 12];
            unsafe { store(out.as_mut_ptr().add(at), load(w)) };
            assert_eq!(&out[at..at + 8], w);
            let mut out = [0u8; 16];
            unsafe { store::<7>(out.as_mut_ptr().add(at), w[..7].try_into().unwrap()) };
            unsafe { store::<3>(out.as_mut_ptr().add(at + 7), [9, 8, 7]) };
            assert_eq!(out[at..at + 10], [&w[..7], &[9, 8, 7][..]].concat()[..]);
        }
        for (from, to, n) in [(5, 0, 20), (9, 1, 7), (3, 2, 16), (8, 0, 8)] {
            let mut a: [u8; 32] = core::array::from_fn(|i| i as u8);
            let mut b = a;
            b.copy_within(from..from + n, to);
            unsafe { copy_forward(a.as_mut_ptr().add(to), a.as_ptr().add(from), n) };
            assert_eq!(a, b, "{from} {to} {n}");
            let (mut a, mut b): ([u8; 32], [u8; 32]) = (core::array::from_fn(|i| i as u8), [0; 32]);
            b.copy_from_slice(&a);
            b.copy_within(to..to + n, from);
            unsafe { copy_backward(a.as_mut_ptr().add(from), a.as_ptr().add(to), n) };
            assert_eq!(a, b, "up {to} {from} {n}");
        }
    }
}
