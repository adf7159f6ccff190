//! [`Schema`]: the molecule declarations of the types a service uses, as `.mol` text.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::Encode;

/// Molecule declarations (`.mol` text), each once, in the order they were first needed.
#[derive(Default, Debug, Clone)]
pub struct Schema {
    decls: Vec<(String, String)>,
}

impl Schema {
    /// No declarations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares `name` with `text` unless it is declared already.
    pub fn declare(&mut self, name: &str, text: impl FnOnce() -> String) {
        if name != "byte" && !self.decls.iter().any(|(n, _)| n == name) {
            let text = text();
            self.decls.push((name.to_string(), text));
        }
    }

    /// Declares `T` and what it uses; returns its molecule name.
    pub fn add<T: Encode>(&mut self) -> String {
        T::schema_declare(self);
        T::schema_name()
    }

    /// A `struct` (every field fixed) or `table` named `name` of `fields` (name, type).
    pub fn declare_fields(&mut self, name: &str, fixed: bool, fields: &[(&str, String)]) {
        self.declare(name, || {
            let kind = if fixed { "struct" } else { "table" };
            let mut out = format!("{kind} {name} {{\n");
            for (field, ty) in fields {
                out.push_str(&format!("    {field}: {ty},\n"));
            }
            out.push('}');
            out
        });
    }

    /// A `union` named `name` of `items`, after each item's type (`<name><Variant>`, a
    /// `struct` or `table` of its fields, see [`declare_fields`](Self::declare_fields)). Item
    /// ids are written (`EA: 5,`) only when they are not molecule's default 0, 1, 2, ...
    pub fn declare_union(&mut self, name: &str, items: &[super::unions::UnionItem<'_>]) {
        for item in items {
            self.declare_fields(&item.type_name(name), item.fixed, item.fields);
        }
        self.declare(name, || {
            let default_ids = items.iter().zip(0u32..).all(|(item, n)| item.id == n);
            let mut out = format!("union {name} {{\n");
            for item in items {
                let ty = item.type_name(name);
                match default_ids {
                    true => out.push_str(&format!("    {ty},\n")),
                    false => out.push_str(&format!("    {ty}: {},\n", item.id)),
                }
            }
            out.push('}');
            out
        });
    }

    /// The declarations as `.mol` text.
    pub fn to_mol(&self) -> String {
        let mut out = String::new();
        for (_, text) in &self.decls {
            out.push_str(text);
            out.push('\n');
        }
        out
    }
}
