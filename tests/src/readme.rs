//! The README's code blocks are compiled files: each block is checked, line for line, against
//! the part of a compiled source it shows (between `// ANCHOR: name` and `// ANCHOR_END: name`,
//! mdBook's markers) or against the doc test it copies.

/// The lines of `text` between `// ANCHOR: name` and `// ANCHOR_END: name` (mdBook's markers).
pub fn anchored<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let begin = format!("// ANCHOR: {name}\n");
    let start = text.find(&begin)? + begin.len();
    let end = start + text[start..].find(&format!("// ANCHOR_END: {name}"))?;
    Some(&text[start..end])
}

/// The first ```rust block after the first line of a markdown `doc` that contains `marker`.
pub fn code_after<'a>(doc: &'a str, marker: &str) -> Option<&'a str> {
    fenced_after(doc, marker, "rust")
}

/// The first code block of language `lang` after the first place `marker` is in `doc`.
pub fn fenced_after<'a>(doc: &'a str, marker: &str, lang: &str) -> Option<&'a str> {
    let at = doc.find(marker)?;
    let fence = format!("```{lang}\n");
    let start = at + doc[at..].find(&fence)? + fence.len();
    let end = start + doc[start..].find("\n```")? + 1;
    Some(&doc[start..end])
}

/// The lines a reader sees of the first code block in the `//!` docs of a Rust `source`
/// (rustdoc's hidden `# ` lines left out).
pub fn doc_example(source: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in source.lines().filter_map(|l| l.strip_prefix("//!")) {
        let line = line.strip_prefix(' ').unwrap_or(line);
        if line.starts_with("```") {
            if inside {
                break;
            }
            inside = true;
        } else if inside && !line.starts_with("# ") && line != "#" {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::repo_dir;

    fn read(path: &str) -> String {
        std::fs::read_to_string(repo_dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_readme_quick_start_is_the_compiled_example() {
        let example = "crates/ckb-ipc/examples/quickstart.rs";
        let readme = read("README.md");
        let shown = code_after(&readme, &format!("The code below is `{example}`"))
            .expect("the quick start's code block");
        let source = read(example);
        let compiled = anchored(&source, "quickstart").expect("ANCHOR: quickstart");
        assert_eq!(
            shown, compiled,
            "README.md's quick start differs from {example}"
        );
    }

    #[test]
    fn the_readme_javascript_is_the_bundled_code() {
        let readme = read("README.md");
        for file in ["tests/js/src/kv-example.ts", "tests/js/src/bench-server.ts"] {
            let shown = fenced_after(&readme, &format!("rom `{file}`"), "ts")
                .unwrap_or_else(|| panic!("the README's code block from {file}"));
            let source = read(file);
            let bundled = anchored(&source, "readme").expect("ANCHOR: readme");
            assert_eq!(shown, bundled, "README.md's block differs from {file}");
        }
    }

    #[test]
    fn the_readme_owned_and_inplace_examples_are_the_compiled_ones() {
        let readme = read("README.md");
        for (file, anchor) in [
            ("crates/ckb-ipc/examples/owned.rs", "owned"),
            ("contracts/inplace-server/src/main.rs", "inplace-server"),
            ("crates/ckb-ipc/examples/inplace.rs", "inplace"),
            (
                "contracts/typed-fixed-client/src/main.rs",
                "typed-fixed-client",
            ),
            ("examples/kv-server/build.rs", "build"),
        ] {
            let shown = code_after(&readme, &format!("From `{file}`"))
                .unwrap_or_else(|| panic!("the README's code block from {file}"));
            let source = read(file);
            let compiled =
                anchored(&source, anchor).unwrap_or_else(|| panic!("ANCHOR: {anchor} in {file}"));
            assert_eq!(shown, compiled, "README.md's example differs from {file}");
        }
    }

    #[test]
    fn the_readme_host_example_is_the_compiled_one() {
        let example = "crates/ckb-ipc-host/examples/add.rs";
        let readme = read("README.md");
        let shown = code_after(&readme, &format!("From `{example}`")).expect("the host example");
        let source = read(example);
        let compiled = anchored(&source, "host").expect("ANCHOR: host");
        let dedented: String = compiled
            .split_inclusive('\n')
            .map(|l| l.strip_prefix("    ").unwrap_or(l))
            .collect();
        assert_eq!(
            shown, dedented,
            "README.md's host example differs from {example}"
        );
    }

    #[test]
    fn the_readme_test_helper_example_is_the_doc_tested_one() {
        let lib = "crates/ckb-ipc-testtool/src/lib.rs";
        let readme = read("README.md");
        let shown = code_after(&readme, "The test uses [`ckb-ipc-testtool`]")
            .expect("the helper's code block");
        assert_eq!(
            shown,
            doc_example(&read(lib)),
            "README.md's helper example differs from {lib}"
        );
    }

    #[test]
    fn the_readme_complete_scripts_are_the_templates() {
        // `make new-service NAME=counter` (and `ckb-ipc new --name counter`) expands them so.
        let readme = read("README.md");
        for (file, template) in [
            (
                "The trait, `contracts/counter-proto/src/lib.rs`",
                "proto/src/lib.rs",
            ),
            (
                "The server, `contracts/counter-server/src/main.rs`",
                "server/src/main.rs",
            ),
            (
                "The client, `contracts/counter-client/src/main.rs`",
                "client/src/main.rs",
            ),
        ] {
            let shown =
                code_after(&readme, file).unwrap_or_else(|| panic!("no block after {file}"));
            let expanded = read(&format!("crates/ckb-ipc-cli/templates/service/{template}"))
                .replace("__CRATE__", "counter_proto")
                .replace("__TRAIT__", "Counter")
                .replace("__NAME__", "counter");
            assert_eq!(
                shown, expanded,
                "README.md's {file} differs from the template {template}"
            );
        }
    }
}
