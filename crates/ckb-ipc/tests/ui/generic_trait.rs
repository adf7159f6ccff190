#[ckb_ipc::service]
pub trait Store<T> {
    fn get(key: u64) -> u64;
}

fn main() {}
