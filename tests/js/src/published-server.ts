// The server of server.ts written the normal way with the published package's API (bundled
// against its stand-in, published-ipc.ts): `runServer` never returns, so when the client hangs
// up, reading the next header throws and ckb-js-vm exits -7.
import * as bindings from "@ckb-js-std/bindings";
import { RequestPacket, ResponsePacket, runServer } from "./published-ipc";

const ECHO = 1, ADD = 2, FAIL = 3;
const UNKNOWN_METHOD = 1000, BAD_ARGS = 1001;

function serve(req: RequestPacket): ResponsePacket {
  const payload = req.payload();
  const view = new DataView(payload.slice().buffer);
  switch (req.methodId()) {
    case ECHO:
      return new ResponsePacket(0, payload);
    case ADD: {
      if (payload.length !== 16) return new ResponsePacket(BAD_ARGS, new Uint8Array(0));
      const out = new Uint8Array(8);
      const sum = (view.getBigUint64(0, true) + view.getBigUint64(8, true)) & 0xffffffffffffffffn;
      new DataView(out.buffer).setBigUint64(0, sum, true);
      return new ResponsePacket(0, out);
    }
    case FAIL:
      if (payload.length !== 8) return new ResponsePacket(BAD_ARGS, new Uint8Array(0));
      return new ResponsePacket(Number(view.getBigUint64(0, true)), new Uint8Array(0));
    default:
      return new ResponsePacket(UNKNOWN_METHOD, new Uint8Array(0));
  }
}

runServer({ serve });
console.log("js server: runServer returned");
bindings.exit(0);
