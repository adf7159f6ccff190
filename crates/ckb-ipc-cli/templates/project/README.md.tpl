# __NAME__

The __TRAIT__ service for CKB-VM scripts: a client script spawns the server script and calls it
over CKB spawn pipes with [ckb-ipc](https://github.com/ckb-ipc/ckb-ipc). Written by
`ckb-ipc new`, in the layout and conventions of ckb-script-templates.

```sh
make build   # the scripts, for CKB-VM, into build/release/ (MODE=debug: build/debug/)
make test    # make build, then both scripts in one transaction in CKB-VM (ckb-testtool)
```

Only rustup is needed: it brings the toolchain of `rust-toolchain.toml`, and `make build` adds
the RISC-V target when that toolchain lacks it.

| path | what |
|---|---|
| `contracts/__NAME__-proto/src/lib.rs` | the service's trait (`#[ckb_ipc::service]`): change its methods here |
| `contracts/__NAME__-server/src/main.rs` | the server script: implements the trait and serves it |
| `contracts/__NAME__-client/src/main.rs` | a client script: spawns the server by code hash from the cell deps and checks its answers |
| `contracts/__NAME__-proto/tests/__NAME__.rs` | the test: both scripts in CKB-VM, through `ckb-ipc-testtool` |
| `Makefile` | `build`, `test`, `check`, `clippy`, `fmt`, `clean`; the RISC-V flags CKB-VM needs (`CONTRACT_RUSTFLAGS`) |
| `Cargo.toml` | the workspace: every `contracts/*`, the dependencies, the release profile ckb-ipc's cycle numbers assume |

Every `contracts/<name>/src/main.rs` is a script that `make build` builds into `build/$(MODE)/`;
the other crates under `contracts/` are libraries that `make test` tests on the host. A failing
transaction is saved as ckb-debugger's mock-tx JSON under `failed_txs/` in the directory the test
ran in (`contracts/__NAME__-proto/failed_txs/`).

## Where ckb-ipc comes from

The dependencies are by crate version (`ckb-ipc = "__VERSION__"`). Until the crates are on
crates.io, the `[patch.crates-io]` section of `Cargo.toml` points `ckb-ipc`, `ckb-ipc-macros` and
`ckb-ipc-testtool` at a checkout (`ckb-ipc new --ckb-ipc-path <checkout>`) or a git repository
(`--ckb-ipc-git <url>`); without either, the section is there commented out: uncomment it and
fill in the path or the URL. Once the crates are published, delete the section.
