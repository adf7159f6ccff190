#[derive(ckb_ipc::Molecule)]
pub struct Reading {
    pub sensor: u8,
    pub value: f64,
}

fn main() {}
