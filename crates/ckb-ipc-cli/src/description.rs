//! Service descriptions (docs/description.md, format 1): reading and checking a document,
//! where one is found for a server, finding a method by name, and its signature line.

use std::path::{Path, PathBuf};

use ckb_ipc::service::DESCRIBE_METHOD;
use ckb_ipc::{Payload, RequestPacket, ResponsePacket};
use ckb_ipc_host::control::session_error;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::client::to_hex;
use crate::Result;

/// The `format` member every document carries.
const FORMAT: &str = "ckb-ipc-description";
/// The one version this reader knows.
const VERSION: u64 = 1;
/// A description larger than this is not one (the biggest real ones are a few KiB).
pub(crate) const MAX_DOCUMENT: usize = 4 << 20;

/// A description document.
#[derive(Deserialize, Debug)]
pub(crate) struct Document {
    #[serde(default)]
    pub(crate) binary: Option<Binary>,
    pub(crate) services: Vec<Service>,
}

/// The binary a file written by the build belongs to.
#[derive(Deserialize, Debug)]
pub(crate) struct Binary {
    pub(crate) size: u64,
    pub(crate) sha256: String,
}

#[derive(Deserialize, Debug)]
pub(crate) struct Service {
    pub(crate) name: String,
    pub(crate) codec: String,
    pub(crate) methods: Vec<Method>,
    #[serde(default)]
    pub(crate) types: Vec<TypeDef>,
}

#[derive(Deserialize, Debug)]
pub(crate) struct Method {
    pub(crate) name: String,
    pub(crate) id: u64,
    #[serde(default)]
    pub(crate) args: Vec<Field>,
    pub(crate) payload: String,
    pub(crate) returns: String,
    #[serde(default)]
    pub(crate) error: Option<String>,
}

/// A named, typed member: a method argument, a struct or table field.
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) ty: String,
}

/// An item of a union.
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct Item {
    pub(crate) name: String,
    pub(crate) id: u32,
    #[serde(rename = "type")]
    pub(crate) ty: String,
}

/// One molecule declaration of `types`.
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct TypeDef {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    #[serde(default)]
    pub(crate) item: Option<String>,
    #[serde(default)]
    pub(crate) length: Option<u32>,
    #[serde(default)]
    pub(crate) fields: Vec<Field>,
    #[serde(default)]
    pub(crate) items: Vec<Item>,
    #[serde(default)]
    pub(crate) json: Option<Hint>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Array,
    Struct,
    Table,
    Fixvec,
    Dynvec,
    Option,
    Union,
}

/// How a type reads and writes as JSON when not in its structural form.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Hint {
    Uint,
    Int,
    Bool,
    Hex,
    String,
    Tuple,
    Newtype,
    Unit,
}

impl Document {
    /// Parses a document; `origin` (a file name, "the server's answer") names it in errors.
    pub(crate) fn parse(bytes: &[u8], origin: &str) -> Result<Document> {
        if bytes.len() > MAX_DOCUMENT {
            return Err(format!(
                "{origin}: not a service description ({} bytes, more than {MAX_DOCUMENT})",
                bytes.len()
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| format!("{origin}: not a service description: {e}"))?;
        // The format and version first: a later version may change what follows.
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(FORMAT) {
            return Err(format!(
                "{origin}: not a service description (format {}, not \"{FORMAT}\")",
                value
                    .get("format")
                    .map_or("missing".into(), |f| f.to_string())
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(VERSION) => {}
            _ => {
                return Err(format!(
                "{origin}: service description version {}: this ckb-ipc reads version {VERSION}",
                value
                    .get("version")
                    .map_or("missing".into(), |v| v.to_string())
            ))
            }
        }
        let doc: Document = serde_json::from_value(value)
            .map_err(|e| format!("{origin}: malformed service description: {e}"))?;
        for service in &doc.services {
            crate::typed::Types::new(&service.types)
                .check(service)
                .map_err(|e| format!("{origin}: service {}: {e}", service.name))?;
        }
        Ok(doc)
    }

    /// Reads and parses the document at `path` (given for a session: no binary to check).
    pub(crate) fn load(path: &Path) -> Result<Document> {
        let bytes = read_limited(path)?;
        Document::parse(&bytes, &path.display().to_string())
    }

    /// Refuses a document whose `binary` member describes another file than `binary`.
    pub(crate) fn check_binary(&self, origin: &str, file: &Path, binary: &[u8]) -> Result<()> {
        let Some(recorded) = &self.binary else {
            return Ok(());
        };
        let sha = to_hex(&Sha256::digest(binary));
        let sha = sha.trim_start_matches("0x");
        if recorded.size != binary.len() as u64 || !recorded.sha256.eq_ignore_ascii_case(sha) {
            return Err(format!(
                "{origin} does not describe {}: it is for a binary of {} bytes with sha256 {}, \
                 the file has {} bytes with sha256 {sha} (rebuild, or give --description)",
                file.display(),
                recorded.size,
                recorded.sha256,
                binary.len()
            ));
        }
        Ok(())
    }

    /// The method called `name` (`Service::method` when two services share a name), with
    /// its service. A name it does not know lists the ones it does.
    pub(crate) fn method(&self, name: &str) -> Result<(&Service, &Method)> {
        let (service, method) = match name.split_once("::") {
            Some((s, m)) => (Some(s), m),
            None => (None, name),
        };
        let found: Vec<(&Service, &Method)> = self
            .services
            .iter()
            .filter(|s| service.is_none_or(|n| n == s.name))
            .flat_map(|s| s.methods.iter().map(move |m| (s, m)))
            .filter(|(_, m)| m.name == method)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!(
                "no method {name:?}: the service has {}",
                self.all_names().join(", ")
            )),
            _ => Err(format!(
                "two services have a method {name:?}: say which ({})",
                found
                    .iter()
                    .map(|(s, m)| format!("{}::{}", s.name, m.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    fn all_names(&self) -> Vec<String> {
        let names: Vec<String> = self
            .services
            .iter()
            .flat_map(|s| s.methods.iter().map(|m| m.name.clone()))
            .collect();
        match names.is_empty() {
            true => vec!["no methods".into()],
            false => names,
        }
    }
}

impl Method {
    /// `add(a: Uint64, b: Uint64) -> Uint64` (`-> Result<T, E>` with an error type).
    pub(crate) fn signature(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| format!("{}: {}", a.name, a.ty))
            .collect();
        let result = match &self.error {
            Some(e) => format!("Result<{}, {e}>", self.returns),
            None => self.returns.clone(),
        };
        format!("{}({}) -> {result}", self.name, args.join(", "))
    }
}

/// What is known of a server's description before asking the server itself.
pub(crate) enum Found {
    /// A document that belongs to the binary, and its bytes as read.
    File(Document, Vec<u8>),
    /// `<FILE>.json` is there but does not parse or belongs to another binary: why.
    Refused(String),
    /// No file: only the server can say (discovery).
    Nothing,
}

impl Found {
    /// The description of `file`: `--description` (which must load and match), else
    /// `<FILE>.json` beside it, else nothing.
    pub(crate) fn for_file(file: &Path, given: Option<&Path>) -> Result<Found> {
        if let Some(path) = given {
            let (doc, bytes) = load_for(path, file)?;
            return Ok(Found::File(doc, bytes));
        }
        let mut beside = file.as_os_str().to_owned();
        beside.push(".json");
        let beside = PathBuf::from(beside);
        if !beside.is_file() {
            return Ok(Found::Nothing);
        }
        Ok(match load_for(&beside, file) {
            Ok((doc, bytes)) => Found::File(doc, bytes),
            Err(e) => Found::Refused(e),
        })
    }

    /// The session's answer to `Control::Describe` (ckb_ipc_host::control) for what it found.
    pub(crate) fn to_response(&self) -> ResponsePacket {
        match self {
            Found::File(_, bytes) => ResponsePacket::ok(Payload::from_slice(bytes)),
            Found::Refused(why) => session_error(why),
            Found::Nothing => ResponsePacket::ok(Payload::new()),
        }
    }

    /// What a session answered to `Control::Describe` (a refusal has already come back as
    /// the session's error); an older session or server that does not know it has nothing.
    pub(crate) fn from_response(response: &ResponsePacket, origin: &str) -> Result<Found> {
        match (response.error_code(), response.payload()) {
            (0, []) => Ok(Found::Nothing),
            (0, bytes) => Ok(Found::File(Document::parse(bytes, origin)?, bytes.to_vec())),
            _ => Ok(Found::Nothing),
        }
    }

    /// The document, asking the server (`ask` sends [`DESCRIBE_METHOD`]) when there is no file.
    pub(crate) fn or_discover(
        self,
        who: &str,
        ask: impl FnOnce(&RequestPacket) -> Result<ResponsePacket>,
    ) -> Result<Document> {
        match self {
            Found::File(doc, _) => Ok(doc),
            Found::Refused(why) => Err(why),
            Found::Nothing => {
                let response = ask(&RequestPacket::new(DESCRIBE_METHOD, Payload::new()))?;
                match (response.error_code(), response.payload()) {
                    (0, bytes) if !bytes.is_empty() => {
                        Document::parse(bytes, &format!("the description {who} answered"))
                    }
                    (code, _) => Err(format!(
                        "no description of {who}: no <FILE>.json beside its binary, no \
                         --description, and the server has no discovery (method \
                         {DESCRIBE_METHOD:#x} answered error {code})"
                    )),
                }
            }
        }
    }
}

/// Loads the description at `path` and checks it against `file`'s bytes; the document and
/// the bytes it was read from.
fn load_for(path: &Path, file: &Path) -> Result<(Document, Vec<u8>)> {
    let bytes = read_limited(path)?;
    let origin = path.display().to_string();
    let doc = Document::parse(&bytes, &origin)?;
    let binary = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    doc.check_binary(&origin, file, &binary)?;
    Ok((doc, bytes))
}

/// A file's bytes, refusing one too large to be a description before reading it all.
pub(crate) fn read_limited(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCUMENT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(bytes)
}
