#[ckb_ipc::service]
pub trait Store {
    #[method(id = 4294967296)]
    fn get(key: u64) -> u64;
}

fn main() {}
