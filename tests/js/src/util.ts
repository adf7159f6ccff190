// Helpers of the JavaScript test peers: script args, bytes, and a channel that prints what it
// sends and receives (so a Rust test can compare the bytes with what the Rust client sends).
import * as bindings from "@ckb-js-std/bindings";
import { RequestPacket, ResponsePacket } from "@ckb-js-std/ipc";

/** Any data hash type: the lookup compares data hashes. */
export const HASH_TYPE_DATA2 = 4;

/** This script's args after ckb-js-vm's 35 bytes (flags, JS cell code hash and hash type). */
export function appArgs(): Uint8Array {
  const script = new Uint8Array(bindings.loadScript());
  const view = new DataView(script.buffer);
  const argsAt = view.getUint32(12, true);
  const len = view.getUint32(argsAt, true);
  return script.slice(argsAt + 4 + 35, argsAt + 4 + len);
}

export function hex(b: Uint8Array): string {
  let s = "0x";
  for (const x of b) s += (x < 16 ? "0" : "") + x.toString(16);
  return s;
}

export function equal(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The ASCII bytes of `s`. */
export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** `channel`, printing `sent 0x..` and `got 0x..` (whole packets) for every call. */
export function recording(channel: { call(req: RequestPacket): ResponsePacket }) {
  return {
    call(req: RequestPacket): ResponsePacket {
      console.log(`sent ${hex(req.serialize())}`);
      const resp = channel.call(req);
      console.log(`got ${hex(resp.serialize())}`);
      return resp;
    },
  };
}

/** What `f` threw as a `T`; anything else thrown goes on, and nothing thrown is `undefined`. */
export function thrown<T>(kind: new (...a: any[]) => T, f: () => unknown): T | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof kind) return e;
    throw e;
  }
  return undefined;
}
