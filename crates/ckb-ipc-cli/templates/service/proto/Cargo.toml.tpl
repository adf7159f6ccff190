[package]
name = "__NAME__-proto"
version.workspace = true
edition.workspace = true
license.workspace = true
publish = false
description = "The __TRAIT__ service: its trait, shared by __NAME__-server and __NAME__-client."

[dependencies]
ckb-ipc.workspace = true

# The test runs both scripts in CKB-VM on the host (tests/__NAME__.rs).
[dev-dependencies]
ckb-ipc-testtool.workspace = true
