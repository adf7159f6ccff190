//! Writes the molecule schemas the typed services emit (`<Trait>Methods::schema()`, and
//! `test_proto::unions::schema()`: a union of every kind of item) to OUT_DIR
//! and runs moleculec on them, so the tests can check our bytes against moleculec's code.
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let schemas = [
        ("key_value", kv_proto::KeyValueMethods::schema()),
        ("bench", test_proto::typed::BenchMethods::schema()),
        ("shape", test_proto::unions::schema()),
    ];
    for (name, mol) in schemas {
        let mol_path = out.join(format!("{name}.mol"));
        std::fs::write(&mol_path, &mol).expect("write schema");
        let generated = Command::new("moleculec")
            .args(["--language", "rust", "--schema-file"])
            .arg(&mol_path)
            .output()
            .unwrap_or_else(|e| {
                panic!("moleculec: {e}; `cargo install moleculec --version 0.9.2` (make test does)")
            });
        assert!(
            generated.status.success(),
            "moleculec refused the schema of {name}:\n{}\n{mol}",
            String::from_utf8_lossy(&generated.stderr)
        );
        std::fs::write(out.join(format!("{name}_mol.rs")), generated.stdout).expect("write code");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../contracts/test-proto/src/lib.rs");
}
