[package]
name = "__NAME__-client"
version.workspace = true
edition.workspace = true
license.workspace = true
publish = false
description = "Spawns __NAME__-server and calls the __TRAIT__ service."

[dependencies]
ckb-std.workspace = true
ckb-ipc.workspace = true
__NAME__-proto = { path = "../__NAME__-proto" }
