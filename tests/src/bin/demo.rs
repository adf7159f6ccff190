//! `make demo`: one client/server transaction in ckb-testtool, each call printed with the cycles
//! it used, then the per-call costs against the hand-written raw-syscall floor.

use ckb_ipc_tests::{
    demo_proto::scenario, markdown_table, measure, run_scenario, spawn_server_overhead, CKB_IPC,
    FLOOR, SCENARIOS,
};

fn main() {
    println!("== ipc-client spawns ipc-server and calls it (CKB-VM, ckb-testtool) ==");
    match run_scenario(scenario::DEMO, &[]) {
        Ok(out) => {
            for m in &out.messages {
                println!("  {m}");
            }
            println!("  transaction verified: {} cycles in all", out.cycles);
        }
        Err(e) => {
            eprintln!("demo transaction failed: {e}");
            std::process::exit(1);
        }
    }
    let (ours, raw) = spawn_server_overhead();
    println!(
        "\n== spawn_server of ipc-server: {ours} cycles; a bare spawn syscall: {raw} ({:.3}x) ==",
        ours as f64 / raw as f64
    );
    println!("\n== cycles per call, ckb-ipc against the raw-syscall floor (mean of 16 calls) ==");
    println!(
        "{}",
        markdown_table(&measure(&[FLOOR, CKB_IPC], &SCENARIOS[..6], 16))
    );
    println!("`make bench` adds ckb-script-ipc-common, 256 KiB, binary sizes and a chart.");
}
