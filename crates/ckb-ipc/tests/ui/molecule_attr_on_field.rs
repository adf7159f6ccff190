#[derive(ckb_ipc::Molecule)]
pub struct Reading {
    #[molecule(id = 1)]
    pub sensor: u8,
}

fn main() {}
