// A ckb-js-vm root script that calls the Rust `owned-server` (methods of contracts/test-proto):
// its data hash is in this script's args after ckb-js-vm's 35 bytes. Exits 0 when every answer
// is right, else the number of the first wrong check.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, RequestPacket, spawnCellServer } from "@ckb-js-std/ipc";

const ECHO = 1, ADD = 2, FAIL = 3;
const HASH_TYPE_DATA2 = 4; // any data hash type: the lookup compares data hashes

function appArgs(): Uint8Array {
  const script = new Uint8Array(bindings.loadScript());
  const view = new DataView(script.buffer);
  const argsAt = view.getUint32(12, true);
  const len = view.getUint32(argsAt, true);
  return script.slice(argsAt + 4 + 35, argsAt + 4 + len);
}

function u64s(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(8 * values.length);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setBigUint64(8 * i, v, true));
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function main(): number {
  const serverHash = appArgs().slice(0, 32);
  const [read, write] = spawnCellServer(serverHash.buffer, HASH_TYPE_DATA2, []);
  const channel = new Channel(read, write);

  const big = new Uint8Array(200).map((_, i) => (i * 7) & 0xff);
  let resp = channel.call(new RequestPacket(big, ECHO));
  console.log(`echo ${big.length} bytes -> code ${resp.errorCode()}, ${resp.payload().length} bytes`);
  if (resp.errorCode() !== 0 || !equal(resp.payload(), big)) return 1;

  resp = channel.call(new RequestPacket(u64s(40n, 2n), ADD));
  const sum = new DataView(resp.payload().slice().buffer).getBigUint64(0, true);
  console.log(`add(40, 2) -> code ${resp.errorCode()}, ${sum}`);
  if (resp.errorCode() !== 0 || sum !== 42n) return 2;

  resp = channel.call(new RequestPacket(u64s(0xdeadn), FAIL));
  console.log(`fail(0xdead) -> code ${resp.errorCode().toString(16)}`);
  if (resp.errorCode() !== 0xdead || resp.payload().length !== 0) return 3;

  const bigger = new Uint8Array(300).fill(0x5a);
  resp = channel.call(new RequestPacket(bigger, ECHO));
  if (resp.errorCode() !== 0 || !equal(resp.payload(), bigger)) return 4;
  return 0;
}

bindings.exit(main());
