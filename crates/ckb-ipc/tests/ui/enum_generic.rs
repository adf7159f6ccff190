#[derive(ckb_ipc::Molecule)]
pub enum Either<T> {
    Left(T),
    Right,
}

fn main() {}
