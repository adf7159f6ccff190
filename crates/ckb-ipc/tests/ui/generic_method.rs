#[ckb_ipc::service]
pub trait Store {
    fn get<T>(key: u64) -> u64;
}

fn main() {}
