// A ckb-js-vm server of the Rust trait test_proto::typed::Bench, through the generated
// BenchHandler (tests/js/gen/bench.ts): `contracts/typed-js-client` spawns it with argv
// ["-t", <this script's data hash + hash type, hex>].
import * as bindings from "@ckb-js-std/bindings";
// ANCHOR: readme
import { runServer } from "@ckb-js-std/ipc";
import { Bench, BenchHandler } from "../gen/bench";

const U64 = (1n << 64n) - 1n;

class Service implements Bench {
  add(a: bigint, b: bigint): bigint {
    return (a + b) & U64; // wrapping, as the Rust server's wrapping_add
  }
  echo(data: Uint8Array): Uint8Array {
    return data;
  }
}

runServer(new BenchHandler(new Service())); // returns when the client hangs up
// ANCHOR_END: readme
console.log("bench-server.js: the client hung up");
bindings.exit(0);
