#[ckb_ipc::service(json)]
pub trait Store {
    fn get_value(key: u64) -> u64;
    fn get__value(key: u64) -> u64;
}

fn main() {}
