//! Example typed client: spawns `kv-server` from the cell deps by the code hash in its script
//! args, calls every method of `kv_proto::KeyValue` through the generated `KeyValueClient`, and
//! checks each answer. Exit code 0 when all agree; otherwise the number of the check that did
//! not (after a debug line saying which).
#![no_std]
#![no_main]

use alloc::vec;
use alloc::vec::Vec;
use ckb_ipc::service::DESCRIBE_METHOD;
use ckb_ipc::ScriptHashType;
use ckb_ipc::{Payload, RequestPacket};
use ckb_std::ckb_types::prelude::*;
use kv_proto::{Change, Entry, KeyValueClient, KvError, MAX_KEY, MAX_VALUE};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

fn program_entry() -> i8 {
    match run() {
        Ok(()) => 0,
        Err(check) => {
            ckb_std::syscalls::debug(alloc::format!("kv-client: check {check} failed"));
            check
        }
    }
}

fn run() -> Result<(), i8> {
    // The script args: kv-server's code hash (the data hash of its cell).
    let script = ckb_std::high_level::load_script().map_err(|_| 1)?;
    let args: Vec<u8> = script.args().unpack();
    let code_hash = args.get(..32).ok_or(2)?;
    let (read, write) =
        ckb_ipc::spawn_cell_server(code_hash, ScriptHashType::Data1, &[]).map_err(|_| 3)?;
    let mut kv = KeyValueClient::new(read, write);

    let check = |ok: bool, number: i8| if ok { Ok(()) } else { Err(number) };
    check(kv.get(b"missing".to_vec()) == Ok(None), 11)?;
    check(
        kv.put(b"user/alice".to_vec(), b"100".to_vec()) == Ok(Ok(None)),
        12,
    )?;
    check(
        kv.put(b"user/bob".to_vec(), b"7".to_vec()) == Ok(Ok(None)),
        13,
    )?;
    check(kv.put(b"pool".to_vec(), b"x".to_vec()) == Ok(Ok(None)), 14)?;
    // `put` answers the value it replaced.
    let replaced = kv.put(b"user/alice".to_vec(), b"90".to_vec());
    check(replaced == Ok(Ok(Some(b"100".to_vec()))), 15)?;
    check(
        kv.get(b"user/alice".to_vec()) == Ok(Some(b"90".to_vec())),
        16,
    )?;
    check(kv.count() == Ok(3), 17)?;
    let users = kv.scan(b"user/".to_vec()).map_err(|_| 18)?;
    let expected = vec![
        Entry {
            key: b"user/alice".to_vec(),
            value: b"90".to_vec(),
        },
        Entry {
            key: b"user/bob".to_vec(),
            value: b"7".to_vec(),
        },
    ];
    check(users == expected, 19)?;
    // The service's refusals arrive as `Ok(Err(..))`, apart from transport errors, and the
    // store goes on serving.
    let too_long = kv.put(vec![b'k'; MAX_KEY + 1], Vec::new());
    check(too_long == Ok(Err(KvError::KEY_TOO_LONG)), 20)?;
    let too_big = kv.put(b"big".to_vec(), vec![0; MAX_VALUE + 1]);
    check(too_big == Ok(Err(KvError::VALUE_TOO_LONG)), 21)?;
    check(kv.remove(b"pool".to_vec()) == Ok(Some(b"x".to_vec())), 22)?;
    check(kv.count() == Ok(2), 23)?;
    // An enum argument: a molecule union, one variant of each kind.
    let put = Change::Put {
        key: b"user/carol".to_vec(),
        value: b"5".to_vec(),
    };
    check(kv.apply(put) == Ok(Ok(None)), 24)?;
    let remove = Change::Remove(b"user/bob".to_vec());
    check(kv.apply(remove) == Ok(Ok(Some(b"7".to_vec()))), 25)?;
    let too_long = Change::Put {
        key: vec![b'k'; MAX_KEY + 1],
        value: Vec::new(),
    };
    check(kv.apply(too_long) == Ok(Err(KvError::KEY_TOO_LONG)), 26)?;
    check(kv.count() == Ok(2), 27)?;
    check(kv.apply(Change::Clear) == Ok(Ok(None)), 28)?;
    check(kv.count() == Ok(0), 29)?;
    // kv-server is discoverable: the reserved DESCRIBE_METHOD answers its description
    // document (docs/description.md), and the channel goes on as the client's.
    let mut channel: ckb_ipc::Channel<_, _> = kv.into();
    let described = channel.call(&RequestPacket::new(DESCRIBE_METHOD, Payload::new()));
    let document = described.map_err(|_| 30)?;
    check(document.error_code() == 0, 31)?;
    let text = document.payload();
    check(
        text.starts_with(b"{\n  \"format\": \"ckb-ipc-description\""),
        32,
    )?;
    let mut kv = KeyValueClient::from(channel);
    check(kv.count() == Ok(0), 33)?;
    // Dropping the client closes the pipes: the server sees the end and exits 0.
    Ok(())
}
