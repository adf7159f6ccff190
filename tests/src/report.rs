//! The numbers the README and docs quote, written by the commands that measure them and
//! checked against a fresh run by `make test`, so they cannot drift from the code:
//! - `make demo` writes the README's cycle table (block `demo`);
//! - `make bench` writes `docs/benchmarks.md`, its chart, and the README's comparison with the
//!   other implementations (block `bench`); in `docs/benchmarks.md` the heap high-water marks
//!   (block `heap`, measured with the heap-stats contracts) and the off-chain host's wall-clock
//!   times (block `native`).
//!
//! A block sits between `<!-- begin NAME: written by make X -->` and `<!-- end NAME -->`.
//! CKB-VM cycles are deterministic, so a fresh run must reproduce every digit.

use std::path::PathBuf;

use crate::heap::{heap_table, measure_batch_heap, measure_heap, HeapMeasured};
use crate::{
    binary, cycles_of, is_batch, markdown_table, measure, measure_batches, spawn_server_overhead,
    Impl, Measured, BATCH_IMPLS, BATCH_SCENARIOS, FLOOR, INPLACE, OWNED, SCENARIOS, SCRIPT_IPC,
    SCRIPT_IPC_MACRO, TYPED,
};

/// Calls per scenario in `make demo`'s table.
pub const DEMO_CALLS: u32 = 16;
/// Calls per scenario in `make bench`.
pub const BENCH_CALLS: u32 = 8;
/// Every implementation `make bench` compares, in the order of its tables.
pub const BENCH_IMPLS: [Impl; 6] = [FLOOR, INPLACE, OWNED, TYPED, SCRIPT_IPC, SCRIPT_IPC_MACRO];

/// The repository's root.
pub fn repo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `make demo`'s measurements: ckb-ipc against the raw-syscall floor.
pub struct DemoNumbers {
    /// `spawn_server` of owned-server through ckb-ipc, and a bare spawn syscall of it.
    pub spawn: (u64, u64),
    pub rows: Vec<Measured>,
}

/// Runs `make demo`'s measurements.
pub fn demo_numbers() -> DemoNumbers {
    DemoNumbers {
        spawn: spawn_server_overhead(),
        rows: measure(&[FLOOR, INPLACE, OWNED], &SCENARIOS[..6], DEMO_CALLS),
    }
}

fn ratio(a: u64, b: u64) -> String {
    format!("{:.3}x", a as f64 / b.max(1) as f64)
}

/// The README's cycle table (block `demo`): the in-place level and the owned level against
/// the floor.
pub fn demo_block(numbers: &DemoNumbers) -> String {
    let mut out = String::from(
        "| call | in-place (no heap) | owned | floor | in-place / floor | owned / floor |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    let mut overheads = Vec::new();
    for scenario in std::iter::once("spawn alone").chain(SCENARIOS[..6].iter().map(|s| s.0)) {
        let cell = |imp| cycles_of(&numbers.rows, scenario, imp);
        let (Some(l), Some(c), Some(f)) = (cell(INPLACE), cell(OWNED), cell(FLOOR)) else {
            out.push_str(&format!("| {scenario} | fails | - | - | - | - |\n"));
            continue;
        };
        if scenario != "spawn alone" {
            overheads.push((l as i64 - f as i64, c as i64 - f as i64));
        }
        let name = match scenario {
            "spawn alone" => "spawn (the floor: its own 2 KB server)",
            other => other,
        };
        out.push_str(&format!(
            "| {name} | {l} | {c} | {f} | {} | {} |\n",
            ratio(l, f),
            ratio(c, f)
        ));
    }
    let (ours, bare) = numbers.spawn;
    out.push_str(&format!(
        "\n`spawn_server` of owned-server against a bare `spawn` syscall of it: {ours} and {bare} \
         cycles."
    ));
    let inplace = overheads.iter().map(|o| o.0);
    let owned = overheads.iter().map(|o| o.1);
    if let (Some(llo), Some(lhi), Some(clo), Some(chi)) = (
        inplace.clone().min(),
        inplace.max(),
        owned.clone().min(),
        owned.max(),
    ) {
        out.push_str(&format!(
            " Per round trip above the floor: in-place {llo} to {lhi} cycles, owned {clo} to \
             {chi} (mean of {DEMO_CALLS} calls each).\n"
        ));
    } else {
        out.push('\n');
    }
    out
}

/// `make bench`'s measurements: every implementation's single calls, then the batches.
pub fn bench_rows() -> Vec<Measured> {
    let mut rows = measure(&BENCH_IMPLS, SCENARIOS, BENCH_CALLS);
    rows.extend(measure_batches(BENCH_CALLS));
    rows
}

/// The single call a batch row is measured against: `add(u64, u64)` for its adds, `echo 32 B`
/// for its echoes.
pub fn single_of(batch_scenario: &str) -> &str {
    batch_scenario
        .split_once(" batch of ")
        .map_or(batch_scenario, |(single, _)| single)
}

/// The batch table of docs/benchmarks.md: cycles per call in batches of K, against a single
/// call of the same level and the floor's single call.
pub fn batch_table(rows: &[Measured]) -> String {
    let mut out = String::from(
        "| scenario | implementation | cycles per call | vs a single call, same level | vs floor (single call) |\n\
         |---|---|---:|---:|---:|\n",
    );
    for r in rows.iter().filter(|r| is_batch(r.scenario)) {
        let single = single_of(r.scenario);
        // The single call of the same level: the implementation of the same name.
        let same_level = rows
            .iter()
            .find(|s| s.scenario == single && s.imp.name == r.imp.name)
            .and_then(|s| s.cycles.clone().ok());
        let cell = match &r.cycles {
            Ok(c) => format!(
                "{c} | {} | {}",
                ratio(*c, same_level.unwrap_or(0)),
                ratio(*c, cycles_of(rows, single, FLOOR).unwrap_or(0)),
            ),
            Err(e) => format!("fails ({}) | - | -", crate::failure(e)),
        };
        out.push_str(&format!("| {} | {} | {cell} |\n", r.scenario, r.imp.name));
    }
    out
}

/// The batches' targets (the batch issue's): each batch row's cycles per call against its
/// limit, from the rows of the same run.
pub fn batch_targets(rows: &[Measured]) -> String {
    let mut out = String::from(
        "| target | implementation | cycles per call | limit | met |\n|---|---|---:|---:|---|\n",
    );
    let floor_add = cycles_of(rows, "add(u64, u64)", FLOOR).unwrap_or(0);
    // (batch row, what the limit is measured against, the limit as a ratio of it)
    let targets = [
        ("add(u64, u64) batch of 16", "the floor's single add", 0.20),
        ("add(u64, u64) batch of 64", "the floor's single add", 0.12),
        ("add(u64, u64) batch of 1", "a single add, same level", 1.05),
    ];
    for (scenario, against, limit) in targets {
        for r in rows.iter().filter(|r| r.scenario == scenario) {
            let base = match against {
                "the floor's single add" => Some(floor_add),
                _ => rows
                    .iter()
                    .find(|s| s.scenario == single_of(scenario) && s.imp.name == r.imp.name)
                    .and_then(|s| s.cycles.clone().ok()),
            };
            let max = base.map_or(0, |b| (b as f64 * limit).floor() as u64);
            let (cycles, met) = match &r.cycles {
                Ok(c) => (c.to_string(), if *c <= max { "yes" } else { "no" }),
                Err(e) => (format!("fails ({})", crate::failure(e)), "no"),
            };
            out.push_str(&format!(
                "| {scenario}: <= {limit:.2}x {against} | {} | {cycles} | {max} | {met} |\n",
                r.imp.name
            ));
        }
    }
    out
}

/// `docs/benchmarks.md`.
pub fn benchmarks_md(rows: &[Measured]) -> String {
    let singles: Vec<Measured> = rows
        .iter()
        .filter(|r| !is_batch(r.scenario))
        .cloned()
        .collect();
    let mut report = format!(
        "# Benchmarks\n\nCKB-VM cycles measured in ckb-testtool by `make bench` ({BENCH_CALLS} calls \
         per row; cycles per call = (N calls - 0 calls) / N with the same binaries; spawn = a \
         client that spawns the server and hangs up, minus the same client stopping before the \
         spawn). Written by `make bench`; `make test` fails when a fresh run differs.\n\n{}\n",
        markdown_table(&singles)
    );
    report.push_str("\n| implementation | client bytes | server bytes |\n|---|---:|---:|\n");
    for imp in BENCH_IMPLS {
        report.push_str(&format!(
            "| {} | {} | {} |\n",
            imp.name,
            binary(imp.client).len(),
            binary(imp.server).len()
        ));
    }
    report.push_str(
        "\nStripped release binaries (the ckb-ipc owned client also holds every test scenario). \
         The ckb-script-ipc rows run its IPC over pipes from ckb-ipc's spawn_server: its own \
         spawn_server passes the inherited fds without the terminating 0 and fails in that client \
         (exit code 3). Their 256 KiB echo ends in exit code -1: the payload as JSON text does \
         not fit a 2 MiB heap. The chart: `benchmarks.svg`.\n",
    );
    let (k_first, k_last) = (
        crate::test_proto::batch::SIZES[0],
        crate::test_proto::batch::SIZES[3],
    );
    report.push_str(&format!(
        "\n## Batches\n\nMany calls in one request packet (`BATCH_METHOD`, `docs/wire-format.md`): \
         {BENCH_CALLS} batches of K calls per row, cycles per call = (N batches - 0) / (N x K), \
         K from {k_first} to {k_last}; the raw client on the in-place level (`call_batch_in_place`, \
         over a static buffer: `inplace-batch-client`, answered by inplace-server in its static \
         buffer) and the typed client (`BenchClient::batch`: `typed-batch-client`, answered by \
         typed-server). The batch pays the four \
         syscalls of one call; each item pays its header, its checks and its copies. The chart's \
         lower panel draws these rows.\n\n{}\nThe targets, from the rows above (the heap's, \
         none on either side for a batch on the in-place level, in the table below):\n\n{}",
        batch_table(rows),
        batch_targets(rows)
    ));
    report.push_str(&format!(
        "\n## Heap high-water marks\n\n\
         The most heap each side had in use at once, in bytes requested from the allocator (its \
         buddy blocks round a request up to a power of two), in the same transactions as above, \
         run once with 1 call and once with {BENCH_CALLS}: one number when both runs reached the \
         same mark, `a -> b` when it grew with the calls. \"client - payload\" and \"server - \
         payload\": the mark minus the echo's payload size. Measured inside the scripts: `make \
         bench` builds the benchmark's contracts again with their `heap-stats` feature (`make \
         build-heap-stats`, into `build/heap-stats/`), where ckb-std's allocator, with the same \
         heaps, counts the bytes and prints each new high-water mark (`bench_alloc::heap_stats`); \
         the cycles above are measured with the binaries built without it. A client's mark \
         includes the data it builds its requests from and, for an echo, the request it keeps \
         while the answer comes in; the floor's server reads into a static buffer, not the heap. \
         A failed run shows the mark reached before it failed. `make test` compares this block \
         with a fresh run when the heap-stats contracts are there (it does not build them).\n\n\
         <!-- begin heap: written by make bench -->\n<!-- end heap -->\n"
    ));
    report.push_str(&format!(
        "\n## JavaScript in ckb-js-vm\n\n\
         A ckb-js-vm root script (`tests/js/src/bench-calls.ts`) calling the Rust servers, cycles \
         per call as above ({calls} calls; the batch row {batch} calls, in batches of {k}: `BenchClient.batch`, one request packet each). The generated client is \
         the TypeScript `ckb-ipc gen \
         ts` writes for typed-server (`tests/js/gen/bench.ts`); a raw call builds the packet by \
         hand. The same script is bundled twice: over the lean transport `tests/js/gen/ckb-ipc-transport.ts` \
         (a header in one `read` syscall) and over `tests/js/src/published-ipc.ts`, the stand-in \
         of the published `@ckb-js-std/ipc`, which reads each header byte with its own `read` \
         (every JavaScript operation costs a thousand cycles or more in ckb-js-vm, a syscall \
         1,300).\n\n\
         <!-- begin js: written by make bench -->\n<!-- end js -->\n",
        calls = crate::js::JS_CALLS,
        batch = 2 * crate::js::JS_BATCH,
        k = crate::js::JS_BATCH
    ));
    report.push_str(
        "\n## Off-chain: the host against ckb-script-ipc-common's native::spawn_server\n\n\
         Wall clock on the machine that ran `make bench`, so unlike the cycles above these \
         numbers vary from run to run (`make test` leaves this block out of its comparison). \
         Both sides run the same `owned-server` and call it with ckb-ipc's `Channel`: ours in the \
         CKB scheduler through `ckb-ipc-host` (cycles counted), theirs in the bare ckb-vm of \
         `native::spawn_server`. Then one `ckb-ipc exec` per call, process start included.\n\n\
         <!-- begin native: written by make bench -->\n<!-- end native -->\n",
    );
    report.push_str(
        "\n## Opt-levels\n\nThe example server and client built at each opt-level (`make bench` \
         builds \"s\" and \"z\" with `make build-opt-levels`; the release profile uses 3), \
         and at opt-level 3 with cargo's own release profile instead of this repository's (no \
         LTO, 16 codegen units, no overflow checks: what a workspace without a `[profile.release]` \
         gets; `ckb-ipc new` writes ours), \
         cycles per call as above. Bytes are paid at every spawn (1/4 cycle each) and as \
         capacity locked on chain; `make size` lists where a server's bytes go.\n\n\
         <!-- begin opt-levels: written by make bench -->\n<!-- end opt-levels -->\n",
    );
    report.push_str(
        "\n## Discovery\n\nWhat answering `DESCRIBE_METHOD` costs (`service::Discoverable`): \
         the typed example server as it is, and built discoverable (`make build-opt-levels` \
         writes `discovery/typed-server`, feature `discovery`). A server that does not wrap \
         itself in `Discoverable` has none of its code; one that does carries its description \
         document and one comparison per request. Same client, cycles per call as above.\n\n\
         <!-- begin discovery: written by make bench -->\n<!-- end discovery -->\n",
    );
    report.push_str(
        "\n## ckb-gen-types entities\n\nWhat `Byte32` and `Script` in a service's signature cost \
         the server in bytes: `entity-server` serves `test_proto::entities::Ledger` (`balance(owner: \
         Byte32) -> u64`, `lock_of(owner: Byte32) -> Script`), and built with feature `plain` \
         (`make build-opt-levels` writes `plain-entities/entity-server`) the same service with \
         plain types of the same bytes on the wire (`[u8; 32]`, a `#[derive(Molecule)]` table of \
         `Script`'s three fields). An entity is decoded with ckb-gen-types' own checks and built \
         with its builders; `make size SIZE_CONTRACTS=entity-server` lists the symbols.\n\n\
         <!-- begin entities: written by make bench -->\n<!-- end entities -->\n",
    );
    report
}

/// A block of docs/benchmarks.md measured on the extra builds of `make build-opt-levels`: the
/// block's name, whether its binaries are there, and the block.
pub type BuiltBlock = (&'static str, fn() -> bool, fn() -> String);

/// Every [`BuiltBlock`], in the report's order.
pub const BUILT_BLOCKS: [BuiltBlock; 3] = [
    ("opt-levels", opt_level_binaries_exist, opt_levels_block),
    ("discovery", discovery_binary_exists, discovery_block),
    ("entities", entity_binaries_exist, entities_block),
];

/// Whether `make build-opt-levels` has built the plain-types entity server.
pub fn entity_binaries_exist() -> bool {
    crate::contracts_dir()
        .join("plain-entities/entity-server")
        .exists()
}

/// Bytes of the entity server and of its plain-types twin (block `entities`).
pub fn entities_block() -> String {
    let entity = binary("entity-server").len();
    let plain = binary("plain-entities/entity-server").len();
    format!(
        "| server | signature types | bytes |\n|---|---|---:|\n\
         | entity-server | `Byte32`, `Script` (ckb-gen-types) | {entity} |\n\
         | plain-entities/entity-server | `[u8; 32]`, a derived table | {plain} |\n\n\
         The entities cost {} bytes more ({:.2}x).\n",
        entity.saturating_sub(plain),
        entity as f64 / plain.max(1) as f64
    )
}

/// The typed example server, and the same server built discoverable (block `discovery`).
pub const DISCOVERY: [Impl; 2] = [
    TYPED,
    Impl {
        name: "ckb-ipc typed, discoverable",
        client: "typed-client",
        server: "discovery/typed-server",
    },
];

/// Whether `make build-opt-levels` has built the discoverable server.
pub fn discovery_binary_exists() -> bool {
    crate::contracts_dir()
        .join("discovery/typed-server")
        .exists()
}

/// Bytes and cycles of the typed server with and without discovery (block `discovery`).
pub fn discovery_block() -> String {
    let scenarios = [SCENARIOS[0], SCENARIOS[3]];
    let mut out = String::from(
        "| server | server bytes | description bytes | add(u64, u64) | echo 1 KiB |\n\
         |---|---:|---:|---:|---:|\n",
    );
    let rows = measure(&DISCOVERY, &scenarios, BENCH_CALLS);
    for imp in DISCOVERY {
        let cell = |scenario: &str| match cycles_of(&rows, scenario, imp) {
            Some(c) => c.to_string(),
            None => "fails".into(),
        };
        let described = match imp.server.starts_with("discovery/") {
            true => std::fs::read(crate::contracts_dir().join("typed-server.json")).map_or_else(
                |_| "?".into(),
                |j| (j.len() - binary_member_len(&j)).to_string(),
            ),
            false => "0".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {described} | {} | {} |\n",
            imp.name,
            binary(imp.server).len(),
            cell(scenarios[0].0),
            cell(scenarios[1].0),
        ));
    }
    out
}

/// The bytes of the `binary` line `make build` adds to a description (not in the server's copy).
fn binary_member_len(json: &[u8]) -> usize {
    json.split(|&b| b == b'\n')
        .find(|line| line.starts_with(b"  \"binary\""))
        .map_or(0, |line| line.len() + 1)
}

/// The examples at each opt-level: `(level, in-place pair, owned pair, typed pair)`; "3" is
/// the release profile's own, "s" and "z" are what `make build-opt-levels` writes to
/// `opt-<level>/`.
pub const OPT_LEVELS: [(&str, Impl, Impl, Impl); 4] = [
    ("3", INPLACE, OWNED, TYPED),
    (
        "3, cargo's profile",
        Impl {
            name: "ckb-ipc in-place, cargo's release profile",
            client: "cargo-profile/inplace-client",
            server: "cargo-profile/inplace-server",
        },
        Impl {
            name: "ckb-ipc owned, cargo's release profile",
            client: "cargo-profile/owned-client",
            server: "cargo-profile/owned-server",
        },
        Impl {
            name: "ckb-ipc typed, cargo's release profile",
            client: "cargo-profile/typed-client",
            server: "cargo-profile/typed-server",
        },
    ),
    (
        "s",
        Impl {
            name: "ckb-ipc in-place, opt-level s",
            client: "opt-s/inplace-client",
            server: "opt-s/inplace-server",
        },
        Impl {
            name: "ckb-ipc owned, opt-level s",
            client: "opt-s/owned-client",
            server: "opt-s/owned-server",
        },
        Impl {
            name: "ckb-ipc typed, opt-level s",
            client: "opt-s/typed-client",
            server: "opt-s/typed-server",
        },
    ),
    (
        "z",
        Impl {
            name: "ckb-ipc in-place, opt-level z",
            client: "opt-z/inplace-client",
            server: "opt-z/inplace-server",
        },
        Impl {
            name: "ckb-ipc owned, opt-level z",
            client: "opt-z/owned-client",
            server: "opt-z/owned-server",
        },
        Impl {
            name: "ckb-ipc typed, opt-level z",
            client: "opt-z/typed-client",
            server: "opt-z/typed-server",
        },
    ),
];

/// Whether `make build-opt-levels` has run (the "s" and "z" binaries exist).
pub fn opt_level_binaries_exist() -> bool {
    crate::contracts_dir().join("opt-z/inplace-server").exists()
        && crate::contracts_dir()
            .join("cargo-profile/inplace-server")
            .exists()
}

/// Bytes and cycles of the example server and client at opt-level 3, "s" and "z" (block
/// `opt-levels` of docs/benchmarks.md).
pub fn opt_levels_block() -> String {
    let scenarios = [SCENARIOS[0], SCENARIOS[3], SCENARIOS[4]];
    let mut out = String::from(
        "| layer | opt-level | server bytes | client bytes | spawn | add(u64, u64) | echo 1 KiB | echo 16 KiB |\n\
         |---|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for layer in ["in-place", "owned", "typed"] {
        for (level, inplace, owned, typed) in OPT_LEVELS {
            let imp = match layer {
                "in-place" => inplace,
                "owned" => owned,
                _ => typed,
            };
            let rows = measure(&[imp], &scenarios, BENCH_CALLS);
            let cell = |scenario: &str| match cycles_of(&rows, scenario, imp) {
                Some(c) => c.to_string(),
                None => "fails".into(),
            };
            out.push_str(&format!(
                "| {layer} | {level} | {} | {} | {} | {} | {} | {} |\n",
                binary(imp.server).len(),
                binary(imp.client).len(),
                cell("spawn alone"),
                cell(scenarios[0].0),
                cell(scenarios[1].0),
                cell(scenarios[2].0),
            ));
        }
    }
    out
}

/// The heap high-water marks `make bench` measures (with the heap-stats contracts), or why not:
/// single calls, then batches.
pub fn heap_rows() -> Result<Vec<HeapMeasured>, String> {
    let mut rows = measure_heap(&BENCH_IMPLS, SCENARIOS, BENCH_CALLS)?;
    rows.extend(measure_batch_heap(
        &BATCH_IMPLS,
        BATCH_SCENARIOS,
        BENCH_CALLS,
    )?);
    Ok(rows)
}

/// The content of `docs/benchmarks.md`'s block `heap`.
pub fn heap_block(rows: &[HeapMeasured]) -> String {
    heap_table(rows)
}

/// The README's comparison of every implementation (block `bench`).
pub fn bench_block(rows: &[Measured]) -> String {
    let shown = ["add(u64, u64)", "echo 1 KiB", "echo 16 KiB", "echo 64 KiB"];
    let mut out = String::from("| cycles per call | ");
    out.push_str(&shown.join(" | "));
    out.push_str(" | server binary |\n|---|");
    out.push_str(&"---:|".repeat(shown.len() + 1));
    out.push('\n');
    for imp in BENCH_IMPLS {
        out.push_str(&format!("| {} |", imp.name));
        for scenario in shown {
            match cycles_of(rows, scenario, imp) {
                Some(c) => out.push_str(&format!(" {c} |")),
                None => out.push_str(" fails |"),
            }
        }
        out.push_str(&format!(" {} B |\n", binary(imp.server).len()));
    }
    out
}

/// `doc` with the block `name` replaced by `content`; an error if the markers are missing.
pub fn replace_block(doc: &str, name: &str, content: &str) -> Result<String, String> {
    let (start, end) = block_span(doc, name)?;
    Ok(format!("{}{content}{}", &doc[..start], &doc[end..]))
}

/// The current content of block `name` in `doc`.
pub fn block<'a>(doc: &'a str, name: &str) -> Result<&'a str, String> {
    let (start, end) = block_span(doc, name)?;
    Ok(&doc[start..end])
}

/// Byte range of the content between the markers of block `name`.
fn block_span(doc: &str, name: &str) -> Result<(usize, usize), String> {
    let begin = format!("<!-- begin {name}:");
    let end_marker = format!("<!-- end {name} -->");
    let at = doc
        .find(&begin)
        .ok_or_else(|| format!("no `{begin} ... -->` marker"))?;
    let start = at
        + doc[at..]
            .find("-->\n")
            .ok_or_else(|| format!("unclosed marker {begin}"))?
        + "-->\n".len();
    let end = start
        + doc[start..]
            .find(&end_marker)
            .ok_or_else(|| format!("no {end_marker} marker"))?;
    Ok((start, end))
}

/// Rewrites block `name` of the file at `path` (relative to the repo) with `content`.
pub fn write_block(path: &str, name: &str, content: &str) -> Result<(), String> {
    let file = repo_dir().join(path);
    let doc = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let new = replace_block(&doc, name, content)?;
    if new != doc {
        std::fs::write(&file, new).map_err(|e| format!("{}: {e}", file.display()))?;
        println!("updated the `{name}` numbers in {path}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_and_replaced() {
        let doc = "a\n<!-- begin x: written by make x -->\nold\n<!-- end x -->\nb\n";
        assert_eq!(block(doc, "x"), Ok("old\n"));
        assert_eq!(
            replace_block(doc, "x", "new\n").as_deref(),
            Ok("a\n<!-- begin x: written by make x -->\nnew\n<!-- end x -->\nb\n")
        );
        assert!(block(doc, "y").is_err());
    }

    fn read(path: &str) -> String {
        std::fs::read_to_string(repo_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_readme_cycle_table_is_what_make_demo_measures() {
        let readme = read("README.md");
        let fresh = demo_block(&demo_numbers());
        assert_eq!(
            block(&readme, "demo").unwrap(),
            fresh,
            "README.md's cycle table differs from a fresh run: run `make demo` and commit README.md"
        );
    }

    #[test]
    fn the_benchmarks_are_what_make_bench_measures() {
        // Also what `make bench` runs: every implementation that should run does.
        let rows = bench_rows();
        for r in &rows {
            let json = r.imp == SCRIPT_IPC || r.imp == SCRIPT_IPC_MACRO;
            let may_fail = json && r.size == Some(256 * 1024);
            assert!(
                r.cycles.is_ok() || may_fail,
                "{} / {}: {:?}",
                r.scenario,
                r.imp.name,
                r.cycles
            );
        }
        let stale = "differs from a fresh run: run `make bench` and commit README.md and docs/";
        // The wall-clock block aside: it is the machine's, not the code's. The heap block is
        // compared by the next test, when the heap-stats contracts are there.
        let committed = replace_block(&read("docs/benchmarks.md"), "native", "").unwrap();
        let committed = replace_block(&committed, "heap", "").unwrap();
        // The JavaScript rows: compared by their own test.
        let mut committed = replace_block(&committed, "js", "").unwrap();
        // The extra builds exist only after `make bench`; then their blocks must match too.
        for (name, built, measure) in BUILT_BLOCKS {
            if built() {
                assert_eq!(
                    block(&committed, name).unwrap(),
                    measure(),
                    "docs/benchmarks.md's {name} {stale}"
                );
            }
            committed = replace_block(&committed, name, "").unwrap();
        }
        let fresh = benchmarks_md(&rows);
        assert_eq!(committed, fresh, "docs/benchmarks.md {stale}");
        assert_eq!(
            block(&read("README.md"), "bench").unwrap(),
            bench_block(&rows),
            "README.md's comparison {stale}"
        );
    }

    #[test]
    fn the_js_rows_are_what_make_bench_measures() {
        let rows = crate::js::js_rows().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            block(&read("docs/benchmarks.md"), "js").unwrap(),
            crate::js::js_block(&rows),
            "docs/benchmarks.md's js block differs from a fresh run: run `make bench` and commit docs/"
        );
        assert_eq!(
            block(&read("README.md"), "js").unwrap(),
            crate::js::readme_js_block(&rows).unwrap_or_else(|e| panic!("{e}")),
            "README.md's js block differs from a fresh run: run `make bench` and commit README.md"
        );
        // The goal, kept: a typed call at most 0.6x a raw one of the published package.
        let ratio = crate::js::typed_to_published_raw(&rows).unwrap();
        assert!(ratio <= 0.6, "typed add / published raw add = {ratio:.3}");
    }

    #[test]
    fn the_heap_marks_are_what_make_bench_measures() {
        if !crate::heap::heap_stats_built(&BENCH_IMPLS)
            || !crate::heap::heap_stats_built(&BATCH_IMPLS)
        {
            eprintln!(
                "no heap-stats contracts in {}: the heap block of docs/benchmarks.md is not \
                 checked (`make bench` or `make build-heap-stats` builds them)",
                crate::heap::heap_stats_dir().display()
            );
            return;
        }
        let rows = heap_rows().unwrap();
        assert_eq!(
            block(&read("docs/benchmarks.md"), "heap").unwrap(),
            heap_block(&rows),
            "docs/benchmarks.md's heap marks differ from a fresh run of the heap-stats contracts \
             in {}: run `make bench` and commit docs/ (or `make build-heap-stats` if those \
             binaries are older than the code)",
            crate::heap::heap_stats_dir().display()
        );
    }
}
