//! inia's fuzz targets, as plain functions of the input bytes: `pub fn <target>(data:
//! &[u8])`. Each feeds the bytes to one of inia's public entry points for untrusted text
//! and must never panic (errors are the expected answer to most inputs). The cargo-fuzz
//! crate in `fuzz/` wraps each in `fuzz_target!`; `tests/replay.rs` runs every file of
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through them on stable, so a
//! crash once found stays fixed under plain `cargo test`.
//!
//! | target | what the bytes are |
//! |---|---|
//! | [`xml`] | any XML document, to a value (`inia_protocol::generic_xml`) |
//! | [`parse_query`], [`parse_ec2`], [`parse_json`], [`parse_rest_json`], [`parse_rest_xml`], [`parse_cbor`] | a response: a selector byte (operation, status), optional headers, the body (see [`response`]) |
//! | [`serialize_query`], [`serialize_ec2`], [`serialize_json`], [`serialize_rest_json`], [`serialize_rest_xml`] | a selector byte (operation), then the call's parameters as JSON |
//! | [`event_stream`] | an event-stream body for one of three streaming operations |
//! | [`model`] | a `service-2.json` model |
//! | [`ini`] | a shared config or credentials file |
//! | [`shorthand`] | an AWS CLI shorthand argument (`Key=a,Values=[b,c]`) |
//! | [`jmespath`] | a JMESPath expression, a newline, a JSON document |
//!
//! Owns the mapping of bytes to calls. Does not own the code under test, or running
//! libFuzzer (see `fuzz/` and `cargo xtask fuzz`).

pub mod cbor_seeds;
mod cli_shorthand;
mod config;
mod event_stream;
mod generic_xml;
mod jmes;
mod model;
mod parse;
pub mod response;
mod serialize;
pub mod specs;

pub use cli_shorthand::shorthand;
pub use config::ini;
pub use event_stream::event_stream;
pub use generic_xml::xml;
pub use jmes::jmespath;
pub use model::model;
pub use parse::{parse_cbor, parse_ec2, parse_json, parse_query, parse_rest_json, parse_rest_xml};
pub use serialize::{
    serialize_ec2, serialize_json, serialize_query, serialize_rest_json, serialize_rest_xml,
};

/// A fuzz target: the bytes in, nothing out.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/` spell
/// it.
pub const TARGETS: &[(&str, Target)] = &[
    ("xml", xml),
    ("parse_query", parse_query),
    ("parse_ec2", parse_ec2),
    ("parse_json", parse_json),
    ("parse_rest_json", parse_rest_json),
    ("parse_rest_xml", parse_rest_xml),
    ("parse_cbor", parse_cbor),
    ("model", model),
    ("ini", ini),
    ("shorthand", shorthand),
    ("jmespath", jmespath),
    ("event_stream", event_stream),
    ("serialize_query", serialize_query),
    ("serialize_ec2", serialize_ec2),
    ("serialize_json", serialize_json),
    ("serialize_rest_json", serialize_rest_json),
    ("serialize_rest_xml", serialize_rest_xml),
];

/// The first byte and the rest; `None` for empty input.
pub(crate) fn split_first(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(b, rest)| (*b, rest))
}

/// The entry `selector` picks from a non-empty list (wrapping around).
pub(crate) fn pick<T>(list: &[T], selector: usize) -> Option<&T> {
    if list.is_empty() {
        None
    } else {
        list.get(selector % list.len())
    }
}
