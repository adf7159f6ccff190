// Batches of the generated modules under Node.js (`npm test`), over the transport that
// "@ckb-js-std/ipc" names in the bundle: the lean one (gen/ckb-ipc-transport.ts) and the published package's
// stand-in (src/published-ipc.ts). A loopback channel frames every packet and reads it back, so
// requests and answers cross the wire format as they would a pipe. Checked: a batch answers what
// the same calls alone answer, item errors stop nothing, a refused batch is `BatchRefused` and
// the channel still works; hostile answers throw DecodeError only; hostile batch requests are
// refused whole with the wire doc's codes, nothing served. Deterministic: a fixed-seed generator.
import { RequestPacket, ResponsePacket } from "@ckb-js-std/ipc";
import type { RequestHandler } from "@ckb-js-std/ipc";
import * as kv from "../gen/key-value";
import * as bench from "../gen/bench";

function fail(why: string): never {
  throw new Error(why);
}

let seed = 0x9e3779b9;
function random(n: number): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const same = (a: Uint8Array, b: Uint8Array) => hex(a) === hex(b);
/** ASCII text's bytes. */
const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const bytes = (a: number[]) => Uint8Array.from(a);
/** Byte arrays (or lists of bytes) end to end. */
function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** `Read` over bytes, as a pipe would give them. */
class Bytes {
  at = 0;
  constructor(readonly data: Uint8Array) {}
  read(length: number): Uint8Array {
    const n = Math.min(length, this.data.length - this.at);
    this.at += n;
    return this.data.slice(this.at - n, this.at);
  }
  readExact(length: number): Uint8Array {
    const out = this.read(length);
    if (out.length !== length) fail("short read");
    return out;
  }
}

/** A channel to `handler` through the wire bytes; it records what it sent. */
class Loopback {
  sent: Uint8Array[] = [];
  constructor(readonly handler: RequestHandler) {}
  call(req: RequestPacket): ResponsePacket {
    const bytes = req.serialize();
    this.sent.push(bytes);
    const resp = this.handler.serve(RequestPacket.readFrom(new Bytes(bytes)));
    return ResponsePacket.readFrom(new Bytes(resp.serialize()));
  }
}

/** A channel whose every answer is `answer` (a hostile server). */
class Answers {
  constructor(readonly answer: ResponsePacket) {}
  call(_: RequestPacket): ResponsePacket {
    return this.answer;
  }
}

/** An in-memory KeyValue; `put` of an empty key is `Err(1)`. `served` counts the calls. */
class Store implements kv.KeyValue {
  map = new Map<string, Uint8Array>();
  served = 0;
  get(key: Uint8Array) {
    this.served++;
    return this.map.get(hex(key)) ?? null;
  }
  put(key: Uint8Array, value: Uint8Array) {
    this.served++;
    if (key.length === 0) throw new kv.ServiceError("put", 1);
    const old = this.map.get(hex(key)) ?? null;
    this.map.set(hex(key), value.slice());
    return old;
  }
  remove(key: Uint8Array) {
    this.served++;
    const old = this.map.get(hex(key)) ?? null;
    this.map.delete(hex(key));
    return old;
  }
  count() {
    this.served++;
    return BigInt(this.map.size);
  }
  scan(prefix: Uint8Array) {
    this.served++;
    return [...this.map.entries()]
      .filter(([k]) => k.startsWith(hex(prefix)))
      .map(([k, value]) => ({ key: Uint8Array.from(k.match(/../g) ?? [], (x) => parseInt(x, 16)), value }));
  }
  apply(change: kv.Change) {
    this.served++;
    if (change === "Clear") {
      this.map.clear();
      return null;
    }
    return "Put" in change ? this.put(change.Put.key, change.Put.value) : this.remove(change.Remove);
  }
}

const adder: bench.Bench = {
  add: (a, b) => BigInt.asUintN(64, a + b),
  echo: (data) => data,
};

let checks = 0;
function check(ok: boolean, why: string): void {
  if (!ok) fail(why);
  checks++;
}

/** What `f` throws (it must throw). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return fail("did not throw");
}

/** A settled result, or what the call threw, as comparable text. */
function show(r: kv.Settled<unknown, unknown> | { thrown: unknown }): string {
  const v = (x: unknown): string =>
    x instanceof Uint8Array ? hex(x) : Array.isArray(x) ? x.map(v).join(",") : typeof x === "object" && x !== null ? Object.values(x).map(v).join(":") : String(x);
  if ("thrown" in r) r = { ok: false, error: r.thrown as kv.CallError };
  if (r.ok) return `ok ${v(r.value)}`;
  const e = r.error;
  // Each module has its own error classes: told apart by their fields.
  return "error" in e ? `service ${e.error}` : "payload" in e ? `code ${e.code}` : "decode";
}

// ---- Round trips: a batch answers what the same calls alone answer, in order ----

{
  const ops: ((c: kv.KeyValueBatch | kv.KeyValueClient) => kv.BatchCall<unknown, unknown> | unknown)[] = [];
  const keys = [text("a"), text("ab"), text(""), text("b")];
  for (let i = 0; i < 40; i++) {
    const key = keys[random(keys.length)];
    const value = text(`v${i}`);
    const clear = random(4) === 0;
    ops.push(
      [
        (c: any) => c.put(key, value),
        (c: any) => c.get(key),
        (c: any) => c.remove(key),
        (c: any) => c.count(),
        (c: any) => c.scan(text("a")),
        (c: any) => c.apply(clear ? "Clear" : { Put: { key, value } }),
      ][random(6)],
    );
  }
  // Alone, each call on its own store and client.
  const alone = new Store();
  const single = new kv.KeyValueClient(new Loopback(new kv.KeyValueHandler(alone)));
  const expected = ops.map((op) => {
    try {
      return show({ ok: true, value: op(single) });
    } catch (e) {
      return show({ thrown: e });
    }
  });
  check(expected.some((s) => s.startsWith("service")) && expected.some((s) => s.startsWith("ok")), "a mix of answers");
  // In batches of every size 0 ..= 40, cut from the same sequence.
  for (const size of [0, 1, 2, 3, 7, 16, 40]) {
    const store = new Store();
    const channel = new Loopback(new kv.KeyValueHandler(store));
    const client = new kv.KeyValueClient(channel);
    const got: string[] = [];
    for (let at = 0; at < ops.length; at += Math.max(size, 1)) {
      const part = ops.slice(at, at + Math.max(size, 1));
      const results = client.batch((b) => (size === 0 ? [] : part.map((op) => op(b) as kv.BatchCall<unknown, unknown>)));
      check(results.length === (size === 0 ? 0 : part.length), "one result per call");
      if (size === 0) break;
      got.push(...results.map(show));
    }
    if (size === 0) {
      check(channel.sent.length === 1 && same(channel.sent[0], new Uint8Array([0, 0xfe, 0xff, 0xff, 0xff, 7, 0])), "an empty batch");
      continue;
    }
    check(got.join("|") === expected.join("|"), `batches of ${size}: ${got.join("|")} vs ${expected.join("|")}`);
    check(channel.sent.length === Math.ceil(ops.length / size), "one packet a batch");
    check(store.served === alone.served, "every call served once, as alone");
  }
}

// The request: the batch header, then exactly the packets the calls alone send.
{
  const channel = new Loopback(new bench.BenchHandler(adder));
  const client = new bench.BenchClient(channel);
  const args: [bigint, bigint][] = [...Array(16)].map(() => [BigInt(random(1 << 30)) << 32n, BigInt(random(1000))]);
  for (const [a, b] of args) client.add(a, b);
  client.echo(text("hi"));
  const alone = channel.sent.splice(0);
  const [first, second] = client.batch((b) => [b.add(...args[0]), b.echo(text("hi"))] as const);
  const sum: bigint = first.ok ? first.value : fail("add");
  const echoed: Uint8Array = second.ok ? second.value : fail("echo");
  check(sum === args[0][0] + args[0][1] && same(echoed, text("hi")), "a typed tuple of results");
  const items = concat([alone[0], alone[16]]);
  check(items.length < 128 && same(channel.sent[0], concat([bytes([0, 0xfe, 0xff, 0xff, 0xff, 7, items.length]), items])), "the batch's bytes");
  const sums = client.batch((b) => args.map(([x, y]) => b.add(x, y)));
  check(sums.every((r, i) => r.ok && r.value === args[i][0] + args[i][1]), "16 adds");
  const header = channel.sent[1].subarray(0, 8);
  check(same(channel.sent[1].subarray(8), concat(alone.slice(0, 16))) && same(header, bytes([0, 0xfe, 0xff, 0xff, 0xff, 7, 0x80 | (alone.slice(0, 16).reduce((n, p) => n + p.length, 0) & 127), alone.slice(0, 16).reduce((n, p) => n + p.length, 0) >> 7])), "16 adds' bytes");
}

// ---- Refused whole: a server that does not know batches; the channel still usable ----

{
  const store = new Store();
  const inner = new kv.KeyValueHandler(store);
  // A handler of before batches: every id it does not know is 256 (as the generated one was).
  const old: RequestHandler = {
    serve: (req) => (kv.wireCode(req.methodId()) === kv.BATCH_METHOD ? new ResponsePacket(kv.UNKNOWN_METHOD, new Uint8Array(0)) : inner.serve(req)),
  };
  const client = new kv.KeyValueClient(new Loopback(old));
  const e = thrown(() => client.batch((b) => [b.put(text("k"), text("v")), b.count()]));
  check(e instanceof kv.BatchRefused && e.code === kv.UNKNOWN_METHOD, "BatchRefused(256)");
  check(store.served === 0, "nothing of a refused batch served");
  check(client.count() === 0n && store.served === 1, "the channel still usable");
  // Codes past 2^31 as the published package reads them (negative): the code as sent.
  const big = thrown(() => new kv.KeyValueClient(new Answers(new ResponsePacket(-2, new Uint8Array(0)))).batch((b) => [b.count(), b.count()]));
  check(big instanceof kv.BatchRefused && big.code === 2 ** 32 - 2, "a wire code past 2^31");
  // A batch of one is sent as the call itself: that server answers it.
  const [one] = client.batch((b) => [b.count()] as const);
  check(one.ok && one.value === 0n && store.served === 2, "a batch of one answered as the call");
}

// ---- Hostile answers: DecodeError and nothing else, or results with typed errors ----

function answerOf(parts: ResponsePacket[]): Uint8Array {
  return concat(parts.map((p) => p.serialize()));
}

{
  const calls = (b: bench.BenchBatch) => [b.add(1n, 2n), b.echo(text("hi")), b.add(3n, 4n)];
  const run = (payload: Uint8Array, code = 0) => new bench.BenchClient(new Answers(new ResponsePacket(code, payload))).batch(calls);
  const good = [new ResponsePacket(0, bench.encodeUint64(3n)), new ResponsePacket(0, bench.encodeBytes(text("hi"))), new ResponsePacket(0, bench.encodeUint64(7n))];
  const whole = answerOf(good);
  check(run(whole).map(show).join("|") === "ok 3|ok 6869|ok 7", "the good answer");
  // Every cut of it: too few responses, or one cut short.
  for (let cut = 0; cut < whole.length; cut++) {
    const e = thrown(() => run(whole.subarray(0, cut)));
    check(e instanceof bench.DecodeError, `cut at ${cut}: ${String(e)}`);
  }
  // One too many; a version of 1; a VLQ past 2^53 - 1; a length past the end; 11-byte VLQs.
  const hostile = [
    concat([whole, bytes([0, 0, 0])]),
    concat([whole.subarray(0, -11), bytes([1, 0, 8]), whole.subarray(-8)]),
    concat([whole.subarray(0, -11), bytes([0x80, 0, 0, 8]), whole.subarray(-8)]),
    concat([whole.subarray(0, -11), bytes([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 8]), whole.subarray(-8)]),
    concat([whole.subarray(0, -11), bytes([0, 0, 9]), whole.subarray(-8)]),
    concat([whole.subarray(0, -11), bytes([0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])]),
    concat([whole.subarray(0, -11), bytes([0, ...Array(10).fill(0x80), 0, 8]), whole.subarray(-8)]),
  ];
  for (const h of hostile) check(thrown(() => run(h)) instanceof bench.DecodeError, `hostile ${hex(h)}`);
  // Each item's own error is its result; the others are served.
  const mixed = answerOf([new ResponsePacket(0, new Uint8Array(7)), new ResponsePacket(256, new Uint8Array(0)), new ResponsePacket(300, text("x"))]);
  check(run(mixed).map(show).join("|") === `decode|code 256|code 300`, `item errors: ${run(mixed).map(show).join("|")}`);
  const kvAnswer = answerOf([new ResponsePacket(257, kv.encodeKvError(9)), new ResponsePacket(257, new Uint8Array(2)), new ResponsePacket(0, new Uint8Array(0))]);
  const r = new kv.KeyValueClient(new Answers(new ResponsePacket(0, kvAnswer))).batch((b) => [b.put(text("k"), text("v")), b.put(text("k"), text("v")), b.get(text("k"))] as const);
  check(show(r[0]) === "service 9" && show(r[1]) === "decode" && show(r[2]) === "ok null", "service errors per item");
  // Types (tsc checks them): put's error is its KvError; get, without an error type, has none.
  const kvError: kv.KvError | null = !r[0].ok && r[0].error instanceof kv.ServiceError ? r[0].error.error : null;
  const getError: kv.CallError | kv.DecodeError | null = r[2].ok ? null : r[2].error;
  check(kvError === 9 && getError === null, "typed errors");
  // Random answers: results or DecodeError, nothing else thrown.
  let decoded = 0;
  for (let i = 0; i < 3000; i++) {
    const b = random(2) ? Uint8Array.from(whole) : new Uint8Array(random(40)).map(() => random(256));
    for (let k = random(4); k > 0 && b.length > 0; k--) b[random(b.length)] = random(2) ? random(256) : [0, 0x80, 0x7f, 0xff][random(4)];
    try {
      run(b);
      decoded++;
    } catch (e) {
      if (!(e instanceof bench.DecodeError)) fail(`${hex(b)} threw ${String(e)}`);
    }
  }
  check(decoded > 0, "some random answers decode");
}

// ---- Hostile batch requests to the handler: refused whole with the wire doc's codes ----

function request(method: number, payload: Uint8Array): Uint8Array {
  return new RequestPacket(payload, method).serialize();
}

{
  const store = new Store();
  const handler = new kv.KeyValueHandler(store);
  const serve = (payload: Uint8Array) => handler.serve(new RequestPacket(payload, kv.BATCH_METHOD));
  const put = request(kv.KeyValueMethods.put, kv.encodePutArgs({ key: text("k"), value: text("v") }));
  const count = request(kv.KeyValueMethods.count, new Uint8Array(0));
  const refused = (payload: Uint8Array, code: number, why: string) => {
    const resp = serve(payload);
    check(resp.errorCode() === code && resp.payload().length === 0 && store.served === 0, `${why}: ${resp.errorCode()}`);
  };
  const items = concat([put, count]);
  for (let cut = 1; cut < items.length; cut++) if (cut !== put.length) refused(items.subarray(0, cut), 22, `cut at ${cut}`);
  refused(concat([put, request(kv.BATCH_METHOD, count)]), 27, "a batch in a batch");
  refused(concat([put, request(kv.BATCH_METHOD, new Uint8Array(0)), bytes([0, 0, 5])]), 27, "a batch before a cut item");
  refused(concat([put, bytes([1, 0, 0])]), 28, "version 1");
  refused(concat([put, bytes([0x80, 0, 0, 0])]), 28, "version 0 in two bytes");
  refused(concat([put, bytes([0, 0, 0x81, 0x80, 0x40])]), 28, "an item over MAX_ITEM_PAYLOAD");
  refused(concat([put, bytes([0, 0, 0x80, 0x80, 0x40])]), 22, "an item at MAX_ITEM_PAYLOAD, cut");
  refused(concat([put, bytes([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10, 0])]), 24, "a method id past 2^53 - 1");
  refused(concat([put, bytes([0, ...Array(10).fill(0x80), 0, 0])]), 24, "an 11-byte VLQ");
  // Served: each item as alone, its own error in its slot.
  const empty = serve(new Uint8Array(0));
  check(empty.errorCode() === 0 && empty.payload().length === 0, "an empty batch");
  const bad = request(kv.KeyValueMethods.get, new Uint8Array([1, 0, 0]));
  const unknown = request(12345, new Uint8Array(0));
  const emptyKey = request(kv.KeyValueMethods.put, kv.encodePutArgs({ key: new Uint8Array(0), value: text("v") }));
  const resp = serve(concat([put, bad, unknown, emptyKey, count]));
  const fresh = new kv.KeyValueHandler(new Store());
  const aloneAnswers = [put, bad, unknown, emptyKey, count].map((p) => fresh.serve(RequestPacket.readFrom(new Bytes(p))).serialize());
  check(resp.errorCode() === 0 && same(resp.payload(), concat(aloneAnswers)), "each item answered as alone");
  check(store.served === 3, "three items reached the implementation");
  // Random batch payloads: a whole answer of code 0 or an empty one with a framing code.
  for (let i = 0; i < 3000; i++) {
    const b = Uint8Array.from(concat([put, count, bad].slice(0, random(4))));
    for (let k = random(4); k > 0 && b.length > 0; k--) b[random(b.length)] = random(256);
    const r = serve(b.subarray(0, b.length - random(2)));
    check(r.errorCode() === 0 || ([22, 24, 27, 28].includes(r.errorCode()) && r.payload().length === 0), `random batch ${hex(b)}`);
  }
}

// Discoverable answers batches too, the description among their items.
{
  const handler = new kv.Discoverable(kv.KeyValueDescription, new kv.KeyValueHandler(new Store()));
  const resp = handler.serve(new RequestPacket(concat([request(kv.DESCRIBE_METHOD, new Uint8Array(0)), request(kv.KeyValueMethods.count, new Uint8Array(0))]), kv.BATCH_METHOD));
  const alone = [kv.DESCRIBE_METHOD, kv.KeyValueMethods.count].map((m) => handler.serve(new RequestPacket(new Uint8Array(0), m)).serialize());
  check(resp.errorCode() === 0 && same(resp.payload(), concat(alone)) && alone[0].length > kv.KeyValueDescription.length, "a discoverable batch");
}

console.log(`batches: ${checks} checks passed`);
