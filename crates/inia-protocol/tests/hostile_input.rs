//! Truncated, garbled and hostile responses, spec files and params: each must give a
//! value or an error, never a panic. Inputs are generated from valid seeds by a seeded
//! pseudo-random mutator, so a failure is reproducible from its printed seed.

use inia_model::{ServiceModel, SpecPath};
use inia_protocol::{generic_xml, parse, serialize};
use serde_json::{json, Value};

/// xorshift64*: small, deterministic, good enough to pick mutations.
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

const JUNK: &[&[u8]] = &[
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#xFFFFFF;",
    b"&lol;",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    b"\xff\xfe",
    b"\0",
    b"1e99999",
    b"-",
    b"null",
    b"</",
    b"<a:b xmlns:a='u'>",
    b"\\u0000",
    b"\\ud800",
    b"99999999999999999999999",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(6) {
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
            3 if !b.is_empty() => {
                let i = rng.below(b.len());
                let j = (i + rng.below(64)).min(b.len());
                b.drain(i..j);
            }
            4 if !b.is_empty() => {
                let i = rng.below(b.len());
                let j = (i + rng.below(128)).min(b.len());
                let dup = b[i..j].to_vec();
                b.splice(j..j, dup);
            }
            _ => {
                let deep = if rng.below(2) == 0 {
                    "<a>".repeat(5000)
                } else {
                    "[".repeat(5000)
                };
                let i = rng.below(b.len() + 1);
                b.splice(i..i, deep.into_bytes());
            }
        }
    }
    b
}

const REST_JSON_MODEL: &str = r#"{
  "metadata": {"protocol": "rest-json", "apiVersion": "2020-01-01", "endpointPrefix": "t"},
  "operations": {"Get": {"name": "Get", "http": {"method": "GET", "requestUri": "/things/{Id}"},
    "input": {"shape": "In"}, "output": {"shape": "Out"}, "errors": [{"shape": "Oops"}]}},
  "shapes": {
    "In": {"type": "structure", "required": ["Id"], "members": {
      "Id": {"shape": "S", "location": "uri", "locationName": "Id"},
      "Q": {"shape": "L", "location": "querystring", "locationName": "q"}}},
    "Out": {"type": "structure", "members": {
      "Name": {"shape": "S"}, "When": {"shape": "T"}, "Tags": {"shape": "M"}, "Items": {"shape": "L"},
      "Data": {"shape": "B"}, "N": {"shape": "I"}, "F": {"shape": "D"},
      "H": {"shape": "S", "location": "header", "locationName": "x-h"}}},
    "Oops": {"type": "structure", "exception": true, "members": {"Message": {"shape": "S"}}},
    "S": {"type": "string"}, "T": {"type": "timestamp"}, "B": {"type": "blob"},
    "I": {"type": "integer"}, "D": {"type": "double"},
    "L": {"type": "list", "member": {"shape": "S"}},
    "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}}
  }
}"#;

struct Seed {
    model: ServiceModel,
    op: &'static str,
    bodies: Vec<&'static [u8]>,
}

fn seeds() -> Vec<Seed> {
    let specs = SpecPath::embedded_only();
    vec![
        Seed {
            model: specs.load_service("sts").unwrap(),
            op: "GetCallerIdentity",
            bodies: vec![
                br#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::1:user/x</Arn><UserId>U</UserId><Account>1</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>"#,
                br#"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>slow</Message></Error><RequestId>r</RequestId></ErrorResponse>"#,
            ],
        },
        Seed {
            model: specs.load_service("ec2").unwrap(),
            op: "DescribeInstances",
            bodies: vec![
                br#"<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-1</instanceId><launchTime>2020-01-01T00:00:00.000Z</launchTime><tagSet><item><key>Name</key><value>x</value></item></tagSet><blockDeviceMapping/></item></instancesSet></item></reservationSet><nextToken>t</nextToken></DescribeInstancesResponse>"#,
                br#"<Response><Errors><Error><Code>AuthFailure</Code><Message>no</Message></Error></Errors><RequestID>r</RequestID></Response>"#,
            ],
        },
        Seed {
            model: specs.load_service("dynamodb").unwrap(),
            op: "Query",
            bodies: vec![
                br#"{"Count":1,"Items":[{"pk":{"S":"a"},"n":{"N":"1"},"b":{"B":"AAEC"},"l":{"L":[{"BOOL":true},{"NULL":true}]}}],"LastEvaluatedKey":{"pk":{"S":"a"}},"ScannedCount":1}"#,
                br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"no table"}"#,
            ],
        },
        Seed {
            model: specs.load_service("s3").unwrap(),
            op: "ListObjectsV2",
            bodies: vec![
                br#"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>a b</Key><LastModified>2020-01-01T00:00:00.000Z</LastModified><ETag>&quot;x&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>"#,
                br#"<Error><Code>NoSuchBucket</Code><Message>none</Message><BucketName>b</BucketName><RequestId>r</RequestId></Error>"#,
            ],
        },
        Seed {
            model: ServiceModel::from_static(REST_JSON_MODEL, "rest-json test model").unwrap(),
            op: "Get",
            bodies: vec![
                br#"{"Name":"n","When":1422172800.5,"Tags":{"a":"b"},"Items":["x"],"Data":"AAEC","N":3,"F":"NaN"}"#,
                br#"{"__type":"Oops","Message":"bad"}"#,
            ],
        },
    ]
}

#[test]
fn mutated_responses_never_panic() {
    let mut total = 0;
    for (si, seed) in seeds().iter().enumerate() {
        let op = seed.model.operation(seed.op).unwrap();
        for (bi, body) in seed.bodies.iter().enumerate() {
            for n in 0..800u64 {
                let mut rng =
                    Rng(0x9E37_79B9_7F4A_7C15 ^ ((si as u64) << 40 | (bi as u64) << 32 | n));
                let bad = mutate(&mut rng, body);
                let status = [200u16, 400, 500, 200][rng.below(4)];
                let mut headers = http::HeaderMap::new();
                if rng.below(3) == 0 {
                    headers.insert("x-h", http::HeaderValue::from_static("v"));
                    headers.insert(
                        "x-amzn-errortype",
                        http::HeaderValue::from_static("Oops:http://x"),
                    );
                }
                let ctx = format!("seed {si}/{bi}/{n}: {:?}", String::from_utf8_lossy(&bad));
                let r = std::panic::catch_unwind(|| {
                    let _ = parse(&seed.model, &op, status, &headers, &bad);
                    let _ = generic_xml::to_value(&bad);
                });
                assert!(r.is_ok(), "panic on {ctx}");
                total += 1;
            }
        }
    }
    assert_eq!(total, 8000);
}

#[test]
fn mutated_spec_files_give_errors_not_panics() {
    let base = REST_JSON_MODEL.as_bytes();
    for n in 0..3000u64 {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ n);
        let bad = mutate(&mut rng, base);
        let Ok(text) = String::from_utf8(bad) else {
            continue;
        };
        let r = std::panic::catch_unwind(|| {
            let Ok(m) = ServiceModel::from_string(text.clone(), "mutated.json") else {
                return;
            };
            let names: Vec<String> = m.operation_names().map(str::to_string).collect();
            for name in names {
                let _ = serialize(&m, &name, &json!({"Id": "x", "Q": ["a"]}));
                if let Ok(op) = m.operation(&name) {
                    let _ = parse(&m, &op, 200, &http::HeaderMap::new(), b"{\"Name\":\"n\"}");
                }
            }
        });
        assert!(r.is_ok(), "panic on spec {n}: {text}");
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 4 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(f64::from_bits(rng.next()).to_string()),
        4 => json!(
            [
                "",
                "x",
                "NaN",
                "2015-01-25T08:00:00Z",
                "AAEC",
                "{Key+}",
                "a/b?c=d&e"
            ][rng.below(7)]
        ),
        5 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "Id",
                "Q",
                "Filters",
                "Name",
                "Values",
                "MaxResults",
                "Bucket",
                "Key",
                "Body",
                "Metadata",
                "TableName",
                "KeyConditionExpression",
                "ExpressionAttributeValues",
                "S",
            ];
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(5) {
                m.insert(
                    keys[rng.below(keys.len())].into(),
                    random_value(rng, depth + 1),
                );
            }
            Value::Object(m)
        }
    }
}

#[test]
fn random_params_give_errors_not_panics() {
    let seeds = seeds();
    let ops = [
        ("ec2", "DescribeInstances"),
        ("s3", "PutObject"),
        ("dynamodb", "Query"),
        ("sts", "AssumeRole"),
    ];
    for n in 0..3000u64 {
        let mut rng = Rng(0xA076_1D64_78BD_642F ^ n);
        let params = random_value(&mut rng, 0);
        for (svc, op) in ops {
            let model = match svc {
                "ec2" => &seeds[1].model,
                "s3" => &seeds[3].model,
                "dynamodb" => &seeds[2].model,
                _ => &seeds[0].model,
            };
            let r = std::panic::catch_unwind(|| {
                let _ = serialize(model, op, &params);
                if let Ok(o) = model.operation(op) {
                    let _ = inia_protocol::serialize_operation(model, &o, &params);
                }
            });
            assert!(r.is_ok(), "panic on {svc}.{op} params {params}");
        }
    }
}

/// One element with 160,000 attributes (2.5 MB): read once each (quick-xml's duplicate
/// check alone was quadratic: 21 s), all kept by the generic reader; a repeated name is an
/// error naming it.
#[test]
fn many_attributes_are_read_in_one_pass() {
    let mut doc = String::from("<r");
    for i in 0..160_000 {
        doc.push_str(&format!(" a{i}=\"v{i}\""));
    }
    doc.push_str("/>");
    assert!(doc.len() > 2_500_000);
    let v = generic_xml::to_value(doc.as_bytes()).unwrap();
    let r = v.as_object().unwrap();
    assert_eq!(r.len(), 160_000);
    assert_eq!(r["@a159999"], "v159999");
    let e = generic_xml::to_value(br#"<r a="1" b="2" a="3"/>"#).unwrap_err();
    assert!(e.to_string().contains("attribute a appears twice"), "{e}");
}
