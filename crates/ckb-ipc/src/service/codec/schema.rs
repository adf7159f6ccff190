//! [`Schema`]: the molecule declarations of the types a service uses, kept as structures, so
//! that one record gives both the `.mol` text and the description's `types`
//! (`docs/description.md`).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::unions::{UnionItem, VariantKind};
use super::Encode;

/// How a type reads and writes as JSON where that is not its structural form (the `json`
/// member of a type in `docs/description.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonForm {
    /// A little-endian unsigned integer (an `array` of `byte`).
    Uint,
    /// A little-endian two's-complement integer (an `array` of `byte`).
    Int,
    /// `true` or `false` (an `array` of one `byte`, 0 or 1).
    Bool,
    /// `"0x.."` (an `array` or `fixvec` of `byte`).
    Hex,
    /// A UTF-8 string (a `fixvec` of `byte`).
    String,
    /// An array of the fields' values (a `struct` or `table`: a tuple).
    Tuple,
    /// The one field's value alone (a `struct` or `table` of one field).
    Newtype,
    /// Nothing: a union item without data (an empty `table`).
    Unit,
}

impl JsonForm {
    fn as_str(self) -> &'static str {
        match self {
            Self::Uint => "uint",
            Self::Int => "int",
            Self::Bool => "bool",
            Self::Hex => "hex",
            Self::String => "string",
            Self::Tuple => "tuple",
            Self::Newtype => "newtype",
            Self::Unit => "unit",
        }
    }
}

/// One molecule declaration.
#[derive(Debug, Clone)]
enum Kind {
    Array {
        item: String,
        length: usize,
    },
    /// Fields (name, type); `struct` if `fixed`, else `table`.
    Fields {
        fixed: bool,
        fields: Vec<(String, String)>,
    },
    /// `vector`: a `fixvec` if `fixed` (the item has a fixed size), else a `dynvec`.
    Vector {
        item: String,
        fixed: bool,
    },
    Option {
        item: String,
    },
    /// Items (variant name, item id, item type).
    Union {
        items: Vec<(String, u32, String)>,
    },
}

#[derive(Debug, Clone)]
struct Decl {
    name: String,
    kind: Kind,
    json: Option<JsonForm>,
}

/// Molecule declarations, each once, in the order they were first needed.
#[derive(Default, Debug, Clone)]
pub struct Schema {
    decls: Vec<Decl>,
}

impl Schema {
    /// No declarations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares `T` and what it uses; returns its molecule name.
    pub fn add<T: Encode + ?Sized>(&mut self) -> String {
        T::schema_declare(self);
        T::schema_name()
    }

    fn has(&self, name: &str) -> bool {
        name == "byte" || self.decls.iter().any(|d| d.name == name)
    }

    fn push(&mut self, name: &str, kind: impl FnOnce() -> Kind, json: Option<JsonForm>) {
        if !self.has(name) {
            let kind = kind();
            self.decls.push(Decl {
                name: name.to_string(),
                kind,
                json,
            });
        }
    }

    /// `array name [item; length];`, unless `name` is declared already.
    pub fn declare_array(&mut self, name: &str, item: &str, length: usize, json: Option<JsonForm>) {
        self.push(
            name,
            || Kind::Array {
                item: item.to_string(),
                length,
            },
            json,
        );
    }

    /// `vector name <item>;`: a `fixvec` if the item has a fixed size, else a `dynvec`.
    pub fn declare_vector(&mut self, name: &str, item: &str, fixed: bool, json: Option<JsonForm>) {
        self.push(
            name,
            || Kind::Vector {
                item: item.to_string(),
                fixed,
            },
            json,
        );
    }

    /// `option name (item);`.
    pub fn declare_option(&mut self, name: &str, item: &str) {
        self.push(
            name,
            || Kind::Option {
                item: item.to_string(),
            },
            None,
        );
    }

    /// A `struct` (every field fixed) or `table` named `name` of `fields` (name, type), read
    /// and written as a JSON object.
    pub fn declare_fields(&mut self, name: &str, fixed: bool, fields: &[(&str, String)]) {
        self.declare_fields_as(name, fixed, fields, None)
    }

    /// [`declare_fields`](Self::declare_fields) with another JSON form (a tuple, a newtype).
    pub fn declare_fields_as(
        &mut self,
        name: &str,
        fixed: bool,
        fields: &[(&str, String)],
        json: Option<JsonForm>,
    ) {
        let fields = || Kind::Fields {
            fixed,
            fields: fields
                .iter()
                .map(|(n, t)| (n.to_string(), t.clone()))
                .collect(),
        };
        self.push(name, fields, json);
    }

    /// A `union` named `name` of `items`, after each item's type (`<name><Variant>`, a
    /// `struct` or `table` of its fields, see [`declare_fields`](Self::declare_fields)). Item
    /// ids are written (`EA: 5,`) only when they are not molecule's default 0, 1, 2, ...
    pub fn declare_union(&mut self, name: &str, items: &[UnionItem<'_>]) {
        for item in items {
            let json = match item.kind {
                VariantKind::Unit => Some(JsonForm::Unit),
                VariantKind::Tuple if item.fields.len() == 1 => Some(JsonForm::Newtype),
                VariantKind::Tuple => Some(JsonForm::Tuple),
                VariantKind::Struct => None,
            };
            self.declare_fields_as(&item.type_name(name), item.fixed, item.fields, json);
        }
        let items = || Kind::Union {
            items: items
                .iter()
                .map(|item| (item.variant.to_string(), item.id, item.type_name(name)))
                .collect(),
        };
        self.push(name, items, None);
    }

    /// The declarations as `.mol` text, one a line (fields one a line).
    pub fn to_mol(&self) -> String {
        let mut out = String::new();
        for d in &self.decls {
            let name = &d.name;
            match &d.kind {
                Kind::Array { item, length } => {
                    out.push_str(&format!("array {name} [{item}; {length}];"))
                }
                Kind::Fields { fixed, fields } => {
                    let kind = if *fixed { "struct" } else { "table" };
                    out.push_str(&format!("{kind} {name} {{\n"));
                    for (field, ty) in fields {
                        out.push_str(&format!("    {field}: {ty},\n"));
                    }
                    out.push('}');
                }
                Kind::Vector { item, .. } => out.push_str(&format!("vector {name} <{item}>;")),
                Kind::Option { item } => out.push_str(&format!("option {name} ({item});")),
                Kind::Union { items } => {
                    let default_ids = items.iter().zip(0u32..).all(|((_, id, _), n)| *id == n);
                    out.push_str(&format!("union {name} {{\n"));
                    for (_, id, ty) in items {
                        match default_ids {
                            true => out.push_str(&format!("    {ty},\n")),
                            false => out.push_str(&format!("    {ty}: {id},\n")),
                        }
                    }
                    out.push('}');
                }
            }
            out.push('\n');
        }
        out
    }

    /// The declarations as the description's `types` (a JSON array, `docs/description.md`).
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, d) in self.decls.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("\n      {\"name\": ");
            json_string(&mut out, &d.name);
            match &d.kind {
                Kind::Array { item, length } => {
                    out.push_str(", \"kind\": \"array\", \"item\": ");
                    json_string(&mut out, item);
                    out.push_str(&format!(", \"length\": {length}"));
                }
                Kind::Fields { fixed, fields } => {
                    let kind = if *fixed { "struct" } else { "table" };
                    out.push_str(&format!(", \"kind\": \"{kind}\", \"fields\": ["));
                    for (j, (field, ty)) in fields.iter().enumerate() {
                        out.push_str(if j > 0 { ", " } else { "" });
                        named_type(&mut out, field, None, ty);
                    }
                    out.push(']');
                }
                Kind::Vector { item, fixed } => {
                    let kind = if *fixed { "fixvec" } else { "dynvec" };
                    out.push_str(&format!(", \"kind\": \"{kind}\", \"item\": "));
                    json_string(&mut out, item);
                }
                Kind::Option { item } => {
                    out.push_str(", \"kind\": \"option\", \"item\": ");
                    json_string(&mut out, item);
                }
                Kind::Union { items } => {
                    out.push_str(", \"kind\": \"union\", \"items\": [");
                    for (j, (variant, id, ty)) in items.iter().enumerate() {
                        out.push_str(if j > 0 { ", " } else { "" });
                        named_type(&mut out, variant, Some(*id), ty);
                    }
                    out.push(']');
                }
            }
            if let Some(json) = d.json {
                out.push_str(&format!(", \"json\": \"{}\"", json.as_str()));
            }
            out.push('}');
        }
        out.push_str(if self.decls.is_empty() {
            "]"
        } else {
            "\n    ]"
        });
        out
    }
}

/// `{"name": name, ("id": id,) "type": ty}`.
pub(crate) fn named_type(out: &mut String, name: &str, id: Option<u32>, ty: &str) {
    out.push_str("{\"name\": ");
    json_string(out, name);
    if let Some(id) = id {
        out.push_str(&format!(", \"id\": {id}"));
    }
    out.push_str(", \"type\": ");
    json_string(out, ty);
    out.push('}');
}

/// `s` as a JSON string.
pub(crate) fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
