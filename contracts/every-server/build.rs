//! The description of `test_proto::every::Every`, beside the binary (docs/description.md):
//! `ckb-ipc gen ts` writes tests/js/gen/every.ts from it.
fn main() -> std::io::Result<()> {
    ckb_ipc::build::describe(&[test_proto::every::EveryMethods::description()])
}
