//! The description of the service this script serves (`ckb-ipc methods`, `ckb-ipc exec ...
//! <method> <json args>`, other languages): written beside the binary, which `make build`
//! copies to `build/<mode>/__NAME__-server.json`.
fn main() -> std::io::Result<()> {
    ckb_ipc::build::describe(&[__CRATE__::__TRAIT__Methods::description()])
}
