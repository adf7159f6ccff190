//! `ckb-ipc`: host a CKB-VM IPC server off-chain and call it, one process per message.
//!
//! forge-exec's session model: `init` starts a session in the background and prints
//! `ipc:<socket>`, every `exec` is one request, `terminate` ends it. `call` does all three.

mod args;
mod client;
mod commands;
mod description;
mod gen_ts;
mod host_args;
mod kind;
mod new;
mod session;
mod typed;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::commands::{call, exec, init, methods, terminate};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(a) => init(a),
        Command::Exec(a) => exec(a),
        Command::Terminate(a) => terminate(a),
        Command::Call(a) => call(a),
        Command::Methods(a) => methods(a),
        Command::Session(a) => session::run(a),
        Command::New(a) => new::run(a),
        Command::Gen(a) => gen_ts::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ckb-ipc: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, String>;
