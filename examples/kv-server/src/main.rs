//! Example typed service: a key-value store (`kv_proto::KeyValue`) that scripts of a
//! transaction share. Bounded: keys up to 64 bytes, values up to 4 KiB, 256 entries.
#![no_std]
#![no_main]

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use ckb_ipc::service::Discoverable;
use kv_proto::{Change, Entry, KeyValue, KeyValueServer, KvError, MAX_ENTRIES, MAX_KEY, MAX_VALUE};

ckb_std::entry!(program_entry);
ckb_std::default_alloc!();

#[derive(Default)]
struct Store(BTreeMap<Vec<u8>, Vec<u8>>);

impl KeyValue for Store {
    fn get(&mut self, key: Vec<u8>) -> Option<Vec<u8>> {
        self.0.get(&key).cloned()
    }

    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) -> Result<Option<Vec<u8>>, KvError> {
        if key.len() > MAX_KEY {
            return Err(KvError::KEY_TOO_LONG);
        }
        if value.len() > MAX_VALUE {
            return Err(KvError::VALUE_TOO_LONG);
        }
        if self.0.len() >= MAX_ENTRIES && !self.0.contains_key(&key) {
            return Err(KvError::FULL);
        }
        Ok(self.0.insert(key, value))
    }

    fn remove(&mut self, key: Vec<u8>) -> Option<Vec<u8>> {
        self.0.remove(&key)
    }

    fn count(&mut self) -> u64 {
        self.0.len() as u64
    }

    fn scan(&mut self, prefix: Vec<u8>) -> Vec<Entry> {
        self.0
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| Entry {
                key: k.clone(),
                value: v.clone(),
            })
            .collect()
    }

    fn apply(&mut self, change: Change) -> Result<Option<Vec<u8>>, KvError> {
        match change {
            Change::Put { key, value } => self.put(key, value),
            Change::Remove(key) => Ok(self.remove(key)),
            Change::Clear => {
                self.0.clear();
                Ok(None)
            }
        }
    }
}

fn program_entry() -> i8 {
    // Discoverable: also answers DESCRIBE_METHOD with the description build.rs wrote, so
    // `ckb-ipc methods` describes the deployed binary with no side file.
    let server = Discoverable::new(ckb_ipc::description!(), KeyValueServer(Store::default()));
    match ckb_ipc::run_server(server) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
