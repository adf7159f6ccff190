#[ckb_ipc::service]
pub trait Store {
    #[method(id = 0x7fffffff)]
    fn get(key: u64) -> u64;
}

fn main() {}
