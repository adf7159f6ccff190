#!/bin/sh
# `make new-service NAME=<name>`: a service of your own in this workspace, from the templates in
# service/ beside this file (the same files `ckb-ipc new` writes into a repository of its own):
#   contracts/<name>-proto   the service trait (#[ckb_ipc::service]) and its ckb-testtool test
#   contracts/<name>-server  the server script
#   contracts/<name>-client  a client script that spawns the server and calls it
# The workspace takes contracts/* as members and the Makefile builds every contracts/*/src/main.rs,
# so `make build` and `make test` take them up as they are.
set -eu
t=$(cd "$(dirname "$0")" && pwd)/service
cd "$(dirname "$0")/../../.."

name=${1:-}
if [ -z "$name" ]; then
    echo "usage: make new-service NAME=<name>   (e.g. NAME=counter: lower case, digits, '-')" >&2
    exit 2
fi
if ! printf '%s\n' "$name" | grep -Eq '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' || [ ${#name} -gt 40 ] || [ "$name" = self ]; then
    echo "make new-service: bad NAME '$name': use lower-case letters, digits and single '-'," >&2
    echo "starting with a letter, at most 40 characters, not self (e.g. NAME=counter, NAME=price-oracle)" >&2
    exit 2
fi
for part in proto server client; do
    if [ -e "contracts/$name-$part" ]; then
        echo "make new-service: contracts/$name-$part already exists; pick another NAME" >&2
        exit 1
    fi
done
if grep -rqs --include=Cargo.toml -E "^name = \"$name-(proto|server|client)\"" contracts crates tests; then
    echo "make new-service: a package named $name-proto, -server or -client exists; pick another NAME" >&2
    exit 1
fi

# counter -> Counter, price-oracle -> PriceOracle; the proto crate's path: price_oracle_proto.
trait=$(printf '%s\n' "$name" | awk -F- '{ for (i = 1; i <= NF; i++) printf "%s%s", toupper(substr($i, 1, 1)), substr($i, 2) }')
crate=$(printf '%s\n' "$name-proto" | tr - _)

expand() { # template file -> destination
    mkdir -p "$(dirname "$2")"
    sed -e "s/__NAME__/$name/g" -e "s/__TRAIT__/$trait/g" -e "s/__CRATE__/$crate/g" "$1" > "$2"
}
grep -v '^#' "$t.files" | while read -r template dest; do
    expand "$t/$template" "$(printf '%s\n' "$dest" | sed "s/__NAME__/$name/g")"
done

# Record the three new workspace members in Cargo.lock (the builds run with --locked); nothing
# else in the lock file moves.
cargo update --workspace --quiet

cat <<MSG
Created the $trait service:
  contracts/$name-proto/src/lib.rs      the trait: change its methods here
  contracts/$name-server/src/main.rs    the server script: implements the trait
  contracts/$name-client/src/main.rs    a client script: spawns the server and calls it
  contracts/$name-proto/tests/$name.rs  the test: both scripts in CKB-VM (ckb-testtool)
Next: make build && make test   (or: make build && cargo test -p $name-proto)
MSG
