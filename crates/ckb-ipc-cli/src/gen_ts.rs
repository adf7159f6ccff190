//! `ckb-ipc gen ts`: one TypeScript module per service of a description (docs/description.md)
//! for ckb-js-vm scripts: the service's types, molecule encoders and decoders for exactly
//! those types, a typed client class over a `Channel` of `@ckb-js-std/ipc`, and a server side
//! (an interface to implement and a `RequestHandler` that dispatches to it). The modules'
//! fixed part (errors, batches, molecule helpers) is `gen_ts/runtime.ts`, written beside them as
//! `ckb-ipc-runtime.ts`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::description::{
    read_limited, Document, Field, Found, Hint, Item, Kind, Method, Service, TypeDef,
};
use crate::typed::Types;
use crate::Result;

/// The part of every module that does not depend on the service: its own module,
/// [`RUNTIME_FILE`], beside the services' modules, or (written to standard output) inside the
/// one module.
const RUNTIME: &str = include_str!("gen_ts/runtime.ts");

/// The file of the runtime, written beside the modules that import it, so that the modules of
/// several services in one bundle share one runtime (one `ServiceError` class, not one each).
pub(crate) const RUNTIME_FILE: &str = "ckb-ipc-runtime.ts";

/// The lean transport (`--transport`), written as it is beside the modules.
const TRANSPORT: &str = include_str!("gen_ts/transport.ts");

/// The file of the lean transport.
pub(crate) const TRANSPORT_FILE: &str = "ckb-ipc-transport.ts";

/// The packets and the handler interface, from ckb-js-vm's IPC package (or a transport with its
/// API, by a bundler's alias).
const IPC_IMPORTS: &str = "import { RequestPacket, ResponsePacket } from \"@ckb-js-std/ipc\";\n\
                           import type { RequestHandler } from \"@ckb-js-std/ipc\";\n";

/// Where [`module`] leaves room for the runtime: its imports from [`RUNTIME_FILE`], or the
/// runtime itself.
const RUNTIME_MARK: &str = "\n//@runtime\n";

#[derive(Args)]
pub(crate) struct GenArgs {
    /// The language to write: `ts` (TypeScript for ckb-js-vm, importing `@ckb-js-std/ipc`).
    pub(crate) lang: Lang,
    /// A service description (`.json`), or a server binary (its `<BINARY>.json` is read).
    #[arg(value_name = "DESCRIPTION.json|SERVER")]
    pub(crate) input: PathBuf,
    /// A `.ts` file (a description of one service), or a directory (`<service>.ts` for each
    /// service, named in kebab case: `KeyValue` in `key-value.ts`), with the runtime the
    /// modules share beside them (`ckb-ipc-runtime.ts`); default: standard output, one module
    /// with the runtime inside it.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub(crate) output: Option<PathBuf>,
    /// Also write the lean transport beside the modules (`ckb-ipc-transport.ts`): the API of
    /// `@ckb-js-std/ipc`, a header read in one syscall; bundle with
    /// `--alias:@ckb-js-std/ipc=./ckb-ipc-transport.ts` to use it. Needs `-o`.
    #[arg(long)]
    pub(crate) transport: bool,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Lang {
    /// TypeScript.
    Ts,
}

pub(crate) fn run(a: GenArgs) -> Result<ExitCode> {
    let Lang::Ts = a.lang;
    let (doc, bytes) = load(&a.input)?;
    let documents = service_documents(&bytes)?;
    let mut modules = Vec::with_capacity(doc.services.len());
    for (service, document) in doc.services.iter().zip(&documents) {
        let text =
            module(service, document).map_err(|e| format!("service {}: {e}", service.name))?;
        modules.push((file_name(&service.name), text));
    }
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let runtime = Runtime::read();
    // The directory the runtime (and the transport) go to, beside the modules; none for
    // standard output (the module carries the runtime).
    let beside = a.output.as_deref().map(|o| match o.extension() {
        Some(e) if e == "ts" => o.parent().unwrap_or(Path::new("")).to_path_buf(),
        _ => o.to_path_buf(),
    });
    if a.transport && beside.is_none() {
        return Err("--transport writes a file beside the modules: give -o".into());
    }
    match (a.output, modules.as_slice()) {
        (None, [(_, text)]) => print!("{}", runtime.inline(text)),
        (Some(file), [(_, text)]) if file.extension().is_some_and(|e| e == "ts") => {
            write(&file, &runtime.import(text))?
        }
        (None | Some(_), []) => return Err("the description has no service".into()),
        (Some(dir), _) if dir.extension().is_none_or(|e| e != "ts") => {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for (name, text) in &modules {
                write(&dir.join(name), &runtime.import(text))?;
            }
        }
        (_, _) => {
            return Err(format!(
                "the description has {} services: give a directory with -o",
                modules.len()
            ))
        }
    }
    if let Some(dir) = beside {
        write(&dir.join(RUNTIME_FILE), &runtime.module())?;
        if a.transport {
            write(&dir.join(TRANSPORT_FILE), TRANSPORT)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A description file, or the one beside a server binary (which must belong to it), and the
/// bytes it was read from.
fn load(input: &Path) -> Result<(Document, Vec<u8>)> {
    if input.extension().is_some_and(|e| e == "json") {
        let bytes = read_limited(input)?;
        return Ok((
            Document::parse(&bytes, &input.display().to_string())?,
            bytes,
        ));
    }
    match Found::for_file(input, None)? {
        Found::File(doc, bytes) => Ok((doc, bytes)),
        Found::Refused(why) => Err(why),
        Found::Nothing => Err(format!(
            "{}: no {}.json beside it (the build writes it: `make build`), and gen reads no \
             description from a running server: give the .json",
            input.display(),
            input.display()
        )),
    }
}

/// Each service's own description document (one service, no `binary` member: what a server
/// answers to discovery), as JSON text, in the order of the document's services.
fn service_documents(bytes: &[u8]) -> Result<Vec<String>> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("the description: {e}"))?;
    let services = value
        .get("services")
        .and_then(|s| s.as_array())
        .ok_or("the description has no services")?;
    services
        .iter()
        .map(|service| {
            let one = serde_json::json!({
                "format": value.get("format"),
                "version": value.get("version"),
                "services": [service],
            });
            serde_json::to_string(&one).map_err(|e| e.to_string())
        })
        .collect()
}

/// `KeyValue` -> `key-value.ts`.
fn file_name(service: &str) -> String {
    let mut out = String::new();
    for (i, c) in service.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out + ".ts"
}

/// Names the module itself declares: a type of the service may not take one.
const RESERVED_TYPES: &[&str] = &[
    "DecodeError",
    "CallError",
    "ServiceError",
    "CallChannel",
    "Discoverable",
    "BatchRefused",
    "BatchCall",
    "Settled",
    "BatchResults",
    "Item",
    "RequestPacket",
    "ResponsePacket",
    "RequestHandler",
    "Uint8Array",
];

/// JavaScript's reserved words (and names that cannot be parameters in strict mode): an
/// argument so named gets a `_` after it.
const JS_RESERVED: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

fn param(name: &str) -> String {
    match JS_RESERVED.contains(&name) {
        true => format!("{name}_"),
        false => name.to_string(),
    }
}

/// What a declaration is in TypeScript, which decides its type, encoder and decoder.
enum Shape<'a> {
    /// An integer of `size` bytes: a `number` up to 4 bytes, a `bigint` above.
    Int {
        size: usize,
        signed: bool,
    },
    Bool,
    /// Bytes as a `Uint8Array`: an `array` of `byte` (`Some(length)`) or a `fixvec` of `byte`.
    Bytes(Option<usize>),
    Str,
    /// An empty table that reads as `null` (a unit union item).
    Unit,
    /// A struct or table, read as an object, a tuple or (one field) the field's value.
    Fields {
        table: bool,
        fields: &'a [Field],
        form: Form,
    },
    /// An `array` (`Some(length)`), `fixvec` or `dynvec` of `item`, as a JavaScript array.
    Items {
        kind: Kind,
        length: Option<usize>,
        item: &'a str,
    },
    Option(&'a str),
    Union(&'a [Item]),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Object,
    Tuple,
    Newtype,
}

/// The runtime's top-level names: those it exports (the modules' API, which each module
/// exports again) and its helpers (exported from [`RUNTIME_FILE`] for the modules only).
struct Runtime {
    /// (name, a type only, exported by runtime.ts), in the order declared.
    names: Vec<(&'static str, bool, bool)>,
}

/// The top-level declaration a line of runtime.ts starts: (name, a type only, exported).
fn declaration(line: &str) -> Option<(&str, bool, bool)> {
    let (public, rest) = match line.strip_prefix("export ") {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (keyword, rest) = rest.split_once(' ')?;
    let type_only = match keyword {
        "interface" | "type" => true,
        "const" | "class" | "function" => false,
        _ => return None,
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    let name = rest.get(..end).filter(|n| !n.is_empty())?;
    Some((name, type_only, public))
}

impl Runtime {
    fn read() -> Runtime {
        Runtime {
            names: RUNTIME.lines().filter_map(declaration).collect(),
        }
    }

    /// A module with the runtime inside it (one file, nothing else to import).
    fn inline(&self, module: &str) -> String {
        module.replacen(IPC_IMPORTS, "", 1).replacen(
            RUNTIME_MARK,
            &format!("{IPC_IMPORTS}\n{RUNTIME}"),
            1,
        )
    }

    /// A module importing from [`RUNTIME_FILE`] the runtime's names it uses, and exporting
    /// again the runtime's API (so its errors are imported from the service's module).
    fn import(&self, module: &str) -> String {
        let words: std::collections::HashSet<&str> = module
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        let from = RUNTIME_FILE.trim_end_matches(".ts");
        let mut w = String::from("\n");
        // (the statement, which names: a type only?, the runtime's API rather than the names used)
        let lines = [
            ("import", false, false),
            ("import type", true, false),
            ("export", false, true),
            ("export type", true, true),
        ];
        for (what, type_only, api) in lines {
            let names: Vec<&str> = self
                .names
                .iter()
                .filter(|n| n.1 == type_only && if api { n.2 } else { words.contains(n.0) })
                .map(|n| n.0)
                .collect();
            if names.is_empty() {
                continue;
            }
            // One name a line when they do not fit on one.
            let one = format!("{what} {{ {} }} from \"./{from}\";", names.join(", "));
            if one.len() <= 100 {
                let _ = writeln!(w, "{one}");
            } else {
                let _ = writeln!(
                    w,
                    "{what} {{\n  {},\n}} from \"./{from}\";",
                    names.join(",\n  ")
                );
            }
        }
        module.replacen(RUNTIME_MARK, &w, 1)
    }

    /// [`RUNTIME_FILE`]: the runtime, its helpers exported too.
    fn module(&self) -> String {
        let mut w = String::from(
            "// The runtime of the modules `ckb-ipc gen ts` writes (errors, batches, molecule \
             helpers):\n// do not edit, generate it again. Its helpers below are exported for \
             those modules only;\n// the modules export its API again.\n",
        );
        w.push_str(IPC_IMPORTS);
        w.push('\n');
        for line in RUNTIME.lines() {
            if declaration(line).is_some_and(|(_, _, public)| !public) {
                w.push_str("export ");
            }
            w.push_str(line);
            w.push('\n');
        }
        w
    }
}

struct Gen<'a> {
    types: Types<'a>,
}

/// The TypeScript module of one service.
pub(crate) fn module(service: &Service, document: &str) -> Result<String> {
    let g = Gen {
        types: Types::new(&service.types),
    };
    g.types.check(service)?;
    for t in &service.types {
        g.acyclic(&t.name, &mut Vec::new())?;
    }
    let name = &service.name;
    for t in &service.types {
        let taken = RESERVED_TYPES.contains(&t.name.as_str())
            || [
                name.clone(),
                format!("{name}Client"),
                format!("{name}Handler"),
                format!("{name}Batch"),
            ]
            .contains(&t.name)
            || [format!("{name}Methods"), format!("{name}Description")].contains(&t.name);
        if taken {
            return Err(format!(
                "type {}: the generated module declares that name",
                t.name
            ));
        }
    }
    // The client class has a `channel` member, a constructor and `batch`.
    if let Some(m) = service
        .methods
        .iter()
        .find(|m| ["channel", "constructor", "batch"].contains(&m.name.as_str()))
    {
        return Err(format!(
            "method {}: the generated client class has a member of that name",
            m.name
        ));
    }
    // Batches and discovery answer ids of the reserved range, as `#[ckb_ipc::service]` keeps it.
    if let Some(m) = service
        .methods
        .iter()
        .find(|m| (0x7fff_fff0..=0x7fff_ffff).contains(&m.id))
    {
        return Err(format!(
            "method {}: id {:#x} is in the reserved range 0x7ffffff0..=0x7fffffff",
            m.name, m.id
        ));
    }
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "// The service {name}, generated by `ckb-ipc gen ts` from its description \
         (docs/description.md):\n// do not edit, generate it again. Methods:"
    );
    for m in &service.methods {
        let _ = writeln!(w, "//   {} (id {})", m.signature(), m.id);
    }
    w.push_str(IPC_IMPORTS);
    w.push_str(RUNTIME_MARK);
    w.push_str("\n// ---- The service's types ----\n");
    for def in &service.types {
        let _ = writeln!(w, "\nexport type {} = {};", def.name, g.def_type(def)?);
        match g.size(&def.name)? {
            Some(size) => g.fixed(w, def, size)?,
            None => {
                g.encoder(w, def)?;
                g.decoder(w, def)?;
            }
        }
    }
    g.methods(w, service)?;
    let _ = writeln!(
        w,
        "\n/** The service's description (docs/description.md): `new Discoverable({name}Description, \
         handler)`\n * answers it to `DESCRIBE_METHOD`, so `ckb-ipc` calls the server's methods by \
         name. */\nexport const {name}Description = {};",
        serde_json::to_string(document).map_err(|e| e.to_string())?
    );
    g.client(w, service)?;
    g.batch(w, service)?;
    g.server(w, service)?;
    Ok(out)
}

impl<'a> Gen<'a> {
    fn shape(&self, def: &'a TypeDef) -> Result<Shape<'a>> {
        let length = def.length.map(|n| n as usize);
        let item = def.item.as_deref().unwrap_or_default();
        let byte_item = item == "byte";
        let form = match def.json {
            Some(Hint::Tuple) => Form::Tuple,
            Some(Hint::Newtype) => Form::Newtype,
            _ => Form::Object,
        };
        Ok(match (def.json, def.kind) {
            (Some(h @ (Hint::Uint | Hint::Int)), _) => Shape::Int {
                size: length.unwrap_or_default(),
                signed: h == Hint::Int,
            },
            (Some(Hint::Bool), _) => Shape::Bool,
            (Some(Hint::String), _) => Shape::Str,
            (Some(Hint::Unit), _) => Shape::Unit,
            (_, Kind::Array) if byte_item => Shape::Bytes(length),
            (_, Kind::Fixvec) if byte_item => Shape::Bytes(None),
            (_, Kind::Struct | Kind::Table) => Shape::Fields {
                table: def.kind == Kind::Table,
                fields: &def.fields,
                form,
            },
            (_, kind @ (Kind::Array | Kind::Fixvec | Kind::Dynvec)) => {
                if kind == Kind::Array && self.size(item)? == Some(0) {
                    return Err(format!("{}: an array of a type of no bytes", def.name));
                }
                Shape::Items { kind, length, item }
            }
            (_, Kind::Option) => Shape::Option(item),
            (_, Kind::Union) => Shape::Union(&def.items),
        })
    }

    /// Refuses a type that contains itself: its decoder would recurse as deep as a peer's
    /// bytes say (a Rust service cannot describe one; a hand-written description can).
    fn acyclic(&self, name: &str, path: &mut Vec<String>) -> Result<()> {
        if path.iter().any(|p| p == name) {
            return Err(format!(
                "type {name} contains itself ({} -> {name})",
                path.join(" -> ")
            ));
        }
        let Some(def) = self.types.def(name)? else {
            return Ok(());
        };
        path.push(name.to_string());
        let inner = def
            .item
            .iter()
            .chain(def.fields.iter().map(|f| &f.ty))
            .chain(def.items.iter().map(|i| &i.ty));
        for t in inner {
            self.acyclic(t, path)?;
        }
        path.pop();
        Ok(())
    }

    fn size(&self, name: &str) -> Result<Option<usize>> {
        self.types.size_of(name)
    }

    /// A type's name in TypeScript: `null`, `number` or the declaration's own name.
    fn ts(&self, name: &str) -> &'a str {
        match name {
            "()" => "null",
            "byte" => "number",
            _ => self
                .types
                .def(name)
                .ok()
                .flatten()
                .map_or("never", |d| d.name.as_str()),
        }
    }

    /// The right-hand side of `export type <Name> = ...`.
    fn def_type(&self, def: &'a TypeDef) -> Result<String> {
        Ok(match self.shape(def)? {
            Shape::Int { size, .. } if size <= 4 => "number".into(),
            Shape::Int { .. } => "bigint".into(),
            Shape::Bool => "boolean".into(),
            Shape::Bytes(_) => "Uint8Array".into(),
            Shape::Str => "string".into(),
            Shape::Unit => "null".into(),
            Shape::Fields { fields, form, .. } => match form {
                Form::Newtype => fields.first().map_or("null", |f| self.ts(&f.ty)).into(),
                Form::Tuple => format!(
                    "[{}]",
                    fields
                        .iter()
                        .map(|f| self.ts(&f.ty))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Form::Object => format!(
                    "{{ {} }}",
                    fields
                        .iter()
                        .map(|f| format!("{}: {};", f.name, self.ts(&f.ty)))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            },
            Shape::Items { item, .. } => format!("{}[]", self.ts(item)),
            Shape::Option(item) => format!("{} | null", self.ts(item)),
            Shape::Union(items) => items
                .iter()
                .map(|i| match self.types.is_unit(&i.ty) {
                    true => format!("\"{}\"", i.name),
                    false => format!("{{ {}: {} }}", i.name, self.ts(&i.ty)),
                })
                .collect::<Vec<_>>()
                .join(" | "),
        })
    }

    /// The function that encodes a value of type `name`.
    fn enc_fn(&self, name: &str) -> String {
        match name {
            "()" => "unitTo".into(),
            "byte" => "byteTo".into(),
            _ => format!("encode{name}"),
        }
    }

    fn dec_fn(&self, name: &str) -> String {
        match name {
            "()" => "unitFrom".into(),
            "byte" => "byteFrom".into(),
            _ => format!("decode{name}"),
        }
    }

    /// A struct's or table's fields' values taken from `v` (an object, a tuple or the value).
    fn field_values(fields: &[Field], form: Form, v: &str) -> Vec<String> {
        fields
            .iter()
            .enumerate()
            .map(|(i, f)| match form {
                Form::Object => format!("{v}.{}", f.name),
                Form::Tuple => format!("{v}[{i}]"),
                Form::Newtype => v.to_string(),
            })
            .collect()
    }

    /// A struct's or table's value made of its fields' `values`.
    fn fields_value(fields: &[Field], form: Form, values: &[String]) -> String {
        match form {
            Form::Newtype => values.first().cloned().unwrap_or_else(|| "null".into()),
            Form::Tuple => format!("[{}]", values.join(", ")),
            Form::Object => format!(
                "{{ {} }}",
                fields
                    .iter()
                    .zip(values)
                    .map(|(f, v)| match *v == f.name {
                        true => v.clone(),
                        false => format!("{}: {v}", f.name),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// A type of fixed size: `put<Name>` / `get<Name>` write and read it in place (at `at` of a
    /// buffer `o`/`b`, with a `DataView` `d` over it), so a struct of them takes one buffer and
    /// one `DataView` (each JavaScript allocation costs thousands of cycles in ckb-js-vm), and
    /// `encode<Name>` / `decode<Name>` around them.
    fn fixed(&self, w: &mut String, def: &'a TypeDef, size: usize) -> Result<()> {
        let n = &def.name;
        let (put, get) = match self.shape(def)? {
            Shape::Int { size, signed } => int_put_get(n, size, signed),
            Shape::Bool => (
                format!("o[at] = boolTo(v, \"{n}\")[0];"),
                format!("return boolFrom(b.subarray(at, at + 1), \"{n}\");"),
            ),
            Shape::Bytes(_) => (
                format!("o.set(lengthOf(v, {size}, \"{n}\"), at);"),
                format!("return b.slice(at, at + {size});"),
            ),
            Shape::Fields { fields, form, .. } => {
                let mut puts = Vec::with_capacity(fields.len());
                let mut gets = Vec::with_capacity(fields.len());
                let mut at = 0usize;
                for (f, v) in fields.iter().zip(Self::field_values(fields, form, "v")) {
                    let (p, g) = self.field_put_get(&f.ty, at, &v)?;
                    puts.push(p);
                    gets.push(g);
                    at += self.size(&f.ty)?.unwrap_or_default();
                }
                (
                    puts.join("\n  "),
                    format!("return {};", Self::fields_value(fields, form, &gets)),
                )
            }
            Shape::Items { item, length, .. } => {
                let length = length.unwrap_or_default();
                let item_size = self.size(item)?.unwrap_or_default();
                let (p, g) = self.field_put_get(item, 0, "v[i]")?;
                let each = format!("at + {item_size} * i");
                let (p, g) = (
                    p.replace("(d, o, at,", &format!("(d, o, {each},"))
                        .replace("o[at]", &format!("o[{each}]")),
                    g.replace("(d, b, at)", &format!("(d, b, {each})"))
                        .replace("b[at]", &format!("b[{each}]")),
                );
                (
                    format!("lengthOf(v, {length}, \"{n}\");\n  for (let i = 0; i < {length}; i++) {p}"),
                    format!(
                        "const out: {n} = [];\n  for (let i = 0; i < {length}; i++) out.push({g});\n  return out;"
                    ),
                )
            }
            _ => return Err(format!("{n}: a type of fixed size of no known shape")),
        };
        let d = if self.needs_view(&def.name)? {
            "new DataView(o.buffer)"
        } else {
            "NO_VIEW"
        };
        let dv = if self.needs_view(&def.name)? {
            "view(b)"
        } else {
            "NO_VIEW"
        };
        let _ = writeln!(
            w,
            "\nfunction put{n}(d: DataView, o: Uint8Array, at: number, v: {n}): void {{\n  {put}\n}}\n\n\
             function get{n}(d: DataView, b: Uint8Array, at: number): {n} {{\n  {get}\n}}\n\n\
             export function encode{n}(v: {n}): Uint8Array {{\n  const o = new Uint8Array({size});\n  \
             put{n}({d}, o, 0, v);\n  return o;\n}}\n\n\
             export function decode{n}(b: Uint8Array): {n} {{\n  exact(b, {size}, \"{n}\");\n  \
             return get{n}({dv}, b, 0);\n}}"
        );
        Ok(())
    }

    /// The statement writing a value `v` of the fixed-size type `ty` at `at + offset`, and the
    /// expression reading it.
    fn field_put_get(&self, ty: &str, offset: usize, v: &str) -> Result<(String, String)> {
        Ok(match ty {
            "()" => (format!("unitTo({v});"), "null".into()),
            "byte" => (
                format!("o[{}] = byteTo({v})[0];", at_plus(offset)),
                format!("b[{}]", at_plus(offset)),
            ),
            _ => (
                format!("put{ty}(d, o, {}, {v});", at_plus(offset)),
                format!("get{ty}(d, b, {})", at_plus(offset)),
            ),
        })
    }

    /// Whether a fixed-size type reads or writes through a `DataView` (integers of 2 to 16
    /// bytes), so its encoder and decoder make one.
    fn needs_view(&self, name: &str) -> Result<bool> {
        let Some(def) = self.types.def(name)? else {
            return Ok(false);
        };
        Ok(match self.shape(def)? {
            Shape::Int { size, .. } => matches!(size, 2 | 4 | 8 | 16),
            Shape::Fields { fields, .. } => {
                let mut any = false;
                for f in fields {
                    any |= self.needs_view(&f.ty)?;
                }
                any
            }
            Shape::Items { item, .. } => self.needs_view(item)?,
            _ => false,
        })
    }

    fn encoder(&self, w: &mut String, def: &'a TypeDef) -> Result<()> {
        let n = &def.name;
        let _ = writeln!(w, "\nexport function encode{n}(v: {n}): Uint8Array {{");
        let body = match self.shape(def)? {
            Shape::Int { size, signed } => format!("return intTo(v, {size}, {signed}, \"{n}\");"),
            Shape::Bool => format!("return boolTo(v, \"{n}\");"),
            Shape::Bytes(Some(length)) => format!("return lengthOf(v, {length}, \"{n}\");"),
            Shape::Bytes(None) => format!("return fixvecBytes(v, \"{n}\");"),
            Shape::Str => format!("return fixvecBytes(utf8(v, \"{n}\"), \"{n}\");"),
            Shape::Unit => "unitTo(v);\n  return table([]);".into(),
            Shape::Fields {
                table,
                fields,
                form,
            } => {
                let parts: Vec<String> = fields
                    .iter()
                    .zip(Self::field_values(fields, form, "v"))
                    .map(|(f, v)| format!("{}({v})", self.enc_fn(&f.ty)))
                    .collect();
                let join = if table { "table" } else { "cat" };
                format!("return {join}([{}]);", parts.join(", "))
            }
            Shape::Items { kind, length, item } => {
                let each = format!("v.map((x) => {}(x))", self.enc_fn(item));
                match kind {
                    Kind::Array => format!(
                        "lengthOf(v, {}, \"{n}\");\n  return cat({each});",
                        length.unwrap_or_default()
                    ),
                    Kind::Fixvec => format!("return fixvec(v.length, {each});"),
                    _ => format!("return table({each});"),
                }
            }
            Shape::Option(item) => format!("return v === null ? EMPTY : {}(v);", self.enc_fn(item)),
            Shape::Union(items) => {
                let mut b = String::new();
                let units: Vec<&Item> =
                    items.iter().filter(|i| self.types.is_unit(&i.ty)).collect();
                if !units.is_empty() {
                    b.push_str("if (typeof v === \"string\") {\n    switch (v) {\n");
                    for i in &units {
                        let _ = writeln!(
                            b,
                            "      case \"{}\":\n        return cat([u32({}), {}(null)]);",
                            i.name,
                            i.id,
                            self.enc_fn(&i.ty)
                        );
                    }
                    b.push_str("    }\n  }\n");
                }
                for i in items.iter().filter(|i| !self.types.is_unit(&i.ty)) {
                    let _ = writeln!(
                        b,
                        "  if (typeof v === \"object\" && \"{0}\" in v) return cat([u32({1}), {2}(v.{0})]);",
                        i.name,
                        i.id,
                        self.enc_fn(&i.ty)
                    );
                }
                let _ = write!(
                    b,
                    "  throw new RangeError(`{n}: no variant ${{JSON.stringify(v)}}`);"
                );
                b.trim_start().to_string()
            }
        };
        let _ = writeln!(w, "  {body}\n}}");
        Ok(())
    }

    fn decoder(&self, w: &mut String, def: &'a TypeDef) -> Result<()> {
        let n = &def.name;
        let _ = writeln!(w, "\nexport function decode{n}(b: Uint8Array): {n} {{");
        let body = match self.shape(def)? {
            Shape::Int { size, signed } => {
                let f = if size <= 4 { "smallFrom" } else { "bigFrom" };
                format!("return {f}(b, {size}, {signed}, \"{n}\");")
            }
            Shape::Bool => format!("return boolFrom(b, \"{n}\");"),
            Shape::Bytes(Some(length)) => format!("return exact(b, {length}, \"{n}\").slice();"),
            // A view of the answer's bytes, not a copy: nothing else holds them.
            Shape::Bytes(None) => format!("return fixvecBody(b, 1, \"{n}\");"),
            Shape::Str => format!("return fromUtf8(fixvecBody(b, 1, \"{n}\"), \"{n}\");"),
            Shape::Unit => format!("parts(b, 0, \"{n}\");\n  return null;"),
            Shape::Fields {
                table: true,
                fields,
                form,
            } => {
                let values: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{}(p[{i}])", self.dec_fn(&f.ty)))
                    .collect();
                format!(
                    "const p = parts(b, {}, \"{n}\");\n  return {};",
                    fields.len(),
                    Self::fields_value(fields, form, &values)
                )
            }
            Shape::Fields { fields, form, .. } => {
                let total = self.size(n)?.unwrap_or_default();
                let mut at = 0usize;
                let mut values = Vec::with_capacity(fields.len());
                for f in fields {
                    let size = self.size(&f.ty)?.unwrap_or_default();
                    values.push(format!(
                        "{}(b.subarray({at}, {}))",
                        self.dec_fn(&f.ty),
                        at + size
                    ));
                    at += size;
                }
                format!(
                    "exact(b, {total}, \"{n}\");\n  return {};",
                    Self::fields_value(fields, form, &values)
                )
            }
            Shape::Items { kind, length, item } => {
                let each = format!(".map((x) => {}(x))", self.dec_fn(item));
                let size = self.size(item)?.unwrap_or_default();
                match kind {
                    Kind::Array => format!(
                        "exact(b, {}, \"{n}\");\n  return chunks(b, {size}){each};",
                        size * length.unwrap_or_default()
                    ),
                    Kind::Fixvec => {
                        format!("return chunks(fixvecBody(b, {size}, \"{n}\"), {size}){each};")
                    }
                    _ => format!("return parts(b, null, \"{n}\"){each};"),
                }
            }
            Shape::Option(item) => {
                format!("return b.length === 0 ? null : {}(b);", self.dec_fn(item))
            }
            Shape::Union(items) => {
                let mut b = format!(
                    "const id = readU32(b, 0, \"{n}\");\n  const rest = b.subarray(4);\n  switch (id) {{\n"
                );
                for i in items {
                    let dec = self.dec_fn(&i.ty);
                    let _ = match self.types.is_unit(&i.ty) {
                        true => writeln!(
                            b,
                            "    case {}:\n      {dec}(rest);\n      return \"{}\";",
                            i.id, i.name
                        ),
                        false => writeln!(
                            b,
                            "    case {}:\n      return {{ {}: {dec}(rest) }};",
                            i.id, i.name
                        ),
                    };
                }
                let _ = write!(
                    b,
                    "    default:\n      throw new DecodeError(\"{n}\", `unknown item id ${{id}}`);\n  }}"
                );
                b
            }
        };
        let _ = writeln!(w, "  {body}\n}}");
        Ok(())
    }

    /// `export const <Service>Methods = { name: id, ... }`.
    fn methods(&self, w: &mut String, service: &Service) -> Result<()> {
        let _ = writeln!(
            w,
            "\n// ---- The service ----\n\n/** The method ids on the wire. */\nexport const {}Methods = {{",
            service.name
        );
        for m in &service.methods {
            let _ = writeln!(w, "  {}: {},", m.name, m.id);
        }
        w.push_str("} as const;\n");
        Ok(())
    }

    /// `key: Bytes, value: Bytes`.
    fn params(&self, m: &Method) -> String {
        m.args
            .iter()
            .map(|a| format!("{}: {}", param(&a.name), self.ts(&a.ty)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn returns(&self, m: &Method) -> &'a str {
        match m.returns.as_str() {
            "()" => "void",
            r => self.ts(r),
        }
    }

    /// The request payload's value made of the arguments (`()` for none).
    fn payload_value(&self, m: &Method) -> Result<String> {
        let names: Vec<String> = m.args.iter().map(|a| param(&a.name)).collect();
        Ok(match (names.as_slice(), self.types.def(&m.payload)?) {
            ([], _) => "null".into(),
            ([one], _) => one.clone(),
            (_, Some(def)) => match self.shape(def)? {
                Shape::Fields { fields, form, .. } => Self::fields_value(fields, form, &names),
                _ => {
                    return Err(format!(
                        "method {}: payload {} has no fields",
                        m.name, m.payload
                    ))
                }
            },
            (_, None) => return Err(format!("method {}: payload {}", m.name, m.payload)),
        })
    }

    /// The arguments of the implementation's method, taken from the decoded payload `args`.
    fn args_from(&self, m: &Method) -> Result<String> {
        Ok(match (m.args.as_slice(), self.types.def(&m.payload)?) {
            ([], _) => String::new(),
            ([_], _) => "args".into(),
            (_, Some(def)) => match self.shape(def)? {
                Shape::Fields { fields, form, .. } => {
                    Self::field_values(fields, form, "args").join(", ")
                }
                _ => {
                    return Err(format!(
                        "method {}: payload {} has no fields",
                        m.name, m.payload
                    ))
                }
            },
            (_, None) => return Err(format!("method {}: payload {}", m.name, m.payload)),
        })
    }

    fn client(&self, w: &mut String, service: &Service) -> Result<()> {
        let s = &service.name;
        let _ = writeln!(
            w,
            "\n/** Calls the {s} service: `new {s}Client(channel)` with a `Channel` of `@ckb-js-std/ipc`.\n \
             * A method answers its value; it throws `ServiceError` (its `error` decoded) when the server\n \
             * answers `Err(e)`, `CallError` (with the code) for any other error code, and `DecodeError`\n \
             * when the answer's bytes are not a value of the type. */\n\
             export class {s}Client {{\n  constructor(readonly channel: CallChannel) {{}}"
        );
        for m in &service.methods {
            let payload = format!("{}({})", self.enc_fn(&m.payload), self.payload_value(m)?);
            let error = match &m.error {
                Some(e) => self.dec_fn(e),
                None => "null".into(),
            };
            let ret = self.returns(m);
            let _ = writeln!(
                w,
                "\n  /** `{}` */\n  {}({}): {ret} {{\n    \
                 const resp = this.channel.call(new RequestPacket({payload}, {}));\n    \
                 {}{}(answer(\"{}\", resp, {error}));\n  }}",
                m.signature(),
                m.name,
                self.params(m),
                m.id,
                if ret == "void" { "" } else { "return " },
                self.dec_fn(&m.returns),
                m.name,
            );
        }
        let _ = writeln!(
            w,
            "\n  /** Many calls in one round trip (one request packet, docs/wire-format.md, \"Batches\"):\n   \
             * `client.batch((b) => [b.{first}(...), ...])` answers one `Settled` per call, in order:\n   \
             * `{{ ok: true, value }}`, or `{{ ok: false, error }}` with what the call alone would have\n   \
             * thrown; a call's error stops none of the others. Throws `BatchRefused` when the server\n   \
             * refuses the batch whole (one that does not know batches answers its unknown-method code),\n   \
             * `DecodeError` for an answer that is not one complete response per call. */\n  \
             batch<R extends readonly BatchCall<unknown, unknown>[] | []>(calls: (b: {s}Batch) => R): BatchResults<R> {{\n    \
             return callBatch(this.channel, calls(new {s}Batch()));\n  }}\n}}",
            first = service.methods.first().map_or("method", |m| m.name.as_str()),
        );
        Ok(())
    }

    /// `<Service>Batch`: a method per service method, making its call of a batch.
    fn batch(&self, w: &mut String, service: &Service) -> Result<()> {
        let s = &service.name;
        let _ = writeln!(
            w,
            "\n/** The calls of a {s} batch (`{s}Client.batch`): each method makes one call, sent \
             with the batch. */\nexport class {s}Batch {{"
        );
        for (i, m) in service.methods.iter().enumerate() {
            let payload = format!("{}({})", self.enc_fn(&m.payload), self.payload_value(m)?);
            let error = match &m.error {
                Some(e) => self.dec_fn(e),
                None => "null".into(),
            };
            let types = match &m.error {
                Some(e) => format!("{}, {}", self.returns(m), self.ts(e)),
                None => self.returns(m).to_string(),
            };
            let _ = writeln!(
                w,
                "{}  {}({}): BatchCall<{types}> {{\n    \
                 return new BatchCall<{types}>(\"{}\", new RequestPacket({payload}, {}), {}, {error});\n  }}",
                if i == 0 { "" } else { "\n" },
                m.name,
                self.params(m),
                m.name,
                m.id,
                self.dec_fn(&m.returns),
            );
        }
        w.push_str("}\n");
        Ok(())
    }

    fn server(&self, w: &mut String, service: &Service) -> Result<()> {
        let s = &service.name;
        let _ = writeln!(
            w,
            "\n/** The {s} service, to implement in JavaScript and serve with\n \
             * `runServer(new {s}Handler(implementation))`. A method with an error type answers\n \
             * `Err(e)` by throwing `new ServiceError(\"<method>\", e)`. */\n\
             export interface {s} {{"
        );
        for m in &service.methods {
            let _ = writeln!(w, "  {}({}): {};", m.name, self.params(m), self.returns(m));
        }
        let _ = writeln!(
            w,
            "}}\n\n/** Serves an implementation of {s}: dispatches by method id, decodes the arguments\n \
             * (an undecodable payload is answered with code 27, an unknown id with 256) and encodes\n \
             * the answer; a batch (`BATCH_METHOD`) is answered item by item (`serveBatch`). */\n\
             export class {s}Handler implements RequestHandler {{\n  \
             constructor(readonly service: {s}) {{}}\n\n  \
             serve(req: RequestPacket): ResponsePacket {{\n    \
             const payload = req.payload();\n    \
             switch (wireCode(req.methodId())) {{"
        );
        for m in &service.methods {
            let call = format!("this.service.{}({})", m.name, self.args_from(m)?);
            let ret = self.returns(m);
            let _ = writeln!(
                w,
                "      case {}: {{\n        \
                 let args: {};\n        \
                 try {{\n          args = {}(payload);\n        }} catch (e) {{\n          return badRequest(e);\n        }}",
                m.id,
                self.ts(&m.payload),
                self.dec_fn(&m.payload)
            );
            // The implementation's answer as `value` (none for `()`), its `ServiceError` answered.
            let _ = match (&m.error, ret) {
                (None, "void") => writeln!(w, "        {call};"),
                (None, _) => writeln!(w, "        const value: {ret} = {call};"),
                (Some(e), _) => {
                    let assign = match ret {
                        "void" => format!("{call};"),
                        _ => {
                            let _ = writeln!(w, "        let value: {ret};");
                            format!("value = {call};")
                        }
                    };
                    writeln!(
                        w,
                        "        try {{\n          {assign}\n        }} catch (e) {{\n          return serviceError(e, {});\n        }}",
                        self.enc_fn(e)
                    )
                }
            };
            let answer = match ret {
                "void" => "EMPTY".to_string(),
                _ => format!("{}(value)", self.enc_fn(&m.returns)),
            };
            let _ = writeln!(w, "        return ok({answer});\n      }}");
        }
        w.push_str(
            "      case BATCH_METHOD:\n        return serveBatch(this, req);\n      \
             default:\n        return new ResponsePacket(UNKNOWN_METHOD, EMPTY);\n    }\n  }\n}\n",
        );
        Ok(())
    }
}

/// `at`, or `at + offset`.
fn at_plus(offset: usize) -> String {
    match offset {
        0 => "at".into(),
        n => format!("at + {n}"),
    }
}

/// `put` and `get` of an integer of `size` bytes: `DataView`'s own methods where there is one,
/// the range checked against the type's bounds written out.
fn int_put_get(n: &str, size: usize, signed: bool) -> (String, String) {
    let (bits, s) = (8 * size as u32, if signed { "Int" } else { "Uint" });
    let (low, high): (i128, u128) = match signed {
        // `bits` is 8 ..= 128 (an integer of 1 ..= 16 bytes, checked by the description).
        true => (i128::MIN >> (128 - bits), u128::MAX >> (129 - bits)),
        false => (0, u128::MAX >> (128 - bits)),
    };
    match size {
        1 => (
            format!("o[at] = small(v, {low}, {high}, \"{n}\") & 255;"),
            match signed {
                true => "return (b[at] << 24) >> 24;".into(),
                false => "return b[at];".into(),
            },
        ),
        2 | 4 => (
            format!("d.set{s}{bits}(at, small(v, {low}, {high}, \"{n}\"), true);"),
            format!("return d.get{s}{bits}(at, true);"),
        ),
        8 => (
            format!("d.setBig{s}64(at, big(v, {low}n, {high}n, \"{n}\"), true);"),
            format!("return d.getBig{s}64(at, true);"),
        ),
        16 => (
            format!("put128(d, at, big(v, {low}n, {high}n, \"{n}\"));"),
            format!("return get128(d, at, {signed});"),
        ),
        _ => (
            format!("o.set(intTo(v, {size}, {signed}, \"{n}\"), at);"),
            match size <= 4 {
                true => format!(
                    "return smallFrom(b.subarray(at, at + {size}), {size}, {signed}, \"{n}\");"
                ),
                false => format!(
                    "return bigFrom(b.subarray(at, at + {size}), {size}, {signed}, \"{n}\");"
                ),
            },
        ),
    }
}
