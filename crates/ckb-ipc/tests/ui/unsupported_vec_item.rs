// A type without a molecule encoding, inside a supported container: one error, at the type.
#[ckb_ipc::service]
pub trait Stats {
    fn mean(samples: Vec<f32>, weights: &[u32]) -> u32;
}

fn main() {}
