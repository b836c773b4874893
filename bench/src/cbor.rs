//! CBOR next to JSON (issue 15): one CloudWatch `GetMetricData` answer of about 1 MB (as
//! JSON), parsed to a value by `inia_protocol::parse` once as a `smithy-rpc-v2-cbor` body
//! and once as an `awsJson1_0` body, with the same model.
//!
//! The model is botocore 1.44.5's CloudWatch (`cloudwatch/2010-08-01`, from the pinned
//! wheel's data), whose `protocols` are `smithy-rpc-v2-cbor`, `json`, `query` (inia, as
//! botocore, speaks it in `json`). It is loaded twice, its `protocols` narrowed to
//! `["smithy-rpc-v2-cbor"]` and to `["json"]`, so each parse takes its protocol's path and
//! nothing else differs. The answer: 9 series (`MetricDataResults`) of 4,032 points each
//! (14 days at 5-minute periods), newest first, full-precision doubles as an `Average`
//! gives, plus `Id`, `Label`, `StatusCode`, an empty `Messages` and a `NextToken`. JSON
//! writes timestamps as epoch seconds; the CBOR body (written here with `minicbor`, not
//! by inia) as tag 1 over a double, as rpcv2Cbor encoders do, floats as 64-bit. Both
//! values must be equal before anything is timed. Medians of 31 parses; two more rows
//! give the floors for scale: `minicbor`'s tokenizer alone over the CBOR body, and
//! `serde_json::from_slice::<Value>` of the JSON body (no model).
//!
//! Owns this benchmark.

use crate::{median, ms};
use inia_model::ServiceModel;
use serde_json::{json, Value};
use std::time::Duration;

const SERIES: usize = 9;
const POINTS: u64 = 4_032;
/// 2026-11-23T00:00:00Z, the newest point.
const NEWEST: u64 = 1_795_392_000;
const RUNS: usize = 31;

struct Series {
    id: String,
    label: String,
    timestamps: Vec<u64>,
    values: Vec<f64>,
}

fn series() -> Vec<Series> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..SERIES)
        .map(|m| {
            let values = (0..POINTS)
                .map(|_| {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (x >> 11) as f64 / (1u64 << 53) as f64 * 100.0
                })
                .collect();
            Series {
                id: format!("m{m}"),
                label: format!("CPUUtilization i-0123456789abcde{m:x} Average"),
                timestamps: (0..POINTS).map(|i| NEWEST - i * 300).collect(),
                values,
            }
        })
        .collect()
}

fn json_body(all: &[Series]) -> Vec<u8> {
    let results: Vec<Value> = all
        .iter()
        .map(|s| {
            json!({"Id": s.id, "Label": s.label, "Timestamps": s.timestamps,
                   "Values": s.values, "StatusCode": "Complete"})
        })
        .collect();
    serde_json::to_vec(&json!({
        "MetricDataResults": results,
        "Messages": [],
        "NextToken": "eyJ0b2tlbiI6ImJlbmNoIn0=",
    }))
    .expect("JSON")
}

fn cbor_body(all: &[Series]) -> Result<Vec<u8>, String> {
    use minicbor::data::Tag;
    let e = |e: minicbor::encode::Error<std::convert::Infallible>| e.to_string();
    let mut c = minicbor::Encoder::new(Vec::new());
    c.map(3)
        .map_err(e)?
        .str("MetricDataResults")
        .map_err(e)?
        .array(all.len() as u64)
        .map_err(e)?;
    for s in all {
        c.map(5)
            .map_err(e)?
            .str("Id")
            .map_err(e)?
            .str(&s.id)
            .map_err(e)?
            .str("Label")
            .map_err(e)?
            .str(&s.label)
            .map_err(e)?
            .str("Timestamps")
            .map_err(e)?
            .array(s.timestamps.len() as u64)
            .map_err(e)?;
        for t in &s.timestamps {
            c.tag(Tag::new(1)).map_err(e)?.f64(*t as f64).map_err(e)?;
        }
        c.str("Values")
            .map_err(e)?
            .array(s.values.len() as u64)
            .map_err(e)?;
        for v in &s.values {
            c.f64(*v).map_err(e)?;
        }
        c.str("StatusCode").map_err(e)?.str("Complete").map_err(e)?;
    }
    c.str("Messages")
        .map_err(e)?
        .array(0)
        .map_err(e)?
        .str("NextToken")
        .map_err(e)?
        .str("eyJ0b2tlbiI6ImJlbmNoIn0=")
        .map_err(e)?;
    Ok(c.into_writer())
}

/// botocore's CloudWatch model, spoken in `protocol` only.
fn model(protocol: &str) -> Result<ServiceModel, String> {
    let data = inia_conformance::botocore::wheel_data()?;
    let path = data.join("cloudwatch/2010-08-01/service-2.json.gz");
    let text = inia_model::read_text(&path).map_err(|e| e.to_string())?;
    let mut doc: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    doc["metadata"]["protocols"] = json!([protocol]);
    doc["metadata"]["protocol"] = json!(protocol);
    let m = ServiceModel::from_string(doc.to_string(), &format!("cloudwatch ({protocol})"))
        .map_err(|e| e.to_string())?;
    let chosen = inia_protocol::protocol(&m).map_err(|e| e.to_string())?;
    if chosen.name() != protocol {
        return Err(format!(
            "cloudwatch: spoken in {}, not {protocol}",
            chosen.name()
        ));
    }
    Ok(m)
}

/// Where two values first differ: a path and both sides.
fn difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
            if keys(x) != keys(y) {
                return Some(format!("{path}: keys {:?} against {:?}", keys(x), keys(y)));
            }
            x.iter()
                .find_map(|(k, v)| difference(v, &y[k], format!("{path}.{k}")))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| difference(v, w, format!("{path}[{i}]"))),
        _ => (a != b).then(|| format!("{path}: {a} against {b}")),
    }
}

pub fn run() -> Result<(), String> {
    let all = series();
    let json_bytes = json_body(&all);
    let cbor_bytes = cbor_body(&all)?;
    let (cbor_model, json_model) = (model("smithy-rpc-v2-cbor")?, model("json")?);
    let cbor_op = cbor_model
        .operation("GetMetricData")
        .map_err(|e| e.to_string())?;
    let json_op = json_model
        .operation("GetMetricData")
        .map_err(|e| e.to_string())?;
    let mut cbor_headers = http::HeaderMap::new();
    cbor_headers.insert("content-type", "application/cbor".parse().expect("header"));
    cbor_headers.insert("smithy-protocol", "rpc-v2-cbor".parse().expect("header"));
    let mut json_headers = http::HeaderMap::new();
    json_headers.insert(
        "content-type",
        "application/x-amz-json-1.0".parse().expect("header"),
    );
    let parse_cbor = || {
        inia_protocol::parse(&cbor_model, &cbor_op, 200, &cbor_headers, &cbor_bytes)
            .map_err(|e| format!("CBOR parse: {e}"))
    };
    let parse_json = || {
        inia_protocol::parse(&json_model, &json_op, 200, &json_headers, &json_bytes)
            .map_err(|e| format!("JSON parse: {e}"))
    };
    let (mut from_cbor, mut from_json) = (parse_cbor()?, parse_json()?);
    // The headers given differ (content type, `smithy-protocol`); the rest must not.
    for v in [&mut from_cbor, &mut from_json] {
        if let Some(m) = v["ResponseMetadata"].as_object_mut() {
            m.remove("HTTPHeaders");
        }
    }
    if let Some(at) = difference(&from_cbor, &from_json, String::new()) {
        return Err(format!("CBOR and JSON parses differ at {at}"));
    }
    let results = from_json["MetricDataResults"]
        .as_array()
        .map_or(0, Vec::len);
    let points: usize = from_json["MetricDataResults"].as_array().map_or(0, |a| {
        a.iter()
            .map(|r| r["Values"].as_array().map_or(0, Vec::len))
            .sum()
    });
    if results != SERIES || points != SERIES * POINTS as usize {
        return Err(format!("parsed {results} series, {points} points"));
    }
    let t_cbor = median(
        || {
            std::hint::black_box(parse_cbor().ok());
        },
        RUNS,
    );
    let t_json = median(
        || {
            std::hint::black_box(parse_json().ok());
        },
        RUNS,
    );
    let t_raw = median(
        || {
            std::hint::black_box(serde_json::from_slice::<Value>(&json_bytes).ok());
        },
        RUNS,
    );
    let t_tokens = median(
        || {
            let mut d = minicbor::Decoder::new(&cbor_bytes);
            std::hint::black_box(d.tokens().filter(Result::is_ok).count());
        },
        RUNS,
    );
    let mb = |n: usize| n as f64 / (1 << 20) as f64;
    let rate = |n: usize, d: Duration| mb(n) / d.as_secs_f64();
    println!(
        "| CloudWatch GetMetricData answer ({SERIES} series × {POINTS} points) as smithy-rpc-v2-cbor, {} bytes, to a value by the model | {} ({:.0} MB/s of CBOR) \
         | the same answer as awsJson1_0, {} bytes: {} ({:.0} MB/s of JSON) | CBOR takes {:.2}x JSON's time |",
        cbor_bytes.len(),
        ms(t_cbor),
        rate(cbor_bytes.len(), t_cbor),
        json_bytes.len(),
        ms(t_json),
        rate(json_bytes.len(), t_json),
        t_cbor.as_secs_f64() / t_json.as_secs_f64()
    );
    println!(
        "| the same CBOR bytes, `minicbor`'s tokenizer only (what inia's CBOR reader is built on) | {} ({:.0} MB/s) | | |",
        ms(t_tokens),
        rate(cbor_bytes.len(), t_tokens)
    );
    println!(
        "| the same JSON bytes, `serde_json::from_slice::<Value>` (no model, timestamps left numbers) | {} ({:.0} MB/s) | | |",
        ms(t_raw),
        rate(json_bytes.len(), t_raw)
    );
    Ok(())
}
