//! The schema check, apart from the harness so that `make demo` needs no moleculec: `build.rs`
//! runs moleculec on the schemas of the example services, `schema.rs` compares the bytes.
//! Built by `make test`, which installs moleculec 0.9.2 first (`make tools`).

#[cfg(test)]
mod schema;
