//! Requests read from arbitrary bytes: every outcome is a packet, a clean end or an error; no
//! packet over the limit; the loop always ends.
#![no_main]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::Channel;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let (sizes, limit, stream) = common::split(data);
    let mut ch = Channel::new(ChunkedReader::new(stream, &sizes), VecWriter::default())
        .with_max_payload(limit);
    let mut consumed = 0usize;
    while let Ok(Some(req)) = ch.receive_request() {
        assert!(req.payload().len() as u64 <= limit);
        consumed += req.payload().len() + 3;
        assert!(
            consumed <= stream.len(),
            "decoded more bytes than were sent"
        );
    }
});
