pub struct NotMolecule;

#[ckb_ipc::service]
pub trait Store {
    fn get(key: NotMolecule) -> u64;
}

fn main() {}
