// The README's JavaScript example: a ckb-js-vm script calling the Rust kv-server through the
// KeyValueClient of `ckb-ipc gen ts build/release/kv-server -o tests/js/gen` (tests/src/jsvm.rs
// runs it). Its args after ckb-js-vm's 35 bytes: kv-server's data hash.
import * as bindings from "@ckb-js-std/bindings";
import { appArgs } from "./util";
// ANCHOR: readme
import { Channel, spawnCellServer } from "@ckb-js-std/ipc";
import { KeyValueClient, ServiceError } from "../gen/key-value";

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const show = (b: Uint8Array) => String.fromCharCode(...b);
const HASH_TYPE_DATA2 = 4;

// kv-server's cell, by the data hash in this script's args (util.ts: appArgs).
const [read, write] = spawnCellServer(appArgs().slice(0, 32).buffer, HASH_TYPE_DATA2, []);
const kv = new KeyValueClient(new Channel(read, write));
kv.put(text("alice"), text("100")); // null: it replaced nothing
kv.apply({ Put: { key: text("bob"), value: text("7") } }); // a Rust enum: a tagged object
console.log(`count = ${kv.count()}`); // count = 2 (a u64: a bigint)
for (const { key, value } of kv.scan(text(""))) console.log(`${show(key)} -> ${show(value)}`);
try {
  kv.put(new Uint8Array(65), new Uint8Array(0)); // a key over kv-server's 64 bytes
} catch (e) {
  // Err(e) of the Rust method; a transport or protocol error is a CallError with its code.
  if (!(e instanceof ServiceError)) throw e;
  console.log(`refused: KvError ${e.error}`); // refused: KvError 1
}
// ANCHOR_END: readme
bindings.exit(0);
