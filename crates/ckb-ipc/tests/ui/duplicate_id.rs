#[ckb_ipc::service]
pub trait Store {
    #[method(id = 5)]
    fn get(key: u64) -> u64;
    #[method(id = 5)]
    fn put(key: u64, value: u64);
}

fn main() {}
