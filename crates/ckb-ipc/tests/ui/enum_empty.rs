#[derive(ckb_ipc::Molecule)]
pub enum Never {}

fn main() {}
