//! The __TRAIT__ service: the trait `__NAME__-server` implements and `__NAME__-client` calls.
//! `#[ckb_ipc::service]` turns it into `__TRAIT__Client` (the calls, for client scripts),
//! `__TRAIT__Server` (serves any implementation) and `__TRAIT__Methods` (method ids, schema).
#![no_std]

/// What [`__TRAIT__::sub`] answers when the total is smaller than what it is asked to take.
pub const NOT_ENOUGH: u8 = 1;

/// A running total kept by the server for as long as its client keeps the channel open.
#[ckb_ipc::service]
pub trait __TRAIT__ {
    /// Adds `n` to the total (saturating); answers the new total.
    fn add(n: u64) -> u64;
    /// Takes `n` from the total; answers the new total, or [`NOT_ENOUGH`].
    fn sub(n: u64) -> Result<u64, u8>;
    /// The total.
    fn total() -> u64;
}
