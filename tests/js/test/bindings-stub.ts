// "@ckb-js-std/bindings" for the decoder tests under Node.js: they never touch a pipe.
function absent(): never {
  throw new Error("no ckb-js-vm syscalls under Node.js");
}
export const read = absent, write = absent, close = absent, pipe = absent, inheritedFds = absent;
export const spawn = absent, spawnCell = absent, loadScript = absent, exit = absent;
