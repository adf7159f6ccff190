# Conventions of ckb-script-templates: `make build`, `make test`, MODE=release|debug,
# contract binaries in build/$(MODE)/.
MODE ?= release
TARGET := riscv64imac-unknown-none-elf
# CKB-VM has no atomics (see DESIGN notes): drop the A extension, keep the bit-manip ones.
# Panic locations of dependencies carry cargo's registry path: remapped to one fixed prefix, the
# binaries (so their code hashes, sizes and cycle counts) do not depend on where CARGO_HOME is.
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
CONTRACT_RUSTFLAGS := -C target-feature=+zba,+zbb,+zbc,+zbs,-a,-zaamo,-zalrsc --remap-path-prefix=$(CARGO_HOME_DIR)=/cargo
# Every examples/<name>/src/main.rs and contracts/<name>/src/main.rs is a script named <name>:
# the examples to copy, the test peers and benchmark scripts, and those `make new-service`
# generates.
SCRIPT_MAINS := $(wildcard examples/*/src/main.rs contracts/*/src/main.rs)
CONTRACTS := $(sort $(foreach m,$(SCRIPT_MAINS),$(word 2,$(subst /, ,$(m)))))
BUILD_DIR := build/$(MODE)
CARGO_MODE_FLAG := $(if $(filter release,$(MODE)),--release,)
PROFILE_DIR := $(if $(filter release,$(MODE)),release,debug)
# Cargo's real target directory ($CARGO_TARGET_DIR, `build.target-dir` in a cargo config, else
# ./target), read from `cargo metadata` (no jq needed); evaluated only by the recipes using it.
CARGO_TARGET_DIR_REAL = $(shell cargo metadata --format-version 1 --no-deps 2>/dev/null | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

.PHONY: all build riscv-target js tools test demo check clippy doc package fmt fmt-check clean new-service profile

all: build

# rustup installs a rust-toolchain.toml's targets only with the toolchain: add the RISC-V target
# to a toolchain that is already there without it.
riscv-target:
	@if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx '$(TARGET)'; then \
		echo "Adding the RISC-V target $(TARGET) to the toolchain of rust-toolchain.toml"; \
		rustup target add $(TARGET); \
	fi

# $(call build-contracts,SCRIPTS,DEST,CARGO_ARGS,TARGET_SUBDIR,ENV,PROFILE): a RISC-V build of
# SCRIPTS with CARGO_ARGS (and ENV before cargo), in cargo's target directory (or TARGET_SUBDIR
# under it), its PROFILE's binaries copied to DEST. Every build of scripts below is one.
define build-contracts
	@out='$(CARGO_TARGET_DIR_REAL)'; out="$${out:-target}$(4)"; \
	echo "cargo build $(3) of $(1) in $$out"; \
	$(5) RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo build --locked --target $(TARGET) --target-dir "$$out" \
		$(3) $(addprefix -p ,$(1)) || exit 1; \
	mkdir -p $(2); \
	for c in $(1); do \
		cp "$$out/$(TARGET)/$(6)/$$c" $(2)/$$c || exit 1; \
		d="$$out/$(TARGET)/$(6)/$$c.json"; \
		if [ -f "$$d" ]; then sh $(STAMP_DESCRIPTION) "$$d" $(2)/$$c || exit 1; fi; \
	done
endef

# A server's build.rs writes its description (ckb_ipc::build::describe) beside the binary;
# the build copies it next to the copy, stamped with the binary's size and SHA-256 (the same
# script a project of `ckb-ipc new` runs).
STAMP_DESCRIPTION := crates/ckb-ipc-cli/templates/project/stamp-description.sh

build: riscv-target
	$(call build-contracts,$(CONTRACTS),$(BUILD_DIR),$(CARGO_MODE_FLAG),,,$(PROFILE_DIR))
	@ls -l $(BUILD_DIR)

# The JavaScript peers for the ckb-js-vm tests (pinned npm packages, lock file committed):
# tsc type-checks tests/js (src/, the TypeScript `ckb-ipc gen ts` wrote into gen/, test/),
# esbuild bundles tests/js/src into tests/js/dist ("@ckb-js-std/ipc" is gen/ckb-ipc-transport.ts), and
# `npm test` runs the generated decoders on hostile bytes under Node.js. ckb-js-vm comes from
# the ckb-testtool package. `make test` checks that gen/ is what `ckb-ipc gen ts` writes.
js:
	cd tests/js && npm ci --no-audit --no-fund && npm run check && npm run build && npm test

# moleculec checks the schemas the typed services emit (tests/schema, built by `make test` only).
tools:
	@command -v moleculec >/dev/null || cargo install moleculec --locked --version 0.9.2

# Host unit tests of the crates, then the contracts in ckb-testtool.
test: build js tools
	CONTRACTS_DIR=$(CURDIR)/$(BUILD_DIR) HEAP_STATS_DIR=$(CURDIR)/$(HEAP_STATS_DIR) cargo test --locked --workspace $(addprefix --exclude ,$(CONTRACTS))

# Needs neither Node.js nor moleculec: only the contracts and the harness.
demo: build
	CONTRACTS_DIR=$(CURDIR)/$(BUILD_DIR) cargo run --locked --release -q -p ckb-ipc-tests --bin demo

# A service of your own: contracts/$(NAME)-proto (the trait), $(NAME)-server, $(NAME)-client
# and a ckb-testtool test of them, from crates/ckb-ipc-cli/templates/service (the files
# `ckb-ipc new` writes into a repository of its own). `make build` and `make test` take them up
# as they are.
new-service:
	@sh crates/ckb-ipc-cli/templates/new-service.sh '$(NAME)'

check: riscv-target
	cargo check --locked
	RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo check --locked --target $(TARGET) $(addprefix -p ,$(CONTRACTS))

# Warnings are errors, missing_docs of the libraries included; `make doc` denies rustdoc's.
CLIPPY_LINTS := -D warnings

clippy: riscv-target tools
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	cargo clippy --locked --workspace --all-targets $(addprefix --exclude ,$(CONTRACTS)) -- $(CLIPPY_LINTS)
	RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo clippy --locked --target $(TARGET) $(addprefix -p ,$(CONTRACTS)) -- $(CLIPPY_LINTS)
	RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo clippy --locked --target $(TARGET) $(addprefix -p ,$(HEAP_CONTRACTS)) \
		--features '$(addsuffix /heap-stats,$(HEAP_CONTRACTS))' -- $(CLIPPY_LINTS)

# The libraries' docs, on the host and as docs.rs builds ckb-ipc (for the RISC-V target, with
# the features of its [package.metadata.docs.rs]), and ckb-ipc's `build` module (host only).
LIBS := ckb-ipc ckb-ipc-macros ckb-ipc-testtool ckb-ipc-host
doc: riscv-target
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps $(addprefix -p ,$(LIBS))
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p ckb-ipc --features json --target $(TARGET)
	RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p ckb-ipc --features build

# What `cargo publish` would upload, built from the packaged sources, in dependency order (cargo
# resolves the unpublished ckb-ipc-macros for ckb-ipc through a local overlay).
package:
	cargo package --locked $(addprefix -p ,$(LIBS))

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

clean:
	rm -rf build
	cargo clean

# Fuzzing (cargo-fuzz, libFuzzer): each target for FUZZ_SECONDS. cargo-fuzz wants nightly
# flags; the pinned toolchain takes them with RUSTC_BOOTSTRAP=1, so no other toolchain is
# fetched. No sanitizer: the library is safe Rust on the host; what is hunted is panics (debug
# assertions and overflow checks are on), hangs and over-allocation (-rss_limit_mb,
# -malloc_limit_mb). Seeds live in fuzz/corpus/<target>/seed-*; what the fuzzer finds goes to
# fuzz/target/corpus (not committed), crashes to fuzz/artifacts (not committed). CI runs every
# target for 30 s (`.ci/run`); `make fuzz` keeps the long runs.
FUZZ_SECONDS ?= 180
FUZZ_TARGETS := decode_request decode_response exchange serve_fixed decode_typed serve_batch

.PHONY: fuzz
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/target/corpus/$$t; \
		echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
		(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none $$t target/corpus/$$t corpus/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -malloc_limit_mb=64 -timeout=10) > fuzz/target/$$t.log 2>&1; rc=$$?; \
		grep -E "stat::number_of_executed_units|Done [0-9]+ runs" fuzz/target/$$t.log; \
		if [ $$rc -ne 0 ]; then tail -40 fuzz/target/$$t.log; exit $$rc; fi; \
	done

# The benchmark's contracts again with their `heap-stats` feature (bench_alloc::heap_stats):
# the same allocator, counting, each new high-water mark printed. Built in their own target
# directory into build/heap-stats/$(MODE), so the binaries of `make build` (and their cycles)
# stay as they are. Only `make bench` builds them; `make test` compares their numbers with
# docs/benchmarks.md when they are there.
HEAP_CONTRACTS := floor-client floor-server inplace-client inplace-server owned-client owned-server typed-client typed-server \
	their-client their-server their-macro-client their-macro-server inplace-batch-client typed-batch-client
HEAP_STATS_DIR := build/heap-stats/$(MODE)

.PHONY: build-heap-stats
build-heap-stats: riscv-target
	$(call build-contracts,$(HEAP_CONTRACTS),$(HEAP_STATS_DIR),$(CARGO_MODE_FLAG) --features '$(addsuffix /heap-stats,$(HEAP_CONTRACTS))',/heap-stats,,$(PROFILE_DIR))
	@ls -l $(HEAP_STATS_DIR)

# Cycles and sizes of every implementation side by side, and the heap high-water marks of each
# side: docs/benchmarks.md and .svg.
.PHONY: bench
# Then the off-chain host against ckb-script-ipc-common's native::spawn_server (wall clock, so
# machine-dependent: its block in docs/benchmarks.md is the one `make test` does not compare).
# Last, the README's `ckb-ipc` session is run again and written back (its cycle counts).
bench: build js build-opt-levels build-heap-stats
	cargo build --locked --release -q -p ckb-ipc-cli --bins --examples
	@mkdir -p $(BUILD_DIR)
	CONTRACTS_DIR=$(CURDIR)/$(BUILD_DIR) cargo run --locked --release -q -p ckb-ipc-cli --example bench > $(BUILD_DIR)/native-bench.md
	CONTRACTS_DIR=$(CURDIR)/$(BUILD_DIR) HEAP_STATS_DIR=$(CURDIR)/$(HEAP_STATS_DIR) cargo run --locked --release -q -p ckb-ipc-tests --bin bench -- --native $(BUILD_DIR)/native-bench.md
	CKB_IPC_WRITE_README=1 cargo test --locked --release -q -p ckb-ipc-cli --test readme the_readme_session

# The example servers and clients at opt-level "s" and "z" too, in build/release/opt-<level>/,
# so `make bench` can show what each level costs in bytes and in cycles, the same at cargo's
# default release profile in build/release/cargo-profile/, typed-server discoverable in
# build/release/discovery/ (what discovery costs), and entity-server with plain types in
# build/release/plain-entities/ (what ckb-gen-types entities cost). Release mode only.
# Cargo's own release profile, for a repository without ours: no LTO, 16 codegen units, no
# overflow checks (what the README's profile paragraph measures against).
CARGO_DEFAULT_RELEASE := CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=false
OPT_LEVEL_CONTRACTS := inplace-server inplace-client owned-server owned-client typed-server typed-client
.PHONY: build-opt-levels
build-opt-levels: riscv-target
	$(call build-contracts,$(OPT_LEVEL_CONTRACTS),build/release/opt-s,--release -q,/opt-s,CARGO_PROFILE_RELEASE_OPT_LEVEL=s,release)
	$(call build-contracts,$(OPT_LEVEL_CONTRACTS),build/release/opt-z,--release -q,/opt-z,CARGO_PROFILE_RELEASE_OPT_LEVEL=z,release)
	$(call build-contracts,typed-server,build/release/discovery,--release -q --features typed-server/discovery,/discovery,,release)
	$(call build-contracts,entity-server,build/release/plain-entities,--release -q --features entity-server/plain,/plain-entities,,release)
	$(call build-contracts,$(OPT_LEVEL_CONTRACTS),build/release/cargo-profile,--release -q,/cargo-profile,$(CARGO_DEFAULT_RELEASE),release)

# Where the bytes of a server go: its largest symbols, from an unstripped release build.
SIZE_CONTRACTS ?= inplace-server owned-server typed-server
.PHONY: size
size: riscv-target
	@out='$(CARGO_TARGET_DIR_REAL)'; out="$${out:-target}/unstripped"; \
	CARGO_PROFILE_RELEASE_STRIP=false RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo build --locked -q \
		--target $(TARGET) --release --target-dir "$$out" $(addprefix -p ,$(SIZE_CONTRACTS)) || exit 1; \
	for c in $(SIZE_CONTRACTS); do \
		echo "== $$c: sections, then the 25 largest symbols (bytes)"; \
		size -A "$$out/$(TARGET)/release/$$c" | grep -E '^\.(text|rodata|data|eh_frame|bss) '; \
		nm --size-sort -S -C -t d "$$out/$(TARGET)/release/$$c" | grep -v " [bB] " | tail -25 | sed 's/^[0-9]* 0*//'; \
	done

# Where the cycles of a call go, per function and per source line (crates/ckb-ipc-profile): the
# BENCH scenario of PROFILE_CLIENT against PROFILE_SERVER in ckb-vm, both built unstripped with
# line tables in target/profile. PROFILE_OP add or echo (of PROFILE_SIZE bytes), PROFILE_K calls a
# batch (0: single calls, with a client such as inplace-client). Needs llvm-addr2line. With
# PROFILE_PCS=DIR, each pc's cycles per call go to DIR/client.pcs and DIR/server.pcs as well.
PROFILE_CLIENT ?= inplace-batch-client
PROFILE_SERVER ?= inplace-server
PROFILE_OP ?= add
PROFILE_SIZE ?= 0
PROFILE_K ?= 64
.PHONY: profile
profile: riscv-target
	@out='$(CARGO_TARGET_DIR_REAL)'; out="$${out:-target}/profile"; \
	CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=line-tables-only RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" \
		cargo build --locked -q --target $(TARGET) --release --target-dir "$$out" \
		-p $(PROFILE_CLIENT) -p $(PROFILE_SERVER) || exit 1; \
	cargo run --locked --release -q -p ckb-ipc-profile -- "$$out/$(TARGET)/release/$(PROFILE_CLIENT)" \
		"$$out/$(TARGET)/release/$(PROFILE_SERVER)" $(PROFILE_OP) $(PROFILE_SIZE) $(PROFILE_K)

# The ckb-ipc command-line tool: target/release/ckb-ipc (or `cargo install --path crates/ckb-ipc-cli`).
.PHONY: cli
cli:
	cargo build --locked --release -p ckb-ipc-cli --bin ckb-ipc
