// The part of ckb-js-vm's built-in module "@ckb-js-std/bindings" these scripts use, for
// `tsc --noEmit` (at run time ckb-js-vm provides the module; bundles leave it external).
declare module "@ckb-js-std/bindings" {
  export type SourceType = number;
  export interface SpawnArgs {
    argv?: string[];
    inheritedFds?: number[];
  }
  export function read(fd: number, length: number): ArrayBuffer;
  export function write(fd: number, data: ArrayBuffer): void;
  export function close(fd: number): void;
  export function pipe(): [number, number];
  export function inheritedFds(): number[];
  export function spawn(index: number, source: SourceType, offset: number, length: number, args: SpawnArgs): number;
  export function spawnCell(codeHash: ArrayBuffer, hashType: number, offset: number, length: number, args: SpawnArgs): number;
  export function loadScript(): ArrayBuffer;
  export function exit(code: number): never;
}

// ckb-js-vm's console (debug output of the script).
declare const console: { log(...values: unknown[]): void };
