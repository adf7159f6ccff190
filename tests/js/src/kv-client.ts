// A ckb-js-vm root script calling the Rust `kv-server` through the generated KeyValueClient
// (tests/js/gen/key-value.ts): the checks of examples/kv-client. Its args: kv-server's data
// hash. Prints every packet (util.recording) and exits with the number of the first failed
// check, else 0.
import * as bindings from "@ckb-js-std/bindings";
import { Channel, spawnCellServer } from "@ckb-js-std/ipc";
import { KeyValueClient, ServiceError } from "../gen/key-value";
import { HASH_TYPE_DATA2, appArgs, ascii, equal, recording, thrown } from "./util";

const KEY_TOO_LONG = 1, VALUE_TOO_LONG = 2;

function main(): number {
  const [read, write] = spawnCellServer(appArgs().slice(0, 32).buffer, HASH_TYPE_DATA2, []);
  const kv = new KeyValueClient(recording(new Channel(read, write)));
  const refused = (f: () => unknown) => thrown(ServiceError<number>, f)?.error;

  if (kv.get(ascii("missing")) !== null) return 11;
  if (kv.put(ascii("user/alice"), ascii("100")) !== null) return 12;
  if (kv.put(ascii("user/bob"), ascii("7")) !== null) return 13;
  if (kv.put(ascii("pool"), ascii("x")) !== null) return 14;
  if (!equal(kv.put(ascii("user/alice"), ascii("90")), ascii("100"))) return 15;
  if (!equal(kv.get(ascii("user/alice")), ascii("90"))) return 16;
  if (kv.count() !== 3n) return 17;
  const users = kv.scan(ascii("user/"));
  if (users.length !== 2) return 18;
  if (!equal(users[0].key, ascii("user/alice")) || !equal(users[0].value, ascii("90"))) return 19;
  if (!equal(users[1].key, ascii("user/bob")) || !equal(users[1].value, ascii("7"))) return 19;
  if (refused(() => kv.put(new Uint8Array(65).fill(0x6b), new Uint8Array(0))) !== KEY_TOO_LONG) return 20;
  if (refused(() => kv.put(ascii("big"), new Uint8Array(4097))) !== VALUE_TOO_LONG) return 21;
  if (!equal(kv.remove(ascii("pool")), ascii("x"))) return 22;
  if (kv.count() !== 2n) return 23;
  if (kv.apply({ Put: { key: ascii("user/carol"), value: ascii("5") } }) !== null) return 24;
  if (!equal(kv.apply({ Remove: ascii("user/bob") }), ascii("7"))) return 25;
  const tooLong = { Put: { key: new Uint8Array(65).fill(0x6b), value: new Uint8Array(0) } };
  if (refused(() => kv.apply(tooLong)) !== KEY_TOO_LONG) return 26;
  if (kv.count() !== 2n) return 27;
  if (kv.apply("Clear") !== null) return 28;
  if (kv.count() !== 0n) return 29;
  console.log("kv-client.js: every check passed");
  return 0;
}

bindings.exit(main());
