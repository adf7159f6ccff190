#[derive(ckb_ipc::Molecule)]
pub enum Action {
    Stop,
    Go = 3,
}

fn main() {}
