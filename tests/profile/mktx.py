#!/usr/bin/env python3
"""Writes the BENCH mock transaction that ckb-ipc-tests' `bench_tx` builds (ckb-testtool's
`dump_tx`, as `CKB_IPC_DUMP_TXS` saves it), without building the Rust harness:
cell deps [client, server], one input locked by the client (hash type data2) with args
[BENCH=10, server index 1, 32 zero bytes, Data1=2, op, calls u32 LE, size u32 LE].

usage: mktx.py CLIENT_BIN SERVER_BIN OP CALLS SIZE OUT.json
"""
import hashlib, json, struct, sys

def ckbhash(b):
    return hashlib.blake2b(b, digest_size=32, person=b"ckb-default-hash").digest()

def hx(b):
    return "0x" + b.hex()

client_path, server_path, op, calls, size, out = sys.argv[1:7]
op, calls, size = int(op, 0), int(calls), int(size)
client = open(client_path, "rb").read()
server = open(server_path, "rb").read()

args = bytes([10, 1]) + bytes(32) + bytes([2]) + bytes([op]) + struct.pack("<II", calls, size)
lock = {"code_hash": hx(ckbhash(client)), "hash_type": "data2", "args": hx(args)}

def dep(i, data):
    op_ = {"tx_hash": hx(ckbhash(b"dep%d" % i + data)), "index": "0x0"}
    cell_dep = {"out_point": op_, "dep_type": "code"}
    output = {
        "capacity": hex((len(data) + 106) * 10**8),
        "lock": {"code_hash": hx(bytes(32)), "hash_type": "data", "args": "0x"},
        "type": {"code_hash": "0x00000000000000000000000000000000000000000000000000545950455f4944",
                 "hash_type": "type", "args": hx(ckbhash(b"type%d" % i))},
    }
    return {"cell_dep": cell_dep, "output": output, "data": hx(data), "header": None}

deps = [dep(0, client), dep(1, server)]
inp = {"since": "0x0", "previous_output": {"tx_hash": hx(ckbhash(b"input")), "index": "0x0"}}
output = {"capacity": "0x3e8", "lock": lock, "type": None}
mock = {
    "mock_info": {
        "inputs": [{"input": inp, "output": output, "data": "0x", "header": None}],
        "cell_deps": deps,
        "header_deps": [],
        "extensions": [],
    },
    "tx": {
        "version": "0x0",
        "cell_deps": [d["cell_dep"] for d in deps],
        "header_deps": [],
        "inputs": [inp],
        "outputs": [output],
        "outputs_data": ["0x"],
        "witnesses": [],
    },
}
json.dump(mock, open(out, "w"), indent=2)
