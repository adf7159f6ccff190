//! Runs CKB-VM client and server scripts in [ckb-testtool](ckb_testtool): the test helper of
//! `ckb-ipc`, for scripts that call each other over spawn pipes.
//!
//! - [`Contracts`] finds the binaries `make build` wrote (`$CONTRACTS_DIR`, else the nearest
//!   `build/release`);
//! - [`Tx::deploy`] deploys a client and its servers as cell deps and builds a transaction whose
//!   only input is locked by the client with the args you give;
//! - [`Tx::run`] verifies it in CKB-VM and returns the cycles and what the scripts printed
//!   ([`Outcome`]), or a [`Failure`] that names the error and points to the transaction saved
//!   as mock-tx JSON for `ckb-debugger --tx-file`;
//! - [`per_call_cycles`] is the cost of one call: (an N-call run - a 0-call run) / N, same
//!   binaries and transaction shape, so spawning and setup cancel out.
//!
//! ```no_run
//! use ckb_ipc_testtool::{data_hash, per_call_cycles, Contracts, Tx};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let contracts = Contracts::find()?;
//! let client = contracts.load("counter-client")?;
//! let server = contracts.load("counter-server")?;
//!
//! // The client's args: the server's code hash (data1), then how many calls to make.
//! let run = |calls: u32| {
//!     let mut args = data_hash(&server).to_vec();
//!     args.extend_from_slice(&calls.to_le_bytes());
//!     let tx = Tx::deploy(vec![client.clone(), server.clone()], |_, _| args)?;
//!     Ok::<_, Box<dyn std::error::Error>>(tx.run(&format!("counter-{calls}"))?)
//! };
//!
//! let outcome = run(3)?;
//! println!("{} cycles; the scripts printed {:?}", outcome.cycles, outcome.messages);
//! let per_call = per_call_cycles(8, |calls| run(calls).map(|o| o.cycles))?;
//! println!("{per_call} cycles per call");
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use ckb_testtool::ckb_types::{
    bytes::Bytes,
    core::{TransactionBuilder, TransactionView},
    packed::{CellDep, CellInput, CellOutput},
    prelude::*,
};
use ckb_testtool::context::Context;

pub use ckb_testtool;
pub use ckb_testtool::ckb_types::core::ScriptHashType;
pub use ckb_testtool::ckb_types::packed::OutPoint;

/// The default cycle limit of [`Tx::run`]: CKB's maximum cycles per block.
pub const MAX_CYCLES: u64 = 3_500_000_000;

/// The environment variable naming the directory of the contract binaries.
pub const CONTRACTS_DIR_VAR: &str = "CONTRACTS_DIR";

/// With this environment variable set to a directory, [`Tx::run`] saves every transaction
/// there as mock-tx JSON, passing or not.
pub const DUMP_TXS_VAR: &str = "CKB_IPC_DUMP_TXS";

/// What went wrong before a transaction could run.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// No contracts directory: neither `$CONTRACTS_DIR` nor a `build/release` in the current
    /// directory or its parents.
    NoContractsDir,
    /// A contract binary could not be read.
    Binary {
        /// The file.
        path: PathBuf,
        /// Why it could not be read.
        error: std::io::Error,
    },
    /// [`Tx::deploy`] was given no cells: the first one is the client.
    NoClient,
    /// ckb-testtool could not build a script for a deployed cell.
    Script(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NoContractsDir => write!(
                f,
                "no contracts: set {CONTRACTS_DIR_VAR}, or run `make build` to fill build/release"
            ),
            Error::Binary { path, error } => {
                write!(f, "{}: {error}; run `make build` first", path.display())
            }
            Error::NoClient => write!(f, "no cells to deploy: the first one is the client"),
            Error::Script(why) => write!(f, "cannot build a script: {why}"),
        }
    }
}

impl std::error::Error for Error {}

/// Where the contract binaries are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contracts {
    /// The directory holding one file per contract, named after it.
    pub dir: PathBuf,
}

impl Contracts {
    /// The binaries in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// `$CONTRACTS_DIR` if set (`make test` sets it to `build/$(MODE)`), else the nearest
    /// `build/release` in the current directory or its parents (`cargo test` runs in the
    /// package's directory, inside the workspace whose `make build` wrote `build/release`).
    pub fn find() -> Result<Self, Error> {
        if let Some(dir) = std::env::var_os(CONTRACTS_DIR_VAR) {
            return Ok(Self::new(dir));
        }
        let cwd = std::env::current_dir().map_err(|_| Error::NoContractsDir)?;
        cwd.ancestors()
            .map(|dir| dir.join("build").join("release"))
            .find(|dir| dir.is_dir())
            .map(Self::new)
            .ok_or(Error::NoContractsDir)
    }

    /// The binary of contract `name`.
    pub fn load(&self, name: &str) -> Result<Bytes, Error> {
        let path = self.dir.join(name);
        std::fs::read(&path)
            .map(Bytes::from)
            .map_err(|error| Error::Binary { path, error })
    }
}

/// The code hash of `binary` for the `data`, `data1` and `data2` hash types: its blake2b hash.
pub fn data_hash(binary: &[u8]) -> [u8; 32] {
    ckb_testtool::ckb_hash::blake2b_256(binary)
}

/// The code hash a script of `hash_type` uses for the cell deployed at `out_point` (for
/// [`ScriptHashType::Type`], the hash of the type script ckb-testtool gave it).
pub fn code_hash(
    context: &mut Context,
    out_point: &OutPoint,
    hash_type: ScriptHashType,
) -> Result<[u8; 32], Error> {
    let script = context
        .build_script_with_hash_type(out_point, hash_type, Bytes::new())
        .ok_or_else(|| Error::Script(format!("no cell deployed at {out_point}")))?;
    let mut out = [0u8; 32];
    out.copy_from_slice(script.code_hash().as_slice());
    Ok(out)
}

/// What a passing transaction cost and what its scripts printed (`ckb_std::debug!`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Cycles of the whole transaction: the client and every server it spawned.
    pub cycles: u64,
    /// The debug messages of every script, in order.
    pub messages: Vec<String>,
}

impl Outcome {
    /// The rest of the first message that starts with `prefix`.
    pub fn find(&self, prefix: &str) -> Option<&str> {
        self.messages.iter().find_map(|m| m.strip_prefix(prefix))
    }
}

/// A transaction that did not verify. `Debug` prints what `Display` does, so a `Failure`
/// returned with `?` from a test or `main` reads as the message it is, with its hint.
pub struct Failure {
    /// The label given to [`Tx::run`].
    pub label: String,
    /// The verifier's error: it names the script and its exit code (`see error code N`), or
    /// the VM error.
    pub error: String,
    /// The debug messages the scripts printed before it failed.
    pub messages: Vec<String>,
    /// Where the transaction was saved as mock-tx JSON, or why it could not be.
    pub mock_tx: Result<PathBuf, String>,
}

impl Failure {
    /// What to change, when the error is one a script author's build or deployment causes and
    /// the VM's words do not say so.
    pub fn hint(&self) -> Option<&'static str> {
        hint(&self.error).or_else(|| {
            // The line `ckb_ipc::no_heap!()`'s allocator prints before the script aborts.
            self.messages
                .iter()
                .any(|m| m.contains("no_heap!() refused an allocation"))
                .then_some(
                    "a script declared with `ckb_ipc::no_heap!()` allocated: give it a heap \
                     (`ckb_std::default_alloc!()`), or keep it on the in-place level over a \
                     `FixedBuffer` (an owned or typed call allocates)",
                )
        })
    }
}

/// The exit code in a verifier error of a script that returned non-zero (`... see error code
/// N ...`); `None` for an error of the VM itself.
pub fn exit_code(error: &str) -> Option<i8> {
    number_after(error, "see error code ")
}

/// The number written right after the first `key` in `text` (a `-` sign, then digits).
fn number_after<T: std::str::FromStr>(text: &str, key: &str) -> Option<T> {
    let rest = text.get(text.find(key)? + key.len()..)?;
    let number: String = rest
        .chars()
        .take_while(|c| *c == '-' || c.is_ascii_digit())
        .collect();
    number.parse().ok()
}

/// The hint for a verifier error: an atomic instruction (CKB-VM has no A extension), or a
/// spawn/pipe syscall (numbers 2601 to 2608) in a script run on VM version 1.
fn hint(error: &str) -> Option<&'static str> {
    let number_after = |key: &str| number_after::<u64>(error, key);
    if let Some(ecall) = number_after("InvalidEcall(") {
        if (2601..=2608).contains(&ecall) {
            return Some(
                "the script ran on CKB-VM version 1 (hash type `data` or `data1`), which has no \
                 spawn or pipe syscalls: lock it with hash type `data2` or `type` \
                 (`Tx::deploy_as(ScriptHashType::Data2, ..)`)",
            );
        }
    }
    // The major opcode of RISC-V's atomics (lr, sc, amo*) is 0b0101111.
    if number_after("instruction: ").is_some_and(|i| i & 0x7f == 0x2f) {
        return Some(
            "an atomic instruction, which CKB-VM does not have: build the script with \
             RUSTFLAGS=\"-C target-feature=+zba,+zbb,+zbc,+zbs,-a,-zaamo,-zalrsc\" (ckb-ipc's \
             Makefile) or RUSTFLAGS=\"-C passes=lower-atomic\" (ckb-script-templates')",
        );
    }
    None
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.label, self.error)?;
        if let Some(hint) = self.hint() {
            write!(f, "\nhint: {hint}")?;
        }
        write!(f, "\nscript output: {:?}\nmock tx: ", self.messages)?;
        match &self.mock_tx {
            Ok(path) => write!(f, "{}", path.display()),
            Err(e) => write!(f, "(not written: {e})"),
        }
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Failure {}

impl From<Failure> for String {
    fn from(failure: Failure) -> Self {
        failure.to_string()
    }
}

/// A transaction whose only input is locked by a client script, with every contract it needs
/// deployed as a cell dep.
pub struct Tx {
    /// The ckb-testtool context holding the deployed cells.
    pub context: Context,
    /// The transaction: one input and one output locked by the client, the cells as cell deps.
    pub tx: TransactionView,
    /// Out points of the deployed cells, in the order given (index 0 is the client).
    pub deps: Vec<OutPoint>,
    /// The cycle limit of [`Tx::run`]; [`MAX_CYCLES`] by default.
    pub max_cycles: u64,
    /// Where [`Tx::run`] saves a failing transaction: `failed_txs` in the current directory by
    /// default.
    pub failed_dir: PathBuf,
}

impl Tx {
    /// Deploys `cells` as cell deps in order (the client first, its servers after it: cell-dep
    /// index 1, 2, ...) and builds a transaction whose input is locked by the client (hash type
    /// `data2`: spawning needs CKB-VM version 2) with the args `args` returns. `args` gets the
    /// context and the deployed out points, to name a server by [`code_hash`].
    pub fn deploy(
        cells: Vec<Bytes>,
        args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>,
    ) -> Result<Self, Error> {
        Self::deploy_as(ScriptHashType::Data2, cells, args)
    }

    /// [`Tx::deploy`], the client's lock naming it by `hash_type` (`Data1` runs it on CKB-VM
    /// version 1, where spawning fails: [`Failure::hint`] says so).
    pub fn deploy_as(
        hash_type: ScriptHashType,
        cells: Vec<Bytes>,
        args: impl FnOnce(&mut Context, &[OutPoint]) -> Vec<u8>,
    ) -> Result<Self, Error> {
        let mut context = Context::default();
        context.set_capture_debug(true);
        let deps: Vec<OutPoint> = cells
            .into_iter()
            .map(|data| context.deploy_cell(data))
            .collect();
        let client = deps.first().ok_or(Error::NoClient)?.clone();
        let args = args(&mut context, &deps);
        let lock = context
            .build_script_with_hash_type(&client, hash_type, Bytes::from(args))
            .ok_or_else(|| Error::Script("the client's lock".into()))?;
        let input = context.create_cell(
            CellOutput::new_builder()
                .capacity(1000u64)
                .lock(lock.clone())
                .build(),
            Bytes::new(),
        );
        let tx = TransactionBuilder::default()
            .input(CellInput::new_builder().previous_output(input).build())
            .output(
                CellOutput::new_builder()
                    .capacity(1000u64)
                    .lock(lock)
                    .build(),
            )
            .output_data(Bytes::new().pack())
            .cell_deps(
                deps.iter()
                    .map(|op| CellDep::new_builder().out_point(op.clone()).build()),
            )
            .build();
        Ok(Self {
            context,
            tx,
            deps,
            max_cycles: MAX_CYCLES,
            failed_dir: PathBuf::from("failed_txs"),
        })
    }

    /// Verifies the transaction in CKB-VM. On failure it is saved as `<label>.json` in
    /// [`Tx::failed_dir`] for `ckb-debugger --tx-file`; with `$CKB_IPC_DUMP_TXS` set to a
    /// directory every transaction is saved there too.
    pub fn run(&self, label: &str) -> Result<Outcome, Failure> {
        if let Some(dir) = std::env::var_os(DUMP_TXS_VAR) {
            // Best effort: a dump that cannot be written does not fail the run.
            let _ = self.dump(Path::new(&dir), label);
        }
        let result = self.context.verify_tx(&self.tx, self.max_cycles);
        let messages: Vec<String> = self
            .context
            .captured_messages()
            .into_iter()
            .map(|m| m.message)
            .collect();
        match result {
            Ok(cycles) => Ok(Outcome { cycles, messages }),
            Err(e) => Err(Failure {
                label: label.to_string(),
                error: e.to_string(),
                messages,
                mock_tx: self.dump(&self.failed_dir, label),
            }),
        }
    }

    /// The transaction with every cell it uses, as ckb-debugger's mock-tx JSON.
    pub fn mock_tx_json(&self) -> Result<String, String> {
        let mock = self.context.dump_tx(&self.tx).map_err(|e| e.to_string())?;
        serde_json::to_string_pretty(&mock).map_err(|e| e.to_string())
    }

    /// Saves [`Tx::mock_tx_json`] as `<dir>/<label>.json`; returns the path.
    pub fn dump(&self, dir: &Path, label: &str) -> Result<PathBuf, String> {
        let json = self.mock_tx_json()?;
        let path = dir.join(format!("{label}.json"));
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::write(&path, json).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }
}

/// Cycles per call: `(run(calls) - run(0)) / calls`. `run(n)` runs the same transaction making
/// `n` calls and returns its cycles; what does not depend on `n` (loading, spawning the server,
/// setting up) cancels out.
pub fn per_call_cycles<E>(
    calls: u32,
    mut run: impl FnMut(u32) -> Result<u64, E>,
) -> Result<u64, E> {
    let base = run(0)?;
    let full = run(calls)?;
    Ok(full.saturating_sub(base) / u64::from(calls.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_call_is_the_difference_over_the_calls() {
        let cost = |calls: u32| Ok::<u64, ()>(100_000 + 7_000 * u64::from(calls));
        assert_eq!(per_call_cycles(8, cost), Ok(7_000));
        assert_eq!(per_call_cycles(0, cost), Ok(0));
        assert_eq!(per_call_cycles(3, |_| Err::<u64, _>("no")), Err("no"));
    }

    #[test]
    fn a_missing_binary_names_its_path() {
        let contracts = Contracts::new("/nonexistent");
        match contracts.load("client") {
            Err(Error::Binary { path, .. }) => assert_eq!(path, Path::new("/nonexistent/client")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hints_name_what_to_change() {
        // The errors as the verifier words them (issue 18 met both).
        let atomic = "VM Internal Error: InvalidInstruction { pc: 119680, instruction: 336213679 }";
        assert!(hint(atomic).is_some_and(|h| h.contains("-a,-zaamo,-zalrsc")));
        assert!(hint(atomic).is_some_and(|h| h.contains("lower-atomic")));
        let other = "VM Internal Error: InvalidInstruction { pc: 4, instruction: 0 }";
        assert_eq!(hint(other), None);
        let v1 = "VM Internal Error: InvalidEcall(2604)";
        assert!(hint(v1).is_some_and(|h| h.contains("`data2` or `type`")));
        assert_eq!(hint("VM Internal Error: InvalidEcall(93)"), None);
        assert_eq!(hint("ValidationFailure: see error code 3"), None);
    }

    #[test]
    fn exit_codes_are_read_from_the_verifier_error() {
        assert_eq!(
            exit_code("ValidationFailure: see error code -1 on page"),
            Some(-1)
        );
        assert_eq!(exit_code("ValidationFailure: see error code 12"), Some(12));
        assert_eq!(exit_code("VM Internal Error: InvalidEcall(2604)"), None);
    }

    #[test]
    fn deploy_needs_a_client() {
        assert!(matches!(
            Tx::deploy(Vec::new(), |_, _| Vec::new()),
            Err(Error::NoClient)
        ));
    }

    #[test]
    fn a_failing_script_is_dumped_as_mock_tx() {
        // Not an ELF: the VM refuses it, and the transaction is saved for ckb-debugger.
        let dir = std::env::temp_dir().join(format!("ckb-ipc-testtool-{}", std::process::id()));
        let mut tx = match Tx::deploy(vec![Bytes::from_static(b"not an elf")], |_, _| vec![1]) {
            Ok(tx) => tx,
            Err(e) => panic!("{e}"),
        };
        tx.failed_dir = dir.clone();
        let failure = match tx.run("not-an-elf") {
            Err(f) => f,
            Ok(o) => panic!("ran: {o:?}"),
        };
        assert_eq!(
            failure.mock_tx.as_ref().ok(),
            Some(&dir.join("not-an-elf.json"))
        );
        let json = std::fs::read_to_string(dir.join("not-an-elf.json")).unwrap_or_default();
        assert!(json.contains("\"mock_info\""), "{json}");
        assert!(failure.to_string().starts_with("not-an-elf: "), "{failure}");
        let _ = std::fs::remove_dir_all(dir);
        assert_eq!(data_hash(b"").len(), 32);
    }
}
