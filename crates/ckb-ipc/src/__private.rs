//! What the code of `ckb-ipc`'s macros calls: not API, no stability promised. The names here
//! may change in any release; use the items of the crate root and its public modules.

pub extern crate alloc;

pub use crate::buffer::NoHeap;
