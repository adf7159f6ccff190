//! `make bench`: cycles per call and binary sizes of every implementation, side by side in one
//! run (CKB-VM cycles from ckb-testtool, deterministic). Prints a markdown table and writes it
//! to `docs/benchmarks.md`, with a chart in `docs/benchmarks.svg`.
//!
//! `bench [--calls N] [--out DIR]`; `--out -` prints only (what `make test` runs, with N = 1).

use std::path::PathBuf;

use ckb_ipc_tests::{
    binary, markdown_table, measure, Impl, Measured, CKB_IPC, FLOOR, SCENARIOS, SCRIPT_IPC,
    SCRIPT_IPC_MACRO, TYPED,
};
use plotters::prelude::*;

const IMPLS: [Impl; 5] = [FLOOR, CKB_IPC, TYPED, SCRIPT_IPC, SCRIPT_IPC_MACRO];

fn main() {
    let mut calls = 8u32;
    let mut out: Option<PathBuf> = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs"));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--calls", Some(n)) => calls = n.parse().expect("--calls N"),
            ("--out", Some(dir)) => out = (dir != "-").then(|| PathBuf::from(dir)),
            _ => panic!("usage: bench [--calls N] [--out DIR|-]"),
        }
    }
    let rows = measure(&IMPLS, SCENARIOS, calls);
    let mut report = format!(
        "# Benchmarks\n\nCKB-VM cycles measured in ckb-testtool by `make bench` ({calls} calls per row; \
         cycles per call = (N calls - 0 calls) / N with the same binaries; spawn = a client that \
         spawns the server and hangs up, minus the same client stopping before the spawn).\n\n{}\n",
        markdown_table(&rows)
    );
    report.push_str("\n| implementation | client bytes | server bytes |\n|---|---:|---:|\n");
    for imp in IMPLS {
        report.push_str(&format!(
            "| {} | {} | {} |\n",
            imp.name,
            binary(imp.client).len(),
            binary(imp.server).len()
        ));
    }
    report.push_str(
        "\nStripped release binaries (the ckb-ipc Channel client also holds every test scenario). \
         The ckb-script-ipc rows run its IPC over pipes from ckb-ipc's spawn_server: its own \
         spawn_server passes the inherited fds without the terminating 0 and fails in that client \
         (exit code 3). Their 256 KiB echo ends in exit code -1: the payload as JSON text does \
         not fit a 2 MiB heap. The chart: `benchmarks.svg`.\n",
    );
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
    }
}

/// Cycles per echo call against payload size, log-log, one line per implementation.
fn chart(rows: &[Measured], path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let points = |imp: Impl| -> Vec<(f64, f64)> {
        rows.iter()
            .filter(|r| r.imp == imp)
            .filter_map(|r| Some((f64::from(r.size?.max(1)), *r.cycles.as_ref().ok()? as f64)))
            .collect()
    };
    let max_y = rows
        .iter()
        .filter_map(|r| r.cycles.as_ref().ok())
        .max()
        .copied()
        .unwrap_or(1) as f64;
    let root = SVGBackend::new(path, (900, 560)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
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
    let colors = [BLACK, BLUE, GREEN, RED, MAGENTA];
    for (imp, color) in IMPLS.iter().zip(colors) {
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
    root.present()?;
    Ok(())
}
