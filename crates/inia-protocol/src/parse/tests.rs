//! End-to-end parser tests through [`crate::parse`]: response metadata, error values,
//! and hostile input (garbage, truncation, entity bombs, deep nesting) that must give
//! errors, never panics, for operations with and without output shapes, with and
//! without `keep_unmodeled_xml`.
//!
//! Owns cross-module parser tests. Does not own per-module rules (each module tests its
//! own) nor the published conformance vectors (see `tests/conformance`).

use crate::error::ProtocolError;
use inia_model::ServiceModel;
use serde_json::{json, Value};

fn model(protocol: &str, extra_ops: Value, shapes: Value) -> ServiceModel {
    let mut ops = json!({
        "Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
               "output": {"shape": "Out", "resultWrapper": "OpResult"}, "errors": [{"shape": "Boom"}]}
    });
    if let (Some(o), Some(extra)) = (ops.as_object_mut(), extra_ops.as_object()) {
        o.extend(extra.clone());
    }
    let mut all = json!({
        "Out": {"type": "structure", "members": {
            "Name": {"shape": "S"}, "Count": {"shape": "I"}, "Items": {"shape": "L"}
        }},
        "Boom": {"type": "structure", "exception": true, "members": {
            "Reason": {"shape": "S"}, "Message": {"shape": "S"}
        }},
        "L": {"type": "list", "member": {"shape": "S"}},
        "S": {"type": "string"}, "I": {"type": "integer"}
    });
    if let (Some(o), Some(extra)) = (all.as_object_mut(), shapes.as_object()) {
        o.extend(extra.clone());
    }
    let doc = json!({
        "metadata": {"protocol": protocol, "jsonVersion": "1.1", "targetPrefix": "T"},
        "operations": ops,
        "shapes": all,
    });
    ServiceModel::from_string(doc.to_string(), "test").unwrap()
}

fn run(
    m: &ServiceModel,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Value, ProtocolError> {
    let op = m.operation("Op").unwrap();
    let mut h = http::HeaderMap::new();
    for (k, v) in headers {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }
    crate::parse(m, &op, status, &h, body)
}

fn service(r: Result<Value, ProtocolError>) -> crate::error::ServiceError {
    match r {
        Err(ProtocolError::Service(e)) => *e,
        other => panic!("expected a service error, got {other:?}"),
    }
}

const PROTOCOLS: [&str; 5] = ["query", "ec2", "json", "rest-json", "rest-xml"];

#[test]
fn response_metadata() {
    let m = model("query", json!({}), json!({}));
    let body = b"<OpResponse><OpResult><Name>n</Name></OpResult>
        <ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></OpResponse>";
    let v = run(&m, 200, &[("X-Thing", "a"), ("x-thing", "b")], body).unwrap();
    assert_eq!(v["Name"], "n");
    assert_eq!(
        v["ResponseMetadata"],
        json!({"RequestId": "rid", "HTTPStatusCode": 200, "HTTPHeaders": {"x-thing": "a, b"}})
    );
    let m = model("ec2", json!({}), json!({}));
    let v = run(
        &m,
        200,
        &[],
        b"<OpResponse><requestId>e</requestId></OpResponse>",
    )
    .unwrap();
    assert_eq!(v["ResponseMetadata"]["RequestId"], "e");
    let m = model("rest-xml", json!({}), json!({}));
    let h = [("x-amz-request-id", "r"), ("x-amz-id-2", "h")];
    let v = run(&m, 200, &h, b"").unwrap();
    assert_eq!(v["ResponseMetadata"]["RequestId"], "r");
    assert_eq!(v["ResponseMetadata"]["HostId"], "h");
    let m = model("json", json!({}), json!({}));
    let v = run(&m, 200, &[("x-amzn-RequestId", "j")], b"{\"Count\": 3}").unwrap();
    assert_eq!(v["Count"], 3);
    assert_eq!(v["ResponseMetadata"]["RequestId"], "j");
}

#[test]
fn error_values() {
    let m = model("query", json!({}), json!({}));
    let body = b"<ErrorResponse><Error><Type>Sender</Type><Code>Boom</Code>
        <Message>bad</Message><Reason>why</Reason></Error><RequestId>q</RequestId></ErrorResponse>";
    let e = service(run(&m, 400, &[], body));
    assert_eq!((e.code.as_str(), e.message.as_str()), ("Boom", "bad"));
    assert_eq!(e.request_id.as_deref(), Some("q"));
    assert_eq!(e.value["Error"]["Type"], "Sender");
    assert_eq!(e.value["Reason"], "why");
    assert_eq!(e.value["ResponseMetadata"]["HTTPStatusCode"], 400);

    let m = model("rest-xml", json!({}), json!({}));
    let body = b"<Error><Code>NoSuchKey</Code><Message>gone</Message>
        <RequestId>b</RequestId><HostId>hb</HostId></Error>";
    let e = service(run(&m, 404, &[("x-amz-request-id", "hdr")], body));
    assert_eq!(e.code, "NoSuchKey");
    assert_eq!(e.request_id.as_deref(), Some("hdr"));
    assert!(e.value["Error"].get("RequestId").is_none());

    let m = model("json", json!({}), json!({}));
    let h = [("x-amzn-query-error", "AWS.Old;Sender")];
    let e = service(run(
        &m,
        400,
        &h,
        b"{\"__type\": \"ns#Boom\", \"message\": \"m\", \"Reason\": \"r\"}",
    ));
    assert_eq!(e.code, "AWS.Old");
    assert_eq!(e.value["Error"]["QueryErrorCode"], "Boom");
    assert_eq!(e.value["Error"]["Type"], "Sender");

    let e = service(run(
        &m,
        400,
        &[],
        b"{\"__type\": \"ns#Boom\", \"Reason\": \"r\"}",
    ));
    assert_eq!(e.value["Reason"], "r");

    let e = service(run(&m, 503, &[], b"<html><body>down</body></html>"));
    assert_eq!(
        (e.code.as_str(), e.message.as_str()),
        ("503", "Service Unavailable")
    );
}

#[test]
fn unreadable_error_bodies_fall_back_to_the_status() {
    for p in PROTOCOLS {
        let m = model(p, json!({}), json!({}));
        for body in [
            &b"<Error><Code>x"[..],
            b"\xff\xfe garbage",
            b"{\"__type\": ",
        ] {
            let e = service(run(&m, 400, &[], body));
            assert!(!e.code.is_empty(), "{p}");
        }
    }
}

#[test]
fn hostile_success_bodies_are_parse_errors() {
    let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
        <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
        <OpResponse><OpResult><Name>&lol2;</Name></OpResult></OpResponse>"#;
    let deep_xml = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
    let deep_json = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    for p in ["query", "ec2", "rest-xml"] {
        let m = model(p, json!({}), json!({}));
        // rest-xml bodies are the output element itself; query's sit in a wrapper.
        let bad_count = match p {
            "rest-xml" => &b"<Out><Count>12abc</Count></Out>"[..],
            _ => b"<OpResponse><OpResult><Count>12abc</Count></OpResult></OpResponse>",
        };
        for body in [
            &bomb[..],
            b"<OpResponse><OpResult><Name>n</Name>",
            bad_count,
            deep_xml.as_bytes(),
        ] {
            match run(&m, 200, &[], body) {
                Err(ProtocolError::Parse { .. }) => {}
                other => panic!("{p}: {other:?}"),
            }
        }
    }
    for p in ["json", "rest-json"] {
        let m = model(p, json!({}), json!({}));
        for body in [
            &b"{\"Name\": \"n\""[..],
            b"{\"Count\": \"x\"}",
            deep_json.as_bytes(),
        ] {
            match run(&m, 200, &[], body) {
                Err(ProtocolError::Parse { .. }) => {}
                other => panic!("{p}: {other:?}"),
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"<>/=\"'&;#:x[]{},01 \n!?-ErrorCodeOpResult";
    for p in PROTOCOLS {
        let m = model(p, json!({}), json!({}));
        for _ in 0..300 {
            let len = (next() % 64) as usize;
            let body: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            for status in [200, 400, 500] {
                let _ = run(&m, status, &[], &body);
            }
        }
    }
}

#[test]
fn hostile_bodies_without_an_output_shape_are_errors_never_panics() {
    let bare = json!({"Bare": {"name": "Bare", "http": {"method": "POST", "requestUri": "/"}}});
    let bomb = br#"<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><BareResponse><x>&b;</x></BareResponse>"#;
    let deep = format!("{}{}", "<a>".repeat(50_000), "</a>".repeat(50_000));
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let alphabet = b"<>/=\"'&;#:x[]{},01 \n!?-BareResponseResultrequestIditemmember";
    for p in ["query", "ec2", "rest-xml"] {
        let m = model(p, bare.clone(), json!({}));
        let op = m.operation("Bare").unwrap();
        for keep in [false, true] {
            let options = crate::ParseOptions {
                keep_unmodeled_xml: keep,
                ..Default::default()
            };
            let h = http::HeaderMap::new();
            for body in [&bomb[..], b"<BareResponse><x>", deep.as_bytes()] {
                match crate::parse_with(&m, &op, 200, &h, body, &options) {
                    Err(ProtocolError::Parse { .. }) => {}
                    other => panic!("{p}: {other:?}"),
                }
            }
            for _ in 0..300 {
                let mut next = || {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed
                };
                let len = (next() % 64) as usize;
                let body: Vec<u8> = (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect();
                let _ = crate::parse_with(&m, &op, 200, &h, &body, &options);
                let op = m.operation("Op").unwrap();
                let _ = crate::parse_with(&m, &op, 200, &h, &body, &options);
            }
        }
    }
}

/// `wire_timestamps`: every timestamp as the server sent it (JSON numbers, XML text,
/// header text); off, RFC 3339 in UTC. The switch lasts for the one parse.
#[test]
fn wire_timestamps_keep_the_servers_text() {
    let wire = crate::ParseOptions {
        wire_timestamps: true,
        ..Default::default()
    };
    let plain = crate::ParseOptions::default();
    let t = json!({"T": {"type": "timestamp"}});
    let out = json!({"type": "structure", "members": {"When": {"shape": "T"}}});
    let json_model = model("json", json!({}), json!({"Out": out, "T": t["T"]}));
    let op = json_model.operation("Op").unwrap();
    let h = http::HeaderMap::new();
    let body = br#"{"When": 1422172800.5}"#;
    let kept = crate::parse_with(&json_model, &op, 200, &h, body, &wire).unwrap();
    assert_eq!(kept["When"], json!(1422172800.5));
    let parsed = crate::parse_with(&json_model, &op, 200, &h, body, &plain).unwrap();
    assert_eq!(parsed["When"], json!("2015-01-25T08:00:00.5Z"));
    let xml_model = model("query", json!({}), json!({"Out": out, "T": t["T"]}));
    let op = xml_model.operation("Op").unwrap();
    let body =
        b"<OpResponse><OpResult><When>2015-01-25T08:00:00.500000Z</When></OpResult></OpResponse>";
    let kept = crate::parse_with(&xml_model, &op, 200, &h, body, &wire).unwrap();
    assert_eq!(kept["When"], json!("2015-01-25T08:00:00.500000Z"));
    let parsed = crate::parse_with(&xml_model, &op, 200, &h, body, &plain).unwrap();
    assert_eq!(parsed["When"], json!("2015-01-25T08:00:00.5Z"));
}
