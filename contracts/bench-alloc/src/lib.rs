//! The allocator of the benchmark's scripts, one line at the end of each: [`allocator!`].
//!
//! A script built as it ships gets ckb-std's allocator (or [`ckb_ipc::no_heap!`]); built with
//! its `heap-stats` feature (`make build-heap-stats`, for `make bench`'s heap table), the same
//! allocator with the same heaps, counting its bytes ([`heap_stats`]). The line sits at the end
//! of a script's file so that the feature moves no line above it: panic locations, so the
//! binaries, stay as they are without it.
#![no_std]

/// The allocator of a benchmark script: `allocator!(FIXED, HEAP, MIN_BLOCK)` is
/// `ckb_std::default_alloc!(FIXED, HEAP, MIN_BLOCK)`, `allocator!(no_heap)` is
/// `ckb_ipc::no_heap!()`; under the script's own feature `heap-stats`, both are
/// [`heap_stats_alloc!`] (the second with a small heap that nothing should touch: the count
/// shows the 0 the script claims).
#[macro_export]
macro_rules! allocator {
    (no_heap) => {
        #[cfg(not(feature = "heap-stats"))]
        ::ckb_ipc::no_heap!();
        #[cfg(feature = "heap-stats")]
        $crate::heap_stats_alloc!(16384, 65536, 64);
    };
    ($fixed_block_heap_size:expr, $heap_size:expr, $min_block_size:expr) => {
        #[cfg(not(feature = "heap-stats"))]
        ::ckb_std::default_alloc!($fixed_block_heap_size, $heap_size, $min_block_size);
        #[cfg(feature = "heap-stats")]
        $crate::heap_stats_alloc!($fixed_block_heap_size, $heap_size, $min_block_size);
    };
}

/// Heap high-water marks, measured inside the scripts for `make bench`.
///
/// [`heap_stats_alloc!`](crate::heap_stats_alloc) stands in for `ckb_std::default_alloc!` with
/// the same allocator and the same heaps, and counts the bytes requested and not yet freed.
/// Each time that count passes its high-water mark the script prints `heap-peak client <bytes>`
/// (the root VM, process id 0) or `heap-peak server <bytes>` (a spawned one) through the debug
/// syscall: a server may still be running when the transaction ends, so the last line a process
/// printed is its high-water mark. Printing allocates nothing (the line is formatted on the
/// stack), so it cannot recurse into the allocator.
pub mod heap_stats {
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::Cell;

    pub use ckb_std::buddy_alloc::{BuddyAllocParam, FastAllocParam, NonThreadsafeAlloc};

    /// A `GlobalAlloc` that forwards to ckb-std's allocator and counts requested bytes.
    pub struct CountingAlloc {
        inner: NonThreadsafeAlloc,
        current: Cell<usize>,
        peak: Cell<usize>,
    }

    impl CountingAlloc {
        /// Wraps `inner`.
        pub const fn new(inner: NonThreadsafeAlloc) -> Self {
            Self {
                inner,
                current: Cell::new(0),
                peak: Cell::new(0),
            }
        }

        /// Bytes requested and not yet freed.
        pub fn current(&self) -> usize {
            self.current.get()
        }

        /// The most bytes that were ever allocated at once.
        pub fn peak(&self) -> usize {
            self.peak.get()
        }
    }

    // SAFETY: a CKB-VM script runs one thread; NonThreadsafeAlloc makes the same assumption.
    unsafe impl Sync for CountingAlloc {}

    // `realloc` and `alloc_zeroed` are the trait's defaults, as in NonThreadsafeAlloc: a realloc
    // is an alloc, a copy and a dealloc, so for a moment both blocks count, as both exist.
    unsafe impl GlobalAlloc for CountingAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: the caller's contract, passed on.
            let ptr = unsafe { self.inner.alloc(layout) };
            if !ptr.is_null() {
                let now = self.current.get().saturating_add(layout.size());
                self.current.set(now);
                if now > self.peak.get() {
                    self.peak.set(now);
                    print_peak(now);
                }
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: the caller's contract, passed on.
            unsafe { self.inner.dealloc(ptr, layout) };
            self.current
                .set(self.current.get().saturating_sub(layout.size()));
        }
    }

    /// Prints `heap-peak client|server <peak>` without allocating.
    fn print_peak(peak: usize) {
        let side: &[u8] = if ckb_std::syscalls::process_id() == 0 {
            b"heap-peak client "
        } else {
            b"heap-peak server "
        };
        // Decimal digits, least significant first.
        let mut digits = [0u8; 20];
        let mut count = 0;
        let mut rest = peak;
        for d in digits.iter_mut() {
            *d = b'0' + (rest % 10) as u8;
            count += 1;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        // 17 bytes of prefix, at most 20 digits, the terminating 0.
        let mut line = [0u8; 40];
        let text = side
            .iter()
            .chain(digits.iter().take(count).rev())
            .chain(core::iter::once(&0u8));
        for (slot, byte) in line.iter_mut().zip(text) {
            *slot = *byte;
        }
        debug_c_str(&line);
    }

    /// The debug syscall on a 0-terminated line (`ckb_std::syscalls::debug` takes a `String`).
    #[cfg(target_arch = "riscv64")]
    fn debug_c_str(line: &[u8; 40]) {
        const SYS_DEBUG: u64 = 2177;
        // SAFETY: the debug syscall only reads the 0-terminated string at a0; `line` ends in 0.
        unsafe {
            core::arch::asm!(
                "ecall",
                inlateout("a0") line.as_ptr() as u64 => _,
                in("a7") SYS_DEBUG,
            );
        }
    }

    #[cfg(not(target_arch = "riscv64"))]
    fn debug_c_str(_line: &[u8; 40]) {}
}

/// `ckb_std::default_alloc!(fixed, heap, min_block)` with its allocator wrapped in a
/// [`heap_stats::CountingAlloc`]: the same allocator, heaps and block size.
#[macro_export]
macro_rules! heap_stats_alloc {
    ($fixed_block_heap_size:expr, $heap_size:expr, $min_block_size:expr) => {
        #[repr(align(64))]
        struct _AlignedHeap<const N: usize>([u8; N]);

        static mut _BUDDY_HEAP: _AlignedHeap<$heap_size> = _AlignedHeap([0u8; $heap_size]);
        static mut _FIXED_BLOCK_HEAP: _AlignedHeap<$fixed_block_heap_size> =
            _AlignedHeap([0u8; $fixed_block_heap_size]);

        #[global_allocator]
        static ALLOC: $crate::heap_stats::CountingAlloc = $crate::heap_stats::CountingAlloc::new(
            // SAFETY: as in ckb_std::default_alloc!: the heaps are used by this allocator only.
            unsafe {
                let fast_param = $crate::heap_stats::FastAllocParam::new(
                    _FIXED_BLOCK_HEAP.0.as_ptr(),
                    $fixed_block_heap_size,
                );
                let buddy_param = $crate::heap_stats::BuddyAllocParam::new_with_zero_filled(
                    _BUDDY_HEAP.0.as_ptr(),
                    $heap_size,
                    $min_block_size,
                );
                $crate::heap_stats::NonThreadsafeAlloc::new(fast_param, buddy_param)
            },
        );
    };
}
