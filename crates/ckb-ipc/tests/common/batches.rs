//! The oracle of batches, shared by the property tests (`properties.rs`) and the `serve_batch`
//! fuzz target (which includes this file): any bytes as a batch's items, served by every
//! server level (on the heap also by a handler that takes each payload out and gives one
//! back), must be answered with the same bytes, nothing allocated over a fixed buffer,
//! and as the same requests sent one by one would be, or refused whole with the code of what
//! is wrong in them.
#![allow(dead_code)]

use ckb_ipc::io::mem::{ChunkedReader, VecWriter};
use ckb_ipc::wire::{self, BATCH_METHOD, MAX_HEADER_LEN};
use ckb_ipc::{Channel, IpcError, RequestPacket, ResponsePacket, RX_PAD};

use super::methods::{in_place, owned, swapping, GROWN};
use super::tracking::largest_allocation_during;

/// A fixed buffer with room for the batch of `items`, put aside, and every answer to it: each
/// item of at least 3 bytes is answered with at most its payload or [`GROWN`] bytes, after a
/// header of at most `MAX_HEADER_LEN`.
pub fn fixed_room(items: &[u8]) -> usize {
    let count = items.len() / 3 + 1;
    2 * (RX_PAD + MAX_HEADER_LEN) + 2 * items.len() + count * (GROWN + MAX_HEADER_LEN)
}

/// Serves the batch of `items` (read at `sizes`) on the owned level, in place on the heap and
/// in place over a fixed buffer, checks the oracle, and returns the answer.
pub fn check_batch_on_every_level(items: &[u8], sizes: &[usize]) -> Vec<u8> {
    let packet = RequestPacket::new(BATCH_METHOD, items.to_vec()).to_bytes();
    let read = || ChunkedReader::new(&packet, sizes);
    // Every level with the fixed buffer's limit.
    let room = fixed_room(items);
    let limit = (room - RX_PAD - MAX_HEADER_LEN) as u64;

    let mut ch = Channel::new(read(), VecWriter::default()).with_max_payload(limit);
    assert_eq!(ch.execute(&mut owned), Ok(()));
    let answer = ch.into_inner().1.bytes;

    let mut ch = Channel::new(read(), VecWriter::default()).with_max_payload(limit);
    assert_eq!(ch.execute_in_place(in_place), Ok(()));
    assert_eq!(ch.into_inner().1.bytes, answer, "heap in place");

    let mut ch = Channel::new(read(), VecWriter::default()).with_max_payload(limit);
    assert_eq!(ch.execute_in_place(swapping), Ok(()));
    assert_eq!(
        ch.into_inner().1.bytes,
        answer,
        "heap, payloads taken and given back"
    );

    let mut bytes = vec![0u8; room];
    // The writer's room made before the count: it is not the channel's.
    let writer = VecWriter {
        bytes: Vec::with_capacity(room),
        writes: 0,
    };
    let (result, largest) = largest_allocation_during(|| {
        let mut ch = Channel::with_fixed_buffer(read(), writer, &mut bytes);
        let result = ch.execute_in_place(in_place);
        (result, ch.into_inner().1.bytes)
    });
    assert_eq!(largest, 0, "the fixed run allocated");
    assert_eq!(result.0, Ok(()));
    assert_eq!(result.1, answer, "fixed in place");

    // The same requests one by one, or the batch refused whole.
    let expected = match wire::check_batch(items, limit) {
        Ok(_) => {
            let mut ch = Channel::new(ChunkedReader::new(items, &[]), VecWriter::default())
                .with_max_payload(limit);
            assert_eq!(ch.execute(&mut owned), Ok(()));
            ResponsePacket::ok(ch.into_inner().1.bytes).to_bytes()
        }
        Err(e) => {
            assert!(matches!(
                e,
                IpcError::UnexpectedEof
                    | IpcError::VlqOverflow
                    | IpcError::UnsupportedVersion(_)
                    | IpcError::PayloadTooLarge { .. }
                    | IpcError::Deserialize
            ));
            ResponsePacket::error(e.wire_code()).to_bytes()
        }
    };
    assert_eq!(answer, expected);
    answer
}
