#[ckb_ipc::service]
#[allow(non_snake_case)]
pub trait Store {
    fn get(key: u64) -> u64;
    fn Get(key: u64) -> u64;
}

fn main() {}
