#[derive(ckb_ipc::Molecule)]
pub enum Reading {
    Temperature { sensor: u8, value: f32 },
}

fn main() {}
