//! `#[ckb_ipc::service]` refuses traits it cannot serve, and `#[derive(Molecule)]` types it
//! cannot encode (enums among them), with an error at the offending spot.
#![allow(missing_docs)] // test fixtures, not API

#[test]
fn bad_service_traits_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
