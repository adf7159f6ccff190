[workspace]
resolver = "2"
# Every crate under contracts/: the service's trait (__NAME__-proto, with its ckb-testtool test),
# its server and client scripts, and whatever you add. `make build` builds each
# contracts/<name>/src/main.rs for CKB-VM; `make test` tests the others on the host.
members = ["contracts/*"]

[workspace.package]
version = "0.1.0"
edition = "2021"
license = "MIT"

[workspace.dependencies]
# The features need no C compiler (ckb-std's defaults want clang); `dummy-atomic` supplies the
# atomics CKB-VM does not have (see CONTRACT_RUSTFLAGS in the Makefile).
ckb-std = { version = "1.1", default-features = false, features = ["allocator", "ckb-types", "dummy-atomic"] }
ckb-ipc = "__VERSION__"
ckb-ipc-testtool = "__VERSION__"
# ckb-ipc-testtool re-exports it (`ckb_ipc_testtool::ckb_testtool`); here for tests of your own.
ckb-testtool = "1.1"

__PATCH__
# The profile ckb-ipc's measured cycles assume: opt-level "s" or "z" makes calls dearer for
# smaller binaries, and without LTO a typed call costs a few hundred cycles more.
[profile.release]
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
overflow-checks = true
strip = true
debug = false

[profile.dev]
panic = "abort"
