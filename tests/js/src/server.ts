// A ckb-js-vm IPC server with the methods of the Rust `owned-server` (echo, add, fail), spawned by
// a Rust client with argv ["-t", <this script's data hash + hash type, hex>]. Returns when the
// client closes the channel, so the script exits 0.
import * as bindings from "@ckb-js-std/bindings";
import { RequestPacket, ResponsePacket, runServer } from "@ckb-js-std/ipc";

const ECHO = 1, ADD = 2, FAIL = 3;
const UNKNOWN_METHOD = 1000, BAD_ARGS = 1001;

function serve(req: RequestPacket): ResponsePacket {
  const view = new DataView(req.payload().slice().buffer);
  switch (req.methodId()) {
    case ECHO:
      return new ResponsePacket(0, req.payload());
    case ADD: {
      if (req.payload().length !== 16) return new ResponsePacket(BAD_ARGS, new Uint8Array(0));
      const out = new Uint8Array(8);
      const sum = (view.getBigUint64(0, true) + view.getBigUint64(8, true)) & 0xffffffffffffffffn;
      new DataView(out.buffer).setBigUint64(0, sum, true);
      return new ResponsePacket(0, out);
    }
    case FAIL:
      if (req.payload().length !== 8) return new ResponsePacket(BAD_ARGS, new Uint8Array(0));
      return new ResponsePacket(Number(view.getBigUint64(0, true)), new Uint8Array(0));
    default:
      return new ResponsePacket(UNKNOWN_METHOD, new Uint8Array(0));
  }
}

runServer({ serve });
console.log("js server: client closed the channel");
bindings.exit(0);
