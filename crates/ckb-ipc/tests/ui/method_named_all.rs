#[ckb_ipc::service]
pub trait Calc {
    fn all() -> Vec<u64>;
}

fn main() {}
