#[ckb_ipc::service]
pub trait Calc {
    fn fill(out: &mut Vec<u8>);
}

fn main() {}
