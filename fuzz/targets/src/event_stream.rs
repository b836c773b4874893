//! The event-stream target: a whole `application/vnd.amazon.eventstream` body, decoded
//! by inia-protocol's event-stream reader while parsing the response of a streaming
//! operation. Byte 0 selects: bits 0–1 the operation ([`CASES`]: rest-xml, rest-json and
//! json framing of the events' payloads), bit 2 whether the harness first writes both
//! CRC-32s of each frame (so mutations reach headers and payloads instead of stopping at
//! a checksum); the rest is the body.
//!
//! Owns the framing fix-up. Does not own the decoder (`inia_protocol::parse`).

use crate::specs::{case, Case, Spec};

/// The streaming operations, one per payload protocol.
pub(crate) const CASES: &[Case] = &[
    case(Spec::S3, "SelectObjectContent"),
    case(Spec::Workshop, "WatchWidgets"),
    case(Spec::Feeds, "SubscribeFeed"),
];

/// Bit 2 of byte 0: fix the checksums before parsing.
pub const FIX_CHECKSUMS: u8 = 0b100;

/// Write the prelude and message CRCs of each frame whose length fits, in place. Stops
/// at the first frame whose length does not.
pub fn fix_checksums(body: &mut [u8]) {
    let mut at = 0usize;
    while let Some(prelude) = body.get(at..at + 12) {
        let total = u32::from_be_bytes([prelude[0], prelude[1], prelude[2], prelude[3]]) as usize;
        if total < 16 || body.len() - at < total {
            return;
        }
        let crc = crc32fast::hash(&body[at..at + 8]).to_be_bytes();
        body[at + 8..at + 12].copy_from_slice(&crc);
        let end = at + total;
        let crc = crc32fast::hash(&body[at..end - 4]).to_be_bytes();
        body[end - 4..end].copy_from_slice(&crc);
        at = end;
    }
}

/// Decode the event-stream body `data` holds.
pub fn event_stream(data: &[u8]) {
    let Some((selector, body)) = crate::split_first(data) else {
        return;
    };
    let Some(case) = crate::pick(CASES, usize::from(selector & 0b11)) else {
        return;
    };
    let Ok(model) = case.spec.model() else {
        return;
    };
    let Ok(op) = model.operation(case.operation) else {
        return;
    };
    let mut body = body.to_vec();
    if selector & FIX_CHECKSUMS != 0 {
        fix_checksums(&mut body);
    }
    let headers = http::HeaderMap::new();
    let _ = inia_protocol::parse(model, &op, 200, &headers, &body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_frames_decode() {
        // One frame: no headers, payload `{}`, checksums zero until fixed.
        let mut frame = vec![0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0, b'{', b'}', 0, 0, 0, 0];
        fix_checksums(&mut frame);
        let model = Spec::Feeds.model().unwrap();
        let op = model.operation("SubscribeFeed").unwrap();
        let out = inia_protocol::parse(model, &op, 200, &http::HeaderMap::new(), &frame);
        assert!(out.is_ok(), "{out:?}");
        let mut cut = frame.clone();
        cut.truncate(17);
        fix_checksums(&mut cut);
        assert!(inia_protocol::parse(model, &op, 200, &http::HeaderMap::new(), &cut).is_err());
    }
}
