//! botocore's own functional tests of flexible checksums and request compression
//! (`tests/functional/test_httpchecksum.py` and `test_compress.py` in the pinned source
//! distribution), re-expressed here from their data: the Python files are run with
//! stand-ins for pytest and botocore's test helpers, only to read their test model, rule
//! set and case tables (`_request_checksum_calculation_cases()`...) as JSON; inia then
//! runs each case against a recording HTTPS server on 127.0.0.1 (`fault_server`):
//! - request checksums in headers (10 cases) and in `aws-chunked` trailers of a
//!   streaming operation (10 cases): the headers botocore expects, and the trailer line
//!   in the body;
//! - responses checked against their checksum: 9 that pass, 9 that fail (non-streamed
//!   and streamed each), the failure naming the expected and the computed checksum;
//! - the agent string's feature ids for each mix of algorithm and settings (11 cases),
//!   and `AE` for a caller's `x-amz-checksum-md5`;
//! - the compression case: the gzip body decompresses to botocore's expected query
//!   string, and the agent string names `L`.
//!
//! What the Python tests assert with pytest is re-expressed in Rust; the tables are
//! botocore's. Owns those assertions.

use inia::auth::config::Env;
use inia::{json, Body, Credentials, Session, SessionBuilder, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

mod fault_server;
use fault_server::*;

/// Reads a botocore functional test's module-level data and case tables as JSON.
const EXTRACT: &str = r#"
import json, sys, types
path = sys.argv[1]
pytest = types.ModuleType("pytest")
class _Mark:
    def parametrize(self, *a, **k):
        return lambda f: f
pytest.mark = _Mark()
pytest.fixture = lambda *a, **k: (lambda f: f)
pytest.raises = None
sys.modules["pytest"] = pytest
tests = types.ModuleType("tests")
tests.ClientHTTPStubber = tests.patch_load_service_model = None
tests.ALL_SERVICES = []
sys.modules["tests"] = tests
sys.modules["tests.functional"] = types.ModuleType("tests.functional")
ua = types.ModuleType("tests.functional.test_useragent")
ua.get_captured_ua_strings = ua.parse_registered_feature_ids = None
sys.modules["tests.functional.test_useragent"] = ua
ns = {}
exec(compile(open(path).read(), path, "exec"), ns)
out = {}
for name, value in ns.items():
    if name.isupper() and isinstance(value, dict):
        out[name] = value
    elif name.startswith("_") and name.endswith("_cases") and callable(value):
        out[name] = value()
print(json.dumps(out, default=lambda o: sorted(o) if isinstance(o, set) else repr(o)))
"#;

fn cache() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache")
}

/// The data of `tests/functional/<file>` of the pinned botocore source distribution.
fn botocore_test_data(file: &str) -> Value {
    let path = cache().join("botocore-1.44.5/tests/functional").join(file);
    assert!(
        path.exists(),
        "{}: `cargo xtask test` fetches botocore's source distribution",
        path.display()
    );
    let out = Command::new(cache().join("botocore-venv/bin/python"))
        .args(["-c", EXTRACT])
        .arg(&path)
        .output()
        .expect("the botocore venv's python (`cargo xtask test` installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the extracted data is JSON")
}

/// A spec folder holding `model` and `ruleset` as service `name`, the rule set's one
/// endpoint (`https://foo.bar`, which botocore's stubbed tests never reach) moved to `url`.
fn spec_dir(name: &str, model: &Value, ruleset: &Value, url: &str) -> tempfile::TempDir {
    let mut ruleset = ruleset.clone();
    ruleset["rules"][0]["endpoint"]["url"] = json!(url);
    let dir = tempfile::tempdir().unwrap();
    let version = model["metadata"]["apiVersion"].as_str().unwrap();
    let service = dir.path().join(name).join(version);
    std::fs::create_dir_all(&service).unwrap();
    std::fs::write(service.join("service-2.json"), model.to_string()).unwrap();
    std::fs::write(
        service.join("endpoint-rule-set-1.json"),
        ruleset.to_string(),
    )
    .unwrap();
    dir
}

fn builder(specs: &Path, ca: Option<&Path>, vars: &[(&str, &str)]) -> SessionBuilder {
    let mut env: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if let Some(ca) = ca {
        env.push(("AWS_CA_BUNDLE".into(), ca.display().to_string()));
    }
    Session::builder()
        .region("us-west-2")
        .spec_dir(specs)
        .credentials(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .env(Env::from_vars(env))
}

/// A client of the checksum test's service, over TLS trusting `ca`.
fn test_client(specs: &Path, ca: &Path, vars: &[(&str, &str)]) -> inia::Client {
    builder(specs, Some(ca), vars)
        .build()
        .unwrap()
        .client("testservice")
        .unwrap()
}

/// The checksum test's model and rule set, its endpoint at `server`.
fn checksum_specs(data: &Value, server: &FaultServer) -> tempfile::TempDir {
    spec_dir(
        "testservice",
        &data["TEST_CHECKSUM_SERVICE_MODEL"],
        &data["TEST_CHECKSUM_RULESET"],
        &server.url(),
    )
}

fn header(seen: &Seen, name: &str) -> String {
    seen.header(name).unwrap_or_default()
}

fn features(seen: &Seen) -> Vec<String> {
    header(seen, "user-agent")
        .split(' ')
        .filter_map(|t| t.strip_prefix("m/"))
        .flat_map(|ids| ids.split(','))
        .map(str::to_string)
        .collect()
}

/// The payload every case sends and receives.
fn payload(case: &Value) -> &str {
    case[1].as_str().unwrap()
}

fn params(case: &Value) -> Value {
    let mut p = json!({"body": payload(case)});
    if let Some(alg) = case[0].as_str() {
        p["checksumAlgorithm"] = json!(alg);
    }
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_checksums_as_botocores_functional_tests_expect() {
    let data = botocore_test_data("test_httpchecksum.py");
    let (server, ca) = FaultServer::answering_tls(|_| respond(200, "{}")).await;
    let specs = checksum_specs(&data, &server);
    let client = test_client(specs.path(), ca.path(), &[]);
    let plain = data["_request_checksum_calculation_cases"]
        .as_array()
        .unwrap();
    for case in plain {
        client
            .call("HttpChecksumOperation", params(case))
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let seen = server.seen().pop().unwrap();
        for (k, v) in case[2].as_object().unwrap() {
            assert_eq!(header(&seen, k), v.as_str().unwrap(), "{case}: {k}");
        }
    }
    let streaming = data["_streaming_request_checksum_calculation_cases"]
        .as_array()
        .unwrap();
    for case in streaming {
        let mut p = params(case);
        let body = p.as_object_mut().unwrap().remove("body").unwrap();
        let upload = Body::from_bytes(body.as_str().unwrap().to_string());
        client
            .call_with("HttpChecksumStreamingOperation", p, Some(upload))
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let seen = server.seen().pop().unwrap();
        for (k, v) in case[2].as_object().unwrap() {
            assert_eq!(header(&seen, k), v.as_str().unwrap(), "{case}: {k}");
        }
        let raw = String::from_utf8_lossy(&seen.body).into_owned();
        for (k, v) in case[3].as_object().unwrap() {
            let line = format!("{k}:{}", v.as_str().unwrap());
            assert!(raw.contains(&line), "{case}: no `{line}` in {raw:?}");
        }
    }
    assert_eq!(plain.len() + streaming.len(), 20);
}

/// Answer each call with the case whose algorithm the request names: its payload and
/// checksum header.
fn answering(cases: &[Value]) -> impl Fn(&Seen) -> Act + Send + Sync + 'static {
    let cases = cases.to_vec();
    move |seen: &Seen| {
        let alg = seen.header("x-amz-request-algorithm").unwrap_or_default();
        let case = cases.iter().find(|c| c[0].as_str() == Some(alg.as_str()));
        match case {
            Some(c) => {
                let (k, v) = c[2].as_object().unwrap().iter().next().unwrap();
                Act::Respond {
                    status: 200,
                    headers: vec![
                        ("content-type", "application/octet-stream".into()),
                        (leak(k), v.as_str().unwrap().to_string()),
                    ],
                    body: payload(c).to_string(),
                }
            }
            None => respond(400, "{}"),
        }
    }
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_are_checked_as_botocores_functional_tests_expect() {
    let data = botocore_test_data("test_httpchecksum.py");
    let good = data["_successful_response_checksum_validation_cases"]
        .as_array()
        .unwrap();
    let bad = data["_unsuccessful_response_checksum_validation_cases"]
        .as_array()
        .unwrap();
    assert_eq!((good.len(), bad.len()), (9, 9));
    for (cases, pass) in [(good, true), (bad, false)] {
        let (server, ca) = FaultServer::answering_tls(answering(cases)).await;
        let specs = checksum_specs(&data, &server);
        let client = test_client(specs.path(), ca.path(), &[]);
        for case in cases {
            let plain = client.call("HttpChecksumOperation", params(case)).await;
            let mut p = params(case);
            let body = p.as_object_mut().unwrap().remove("body").unwrap();
            let upload = Body::from_bytes(body.as_str().unwrap().to_string());
            let streamed = match client
                .call_with("HttpChecksumStreamingOperation", p, Some(upload))
                .await
            {
                Ok(out) => out
                    .body
                    .unwrap()
                    .bytes()
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            let plain = plain.map(|_| ()).map_err(|e| e.to_string());
            for result in [plain, streamed] {
                match (pass, result) {
                    (true, r) => assert!(r.is_ok(), "{case}: {r:?}"),
                    (false, Ok(())) => panic!("{case}: a wrong checksum passed"),
                    (false, Err(e)) => {
                        // botocore: "Expected checksum X did not match calculated checksum: Y".
                        let (_, expected) = case[2].as_object().unwrap().iter().next().unwrap();
                        let computed = case[3].as_str().unwrap();
                        assert!(
                            e.contains(expected.as_str().unwrap()) && e.contains(computed),
                            "{case}: {e}"
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feature_ids_as_botocores_functional_tests_expect() {
    let data = botocore_test_data("test_httpchecksum.py");
    let (server, ca) = FaultServer::answering_tls(|_| respond(200, "")).await;
    let specs = checksum_specs(&data, &server);
    let cases = data["_checksum_user_agent_feature_id_cases"]
        .as_array()
        .unwrap();
    assert_eq!(cases.len(), 11);
    for case in cases {
        let mut vars = Vec::new();
        if let Some(c) = case[1].as_str() {
            vars.push(("AWS_REQUEST_CHECKSUM_CALCULATION", c));
        }
        if let Some(v) = case[2].as_str() {
            vars.push(("AWS_RESPONSE_CHECKSUM_VALIDATION", v));
        }
        let client = test_client(specs.path(), ca.path(), &vars);
        let mut p = json!({});
        if let Some(alg) = case[0].as_str() {
            p["checksumAlgorithm"] = json!(alg);
        }
        let upload = Body::from_bytes(case[3].as_str().unwrap().to_string());
        client
            .call_with("HttpChecksumStreamingOperation", p, Some(upload))
            .await
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let got = features(&server.seen().pop().unwrap());
        for id in case[4].as_array().unwrap() {
            assert!(
                got.contains(&id.as_str().unwrap().to_string()),
                "{case}: {got:?}"
            );
        }
    }
    // A caller's own MD5 checksum header names `AE`.
    let client = test_client(specs.path(), ca.path(), &[]);
    client
        .call(
            "HttpChecksumOperation",
            json!({"body": "test", "ChecksumMD5": "rL0Y20zC+Fzt72VPzMSk2A=="}),
        )
        .await
        .unwrap();
    let got = features(&server.seen().pop().unwrap());
    assert!(got.contains(&"AE".to_string()), "{got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compression_as_botocores_functional_test_expects() {
    use std::io::Read;
    let data = botocore_test_data("test_compress.py");
    let server = FaultServer::answering(|_| respond(200, "<MockOperationResponse/>")).await;
    let specs = spec_dir(
        "otherservice",
        &data["FAKE_MODEL"],
        &data["FAKE_RULESET"],
        &server.url(),
    );
    let client = builder(specs.path(), None, &[])
        .request_compression(Some(100))
        .build()
        .unwrap()
        .client("otherservice")
        .unwrap();
    let list: Vec<Value> = (1..=20)
        .map(|i| json!({"MockOpParam": format!("MockOpParamValue{i}")}))
        .collect();
    client
        .call("MockOperation", json!({"MockOpParamList": list}))
        .await
        .unwrap();
    let seen = server.seen().pop().unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&seen.body[..])
        .read_to_string(&mut text)
        .unwrap();
    let params: Vec<String> = (1..=20)
        .map(|i| format!("MockOpParamList.member.{i}.MockOpParam=MockOpParamValue{i}"))
        .collect();
    let expected = format!(
        "Action=MockOperation&Version=2020-02-02&{}",
        params.join("&")
    );
    assert_eq!(text, expected);
    assert!(
        features(&seen).contains(&"L".to_string()),
        "{}",
        header(&seen, "user-agent")
    );
}
