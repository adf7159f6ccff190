//! `make demo`: one client/server transaction in ckb-testtool, each call printed with the cycles
//! it used, then the per-call costs against the hand-written raw-syscall floor.

use ckb_ipc_tests::{call_costs, cost_table, demo_proto::scenario, run_scenario};

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
    println!("\n== cycles per call, ckb-ipc against the raw-syscall floor (mean of 16 calls) ==");
    println!("{}", cost_table(&call_costs(16)));
}
