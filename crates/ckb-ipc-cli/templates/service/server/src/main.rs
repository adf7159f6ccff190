//! Serves the __TRAIT__ service (`__CRATE__`) to the script that spawns it, over the pipes it
//! inherits, until that script hangs up.
#![no_std]
#![no_main]

use __CRATE__::{__TRAIT__, __TRAIT__Server, NOT_ENOUGH};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

/// The service's state: it lives as long as the client keeps the channel open.
#[derive(Default)]
struct Total(u64);

impl __TRAIT__ for Total {
    fn add(&mut self, n: u64) -> u64 {
        self.0 = self.0.saturating_add(n);
        self.0
    }

    fn sub(&mut self, n: u64) -> Result<u64, u8> {
        self.0 = self.0.checked_sub(n).ok_or(NOT_ENOUGH)?;
        Ok(self.0)
    }

    fn total(&mut self) -> u64 {
        self.0
    }
}

fn program_entry() -> i8 {
    match ckb_ipc::run_server(__TRAIT__Server(Total::default())) {
        Ok(()) => 0, // the client hung up between calls
        Err(_) => 1, // a transport or protocol error
    }
}
