#[ckb_ipc::service]
pub trait Relay {
    /// Hands the call over to another server.
    fn into_channel(target: u32) -> bool;
}

fn main() {}
