#[ckb_ipc::service]
pub trait Calc {
    fn add(a: u64, b: u64) -> u64;
    fn new(seed: u64) -> u64;
}

fn main() {}
