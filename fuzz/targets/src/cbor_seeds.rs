//! Seeds of the `parse_cbor` target, as response bytes (see [`crate::response`]):
//! - [`committed`]: inia's own, the files of `fuzz/corpus/parse_cbor/` (written by `cargo
//!   xtask fuzz-seeds`; a test checks they still match). Bodies of the Gauges operations
//!   whose input and output shapes are one are written by inia's CBOR serializer from the
//!   values below; a few more are written byte by byte for what the serializer never
//!   writes: indefinite lengths, chunked strings, 16-bit floats, tag 1 over an integer,
//!   an unknown union member, error bodies;
//! - [`from_vector`]: one response of botocore's rpcv2Cbor vectors as a seed. `cargo
//!   xtask fuzz` writes those into the git-ignored working corpus before a run, so nothing
//!   of botocore's is stored in the repository.
//!
//! Owns the seeds' contents. Does not own writing files (xtask) or the target (`parse`).

use crate::parse::CBOR;
use crate::response::{self, STATUSES};
use crate::specs::Spec;
use serde_json::{json, Value};

/// A text string's head and bytes (short strings only: these seeds need no more).
fn text(s: &str) -> Vec<u8> {
    let mut out = match s.len() {
        n @ 0..=23 => vec![0x60 | n as u8],
        n => vec![0x78, n.min(255) as u8],
    };
    out.extend_from_slice(&s.as_bytes()[..s.len().min(255)]);
    out
}

/// The index of an operation in the target's table (0 when it is not there).
fn index(operation: &str) -> usize {
    CBOR.iter()
        .position(|c| c.operation == operation)
        .unwrap_or(0)
}

/// A response seed for one of botocore's vector responses: the operation by name (the
/// first one when Gauges has no such operation), the status by class.
pub fn from_vector(operation: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let status = match status {
        200..=299 => STATUSES[0],
        500..=599 => STATUSES[3],
        _ => STATUSES[2],
    };
    response::encode(index(operation), status, headers, body)
}

/// The body inia's serializer writes for `params` of `operation`.
fn serialized(operation: &str, params: Value) -> Option<Vec<u8>> {
    let model = Spec::Gauges.model().ok()?;
    let op = model.operation(operation).ok()?;
    let req = inia_protocol::serialize_operation(model, &op, &params).ok()?;
    Some(req.body().to_vec())
}

/// The values serialized into the committed seeds: (file name, operation, params).
fn values() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        (
            "simple-scalars",
            "SimpleScalarProperties",
            json!({"trueBooleanValue": true, "falseBooleanValue": false, "byteValue": 7,
                   "doubleValue": 0.0025, "floatValue": 0.25, "integerValue": -70000,
                   "longValue": 9007199254740993u64, "shortValue": -12,
                   "stringValue": "gauge \u{2603}", "blobValue": "AAH+/w=="}),
        ),
        (
            "special-floats",
            "SimpleScalarProperties",
            json!({"doubleValue": "NaN", "floatValue": "-Infinity"}),
        ),
        (
            "lists",
            "RpcV2CborLists",
            json!({"stringList": ["a", "b"], "stringSet": ["a"], "integerList": [1, -1, 4294967296u64],
                   "booleanList": [true, false], "enumList": ["Foo"], "intEnumList": [1],
                   "timestampList": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.25Z"],
                   "nestedStringList": [["x"], []], "structureList": [{"a": "1", "b": "2"}],
                   "blobList": ["AA=="], "sparseStringList": ["a", null]}),
        ),
        (
            "dense-maps",
            "RpcV2CborDenseMaps",
            json!({"denseStructMap": {"x": {"hi": "there"}}, "denseNumberMap": {"zero": 0},
                   "denseBooleanMap": {"f": false}, "denseStringMap": {"k": "v"},
                   "denseSetMap": {"empty": [], "ab": ["a", "b"]}}),
        ),
        (
            "sparse-maps",
            "RpcV2CborSparseMaps",
            json!({"sparseStructMap": {"x": null, "y": {"hi": "y"}}, "sparseNumberMap": {"n": null},
                   "sparseBooleanMap": {"t": true}, "sparseStringMap": {"k": null},
                   "sparseSetMap": {"none": null, "one": ["a"]}}),
        ),
        (
            "recursive",
            "RecursiveShapes",
            json!({"nested": {"foo": "1", "nested": {"bar": "2", "recursiveMember":
                   {"foo": "3", "nested": {"bar": "4"}}}}}),
        ),
        (
            "union",
            "HttpPayloadWithUnion",
            json!({"nested": {"reading": {"value": 1.5}}}),
        ),
    ]
}

/// A seed written byte by byte: (file name, operation, status, headers, body).
type Raw = (
    &'static str,
    &'static str,
    u16,
    Vec<(&'static str, &'static str)>,
    Vec<u8>,
);

/// inia's own seeds, by file name.
pub fn committed() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, operation, params) in values() {
        if let Some(body) = serialized(operation, params) {
            out.push((name, response::encode(index(operation), 200, &[], &body)));
        }
    }
    let moment = |secs: &[u8]| [&[0xa1][..], &text("datetime"), &[0xc1], secs].concat();
    let mut fraction = vec![0xfb];
    fraction.extend(1_704_067_200.125f64.to_be_bytes());
    let mut bytes: Vec<Raw> = vec![
        (
            "fractional-seconds",
            "FractionalSeconds",
            200,
            vec![],
            moment(&fraction),
        ),
        (
            "epoch-integer",
            "FractionalSeconds",
            200,
            vec![],
            moment(&[0x1a, 0x65, 0x92, 0x00, 0x80]),
        ),
        (
            "float16",
            "Float16",
            200,
            vec![],
            [&[0xa1][..], &text("value"), &[0xf9, 0x3c, 0x00]].concat(),
        ),
        (
            "indefinite-lists",
            "RpcV2CborLists",
            200,
            vec![],
            [
                &[0xbf][..],
                &text("stringList"),
                &[0x9f, 0x7f],
                &text("ab"),
                &text("c"),
                &[0xff, 0xff],
                &text("blobList"),
                &[0x9f, 0x5f, 0x41, 0x00, 0x40, 0xff, 0xff, 0xff],
            ]
            .concat(),
        ),
        (
            "unknown-union-member",
            "HttpPayloadWithUnion",
            200,
            vec![],
            [
                &[0xa1][..],
                &text("nested"),
                &[0xa1],
                &text("other"),
                &[0x01],
            ]
            .concat(),
        ),
    ];
    let complex = [
        &[0xbf][..],
        &text("__type"),
        &text("gauges#ComplexError"),
        &text("TopLevel"),
        &text("top"),
        &text("Nested"),
        &[0xa1],
        &text("Foo"),
        &text("bar"),
        &[0xff],
    ]
    .concat();
    bytes.push(("complex-error", "GreetingWithErrors", 404, vec![], complex));
    let invalid = [
        &[0xa2][..],
        &text("__type"),
        &text("InvalidGreeting:http://internal/"),
        &text("Message"),
        &text("no"),
    ]
    .concat();
    let query = vec![("x-amzn-query-error", "Invalid;Sender")];
    bytes.push((
        "query-compatible-error",
        "GreetingWithErrors",
        404,
        query,
        invalid,
    ));
    bytes.push((
        "server-error",
        "GreetingWithErrors",
        500,
        vec![],
        Vec::new(),
    ));
    for (name, operation, status, headers, body) in bytes {
        let seed = response::encode(index(operation), status, &headers, &body);
        out.push((name, seed));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_committed_seeds_are_current_and_parse() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/parse_cbor");
        let seeds = committed();
        assert_eq!(
            seeds.len(),
            values().len() + 8,
            "a seed failed to serialize"
        );
        for (name, bytes) in seeds {
            let on_disk = std::fs::read(dir.join(name)).unwrap_or_default();
            assert!(
                on_disk == bytes,
                "fuzz/corpus/parse_cbor/{name} is stale: run `cargo xtask fuzz-seeds`"
            );
            let r = response::decode(&bytes).unwrap();
            let case = CBOR[r.operation];
            let model = case.spec.model().unwrap();
            let op = model.operation(case.operation).unwrap();
            let out = inia_protocol::parse(model, &op, r.status, &r.headers, r.body);
            match (r.status, out) {
                (200, Ok(_)) => {}
                (404 | 500, Err(inia_protocol::ProtocolError::Service(_))) => {}
                (status, other) => panic!("{name} ({status}): {other:?}"),
            }
        }
    }

    #[test]
    fn vector_seeds_name_their_operation() {
        let seed = from_vector("Float16", 200, &[], &[0xa0]);
        assert_eq!(response::decode(&seed).unwrap().operation, 6);
        let seed = from_vector("NoSuchOperation", 400, &[], &[0xa0]);
        let r = response::decode(&seed).unwrap();
        assert_eq!((r.operation, r.status), (0, 404));
    }
}
