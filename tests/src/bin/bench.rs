//! `make bench`: cycles per call and binary sizes of every implementation, side by side in one
//! run (CKB-VM cycles from ckb-testtool, deterministic), and the heap high-water marks of each
//! side (with the heap-stats contracts of `$HEAP_STATS_DIR`, when they are there). Prints a
//! markdown table and writes it to `docs/benchmarks.md`, with a chart in `docs/benchmarks.svg`.
//!
//! `bench [--out DIR] [--native FILE]`; `--out -` prints only; FILE is the off-chain host's
//! table (`crates/ckb-ipc-cli/examples/bench.rs`), put in its block of benchmarks.md.

use std::path::PathBuf;

use ckb_ipc_tests::heap::{heap_stats_built, heap_stats_dir};
use ckb_ipc_tests::report::{
    bench_block, bench_rows, benchmarks_md, heap_block, heap_rows, replace_block, write_block,
    BENCH_IMPLS, BUILT_BLOCKS,
};
use ckb_ipc_tests::{cycles_of, is_batch, Impl, Measured, BATCH_IMPLS, BATCH_SCENARIOS, FLOOR};
use plotters::prelude::*;

fn main() {
    let mut out: Option<PathBuf> = Some(ckb_ipc_tests::report::repo_dir().join("docs"));
    let mut native = String::from("Not measured in this run (`make bench` measures it).\n");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--out", Some(dir)) => out = (dir != "-").then(|| PathBuf::from(dir)),
            ("--native", Some(file)) => {
                native = std::fs::read_to_string(&file).expect("the native bench's output")
            }
            _ => panic!("usage: bench [--out DIR|-] [--native FILE]"),
        }
    }
    let rows = bench_rows();
    let heap = if heap_stats_built(&BENCH_IMPLS) && heap_stats_built(&BATCH_IMPLS) {
        heap_block(&heap_rows().expect("the heap-stats contracts"))
    } else {
        format!(
            "Not measured in this run: no heap-stats contracts in {} (`make bench` builds them).\n",
            heap_stats_dir().display()
        )
    };
    let report = replace_block(&benchmarks_md(&rows), "native", &native).expect("native block");
    let mut report = report;
    for (name, built, measure) in BUILT_BLOCKS {
        let text = if built() {
            measure()
        } else {
            "Not measured in this run (`make bench` builds them).\n".to_string()
        };
        report = replace_block(&report, name, &text).expect("a block of the report");
    }
    let report = replace_block(&report, "heap", &heap).expect("heap block");
    let js = ckb_ipc_tests::js::js_rows().expect("the JavaScript rows (make js)");
    let report = replace_block(&report, "js", &ckb_ipc_tests::js::js_block(&js)).expect("js block");
    println!("{report}");
    if let Some(dir) = out {
        std::fs::create_dir_all(&dir).expect("output dir");
        std::fs::write(dir.join("benchmarks.md"), &report).expect("write benchmarks.md");
        chart(&rows, &dir.join("benchmarks.svg")).expect("draw benchmarks.svg");
        println!(
            "wrote {} and {}",
            dir.join("benchmarks.md").display(),
            dir.join("benchmarks.svg").display()
        );
        if let Err(e) = write_block("README.md", "bench", &bench_block(&rows)) {
            eprintln!("README.md not updated: {e}");
        }
        let readme_js =
            ckb_ipc_tests::js::readme_js_block(&js).expect("the README's JavaScript example");
        if let Err(e) = write_block("README.md", "js", &readme_js) {
            eprintln!("README.md not updated: {e}");
        }
    }
}

/// Cycles per echo call against payload size, log-log, one line per implementation; below,
/// cycles per call against the batch size, one line per level and operation.
fn chart(rows: &[Measured], path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (900, 960)).into_drawing_area();
    root.fill(&WHITE)?;
    let (top, bottom) = root.split_vertically(560);
    echo_chart(rows, &top)?;
    batch_chart(rows, &bottom)?;
    root.present()?;
    Ok(())
}

/// The most cycles among `rows` that ran (1 if none did), for an axis.
fn max_cycles<'a>(rows: impl Iterator<Item = &'a Measured>) -> f64 {
    rows.filter_map(|r| r.cycles.as_ref().ok())
        .max()
        .copied()
        .unwrap_or(1) as f64
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// The batch rows: cycles per call against K, log-log, with the floor's single add.
fn batch_chart(rows: &[Measured], area: &Area<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let max_y = max_cycles(rows.iter().filter(|r| is_batch(r.scenario)));
    let mut chart = ChartBuilder::on(area)
        .caption("Batches: CKB-VM cycles per call", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d((1f64..64f64).log_scale(), (100f64..max_y * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("calls per batch")
        .y_desc("cycles per call")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let lines = [
        ("add(u64, u64)", BATCH_IMPLS[0], BLUE),
        ("add(u64, u64)", BATCH_IMPLS[1], RED),
        ("echo 32 B", BATCH_IMPLS[0], CYAN),
        ("echo 32 B", BATCH_IMPLS[1], MAGENTA),
    ];
    for (op, imp, color) in lines {
        let data: Vec<(f64, f64)> = BATCH_SCENARIOS
            .iter()
            .filter(|s| s.0.starts_with(op))
            .filter_map(|s| Some((f64::from(s.3), cycles_of(rows, s.0, imp)? as f64)))
            .collect();
        chart
            .draw_series(LineSeries::new(data.clone(), color.stroke_width(2)))?
            .label(format!("{}, {op}", imp.name))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart.draw_series(data.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
    }
    if let Some(floor) = cycles_of(rows, "add(u64, u64)", FLOOR) {
        let floor = floor as f64;
        chart
            .draw_series(LineSeries::new(
                [(1.0, floor), (64.0, floor)],
                BLACK.stroke_width(1),
            ))?
            .label("raw-syscall floor, one add a call")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}

/// Cycles per echo call against payload size, log-log, one line per implementation.
fn echo_chart(rows: &[Measured], root: &Area<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let points = |imp: Impl| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r.imp == imp && !is_batch(r.scenario))
            .filter_map(|r| Some((f64::from(r.size?.max(1)), *r.cycles.as_ref().ok()? as f64)))
            .collect()
    };
    let max_y = max_cycles(rows.iter());
    let mut chart = ChartBuilder::on(root)
        .caption("IPC echo: CKB-VM cycles per call", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(
            (1f64..400_000f64).log_scale(),
            (1_000f64..max_y * 2.0).log_scale(),
        )?;
    chart
        .configure_mesh()
        .x_desc("payload bytes (0 B drawn at 1)")
        .y_desc("cycles per call")
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .draw()?;
    let colors = [BLACK, CYAN, BLUE, GREEN, RED, MAGENTA];
    for (imp, color) in BENCH_IMPLS.iter().zip(colors) {
        let data = points(*imp);
        chart
            .draw_series(LineSeries::new(data.clone(), color.stroke_width(2)))?
            .label(imp.name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart.draw_series(data.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
