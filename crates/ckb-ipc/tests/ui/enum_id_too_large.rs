#[derive(ckb_ipc::Molecule)]
pub enum Action {
    #[molecule(id = 4294967296)]
    Stop,
}

fn main() {}
