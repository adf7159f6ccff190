#[derive(ckb_ipc::Molecule)]
pub enum Action {
    #[molecule(id = 1)]
    #[molecule(id = 2)]
    Stop,
}

fn main() {}
