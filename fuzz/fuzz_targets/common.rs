//! Shared by the fuzz targets: the first bytes of an input choose how the pipe splits reads and
//! the channel's payload limit; the rest is the stream.

/// `(read sizes, payload limit, stream)`.
pub fn split(data: &[u8]) -> (Vec<usize>, u64, &[u8]) {
    let (head, stream) = data.split_at(data.len().min(6));
    let mut sizes: Vec<usize> = head.iter().take(4).map(|&b| usize::from(b) + 1).collect();
    if sizes.is_empty() {
        sizes.push(usize::MAX);
    }
    let limit = head
        .get(4..6)
        .map_or(1 << 16, |b| u64::from(u16::from_le_bytes([b[0], b[1]])));
    (sizes, limit, stream)
}
