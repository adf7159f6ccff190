//! The description of the service this script serves, for `ckb-ipc` and other languages:
//! written beside the binary (`make build` copies it to `build/<mode>/`, see
//! docs/description.md).
// ANCHOR: build
fn main() -> std::io::Result<()> {
    ckb_ipc::build::describe(&[kv_proto::KeyValueMethods::description()])
}
// ANCHOR_END: build
