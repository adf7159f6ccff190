#!/bin/sh
# stamp-description.sh JSON BINARY: writes BINARY.json, the description a server's build.rs
# wrote (JSON, see ckb_ipc::build::describe), with the `binary` member (BINARY's size and
# SHA-256) as its second line, so `ckb-ipc` refuses a description that does not belong to the
# binary (the description format: docs/description.md of ckb-ipc).
set -eu
json=$1
binary=$2
size=$(wc -c < "$binary" | tr -d ' ')
sum=$( (sha256sum "$binary" 2>/dev/null || shasum -a 256 "$binary") | cut -d' ' -f1)
{
    head -n 1 "$json"
    printf '  "binary": {"size": %s, "sha256": "%s"},\n' "$size" "$sum"
    tail -n +2 "$json"
} > "$binary.json.tmp"
mv "$binary.json.tmp" "$binary.json"
