//! Hostile `smithy-rpc-v2-cbor` responses through `inia_protocol::parse`: truncation,
//! indefinite-length items never closed, length prefixes of 2^63 and 2^64-1, tags and
//! arrays nested 100,000 deep, and seeded random mutations. Each must give a value or a
//! [`ProtocolError::Parse`] with a byte offset (a service error, for error statuses),
//! never a panic, and quickly: a prefix claiming more than the body holds is refused
//! before anything is reserved for it.
//!
//! Owns CBOR's hostile-input cases. Does not own the other protocols' (see
//! `hostile_input.rs`) nor CBOR's rules (see the crate's unit tests and the conformance
//! vectors).

use inia_model::ServiceModel;
use inia_protocol::{parse, ProtocolError};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn model() -> ServiceModel {
    let doc = json!({
        "metadata": {"protocol": "smithy-rpc-v2-cbor", "protocols": ["smithy-rpc-v2-cbor"],
                     "targetPrefix": "Gauges"},
        "operations": {"Read": {"name": "Read", "http": {"method": "POST", "requestUri": "/"},
                                "output": {"shape": "Out"}, "errors": [{"shape": "Boom"}]}},
        "shapes": {
            "Out": {"type": "structure", "members": {
                "Name": {"shape": "S"}, "Blob": {"shape": "B"}, "At": {"shape": "T"},
                "Items": {"shape": "L"}, "Tags": {"shape": "M"}, "Next": {"shape": "Out"},
                "Ratio": {"shape": "D"}
            }},
            "Boom": {"type": "structure", "exception": true, "members": {
                "message": {"shape": "S"}, "Detail": {"shape": "Out"}
            }},
            "L": {"type": "list", "member": {"shape": "S"}},
            "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
            "S": {"type": "string"}, "B": {"type": "blob"}, "T": {"type": "timestamp"},
            "D": {"type": "double"}
        }
    });
    ServiceModel::from_string(doc.to_string(), "hostile-cbor").unwrap()
}

fn run(m: &ServiceModel, status: u16, body: &[u8]) -> Result<Value, ProtocolError> {
    let op = m.operation("Read").unwrap();
    parse(m, &op, status, &http::HeaderMap::new(), body)
}

/// The body must be refused as malformed, with an offset inside it, within a second.
fn refused(m: &ServiceModel, body: &[u8], what: &str) -> (String, usize) {
    let start = Instant::now();
    let result = run(m, 200, body);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(1), "{what}: took {took:?}");
    match result {
        Err(ProtocolError::Parse {
            message,
            offset: Some(at),
        }) => {
            assert!(at <= body.len(), "{what}: offset {at} past {}", body.len());
            (message, at)
        }
        other => panic!("{what}: expected a parse error with an offset, got {other:?}"),
    }
}

fn text(s: &str) -> Vec<u8> {
    let mut b = vec![0x60 | s.len() as u8];
    b.extend_from_slice(s.as_bytes());
    b
}

/// `{"Name": "n", "Blob": h'00ff', "At": 1(1.5), "Items": ["a"], "Tags": {"k": "v"},
/// "Next": {"Ratio": NaN}}`, with indefinite lengths in places.
fn valid_body() -> Vec<u8> {
    let mut b = vec![0xbf];
    b.extend(text("Name"));
    b.extend(text("n"));
    b.extend(text("Blob"));
    b.extend([0x42, 0x00, 0xff]);
    b.extend(text("At"));
    b.extend([0xc1, 0xf9, 0x3e, 0x00]);
    b.extend(text("Items"));
    b.extend([0x9f, 0x7f, 0x61, b'a', 0xff, 0xff]);
    b.extend(text("Tags"));
    b.push(0xa1);
    b.extend(text("k"));
    b.extend(text("v"));
    b.extend(text("Next"));
    b.push(0xa1);
    b.extend(text("Ratio"));
    b.extend([0xf9, 0x7e, 0x00]);
    b.push(0xff);
    b
}

#[test]
fn the_valid_body_parses() {
    let m = model();
    let mut v = run(&m, 200, &valid_body()).unwrap();
    v.as_object_mut().unwrap().shift_remove("ResponseMetadata");
    assert_eq!(
        v,
        json!({"Name": "n", "Blob": "AP8=", "At": "1970-01-01T00:00:01.5Z", "Items": ["a"],
               "Tags": {"k": "v"}, "Next": {"Ratio": "NaN"}})
    );
}

#[test]
fn every_truncation_is_refused_with_an_offset() {
    let m = model();
    let body = valid_body();
    for cut in 1..body.len() {
        let (message, _) = refused(&m, &body[..cut], &format!("cut at {cut}"));
        assert!(message.contains("CBOR"), "{message}");
    }
}

#[test]
fn unclosed_indefinite_items_are_refused() {
    let m = model();
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("map", vec![0xbf]),
        (
            "array",
            [vec![0xa1], text("Items"), vec![0x9f, 0x61, b'a']].concat(),
        ),
        (
            "byte string",
            [vec![0xa1], text("Blob"), vec![0x5f, 0x41, 0x00]].concat(),
        ),
        (
            "text string",
            [vec![0xa1], text("Name"), vec![0x7f, 0x61, b'a']].concat(),
        ),
    ];
    cases.push(("nested maps", vec![0xbf; 50]));
    for (what, body) in cases {
        let (message, at) = refused(&m, &body, what);
        assert_eq!(at, body.len(), "{what}: {message}");
        assert!(message.contains("truncated"), "{what}: {message}");
    }
}

#[test]
fn huge_length_prefixes_are_refused_before_allocating() {
    let m = model();
    for len in [1u64 << 63, u64::MAX, 1 << 32] {
        for (what, major) in [
            ("bytes", 0x5b),
            ("text", 0x7b),
            ("array", 0x9b),
            ("map", 0xbb),
        ] {
            let mut body = vec![major];
            body.extend(len.to_be_bytes());
            body.extend([0u8; 64]);
            let (_, at) = refused(&m, &body, &format!("{what} of {len}"));
            assert_eq!(at, 0, "{what} of {len}");
            // The same inside a member, after a valid prefix.
            let mut nested = vec![0xa1];
            nested.extend(text("Blob"));
            let start = nested.len();
            nested.extend(&body);
            let (_, at) = refused(&m, &nested, &format!("nested {what} of {len}"));
            assert_eq!(at, start, "nested {what} of {len}");
        }
    }
    // A count that fits in memory but not in the body: 2^32-1 items, 1 MiB of body.
    let mut body = vec![0x9a, 0xff, 0xff, 0xff, 0xff];
    body.extend(vec![0u8; 1 << 20]);
    let (message, at) = refused(&m, &body, "array of 2^32-1");
    assert_eq!(at, 0);
    assert!(message.contains("4294967295 items"), "{message}");
}

#[test]
fn deep_nesting_is_refused_at_the_limit() {
    let m = model();
    let deep = |open: &[u8], close: &[u8], inner: &[u8]| {
        let mut b = open.repeat(100_000);
        b.extend_from_slice(inner);
        b.extend(close.repeat(100_000));
        b
    };
    for (what, body) in [
        ("tags", deep(&[0xc1], &[], &[0x00])),
        (
            "big tags",
            deep(&[0xdb, 0, 0, 0, 0, 0, 0, 0, 7], &[], &[0x00]),
        ),
        ("definite arrays", deep(&[0x81], &[], &[0x00])),
        ("indefinite arrays", deep(&[0x9f], &[0xff], &[])),
        ("maps", deep(&[0xa1, 0x61, b'k'], &[], &[0x00])),
        (
            "chunked strings in arrays",
            deep(&[0x9f], &[0xff], &[0x7f, 0xff]),
        ),
    ] {
        let (message, at) = refused(&m, &body, what);
        assert!(message.contains("deeper than"), "{what}: {message}");
        assert!(at < 2000, "{what}: refused late, at {at}");
    }
}

/// xorshift64*: deterministic, so a failure is reproducible from its printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Heads that make CBOR hard: breaks, indefinite starts, huge lengths, tags, reserved
/// additional information, half floats.
const JUNK: &[&[u8]] = &[
    &[0xff],
    &[0x9f],
    &[0xbf],
    &[0x5f],
    &[0x7f],
    &[0xc1],
    &[0xc2],
    &[0x1c],
    &[0xf8, 0x10],
    &[0xf9, 0x7c, 0x01],
    &[0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0],
    &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    &[0x62, 0xff, 0xfe],
    &[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(4) {
            0 => b.truncate(rng.below(b.len() + 1)),
            1 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(b.len() + 1);
                let j = JUNK[rng.below(JUNK.len())];
                b.splice(i..i, j.iter().copied());
            }
            _ if !b.is_empty() => {
                let i = rng.below(b.len());
                let j = (i + rng.below(16)).min(b.len());
                b.drain(i..j);
            }
            _ => {}
        }
    }
    b
}

#[test]
fn mutated_bodies_never_panic() {
    let m = model();
    let mut error_body = vec![0xa3];
    error_body.extend(text("__type"));
    error_body.extend(text("a.b#Boom"));
    error_body.extend(text("message"));
    error_body.extend(text("no"));
    error_body.extend(text("Detail"));
    error_body.extend(valid_body());
    let seeds = [(200u16, valid_body()), (400, error_body)];
    for seed in 1..=3000u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (status, base) = &seeds[rng.below(seeds.len())];
        let body = mutate(&mut rng, base);
        let outcome = std::panic::catch_unwind(|| run(&m, *status, &body));
        match outcome {
            Err(_) => panic!("seed {seed}: panicked on {body:02x?}"),
            Ok(Ok(v)) => assert_eq!(v["ResponseMetadata"]["HTTPStatusCode"], 200),
            Ok(Err(ProtocolError::Parse { offset, .. })) => {
                assert_eq!(*status, 200, "seed {seed}: errors give service errors");
                let _ = offset;
            }
            Ok(Err(ProtocolError::Service(e))) => {
                assert_eq!(*status, 400, "seed {seed}");
                assert!(!e.code.is_empty(), "seed {seed}");
            }
            Ok(Err(other)) => panic!("seed {seed}: unexpected {other}"),
        }
    }
}

#[test]
fn an_unreadable_error_body_still_gives_a_service_error() {
    let m = model();
    match run(&m, 400, &[0xbf, 0x61]) {
        Err(ProtocolError::Service(e)) => assert_eq!(e.code, "400"),
        other => panic!("{other:?}"),
    }
}
