#[ckb_ipc::service]
pub trait Store {
    fn get(&self, key: u64) -> u64;
}

fn main() {}
