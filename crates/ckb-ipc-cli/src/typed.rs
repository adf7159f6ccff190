//! JSON <-> molecule, driven by a description's `types` (docs/description.md): a method's
//! arguments to its request payload, an answer's payload back to JSON.
//!
//! Answers come from a peer: decoding checks every length and offset against the bytes it
//! has, allocates no more than those bytes justify, and nests at most [`MAX_DEPTH`] deep.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::client::{hex_digits, to_hex};
use crate::description::{Field, Hint, Kind, Method, Service, TypeDef};

/// How deep types may nest, in a description and in the values they read and write (a
/// cyclic or absurd description ends here, not in a stack overflow).
pub(crate) const MAX_DEPTH: usize = 64;
/// The largest integer a JSON number carries exactly (2^53); larger ones are written as
/// strings.
const EXACT_JSON: u128 = 1 << 53;

type Res<T> = std::result::Result<T, String>;

/// A service's types, by name.
pub(crate) struct Types<'a> {
    by_name: HashMap<&'a str, &'a TypeDef>,
}

/// A type as the codec sees it: nothing, a byte, or a declaration.
#[derive(Clone, Copy)]
enum Ty<'a> {
    Unit,
    Byte,
    Def(&'a TypeDef),
}

impl<'a> Types<'a> {
    pub(crate) fn new(defs: &'a [TypeDef]) -> Self {
        Types {
            by_name: defs.iter().map(|d| (d.name.as_str(), d)).collect(),
        }
    }

    fn get(&self, name: &str) -> Res<Ty<'a>> {
        match name {
            "()" => Ok(Ty::Unit),
            "byte" => Ok(Ty::Byte),
            _ => self
                .by_name
                .get(name)
                .map(|d| Ty::Def(d))
                .ok_or_else(|| format!("type {name:?} is not declared in `types`")),
        }
    }

    /// Checks that every type a service names is declared, every declaration has the
    /// members its kind needs, and every `json` hint fits its type: so the codec meets no
    /// surprise later.
    pub(crate) fn check(&self, service: &Service) -> Res<()> {
        if service.codec != "molecule" {
            return Err(format!(
                "codec {:?}: only \"molecule\" services are described",
                service.codec
            ));
        }
        for def in self.by_name.values() {
            self.check_def(def)
                .map_err(|e| format!("type {}: {e}", def.name))?;
        }
        for m in &service.methods {
            self.check_method(m)
                .map_err(|e| format!("method {}: {e}", m.name))?;
        }
        Ok(())
    }

    fn check_method(&self, m: &Method) -> Res<()> {
        if m.id > u64::from(u32::MAX) {
            return Err(format!("id {} is not below 2^32", m.id));
        }
        for a in &m.args {
            self.get(&a.ty)?;
        }
        self.get(&m.returns)?;
        if let Some(e) = &m.error {
            self.get(e)?;
        }
        let payload = self.get(&m.payload)?;
        match (m.args.as_slice(), payload) {
            ([], Ty::Unit) => Ok(()),
            ([], _) => Err("no arguments, but a payload type".into()),
            ([one], _) if one.ty == m.payload => Ok(()),
            ([_, _, ..], Ty::Def(def))
                if matches!(def.kind, Kind::Struct | Kind::Table)
                    && def.fields.len() == m.args.len()
                    && def.fields.iter().zip(&m.args).all(|(f, a)| f.ty == a.ty) =>
            {
                Ok(())
            }
            _ => Err(format!(
                "payload {} is neither the one argument's type nor a struct or table of the arguments",
                m.payload
            )),
        }
    }

    fn check_def(&self, def: &TypeDef) -> Res<()> {
        let item = || -> Res<Ty<'a>> {
            let name = def.item.as_deref().ok_or("no `item`")?;
            self.get(name)
        };
        match def.kind {
            Kind::Array => {
                let item = item()?;
                def.length.ok_or("no `length`")?;
                self.fixed_size(item, 0)?
                    .ok_or("an array of a type without a fixed size")?;
            }
            Kind::Fixvec => {
                let size = self
                    .fixed_size(item()?, 0)?
                    .ok_or("a fixvec of a type without a fixed size")?;
                if size == 0 {
                    return Err("a fixvec of a type of no bytes".into());
                }
            }
            Kind::Dynvec | Kind::Option => {
                item()?;
            }
            Kind::Struct | Kind::Table => {
                for f in &def.fields {
                    let ty = self.get(&f.ty)?;
                    if def.kind == Kind::Struct && self.fixed_size(ty, 0)?.is_none() {
                        return Err(format!("field {}: not of a fixed size", f.name));
                    }
                }
            }
            Kind::Union => {
                let mut ids = std::collections::HashSet::new();
                for i in &def.items {
                    self.get(&i.ty)?;
                    if !ids.insert(i.id) {
                        return Err(format!("two items with id {}", i.id));
                    }
                }
            }
        }
        let byte_item = def.item.as_deref() == Some("byte");
        let fits = match def.json {
            None => true,
            Some(Hint::Uint | Hint::Int) => {
                def.kind == Kind::Array && byte_item && matches!(def.length, Some(1..=16))
            }
            Some(Hint::Bool) => def.kind == Kind::Array && byte_item && def.length == Some(1),
            Some(Hint::Hex) => matches!(def.kind, Kind::Array | Kind::Fixvec) && byte_item,
            Some(Hint::String) => def.kind == Kind::Fixvec && byte_item,
            Some(Hint::Tuple) => matches!(def.kind, Kind::Struct | Kind::Table),
            Some(Hint::Newtype) => {
                matches!(def.kind, Kind::Struct | Kind::Table) && def.fields.len() == 1
            }
            Some(Hint::Unit) => def.kind == Kind::Table && def.fields.is_empty(),
        };
        match fits {
            true => Ok(()),
            false => Err(format!(
                "json hint {:?} does not fit a {:?}",
                def.json, def.kind
            )),
        }
    }

    /// The size of the type called `name` if it has a fixed size, `None` if not.
    pub(crate) fn size_of(&self, name: &str) -> Res<Option<usize>> {
        self.fixed_size(self.get(name)?, 0)
    }

    /// The declaration called `name`, `None` for `()` and `byte`.
    pub(crate) fn def(&self, name: &str) -> Res<Option<&'a TypeDef>> {
        Ok(match self.get(name)? {
            Ty::Def(def) => Some(def),
            Ty::Unit | Ty::Byte => None,
        })
    }

    /// The size of a type of fixed size (`byte`, arrays, structs), `None` for the others.
    fn fixed_size(&self, ty: Ty<'a>, depth: usize) -> Res<Option<usize>> {
        if depth > MAX_DEPTH {
            return Err(format!("types nest more than {MAX_DEPTH} deep"));
        }
        let def = match ty {
            Ty::Unit => return Ok(Some(0)),
            Ty::Byte => return Ok(Some(1)),
            Ty::Def(def) => def,
        };
        match def.kind {
            Kind::Array => {
                let item = self.get(def.item.as_deref().unwrap_or_default())?;
                let Some(size) = self.fixed_size(item, depth + 1)? else {
                    return Ok(None);
                };
                let length = def.length.unwrap_or_default() as usize;
                size.checked_mul(length)
                    .map(Some)
                    .ok_or_else(|| format!("{} is too large", def.name))
            }
            Kind::Struct => {
                let mut total = 0usize;
                for f in &def.fields {
                    let Some(size) = self.fixed_size(self.get(&f.ty)?, depth + 1)? else {
                        return Ok(None);
                    };
                    total = total
                        .checked_add(size)
                        .ok_or_else(|| format!("{} is too large", def.name))?;
                }
                Ok(Some(total))
            }
            _ => Ok(None),
        }
    }

    /// What a type is, for error messages: `Uint64 (an unsigned integer of 8 bytes)`.
    fn describe(&self, ty: Ty<'_>) -> String {
        let def = match ty {
            Ty::Unit => return "() (null)".into(),
            Ty::Byte => return "byte (an integer 0..=255)".into(),
            Ty::Def(def) => def,
        };
        let n = def.length.unwrap_or_default();
        let bytes = |n: u32| format!("{n} byte{}", if n == 1 { "" } else { "s" });
        let what = match (def.json, def.kind) {
            (Some(Hint::Uint), _) => format!("an unsigned integer of {}", bytes(n)),
            (Some(Hint::Int), _) => format!("a signed integer of {}", bytes(n)),
            (Some(Hint::Bool), _) => "true or false".into(),
            (Some(Hint::Hex), Kind::Array) => format!("{} as \"0x..\" hex", bytes(n)),
            (Some(Hint::Hex), _) => "bytes as \"0x..\" hex".into(),
            (Some(Hint::String), _) => "a string".into(),
            (Some(Hint::Tuple), _) => format!("an array of {}", field_list(&def.fields)),
            (Some(Hint::Newtype), _) => match def.fields.first() {
                Some(f) => format!("a {}", f.ty),
                None => "a value".into(),
            },
            (Some(Hint::Unit), _) => "null".into(),
            (None, Kind::Array) => format!("an array of {n} {}", item_name(def)),
            (None, Kind::Fixvec | Kind::Dynvec) => format!("an array of {}", item_name(def)),
            (None, Kind::Struct | Kind::Table) => {
                format!("an object {{{}}}", field_list(&def.fields))
            }
            (None, Kind::Option) => format!("null or a {}", item_name(def)),
            (None, Kind::Union) => format!(
                "one of {}",
                def.items
                    .iter()
                    .map(|i| match self.is_unit(&i.ty) {
                        true => format!("\"{}\"", i.name),
                        false => format!("{{\"{}\": {}}}", i.name, i.ty),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        format!("{} ({what})", def.name)
    }

    /// Whether a union item of this type carries no data (written as its name alone).
    pub(crate) fn is_unit(&self, name: &str) -> bool {
        match self.get(name) {
            Ok(Ty::Unit) => true,
            Ok(Ty::Def(d)) => d.json == Some(Hint::Unit),
            _ => false,
        }
    }

    /// The request payload of a call of `method` with `args`, each one JSON text.
    pub(crate) fn encode_args(&self, method: &Method, args: &[String]) -> Res<Vec<u8>> {
        if args.len() != method.args.len() {
            return Err(format!(
                "{} takes {} argument{} ({}), got {}",
                method.name,
                method.args.len(),
                if method.args.len() == 1 { "" } else { "s" },
                field_list(&method.args),
                args.len()
            ));
        }
        let mut values = Vec::with_capacity(args.len());
        for (text, arg) in args.iter().zip(&method.args) {
            let ty = self.get(&arg.ty)?;
            let value = serde_json::from_str::<Value>(text).map_err(|_| {
                format!(
                    "argument `{}` of {}: expected {}, got {text}, which is not JSON \
                     (a string goes in quotes: '\"{text}\"')",
                    arg.name,
                    method.name,
                    self.describe(ty)
                )
            })?;
            values.push(value);
        }
        let refs: Vec<&Value> = values.iter().collect();
        let named = |(i, e): (usize, String)| match method.args.get(i) {
            Some(a) => format!("argument `{}` of {}: {e}", a.name, method.name),
            None => e,
        };
        match (self.get(&method.payload)?, refs.as_slice()) {
            (Ty::Unit, []) => Ok(Vec::new()),
            (ty, [one]) => self.encode(ty, one, 0).map_err(|e| named((0, e))),
            (Ty::Def(def), _) => self.encode_fields(def, &refs, 0).map_err(named),
            _ => Err(format!(
                "{}: payload {} unusable",
                method.name, method.payload
            )),
        }
    }

    /// `value` as molecule bytes of type `ty`.
    fn encode(&self, ty: Ty<'a>, value: &Value, depth: usize) -> Res<Vec<u8>> {
        if depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} deep"));
        }
        let wrong = || format!("expected {}, got {}", self.describe(ty), short(value));
        let def = match ty {
            Ty::Unit => return value.is_null().then(Vec::new).ok_or_else(wrong),
            Ty::Byte => {
                let n = integer(value).ok_or_else(wrong)?;
                return n
                    .and_then(|n| int_bytes(n, 1, false))
                    .ok_or_else(|| format!("{} (out of range)", wrong()));
            }
            Ty::Def(def) => def,
        };
        let item = || self.get(def.item.as_deref().unwrap_or_default());
        match (def.json, def.kind) {
            (Some(h @ (Hint::Uint | Hint::Int)), _) => {
                let n = integer(value).ok_or_else(wrong)?;
                let length = def.length.unwrap_or_default() as usize;
                n.and_then(|n| int_bytes(n, length, h == Hint::Int))
                    .ok_or_else(|| format!("{} (out of range)", wrong()))
            }
            (Some(Hint::Bool), _) => match value {
                Value::Bool(b) => Ok(vec![u8::from(*b)]),
                _ => Err(wrong()),
            },
            (Some(Hint::Hex), kind) => {
                let text = value.as_str().ok_or_else(wrong)?;
                let bytes = text
                    .strip_prefix("0x")
                    .and_then(|d| hex_digits(d).ok())
                    .ok_or_else(wrong)?;
                match kind {
                    Kind::Array if Some(bytes.len()) != def.length.map(|n| n as usize) => {
                        Err(format!("{} ({} bytes)", wrong(), bytes.len()))
                    }
                    Kind::Array => Ok(bytes),
                    _ => fixvec(bytes.len(), bytes).ok_or_else(wrong),
                }
            }
            (Some(Hint::String), _) => {
                let text = value.as_str().ok_or_else(wrong)?;
                fixvec(text.len(), text.as_bytes().to_vec()).ok_or_else(wrong)
            }
            (Some(Hint::Unit), _) => match value {
                Value::Null => Ok(4u32.to_le_bytes().to_vec()),
                _ => Err(wrong()),
            },
            (Some(Hint::Newtype), _) => {
                self.encode_fields(def, &[value], depth).map_err(|(_, e)| e)
            }
            (Some(Hint::Tuple), _) => {
                let items = value.as_array().ok_or_else(wrong)?;
                let refs: Vec<&Value> = items.iter().collect();
                if refs.len() != def.fields.len() {
                    return Err(format!("{} ({} values)", wrong(), refs.len()));
                }
                self.encode_fields(def, &refs, depth)
                    .map_err(|(i, e)| format!("{} item {i}: {e}", def.name))
            }
            (None, Kind::Struct | Kind::Table) => {
                let object = value.as_object().ok_or_else(wrong)?;
                if let Some(k) = object
                    .keys()
                    .find(|k| !def.fields.iter().any(|f| &f.name == *k))
                {
                    return Err(format!("{}: no field {k:?}", wrong()));
                }
                let mut refs = Vec::with_capacity(def.fields.len());
                for f in &def.fields {
                    refs.push(
                        object
                            .get(&f.name)
                            .ok_or_else(|| format!("{}: no {:?}", wrong(), f.name))?,
                    );
                }
                self.encode_fields(def, &refs, depth).map_err(|(i, e)| {
                    let name = def.fields.get(i).map_or("?", |f| f.name.as_str());
                    format!("field `{name}` of {}: {e}", def.name)
                })
            }
            (None, kind @ (Kind::Array | Kind::Fixvec | Kind::Dynvec)) => {
                let items = value.as_array().ok_or_else(wrong)?;
                if kind == Kind::Array && Some(items.len()) != def.length.map(|n| n as usize) {
                    return Err(format!("{} ({} items)", wrong(), items.len()));
                }
                let item = item()?;
                let mut parts = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    parts.push(
                        self.encode(item, v, depth + 1)
                            .map_err(|e| format!("item {i} of {}: {e}", def.name))?,
                    );
                }
                match kind {
                    Kind::Array => Ok(parts.concat()),
                    Kind::Fixvec => fixvec(parts.len(), parts.concat()).ok_or_else(wrong),
                    _ => offsets(&parts).ok_or_else(wrong),
                }
            }
            (None, Kind::Option) => match value {
                Value::Null => Ok(Vec::new()),
                v => self.encode(item()?, v, depth + 1),
            },
            (None, Kind::Union) => {
                let (name, inner) = match value {
                    Value::String(s) => (s.as_str(), None),
                    Value::Object(o) if o.len() == 1 => match o.iter().next() {
                        Some((k, v)) => (k.as_str(), Some(v)),
                        None => return Err(wrong()),
                    },
                    _ => return Err(wrong()),
                };
                let chosen = def
                    .items
                    .iter()
                    .find(|i| i.name == name)
                    .ok_or_else(|| format!("{}: no variant {name:?}", wrong()))?;
                let null = Value::Null;
                let inner = match inner {
                    Some(v) => v,
                    None if self.is_unit(&chosen.ty) => &null,
                    None => return Err(format!("{}: {name} carries a {}", wrong(), chosen.ty)),
                };
                let mut out = chosen.id.to_le_bytes().to_vec();
                out.extend(
                    self.encode(self.get(&chosen.ty)?, inner, depth + 1)
                        .map_err(|e| format!("{} {name}: {e}", def.name))?,
                );
                Ok(out)
            }
        }
    }

    /// The fields of a struct (concatenated) or table (offsets); an error says which field.
    fn encode_fields(
        &self,
        def: &'a TypeDef,
        values: &[&Value],
        depth: usize,
    ) -> std::result::Result<Vec<u8>, (usize, String)> {
        let mut parts = Vec::with_capacity(values.len());
        for (i, (f, v)) in def.fields.iter().zip(values).enumerate() {
            let ty = self.get(&f.ty).map_err(|e| (i, e))?;
            parts.push(self.encode(ty, v, depth + 1).map_err(|e| (i, e))?);
        }
        match def.kind {
            Kind::Table => offsets(&parts).ok_or((0, format!("{} is too large", def.name))),
            _ => Ok(parts.concat()),
        }
    }

    /// An answer's payload of type `name` as JSON.
    pub(crate) fn decode_named(&self, name: &str, bytes: &[u8]) -> Res<Value> {
        self.decode(self.get(name)?, bytes, 0)
    }

    fn decode(&self, ty: Ty<'a>, bytes: &[u8], depth: usize) -> Res<Value> {
        if depth > MAX_DEPTH {
            return Err(format!("nested more than {MAX_DEPTH} deep"));
        }
        let def = match ty {
            Ty::Unit if bytes.is_empty() => return Ok(Value::Null),
            Ty::Unit => return Err(format!("{} bytes where none go", bytes.len())),
            Ty::Byte => match bytes {
                [b] => return Ok(Value::from(*b)),
                _ => return Err(format!("byte: {} bytes", bytes.len())),
            },
            Ty::Def(def) => def,
        };
        let bad = |why: &str| format!("{}: {why}", def.name);
        if let Some(size) = self.fixed_size(ty, depth)? {
            if bytes.len() != size {
                return Err(bad(&format!("{} bytes, not {size}", bytes.len())));
            }
        }
        let item = || self.get(def.item.as_deref().unwrap_or_default());
        match (def.json, def.kind) {
            (Some(h @ (Hint::Uint | Hint::Int)), _) => Ok(int_json(bytes, h == Hint::Int)),
            (Some(Hint::Bool), _) => match bytes {
                [0] => Ok(Value::Bool(false)),
                [1] => Ok(Value::Bool(true)),
                _ => Err(bad("not 0 or 1")),
            },
            (Some(Hint::Hex), Kind::Array) => Ok(Value::String(to_hex(bytes))),
            (Some(Hint::Hex), _) => Ok(Value::String(to_hex(
                fixvec_bytes(bytes, 1)
                    .ok_or_else(|| bad("a count that does not match the bytes"))?,
            ))),
            (Some(Hint::String), _) => {
                let raw = fixvec_bytes(bytes, 1)
                    .ok_or_else(|| bad("a count that does not match the bytes"))?;
                std::str::from_utf8(raw)
                    .map(|s| Value::String(s.into()))
                    .map_err(|_| bad("not UTF-8"))
            }
            (Some(Hint::Unit), _) => match bytes {
                [4, 0, 0, 0] => Ok(Value::Null),
                _ => Err(bad("not an empty table")),
            },
            (hint, Kind::Struct | Kind::Table) => {
                let parts = match def.kind {
                    Kind::Table => split_offsets(bytes, Some(def.fields.len()))
                        .ok_or_else(|| bad("bad table header"))?,
                    _ => self.split_fixed(def, bytes, depth)?,
                };
                let mut values = Vec::with_capacity(parts.len());
                for (f, part) in def.fields.iter().zip(parts) {
                    values.push(
                        self.decode(self.get(&f.ty)?, part, depth + 1)
                            .map_err(|e| format!("field `{}` of {}: {e}", f.name, def.name))?,
                    );
                }
                Ok(match hint {
                    Some(Hint::Tuple) => Value::Array(values),
                    Some(Hint::Newtype) => values.into_iter().next().unwrap_or_default(),
                    _ => Value::Object(
                        def.fields
                            .iter()
                            .map(|f| f.name.clone())
                            .zip(values)
                            .collect(),
                    ),
                })
            }
            (_, kind @ (Kind::Array | Kind::Fixvec | Kind::Dynvec)) => {
                let item = item()?;
                let parts: Vec<&[u8]> = match kind {
                    Kind::Dynvec => {
                        split_offsets(bytes, None).ok_or_else(|| bad("bad dynvec header"))?
                    }
                    _ => {
                        let size = self
                            .fixed_size(item, depth + 1)?
                            .filter(|s| *s > 0)
                            .ok_or_else(|| bad("items of no fixed size"))?;
                        let raw = match kind {
                            Kind::Fixvec => fixvec_bytes(bytes, size)
                                .ok_or_else(|| bad("a count that does not match the bytes"))?,
                            _ => bytes,
                        };
                        raw.chunks(size).collect()
                    }
                };
                let mut values = Vec::with_capacity(parts.len());
                for (i, part) in parts.into_iter().enumerate() {
                    values.push(
                        self.decode(item, part, depth + 1)
                            .map_err(|e| format!("item {i} of {}: {e}", def.name))?,
                    );
                }
                Ok(Value::Array(values))
            }
            (_, Kind::Option) if bytes.is_empty() => Ok(Value::Null),
            (_, Kind::Option) => self.decode(item()?, bytes, depth + 1),
            (_, Kind::Union) => {
                let (id, rest) = bytes
                    .split_first_chunk::<4>()
                    .ok_or_else(|| bad("no item id"))?;
                let id = u32::from_le_bytes(*id);
                let chosen = def
                    .items
                    .iter()
                    .find(|i| i.id == id)
                    .ok_or_else(|| bad(&format!("unknown item id {id}")))?;
                let inner = self
                    .decode(self.get(&chosen.ty)?, rest, depth + 1)
                    .map_err(|e| format!("{} {}: {e}", def.name, chosen.name))?;
                Ok(match self.is_unit(&chosen.ty) {
                    true => Value::String(chosen.name.clone()),
                    false => {
                        let mut m = Map::new();
                        m.insert(chosen.name.clone(), inner);
                        Value::Object(m)
                    }
                })
            }
        }
    }

    /// A struct's bytes (of its fixed size, checked) cut at its fields.
    fn split_fixed<'b>(&self, def: &TypeDef, bytes: &'b [u8], depth: usize) -> Res<Vec<&'b [u8]>> {
        let mut parts = Vec::with_capacity(def.fields.len());
        let mut rest = bytes;
        for f in &def.fields {
            let size = self
                .fixed_size(self.get(&f.ty)?, depth + 1)?
                .ok_or_else(|| format!("{}: field {} of no fixed size", def.name, f.name))?;
            let (part, tail) = rest
                .split_at_checked(size)
                .ok_or_else(|| format!("{}: too short", def.name))?;
            parts.push(part);
            rest = tail;
        }
        Ok(parts)
    }
}

/// `a: Uint64, b: Uint64`.
fn field_list(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.name, f.ty))
        .collect::<Vec<_>>()
        .join(", ")
}

fn item_name(def: &TypeDef) -> &str {
    def.item.as_deref().unwrap_or("?")
}

/// A value as an error message shows it: its JSON, cut short.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", text.get(..at).unwrap_or_default()),
        None => text,
    }
}

/// An integer given as a JSON number or a decimal string: `(negative, magnitude)`, `None`
/// inside when it is too large for any integer type (`None` outside: not an integer).
fn integer(value: &Value) -> Option<Option<(bool, u128)>> {
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Some(Some((false, u128::from(u)))),
            (None, Some(i)) => Some(Some((i < 0, u128::from(i.unsigned_abs())))),
            _ => None,
        },
        Value::String(s) => {
            let (negative, digits) = match s.strip_prefix('-') {
                Some(d) => (true, d),
                None => (false, s.as_str()),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some(digits.parse::<u128>().ok().map(|m| (negative, m)))
        }
        _ => None,
    }
}

/// Little-endian bytes of an integer of `length` bytes, `None` when out of its range.
fn int_bytes((negative, m): (bool, u128), length: usize, signed: bool) -> Option<Vec<u8>> {
    let bits = 8 * length as u32;
    let bytes = if signed {
        // The range of a two's-complement integer of `bits` bits: -2^(bits-1) ..= 2^(bits-1)-1.
        let limit = 1u128.checked_shl(bits - 1)?;
        let v: i128 = match negative {
            false if m < limit => i128::try_from(m).ok()?,
            true if m <= limit => 0i128.checked_sub_unsigned(m)?,
            _ => return None,
        };
        v.to_le_bytes()
    } else {
        if negative && m != 0 {
            return None;
        }
        if bits < 128 && m >> bits != 0 {
            return None;
        }
        m.to_le_bytes()
    };
    bytes.get(..length).map(<[u8]>::to_vec)
}

/// An integer's little-endian bytes (at most 16, checked by the description) as JSON: a number
/// up to 2^53 in magnitude, a decimal string above.
fn int_json(bytes: &[u8], signed: bool) -> Value {
    let negative = signed && bytes.last().is_some_and(|b| b & 0x80 != 0);
    let mut wide = [if negative { 0xff } else { 0 }; 16];
    for (w, b) in wide.iter_mut().zip(bytes) {
        *w = *b;
    }
    let (magnitude, text) = match negative {
        true => {
            let v = i128::from_le_bytes(wide);
            (v.unsigned_abs(), v.to_string())
        }
        false => {
            let v = u128::from_le_bytes(wide);
            (v, v.to_string())
        }
    };
    match (magnitude <= EXACT_JSON, negative) {
        (true, false) => Value::from(magnitude as u64),
        (true, true) => Value::from(-(magnitude as i64)),
        (false, _) => Value::String(text),
    }
}

/// A molecule `fixvec`: the count (u32 LE), then the items' bytes.
fn fixvec(count: usize, items: Vec<u8>) -> Option<Vec<u8>> {
    let mut out = u32::try_from(count).ok()?.to_le_bytes().to_vec();
    out.extend(items);
    Some(out)
}

/// A `fixvec`'s items' bytes, its count checked against them.
fn fixvec_bytes(bytes: &[u8], size: usize) -> Option<&[u8]> {
    let (count, rest) = bytes.split_first_chunk::<4>()?;
    let count = u32::from_le_bytes(*count) as usize;
    (count.checked_mul(size)? == rest.len()).then_some(rest)
}

/// A molecule `table`/`dynvec`: total size, one offset per part, then the parts.
fn offsets(parts: &[Vec<u8>]) -> Option<Vec<u8>> {
    let header = 4 + 4 * parts.len();
    let total = header + parts.iter().map(Vec::len).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend(u32::try_from(total).ok()?.to_le_bytes());
    let mut at = header;
    for p in parts {
        out.extend(u32::try_from(at).ok()?.to_le_bytes());
        at += p.len();
    }
    for p in parts {
        out.extend(p);
    }
    Some(out)
}

/// Splits a `table`/`dynvec` into its parts, checking the total size, every offset (in
/// order, inside the bytes, the first right after the header) and, for a table, the count.
fn split_offsets(bytes: &[u8], expect: Option<usize>) -> Option<Vec<&[u8]>> {
    let u32_at = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
    };
    let total = u32_at(0)?;
    if total != bytes.len() {
        return None;
    }
    if total == 4 {
        return matches!(expect, None | Some(0)).then(Vec::new);
    }
    let first = u32_at(4)?;
    if !first.is_multiple_of(4) || first < 8 || first > total {
        return None;
    }
    let count = first / 4 - 1;
    if expect.is_some_and(|n| n != count) {
        return None;
    }
    // `count` is at most a quarter of the bytes: the header holds that many offsets.
    let mut parts = Vec::with_capacity(count);
    for i in 0..count {
        let start = u32_at(4 + 4 * i)?;
        let end = match i + 1 == count {
            true => total,
            false => u32_at(8 + 4 * i)?,
        };
        parts.push(bytes.get(start..end)?);
    }
    Some(parts)
}

#[cfg(test)]
mod tests;
