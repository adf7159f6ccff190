//! Heap high-water marks of both sides of each benchmark scenario, measured inside the scripts:
//! the contracts built with their `heap-stats` feature (`make build-heap-stats`, into
//! `build/heap-stats/$(MODE)`) count the bytes their allocator hands out and print each new
//! high-water mark as `heap-peak client <bytes>` or `heap-peak server <bytes>`
//! (`bench_alloc::heap_stats`). The last line a process printed is its high-water mark; a side's
//! mark here is the largest any of its processes printed.

use std::path::PathBuf;

use ckb_ipc_testtool::Contracts;

use crate::{batch_bench_tx, bench_label, failure, Impl};

/// Where `make build-heap-stats` put the counting contracts: `$HEAP_STATS_DIR`, else
/// `build/heap-stats/release`.
pub fn heap_stats_dir() -> PathBuf {
    match std::env::var_os("HEAP_STATS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../build/heap-stats/release"),
    }
}

/// Whether the counting contracts of every implementation in `impls` are there.
pub fn heap_stats_built(impls: &[Impl]) -> bool {
    let dir = heap_stats_dir();
    impls
        .iter()
        .all(|imp| dir.join(imp.client).is_file() && dir.join(imp.server).is_file())
}

/// The high-water marks of one transaction's two sides, in bytes (0: it never allocated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Peaks {
    pub client: u64,
    pub server: u64,
}

impl Peaks {
    /// The marks in the `heap-peak` lines of `messages`.
    pub fn from_messages(messages: &[String]) -> Self {
        let mut peaks = Peaks::default();
        for m in messages {
            let Some(rest) = m.strip_prefix("heap-peak ") else {
                continue;
            };
            let Some((side, bytes)) = rest.split_once(' ') else {
                continue;
            };
            let Ok(bytes) = bytes.trim().parse::<u64>() else {
                continue;
            };
            let slot = match side {
                "client" => &mut peaks.client,
                "server" => &mut peaks.server,
                _ => continue,
            };
            *slot = (*slot).max(bytes);
        }
        peaks
    }
}

/// One BENCH transaction with the counting contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapRun {
    pub peaks: Peaks,
    /// Why the transaction failed (the marks are then those reached before it did).
    pub failed: Option<String>,
}

/// Runs `calls` calls of `op` (`size`-byte payloads) with `imp`'s counting contracts.
pub fn heap_run(imp: Impl, op: u8, calls: u32, size: u32) -> Result<HeapRun, String> {
    batch_heap_run(imp, op, calls, size, 0)
}

/// [`heap_run`] of `calls` batches of `batch` calls (0: single calls).
pub fn batch_heap_run(
    imp: Impl,
    op: u8,
    calls: u32,
    size: u32,
    batch: u8,
) -> Result<HeapRun, String> {
    let contracts = Contracts::new(heap_stats_dir());
    let load = |name: &str| contracts.load(name).map_err(|e| e.to_string());
    let tx = batch_bench_tx(load(imp.client)?, load(imp.server)?, op, calls, size, batch);
    let label = format!("heap-{}-batch-{batch}", bench_label(imp, op, calls, size));
    Ok(match tx.run(&label) {
        Ok(outcome) => HeapRun {
            peaks: Peaks::from_messages(&outcome.messages),
            failed: None,
        },
        Err(f) => HeapRun {
            peaks: Peaks::from_messages(&f.messages),
            failed: Some(failure(&f.error)),
        },
    })
}

/// One row of the heap table: a scenario with one call and with many.
#[derive(Debug, Clone)]
pub struct HeapMeasured {
    pub scenario: &'static str,
    /// Echo payload size.
    pub size: Option<u32>,
    pub imp: Impl,
    pub one: HeapRun,
    pub many: HeapRun,
}

/// Measures `impls` on `scenarios`, once with 1 call and once with `calls`.
pub fn measure_heap(
    impls: &[Impl],
    scenarios: &[(&'static str, u8, u32)],
    calls: u32,
) -> Result<Vec<HeapMeasured>, String> {
    let mut out = Vec::new();
    for &(scenario, op, size) in scenarios {
        for &imp in impls {
            out.push(HeapMeasured {
                scenario,
                size: (op == test_proto::op::ECHO).then_some(size),
                imp,
                one: heap_run(imp, op, 1, size)?,
                many: heap_run(imp, op, calls, size)?,
            });
        }
    }
    Ok(out)
}

/// [`measure_heap`] of batch scenarios `(name, op, size, batch)`: 1 batch and `calls` batches.
pub fn measure_batch_heap(
    impls: &[Impl],
    scenarios: &[(&'static str, u8, u32, u8)],
    calls: u32,
) -> Result<Vec<HeapMeasured>, String> {
    let mut out = Vec::new();
    for &(scenario, op, size, batch) in scenarios {
        for &imp in impls {
            out.push(HeapMeasured {
                scenario,
                size: None,
                imp,
                one: batch_heap_run(imp, op, 1, size, batch)?,
                many: batch_heap_run(imp, op, calls, size, batch)?,
            });
        }
    }
    Ok(out)
}

/// A markdown table of `rows`: each side's high-water mark (`a -> b` when it grew from 1 call
/// to many), and for echoes how far above the payload size it is.
pub fn heap_table(rows: &[HeapMeasured]) -> String {
    let mut out = String::from(
        "| scenario | implementation | client peak bytes | server peak bytes | client - payload \
         | server - payload |\n|---|---|---:|---:|---:|---:|\n",
    );
    let mark = |one: u64, many: u64| {
        if one == many {
            one.to_string()
        } else {
            format!("{one} -> {many}")
        }
    };
    for r in rows {
        let (one, many) = (r.one.peaks, r.many.peaks);
        let failed = r.one.failed.as_ref().or(r.many.failed.as_ref());
        let (client, server) = match failed {
            None => (mark(one.client, many.client), mark(one.server, many.server)),
            Some(cause) => {
                let at = |bytes: u64| format!("fails ({cause}) at {bytes}");
                (
                    at(one.client.max(many.client)),
                    at(one.server.max(many.server)),
                )
            }
        };
        // A side that never allocated (the floor's server) is not above anything.
        let above = |bytes: u64| match (r.size, failed) {
            (Some(size), None) if bytes > 0 => (bytes as i64 - i64::from(size)).to_string(),
            _ => "-".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {client} | {server} | {} | {} |\n",
            r.scenario,
            r.imp.name,
            above(one.client.max(many.client)),
            above(one.server.max(many.server)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peaks_are_the_largest_mark_of_each_side() {
        let messages: Vec<String> = [
            "heap-peak client 64",
            "heap-peak server 10",
            "something else",
            "heap-peak client 1088",
            "heap-peak server 2048",
            "heap-peak server 30",
            "heap-peak nobody 99999",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            Peaks::from_messages(&messages),
            Peaks {
                client: 1088,
                server: 2048
            }
        );
        assert_eq!(Peaks::from_messages(&[]), Peaks::default());
    }
}
