#[ckb_ipc::service]
pub trait Store {
    fn get((a, b): (u64, u64)) -> u64;
}

fn main() {}
