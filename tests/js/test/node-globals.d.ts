// What test/decoders.ts uses of Node.js (no @types/node installed).
declare const Buffer: {
  from(b: Uint8Array): { toString(encoding: "hex"): string };
  compare(a: unknown, b: unknown): number;
};
