use std::collections::HashMap;

#[ckb_ipc::service]
pub trait Calc {
    fn table(key: Vec<u8>) -> HashMap<u8, u8>;
    fn name(id: u32) -> &'static str;
}

fn main() {}
