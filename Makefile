# Conventions of ckb-script-templates: `make build`, `make test`, MODE=release|debug,
# contract binaries in build/$(MODE)/.
MODE ?= release
TARGET := riscv64imac-unknown-none-elf
# CKB-VM has no atomics (see DESIGN notes): drop the A extension, keep the bit-manip ones.
CONTRACT_RUSTFLAGS := -C target-feature=+zba,+zbb,+zbc,+zbs,-a,-zaamo,-zalrsc
CONTRACTS := ipc-server ipc-client floor-server floor-client bad-peer
BUILD_DIR := build/$(MODE)
CARGO_MODE_FLAG := $(if $(filter release,$(MODE)),--release,)
CARGO_OUT := target/$(TARGET)/$(if $(filter release,$(MODE)),release,debug)

.PHONY: all build test demo check clippy fmt fmt-check clean

all: build

build:
	RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo build --locked --target $(TARGET) $(CARGO_MODE_FLAG) $(addprefix -p ,$(CONTRACTS))
	@mkdir -p $(BUILD_DIR)
	@for c in $(CONTRACTS); do cp $(CARGO_OUT)/$$c $(BUILD_DIR)/$$c; done
	@ls -l $(BUILD_DIR)

# Host unit tests of the crates, then the contracts in ckb-testtool.
test: build
	CONTRACTS_DIR=$(CURDIR)/$(BUILD_DIR) cargo test --locked --workspace --exclude ipc-server --exclude ipc-client --exclude floor-server --exclude floor-client --exclude bad-peer

demo: build
	CONTRACTS_DIR=$(CURDIR)/$(BUILD_DIR) cargo run --locked --release -q -p ckb-ipc-tests --bin demo

check:
	cargo check --locked
	RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo check --locked --target $(TARGET) $(addprefix -p ,$(CONTRACTS))

clippy:
	cargo clippy --locked --all-targets -- -D warnings
	RUSTFLAGS="$(CONTRACT_RUSTFLAGS)" cargo clippy --locked --target $(TARGET) $(addprefix -p ,$(CONTRACTS)) -- -D warnings

fmt:
	cargo fmt --all

fmt-check:
	cargo fmt --all -- --check

clean:
	rm -rf build
	cargo clean
