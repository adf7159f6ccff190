#[ckb_ipc::service]
pub trait Calc {
    fn scale(factor: f64, values: Vec<u32>) -> Vec<u32>;
}

fn main() {}
