// Both methods' arguments would be declared as the molecule table `GetValueArgs`.
#[ckb_ipc::service]
pub trait Store {
    fn get_value(key: u64, default: u64) -> u64;
    fn get__value(key: u64, fallback: Vec<u8>) -> u64;
}

fn main() {}
