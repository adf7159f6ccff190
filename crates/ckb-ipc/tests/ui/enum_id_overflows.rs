#[derive(ckb_ipc::Molecule)]
pub enum Action {
    #[molecule(id = 4294967295)]
    Stop,
    Go,
}

fn main() {}
