//! What the test peers, the benchmark scripts and the tests agree on: the methods of
//! `owned-server` and `inplace-server`, the scenarios of the clients, the modes of `bad-peer`,
//! and the `Bench` service of the typed and JSON pairs. Not an example: the example services
//! are in `examples/`.
#![no_std]

/// Methods of `owned-server`.
pub mod method {
    /// Answers the request payload unchanged.
    pub const ECHO: u64 = 1;
    /// Two `u64` LE in, their sum (`u64` LE) out; [`super::error::OVERFLOW`] if it overflows.
    pub const ADD: u64 = 2;
    /// Answers with the error code given as a `u64` LE payload.
    pub const FAIL: u64 = 3;
    /// Answers the server's argv, each argument followed by a 0 byte.
    pub const ARGV: u64 = 4;
    /// `[cell-dep index: u8] ++ request`: spawns a server from that cell dep, forwards an
    /// `ADD` of the rest to it, waits for it to exit 0, and answers what it answered.
    pub const NESTED_ADD: u64 = 5;
    /// Answers the server's process id (`u64` LE).
    pub const PID: u64 = 6;
}

/// Error codes `owned-server` defines (all above the protocol's 0..=28).
pub mod error {
    pub const UNKNOWN_METHOD: u64 = 1000;
    pub const BAD_ARGS: u64 = 1001;
    pub const OVERFLOW: u64 = 1002;
    pub const NESTED_FAILED: u64 = 1003;
}

/// Scenarios of `owned-client`, chosen by the first byte of its script args:
/// `[scenario, server cell-dep index, server code hash (32), hash type, params...]`.
pub mod scenario {
    pub const DEMO: u8 = 0;
    pub const BY_INDEX: u8 = 1;
    pub const BY_CODE_HASH: u8 = 2;
    pub const MANY_CALLS: u8 = 3;
    pub const ERROR_CODE: u8 = 4;
    pub const LARGE_PAYLOAD: u8 = 5;
    pub const TWO_SERVERS: u8 = 6;
    pub const NESTED: u8 = 7;
    pub const CLOSE_AND_WAIT: u8 = 8;
    pub const ARGV: u8 = 9;
    /// params: `[op: u8, calls: u32 LE, size: u32 LE]`; op 0 = add, 1 = echo of `size` bytes.
    pub const BENCH: u8 = 10;
    /// Spawn only, then close: the baseline the per-call costs are measured against.
    pub const SPAWN_ONLY: u8 = 11;
    /// Parse the args and exit: subtracted from SPAWN_ONLY to isolate the spawn.
    pub const NOOP: u8 = 12;
    /// params: a `bad` mode name. Spawns the server with argv `[mode]`, calls ECHO "ping" once
    /// and prints `probe: <outcome>` (the response or the `IpcError`), then exits 0.
    pub const PROBE: u8 = 13;
    /// Calls a ckb-script-ipc-common server (`their-server`) with JSON payloads it understands.
    pub const THEIR_SERVER: u8 = 14;
    // 16 was typed-client's key-value scenario: examples/kv-client now.
    /// Calls a ckb-js-vm server: the code hash in the args is ckb-js-vm's, params are the JS
    /// cell's code hash and hash type (33 bytes) for ckb-js-vm's `-t`. Checks echo (over 128
    /// bytes), add and an error code, then hangs up and waits for the JS server to exit 0.
    pub const JS_SERVER: u8 = 15;
    /// params: `[over::MODE]`. An honest request or response over the receiver's limit, then an
    /// add on the same channel; prints `over-limit: <outcome>; then add = <sum>`. In
    /// typed-client too (modes REQUEST_ONE, RESPONSE_ONE, RESPONSE_TWICE).
    pub const OVER_LIMIT: u8 = 17;
    /// params: a `bad` mode name. Like PROBE, then calls again on the same channel; prints
    /// `broken: <first outcome>, then <second outcome>`.
    pub const BROKEN: u8 = 18;
    /// `spawn_cell_server` with the code hash in the args; prints `spawn: <outcome>`.
    pub const SPAWN_BY_HASH: u8 = 19;

    pub const ARGS_HEADER_LEN: usize = 1 + 1 + 32 + 1;
}

/// The BENCH params after the common args header: `(op, calls, payload size)`.
pub fn bench_params(args: &[u8]) -> Option<(u8, u32, usize)> {
    parse_bench_params(args.get(scenario::ARGS_HEADER_LEN..)?)
}

/// [`bench_params`] of the params alone.
pub fn parse_bench_params(p: &[u8]) -> Option<(u8, u32, usize)> {
    let op = *p.first()?;
    let calls = u32::from_le_bytes(p.get(1..5)?.try_into().ok()?);
    let size = u32::from_le_bytes(p.get(5..9)?.try_into().ok()?);
    Some((op, calls, size as usize))
}

/// Modes of the OVER_LIMIT scenario: whose limit is passed, and by how much.
pub mod over {
    /// A request of `MAX_PAYLOAD + 1` bytes (typed: a `bytes` argument one over), in one write.
    pub const REQUEST_ONE: u8 = 0;
    /// A request of `2 * MAX_PAYLOAD` bytes, streamed: the header, then the body in chunks.
    pub const REQUEST_TWICE: u8 = 1;
    /// A response of `RESPONSE_LIMIT + 1` bytes to a client whose limit is RESPONSE_LIMIT.
    pub const RESPONSE_ONE: u8 = 2;
    /// A response of `2 * RESPONSE_LIMIT` bytes.
    pub const RESPONSE_TWICE: u8 = 3;
    /// The client's limit in the RESPONSE modes.
    pub const RESPONSE_LIMIT: u64 = 1024;
}

/// Bench operations.
pub mod op {
    pub const ADD: u8 = 0;
    pub const ECHO: u8 = 1;
    /// floor-client: exit before spawning (its baseline).
    pub const NOOP: u8 = 0xff;
}

/// The payload size of the large-payload scenario.
pub const LARGE_PAYLOAD: usize = 256 * 1024;

/// Largest payload the demo contracts accept (they give themselves the heap for it).
pub const MAX_PAYLOAD: u64 = 512 * 1024;

/// Misbehaviours of the `bad-peer` contract. As a server (spawned with argv `[mode]`) it reads
/// one request and answers badly; as a client (script args `[mode bytes]`, server at cell dep 1)
/// it sends bad bytes to a real server and prints what comes back.
pub mod bad {
    /// `05 67 61 72 62 61 67 65`: not a packet (version 5).
    pub const GARBAGE: &str = "garbage";
    /// A header announcing 10 bytes, 3 of them, then a close; the process stays alive.
    pub const TRUNCATED: &str = "truncated";
    /// A header announcing 2^60 bytes.
    pub const HUGE_LENGTH: &str = "huge-length";
    /// An 11-byte VLQ.
    pub const OVERLONG_VLQ: &str = "overlong-vlq";
    /// Version 1.
    pub const BAD_VERSION: &str = "bad-version";
    /// A well-formed response with error code 0xDEAD and a payload.
    pub const UNKNOWN_CODE: &str = "unknown-code";
    /// Half a response, then the process exits.
    pub const DIE_MID_RESPONSE: &str = "die-mid-response";
    /// Closes without answering.
    pub const SILENT: &str = "silent";
    /// Writes when it should read: both ends write at once.
    pub const WRITE_FIRST: &str = "write-first";
}

/// The service both JSON compatibility pairs speak, in ckb-script-ipc-common's encoding: serde_json
/// of these enums in the payload, method id 0.
#[cfg(feature = "json")]
pub mod json {
    extern crate alloc;
    use alloc::vec::Vec;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
    pub enum Req {
        Echo(Vec<u8>),
        Add(u64, u64),
        /// Answered with this error code (one of the codes ckb-script-ipc-common knows).
        Fail(u64),
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
    pub enum Resp {
        Echo(Vec<u8>),
        Add(u64),
    }
}

/// The service the typed benchmark pair speaks, written once: `#[ckb_ipc::service]` makes the
/// client and the server.
#[cfg(feature = "typed")]
pub mod typed {
    use ckb_ipc::Payload;

    #[ckb_ipc::service]
    pub trait Bench {
        fn add(a: u64, b: u64) -> u64;
        /// `Payload` is the zero-copy `bytes` of services.
        fn echo(data: Payload) -> Payload;
    }
}

/// The typed `Bench` service written for ckb-script-ipc's `#[service]` macro (serde_json
/// payloads), so `make bench` can compare the two macros on the same calls.
#[cfg(feature = "script-ipc")]
pub mod script_ipc {
    extern crate alloc;
    use alloc::vec::Vec;

    #[ckb_script_ipc::service]
    pub trait Bench {
        fn add(a: u64, b: u64) -> u64;
        fn echo(data: Vec<u8>) -> Vec<u8>;
    }
}

/// The same `Bench` as [`script_ipc`] (ckb-script-ipc's macro), through
/// `#[ckb_ipc::service(json)]`: its client and server speak ckb-script-ipc's messages.
#[cfg(feature = "typed-json")]
pub mod typed_json {
    extern crate alloc;
    use alloc::vec::Vec;

    #[ckb_ipc::service(json)]
    pub trait Bench {
        fn add(a: u64, b: u64) -> u64;
        fn echo(data: Vec<u8>) -> Vec<u8>;
    }
}

/// More of the `bad-peer` contract (see [`bad`]). Down here so that no line above moves: panic
/// locations, so the other contracts' binaries, stay as they are.
///
/// Spawned without argv, as every client's BENCH scenario spawns its server, bad-peer is the
/// bad server of the mode in the BENCH args' code-hash field ([`mode_in_bench_args`]), which
/// BENCH does not use: a client's BENCH path, unchanged, meets each `bad` mode.
///
/// As a client (script args: a mode, as for [`bad`]) it has two more modes, honest peers that
/// test how a server goes on.
pub mod bad_peer {
    /// A request of the unknown method 0xDEAD (as [`super::bad::UNKNOWN_CODE`]) and an `ADD`
    /// of 40 and 2, in one write: the server answers 1000, then 42.
    pub const UNKNOWN_THEN_ADD: &str = "unknown-then-add";
    /// An `ECHO` request one byte over inplace-server's static buffer (`INPLACE_LIMIT + 1` bytes,
    /// see [`INPLACE_LIMIT`]), its header in the same write as the first 16 KiB of the body; then,
    /// once its answer is in, an `ADD` of 40 and 2.
    pub const OVER_INPLACE_THEN_ADD: &str = "over-inplace-then-add";
    /// The largest payload inplace-server takes: its static buffer of `MAX_PAYLOAD + 64` bytes
    /// less the channel's 8-byte pad and room for a 21-byte header.
    pub const INPLACE_LIMIT: usize = super::MAX_PAYLOAD as usize + 64 - 8 - 21;

    /// The mode in the code-hash field of BENCH script args (`scenario::ARGS_HEADER_LEN`
    /// layout), padded with zero bytes; `None` when the args are not BENCH's.
    pub fn mode_in_bench_args(args: &[u8]) -> Option<&[u8]> {
        if args.first() != Some(&super::scenario::BENCH) {
            return None;
        }
        let field = args.get(2..34)?;
        let len = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        field.get(..len)
    }

    /// The code-hash field carrying `mode` (at most 32 bytes) for BENCH args.
    pub fn bench_code_hash(mode: &str) -> Option<[u8; 32]> {
        let mut field = [0u8; 32];
        field
            .get_mut(..mode.len())?
            .copy_from_slice(mode.as_bytes());
        Some(field)
    }
}

/// A molecule union of every kind of item, for the moleculec check in `tests/schema` (no
/// contract uses it). Down here for the reason [`bad_peer`] is.
#[cfg(feature = "typed")]
pub mod unions {
    extern crate alloc;
    use alloc::vec::Vec;

    /// A unit, a fixed tuple (`struct` item), a fixed struct, a dynamic struct (`table` item),
    /// a newtype, and ids set by hand: molecule's `union Shape { .., ShapeSquare: 7, ShapeLine }`.
    #[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
    pub enum Shape {
        Empty,
        Point(u32, u32),
        Circle {
            radius: u64,
            filled: bool,
        },
        Path {
            points: Vec<u16>,
            label: Option<Vec<u8>>,
        },
        #[molecule(id = 7)]
        Square(u8),
        Line(Vec<u8>),
    }

    /// The molecule schema of [`Shape`] (a `Vec` of it too).
    pub fn schema() -> alloc::string::String {
        let mut schema = ckb_ipc::service::Schema::new();
        schema.add::<Vec<Shape>>();
        schema.to_mol()
    }
}

/// What ckb-gen-types entities cost a server in bytes (`make bench`, block `entities`): the
/// same service with `Byte32` and `Script` in its signature, and with plain types of the same
/// bytes on the wire (`[u8; 32]`, a derived table of `Script`'s fields). `entity-server` serves
/// one or the other (feature `plain`).
#[cfg(feature = "typed")]
pub mod entities {
    extern crate alloc;
    use alloc::vec::Vec;
    use ckb_std::ckb_types::packed::{Byte32, Script};

    /// With ckb-gen-types entities: each is verified (molecule's checks) when it is read.
    #[ckb_ipc::service]
    pub trait Ledger {
        fn balance(owner: Byte32) -> u64;
        fn lock_of(owner: Byte32) -> Script;
    }

    /// The same bytes on the wire: `Byte32` is `[u8; 32]`, `Script` a table of three fields.
    #[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
    pub struct ScriptFields {
        pub code_hash: [u8; 32],
        pub hash_type: u8,
        pub args: Vec<u8>,
    }

    /// [`Ledger`] written with plain types.
    #[ckb_ipc::service]
    pub trait PlainLedger {
        fn balance(owner: [u8; 32]) -> u64;
        fn lock_of(owner: [u8; 32]) -> ScriptFields;
    }
}

/// A service with every kind of type a description has (integers of each size, `bool`, bytes,
/// strings, arrays, structs, tables, tuples, vectors of both kinds, options, unions with every
/// kind of item), served by `every-server`, for the TypeScript of `ckb-ipc gen ts`
/// (`tests/js/gen/every.ts`). At the end of the file for the reason [`bad_peer`] is.
#[cfg(feature = "typed")]
pub mod every {
    extern crate alloc;
    use alloc::string::String;
    use alloc::vec::Vec;

    pub use crate::unions::Shape;

    /// A struct of fixed size.
    #[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
    pub struct Fixed {
        pub a: u8,
        pub b: i16,
        pub c: u32,
        pub d: [u8; 4],
        pub flag: bool,
    }

    /// A table: fields of dynamic size.
    #[derive(ckb_ipc::Molecule, Debug, Clone, PartialEq, Eq)]
    pub struct Record {
        pub name: String,
        pub tags: Vec<String>,
        pub small: Vec<u16>,
        pub hash: [u8; 32],
        pub maybe: Option<u64>,
        pub nested: Vec<Fixed>,
        pub pair: (u32, Vec<u8>),
    }

    #[ckb_ipc::service]
    pub trait Every {
        /// The unsigned ones summed, the signed ones summed (wrapping).
        fn small(a: u8, b: i8, c: u16, d: i32) -> (u32, i32);
        /// `e` plus one, `f` plus `h` (wrapping), and `g` back.
        fn wide(e: u64, f: i64, g: u128, h: i128) -> (u64, i128, u128);
        fn not(x: bool) -> bool;
        /// The characters in reverse order.
        fn reverse(s: String) -> String;
        /// Tags reversed, `maybe` plus one.
        fn record(r: Record) -> Record;
        /// In reverse order.
        fn shapes(v: Vec<Shape>) -> Vec<Shape>;
        /// `flag` negated, `c` plus one (wrapping).
        fn fixed(f: Fixed) -> Fixed;
        /// `d` of the struct, if there is one.
        fn bytes_of(x: Option<Fixed>) -> Option<Vec<u8>>;
        /// Half of an even number; an odd one is refused with `Shape::Square`, 7 with
        /// `Shape::Empty`.
        fn halve(n: u32) -> Result<u32, Shape>;
        fn nothing();
    }
}

/// Batches (`ckb_ipc::wire::BATCH_METHOD`). Down here for the reason [`bad_peer`] is.
pub mod batch {
    /// Scenario of `owned-client` and `typed-client`: a batch of four calls, then a single add
    /// on the same channel; prints `batch: <answers or error>; then add = <sum or error>`. With
    /// 33 bytes of params (a JS cell's code hash and hash type), owned-client spawns the server
    /// (ckb-js-vm, named by the args' code hash) with `-t` as the JS_SERVER scenario does.
    pub const SCENARIO: u8 = 20;

    /// Hostile batches `bad-peer` sends as a client (each but MANY_ITEMS followed, in the same
    /// write, by an `ADD` of 40 and 2), or answers as a server (to owned-client's BATCH scenario, whose
    /// params then carry the mode):
    /// an item announcing 10 bytes of which 3 are there (the batch's own length is right);
    pub const ITEM_OVERRUN: &str = "batch-item-overrun";
    /// an item announcing 2^60 bytes;
    pub const ITEM_HUGE: &str = "batch-item-huge";
    /// an item that is itself a batch;
    pub const NESTED: &str = "batch-nested";
    /// 1,000 empty echo items in a batch of 3,000 bytes: answered one by one, nothing
    /// allocated per item by an in-place server;
    pub const MANY_ITEMS: &str = "batch-many-items";
    /// a server's answer of one response to a batch of four;
    pub const SHORT_ANSWER: &str = "batch-short-answer";
    /// a server's answer whose first response announces 9 bytes of which none are there.
    pub const ANSWER_OVERRUN: &str = "batch-answer-overrun";

    /// The batch sizes `make bench` measures.
    pub const SIZES: [u8; 4] = [1, 4, 16, 64];

    /// The batch size of BENCH args: a 10th params byte, after `[op, calls, size]`; the client
    /// then makes `calls` batches of that many calls each. `None`: single calls.
    pub fn size(args: &[u8]) -> Option<usize> {
        let k = *args.get(super::scenario::ARGS_HEADER_LEN + 9)?;
        (k > 0).then_some(usize::from(k))
    }
}
