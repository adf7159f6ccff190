#[derive(ckb_ipc::Molecule)]
pub enum Action {
    #[molecule(id = 1)]
    Stop,
    // Molecule's rule: one more than the previous, 2.
    Go,
    #[molecule(id = 2)]
    Wait,
}

fn main() {}
