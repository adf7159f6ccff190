[package]
name = "__NAME__-server"
version.workspace = true
edition.workspace = true
license.workspace = true
publish = false
description = "Serves the __TRAIT__ service (__NAME__-proto) to the script that spawns it."

[dependencies]
ckb-std.workspace = true
ckb-ipc.workspace = true
__NAME__-proto = { path = "../__NAME__-proto" }

# build.rs writes the service's description (build/<mode>/__NAME__-server.json).
[build-dependencies]
ckb-ipc = { workspace = true, features = ["build"] }
__NAME__-proto = { path = "../__NAME__-proto" }
