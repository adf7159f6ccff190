//! `make demo`: one client/server transaction in ckb-testtool, each call printed with the cycles
//! it used, then the per-call costs against the hand-written raw-syscall floor. The table is
//! also written to README.md (`make test` checks that the README shows what this prints).

use ckb_ipc_tests::report::{demo_block, demo_numbers, write_block, DEMO_CALLS};
use ckb_ipc_tests::run_scenario;
use ckb_ipc_tests::test_proto::scenario;

fn main() {
    println!("== owned-client spawns owned-server and calls it (CKB-VM, ckb-testtool) ==");
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
    println!(
        "\n== cycles per call, ckb-ipc against the raw-syscall floor (mean of {DEMO_CALLS} calls) ==\n"
    );
    let table = demo_block(&demo_numbers());
    println!("{table}");
    if let Err(e) = write_block("README.md", "demo", &table) {
        eprintln!("README.md not updated: {e}");
    }
    println!("`make bench` adds ckb-script-ipc-common, 256 KiB, binary sizes and a chart.");
}
