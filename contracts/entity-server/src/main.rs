//! `test_proto::entities::Ledger` (ckb-gen-types `Byte32` and `Script` in its signature), or
//! with feature `plain` the same service written with plain types of the same wire bytes:
//! `make bench` compares the two binaries' sizes (block `entities` of docs/benchmarks.md).
#![no_std]
#![no_main]

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

#[cfg(not(feature = "plain"))]
mod served {
    use ckb_std::ckb_types::packed::{Byte32, Script};
    use ckb_std::ckb_types::prelude::{Builder, Entity};
    use test_proto::entities::{Ledger, LedgerServer};

    pub struct Books;

    impl Ledger for Books {
        fn balance(&mut self, owner: Byte32) -> u64 {
            owner.as_slice().iter().map(|b| u64::from(*b)).sum()
        }
        fn lock_of(&mut self, owner: Byte32) -> Script {
            Script::new_builder().code_hash(owner).build()
        }
    }

    pub fn server() -> LedgerServer<Books> {
        LedgerServer(Books)
    }
}

#[cfg(feature = "plain")]
mod served {
    use alloc::vec::Vec;
    use test_proto::entities::{PlainLedger, PlainLedgerServer, ScriptFields};

    pub struct Books;

    impl PlainLedger for Books {
        fn balance(&mut self, owner: [u8; 32]) -> u64 {
            owner.iter().map(|b| u64::from(*b)).sum()
        }
        fn lock_of(&mut self, owner: [u8; 32]) -> ScriptFields {
            ScriptFields {
                code_hash: owner,
                hash_type: 0,
                args: Vec::new(),
            }
        }
    }

    pub fn server() -> PlainLedgerServer<Books> {
        PlainLedgerServer(Books)
    }
}

fn program_entry() -> i8 {
    match ckb_ipc::run_server(served::server()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
