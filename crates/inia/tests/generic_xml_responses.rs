//! Generic XML in the parse path, against moto on 127.0.0.1:
//!
//! - a provider file and two service models written here, into a temporary spec folder,
//!   declare EC2 `DescribeKeyPairs` (`ec2` protocol) and S3 `ListObjects` (`rest-xml`)
//!   with inputs only, no output shapes: their answers come back whole, by the generic
//!   rules, and are checked against what the shipped specs read from the same state (an
//!   empty answer, to `DeleteBucket`, is still `{}`);
//! - `keep_unmodeled_xml`: moto (5.2) writes its answers from botocore's own shapes, so
//!   it sends nothing the shipped specs lack; copies of the shipped EC2 and S3 models
//!   with members removed (`KeyPairInfo.KeyFingerprint`, `Object.ETag`,
//!   `Owner.DisplayName`) stand in for a model older than its server. With the option
//!   the removed elements come back by the generic rules, beside the modeled members;
//!   without it (the default) they are absent, as botocore drops them.
//!
//! One moto serves the file (`Moto::shared`); each test uses its own key pair and bucket
//! names.
//!
//! Owns end-to-end checks of unshaped and unmodeled XML. Does not own the generic rules
//! themselves (`inia_protocol::generic_xml`'s tests) nor the shaped parsers' conformance.

use inia::auth::config::Env;
use inia::{json, Body, Credentials, Session, Value};
use inia_test_support::Moto;
use std::path::Path;

fn credentials() -> Credentials {
    Credentials::new("AKIDGENERIC", "generic-secret", None, None, "test")
}

/// A session with the shipped specs (and `spec_dir`'s, when given).
fn aws_session(moto: &Moto, spec_dir: Option<&Path>, keep: Option<bool>) -> Session {
    let mut b = Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(credentials())
        .env(Env::empty());
    if let Some(dir) = spec_dir {
        b = b.spec_dir(dir);
    }
    if let Some(on) = keep {
        b = b.keep_unmodeled_xml(on);
    }
    b.build().expect("session")
}

const PROVIDER: &str = r#"{
  "format": 1,
  "name": "inputs-only",
  "description": "EC2 and S3 operations described by their inputs alone",
  "settings": {"port": {"env": ["INPUTS_ONLY_PORT"]}},
  "services": {
    "compute": {"model": "inputs-only-ec2", "endpoint": "http://127.0.0.1:{port}",
                "signing": {"scheme": "v4", "name": "ec2", "region": "us-east-1"}},
    "storage": {"model": "inputs-only-s3", "endpoint": "http://127.0.0.1:{port}",
                "signing": {"scheme": "s3v4", "name": "s3", "region": "us-east-1"},
                "addressing": "path"}
  }
}"#;

const EC2_MODEL: &str = r#"{
  "version": "2.0",
  "metadata": {"apiVersion": "2016-11-15", "endpointPrefix": "ec2", "protocol": "ec2",
               "serviceId": "Inputs Only Compute", "signatureVersion": "v4"},
  "operations": {
    "DescribeKeyPairs": {"name": "DescribeKeyPairs",
                         "http": {"method": "POST", "requestUri": "/"},
                         "input": {"shape": "DescribeKeyPairsRequest"}}
  },
  "shapes": {
    "DescribeKeyPairsRequest": {"type": "structure", "members": {
      "KeyNames": {"shape": "Names", "locationName": "KeyName"}}},
    "Names": {"type": "list", "member": {"shape": "String", "locationName": "KeyName"}},
    "String": {"type": "string"}
  }
}"#;

const S3_MODEL: &str = r#"{
  "version": "2.0",
  "metadata": {"apiVersion": "2006-03-01", "endpointPrefix": "s3", "protocol": "rest-xml",
               "serviceId": "Inputs Only Storage", "signatureVersion": "s3v4"},
  "operations": {
    "ListObjects": {"name": "ListObjects",
                    "http": {"method": "GET", "requestUri": "/{Bucket}"},
                    "input": {"shape": "ListObjectsRequest"}},
    "DeleteBucket": {"name": "DeleteBucket",
                     "http": {"method": "DELETE", "requestUri": "/{Bucket}", "responseCode": 204},
                     "input": {"shape": "DeleteBucketRequest"}}
  },
  "shapes": {
    "ListObjectsRequest": {"type": "structure", "required": ["Bucket"], "members": {
      "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"},
      "Prefix": {"shape": "String", "location": "querystring", "locationName": "prefix"}}},
    "DeleteBucketRequest": {"type": "structure", "required": ["Bucket"], "members": {
      "Bucket": {"shape": "String", "location": "uri", "locationName": "Bucket"}}},
    "String": {"type": "string"}
  }
}"#;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("spec folder");
    std::fs::write(path, text).expect("spec file");
}

/// The session of the `inputs-only` provider, on moto's port.
fn inputs_only_session(moto: &Moto, dir: &Path) -> Session {
    write(dir, "providers/inputs-only.json", PROVIDER);
    write(dir, "inputs-only-ec2/2016-11-15/service-2.json", EC2_MODEL);
    write(dir, "inputs-only-s3/2006-03-01/service-2.json", S3_MODEL);
    Session::builder()
        .spec_dir(dir)
        .provider("inputs-only")
        .credentials(credentials())
        .env(Env::empty().with_var("INPUTS_ONLY_PORT", moto.port.to_string()))
        .build()
        .expect("inputs-only session")
}

fn without_metadata(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.shift_remove("ResponseMetadata");
    }
    v
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not text in {v}"))
}

/// `2026-12-08T00:16:33Z` and `2026-12-08T00:16:33.000Z` name the same second.
fn same_second(shaped: &str, wire: &str) -> bool {
    let second = shaped.trim_end_matches('Z');
    wire.starts_with(second) && wire.ends_with('Z')
}

async fn put_objects(s3: &inia::Client, bucket: &str, objects: &[(&str, &str)]) -> Vec<String> {
    s3.call("CreateBucket", json!({"Bucket": bucket}))
        .await
        .expect("bucket");
    let mut etags = Vec::new();
    for (key, body) in objects {
        let put = s3
            .call_with(
                "PutObject",
                json!({"Bucket": bucket, "Key": key}),
                Some(Body::from_bytes(bytes::Bytes::from(body.to_string()))),
            )
            .await
            .expect("put");
        etags.push(text(&put.value, "ETag").to_string());
    }
    etags
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_without_output_shapes_answer_with_the_whole_body() {
    let moto = Moto::shared();
    let aws = aws_session(moto, None, None);
    let ec2 = aws.client("ec2").unwrap();
    let names = ["gx-none-1", "gx-none-2"];
    for name in names {
        ec2.call("CreateKeyPair", json!({"KeyName": name}))
            .await
            .expect("key pair");
    }
    let shaped = ec2
        .call("DescribeKeyPairs", json!({"KeyNames": names}))
        .await
        .unwrap();
    let shaped_pairs = shaped["KeyPairs"].as_array().expect("KeyPairs");
    assert_eq!(shaped_pairs.len(), 2, "{shaped}");

    let dir = tempfile::tempdir().unwrap();
    let session = inputs_only_session(moto, dir.path());
    let got = session
        .client("compute")
        .unwrap()
        .call("DescribeKeyPairs", json!({"KeyNames": names}))
        .await
        .unwrap();
    // The request id went to ResponseMetadata, as with a shape; it is not output.
    assert!(
        got["ResponseMetadata"]["RequestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{got}"
    );
    assert_eq!(got["ResponseMetadata"]["HTTPStatusCode"], 200);
    let got = without_metadata(got);
    // Every item as moto wrote it: element names, text values, `<tagSet/>` as "".
    let created: Vec<&str> = got["keySet"]
        .as_array()
        .unwrap_or_else(|| panic!("keySet is a list: {got}"))
        .iter()
        .map(|p| text(p, "createTime"))
        .collect();
    let expected: Vec<Value> = shaped_pairs
        .iter()
        .zip(&created)
        .map(|(p, created)| {
            assert!(
                same_second(text(p, "CreateTime"), created),
                "{p} / {created}"
            );
            json!({
                "keyPairId": p["KeyPairId"],
                "tagSet": "",
                "createTime": created,
                "keyName": p["KeyName"],
                "keyFingerprint": p["KeyFingerprint"],
            })
        })
        .collect();
    assert_eq!(got, json!({"keySet": expected}));
    for (item, name) in expected.iter().zip(names) {
        assert_eq!(item["keyName"], name);
        let print = text(item, "keyFingerprint");
        assert!(print.len() > 40 && print.contains(':'), "{print}");
    }

    // rest-xml: S3 ListObjects.
    let s3 = aws.client("s3").unwrap();
    let bucket = "gx-none-bucket";
    let objects = [("a.txt", "hello"), ("dir/b.txt", "hello, world")];
    let etags = put_objects(&s3, bucket, &objects).await;
    let shaped = s3
        .call("ListObjects", json!({"Bucket": bucket}))
        .await
        .unwrap();
    let storage = session.client("storage").unwrap();
    let got = storage
        .call("ListObjects", json!({"Bucket": bucket}))
        .await
        .unwrap();
    assert_eq!(got["ResponseMetadata"]["HTTPStatusCode"], 200, "{got}");
    let got = without_metadata(got);
    let listed = got["Contents"].as_array().expect("Contents is a list");
    let contents: Vec<Value> = objects
        .iter()
        .zip(&etags)
        .zip(shaped["Contents"].as_array().expect("Contents"))
        .zip(listed)
        .map(|((((key, body), etag), s), g)| {
            assert_eq!(&s["ETag"], etag);
            let modified = text(g, "LastModified");
            assert!(same_second(text(s, "LastModified"), modified), "{s} / {g}");
            json!({
                "Key": key,
                "LastModified": modified,
                "ETag": etag,
                "Size": body.len().to_string(),
                "StorageClass": "STANDARD",
                "Owner": {"DisplayName": s["Owner"]["DisplayName"], "ID": s["Owner"]["ID"]},
            })
        })
        .collect();
    assert_eq!(
        got,
        json!({"IsTruncated": "false", "Contents": contents, "Name": bucket, "MaxKeys": "1000"})
    );
    assert!(
        etags.iter().all(|e| e.starts_with('"') && e.len() == 34),
        "{etags:?}"
    );

    // An answer with no body at all (moto's 204 to DeleteBucket) is still `{}`.
    s3.call("CreateBucket", json!({"Bucket": "gx-none-empty"}))
        .await
        .expect("bucket");
    let deleted = storage
        .call("DeleteBucket", json!({"Bucket": "gx-none-empty"}))
        .await
        .unwrap();
    assert_eq!(
        deleted["ResponseMetadata"]["HTTPStatusCode"], 204,
        "{deleted}"
    );
    assert_eq!(without_metadata(deleted), json!({}));
    let gone = s3
        .call("HeadBucket", json!({"Bucket": "gx-none-empty"}))
        .await
        .unwrap_err();
    assert_eq!(gone.status(), Some(404), "{gone}");
}

/// A copy of a shipped model with members removed from some structures.
fn trimmed_model(dir: &Path, service: &str, version: &str, cut: &[(&str, &str)]) {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../service-specs")
        .join(service)
        .join(version)
        .join("service-2.json");
    let mut model: Value =
        serde_json::from_slice(&std::fs::read(&shipped).expect("shipped model")).unwrap();
    for (shape, member) in cut {
        let removed = model["shapes"][shape]["members"]
            .as_object_mut()
            .and_then(|m| m.shift_remove(*member));
        assert!(
            removed.is_some(),
            "{shape}.{member} is in the shipped model"
        );
    }
    write(
        dir,
        &format!("{service}/{version}/service-2.json"),
        &model.to_string(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmodeled_elements_are_kept_only_when_asked() {
    let moto = Moto::shared();
    let plain = aws_session(moto, None, None);
    let names = ["gx-keep-1"];
    plain
        .client("ec2")
        .unwrap()
        .call("CreateKeyPair", json!({"KeyName": names[0]}))
        .await
        .expect("key pair");
    let bucket = "gx-keep-bucket";
    let objects = [("k1", "one"), ("k2", "two!")];
    let etags = put_objects(&plain.client("s3").unwrap(), bucket, &objects).await;
    let shipped_pairs = plain
        .client("ec2")
        .unwrap()
        .call("DescribeKeyPairs", json!({"KeyNames": names}))
        .await
        .unwrap();
    let shipped_list = plain
        .client("s3")
        .unwrap()
        .call("ListObjects", json!({"Bucket": bucket}))
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    trimmed_model(
        dir.path(),
        "ec2",
        "2016-11-15",
        &[("KeyPairInfo", "KeyFingerprint")],
    );
    trimmed_model(
        dir.path(),
        "s3",
        "2006-03-01",
        &[("Object", "ETag"), ("Owner", "DisplayName")],
    );
    for keep in [None, Some(false), Some(true)] {
        let s = aws_session(moto, Some(dir.path()), keep);
        assert_eq!(s.keep_unmodeled_xml(), keep == Some(true));
        let pairs = s
            .client("ec2")
            .unwrap()
            .call("DescribeKeyPairs", json!({"KeyNames": names}))
            .await
            .unwrap();
        let listed = s
            .client("s3")
            .unwrap()
            .call("ListObjects", json!({"Bucket": bucket}))
            .await
            .unwrap();
        let pair = &pairs["KeyPairs"][0];
        let shipped_pair = &shipped_pairs["KeyPairs"][0];
        let mut expected_pair = shipped_pair.clone();
        let print = expected_pair
            .as_object_mut()
            .and_then(|o| o.shift_remove("KeyFingerprint"))
            .expect("the shipped model reads KeyFingerprint");
        let mut expected_list = without_metadata(shipped_list.clone());
        for (i, c) in expected_list["Contents"]
            .as_array_mut()
            .expect("Contents")
            .iter_mut()
            .enumerate()
        {
            let o = c.as_object_mut().expect("an object");
            assert_eq!(o.shift_remove("ETag"), Some(Value::from(etags[i].clone())));
            let owner = o["Owner"].as_object_mut().expect("Owner");
            let display = owner.shift_remove("DisplayName").expect("DisplayName");
            if keep == Some(true) {
                // After the modeled members, named by the element, text as sent.
                o["Owner"]["DisplayName"] = display;
                o.insert("ETag".into(), Value::from(etags[i].clone()));
            }
        }
        if keep == Some(true) {
            expected_pair["keyFingerprint"] = print;
            // Top level: the root's `requestId` stays in ResponseMetadata only.
            assert!(pairs.get("requestId").is_none(), "{pairs}");
        }
        assert_eq!(pair, &expected_pair, "keep {keep:?}");
        assert_eq!(without_metadata(listed), expected_list, "keep {keep:?}");
    }
    // Every other member is read as the shipped model reads it, and the environment
    // variable turns the option on as the builder does.
    let env = Env::empty().with_var("INIA_KEEP_UNMODELED_XML", "true");
    let s = Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint())
        .credentials(credentials())
        .spec_dir(dir.path())
        .env(env)
        .build()
        .unwrap();
    assert!(s.keep_unmodeled_xml());
    let pairs = s
        .client("ec2")
        .unwrap()
        .call("DescribeKeyPairs", json!({"KeyNames": names}))
        .await
        .unwrap();
    assert_eq!(
        pairs["KeyPairs"][0]["keyFingerprint"],
        shipped_pairs["KeyPairs"][0]["KeyFingerprint"]
    );
    let bad = Session::builder()
        .env(Env::empty().with_var("INIA_KEEP_UNMODELED_XML", "yes"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(bad.contains("INIA_KEEP_UNMODELED_XML"), "{bad}");
}
