//! A test peer: declared without a heap (`ckb_ipc::no_heap!()`), it allocates anyway, as a
//! heapless script that slipped an owned call in would. The allocation is refused, the script
//! aborts, and its debug output says why (tests/src/service.rs).
#![no_std]
#![no_main]

ckb_std::entry!(program_entry);
ckb_ipc::no_heap!();

fn program_entry() -> i8 {
    // A size the compiler cannot see, so the allocation stays.
    let bytes: alloc::vec::Vec<u8> = alloc::vec::Vec::with_capacity(core::hint::black_box(16));
    bytes.capacity() as i8
}
