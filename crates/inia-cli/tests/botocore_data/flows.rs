//! The service flows of `botocore_data.rs`: ssm, route53, lambda, kms, logs,
//! secretsmanager and kinesis through the `inia` binary with the botocore folder on the
//! spec path, each write checked through another command or the library.
//!
//! Owns those flows. Does not own the harness (see the parent file).

use super::{b64, call, stderr, unb64, Cli, Specs};
use inia::{json, Value};
use std::path::Path;

pub(super) fn ssm(cli: &Cli, lib: &inia::blocking::Session) {
    for i in 0..5 {
        let put = cli.json(&[
            "ssm",
            "put-parameter",
            "--name",
            &format!("/app/p{i}"),
            "--value",
            &format!("value-{i}"),
            "--type",
            "String",
        ]);
        assert_eq!(put["Version"], 1, "{put}");
    }
    cli.json(&[
        "ssm",
        "put-parameter",
        "--name",
        "/secure/db",
        "--value",
        "hunter2",
        "--type",
        "SecureString",
    ]);
    let got = cli.json(&[
        "ssm",
        "get-parameter",
        "--name",
        "/secure/db",
        "--with-decryption",
    ]);
    assert_eq!(got["Parameter"]["Value"], "hunter2", "{got}");
    assert_eq!(got["Parameter"]["Type"], "SecureString", "{got}");
    let raw = call(lib, "ssm", "GetParameter", json!({"Name": "/secure/db"}));
    assert_ne!(raw["Parameter"]["Value"], "hunter2", "not decrypted: {raw}");

    // --max-items then --starting-token until done: every parameter exactly once.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut args = vec![
            "ssm",
            "get-parameters-by-path",
            "--path",
            "/app",
            "--max-items",
            "2",
        ];
        if let Some(t) = &token {
            args.extend(["--starting-token", t.as_str()]);
        }
        let page = cli.json(&args);
        let names = page["Parameters"].as_array().expect("Parameters");
        assert!(names.len() <= 2, "{page}");
        seen.extend(
            names
                .iter()
                .map(|p| p["Name"].as_str().unwrap().to_string()),
        );
        match page["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
        if seen.len() == 2 {
            assert_eq!(
                names.len(),
                2,
                "the first output holds --max-items items: {page}"
            );
        }
    }
    seen.sort();
    let all: Vec<String> = (0..5).map(|i| format!("/app/p{i}")).collect();
    assert_eq!(seen, all);

    // --page-size 1: one request per parameter, one merged output.
    let out = cli.run(&[
        "--debug",
        "ssm",
        "get-parameters-by-path",
        "--path",
        "/app",
        "--page-size",
        "1",
        "--query",
        "Parameters[].Value",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let values: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(values.as_array().map(Vec::len), Some(5), "{values}");
    let requests = stderr(&out).matches("attempt done").count();
    assert!(requests >= 5, "{requests} requests for 5 pages of 1");

    assert_eq!(
        cli.json(&["ssm", "delete-parameter", "--name", "/app/p0"]),
        Value::Null
    );
    let out = cli.run(&["ssm", "get-parameter", "--name", "/app/p0"]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(ParameterNotFound)"),
        "{}",
        stderr(&out)
    );
    let left = call(lib, "ssm", "GetParametersByPath", json!({"Path": "/app"}));
    assert_eq!(
        left["Parameters"].as_array().map(Vec::len),
        Some(4),
        "{left}"
    );
}

pub(super) fn route53(cli: &Cli, lib: &inia::blocking::Session) {
    let created = cli.json(&[
        "route53",
        "create-hosted-zone",
        "--name",
        "example.com",
        "--caller-reference",
        "ref-1",
    ]);
    // Ids come back as paths (`/hostedzone/Z..`) and are passed on as they are.
    let zone = created["HostedZone"]["Id"]
        .as_str()
        .expect("zone id")
        .to_string();
    assert!(zone.starts_with("/hostedzone/"), "{created}");
    let zones = cli.json(&[
        "route53",
        "list-hosted-zones",
        "--query",
        "HostedZones[].Name",
    ]);
    assert_eq!(zones, json!(["example.com."]));

    let batch = |action: &str| {
        json!({"Comment": "test", "Changes": [{"Action": action, "ResourceRecordSet": {
            "Name": "www.example.com", "Type": "A", "TTL": 300,
            "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})
        .to_string()
    };
    let change = cli.json(&[
        "route53",
        "change-resource-record-sets",
        "--hosted-zone-id",
        &zone,
        "--change-batch",
        &batch("CREATE"),
    ]);
    let change_id = change["ChangeInfo"]["Id"]
        .as_str()
        .expect("change id")
        .to_string();
    let status = cli.json(&["route53", "get-change", "--id", &change_id]);
    assert_eq!(status["ChangeInfo"]["Status"], "INSYNC", "{status}");
    let records = cli.json(&[
        "route53",
        "list-resource-record-sets",
        "--hosted-zone-id",
        &zone,
        "--query",
        "ResourceRecordSets[?Type=='A']",
    ]);
    assert_eq!(records[0]["Name"], "www.example.com.", "{records}");
    assert_eq!(records[0]["TTL"], 300, "{records}");
    assert_eq!(records[0]["ResourceRecords"][0]["Value"], "192.0.2.1");
    let got = cli.json(&["route53", "get-hosted-zone", "--id", &zone]);
    assert_eq!(got["HostedZone"]["CallerReference"], "ref-1", "{got}");

    cli.json(&[
        "route53",
        "change-resource-record-sets",
        "--hosted-zone-id",
        &zone,
        "--change-batch",
        &batch("DELETE"),
    ]);
    cli.json(&["route53", "delete-hosted-zone", "--id", &zone]);
    let left = call(lib, "route53", "ListHostedZones", json!({}));
    assert_eq!(left["HostedZones"], json!([]), "{left}");
}

/// A tiny valid zip archive of one stored (uncompressed) file, written by hand.
fn tiny_zip(name: &str, body: &[u8]) -> Vec<u8> {
    let crc = {
        let mut c = 0xFFFF_FFFFu32;
        for &b in body {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    };
    let (n, len) = (name.len() as u16, body.len() as u32);
    let mut z = Vec::new();
    let header = |z: &mut Vec<u8>, central: bool| {
        z.extend_from_slice(if central {
            b"PK\x01\x02\x14\x00"
        } else {
            b"PK\x03\x04"
        });
        z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        z.extend_from_slice(&crc.to_le_bytes());
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&0u16.to_le_bytes());
        if central {
            z.extend_from_slice(&[0; 10]); // comment, disk, attributes
            z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
        }
        z.extend_from_slice(name.as_bytes());
    };
    header(&mut z, false);
    z.extend_from_slice(body);
    let central_at = z.len() as u32;
    header(&mut z, true);
    let central_len = z.len() as u32 - central_at;
    z.extend_from_slice(b"PK\x05\x06\0\0\0\0\x01\0\x01\0");
    z.extend_from_slice(&central_len.to_le_bytes());
    z.extend_from_slice(&central_at.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes());
    z
}

/// Invoke is not tried: moto runs functions in docker, which these tests do not need.
pub(super) fn lambda(cli: &Cli, lib: &inia::blocking::Session, dir: &Path) {
    // moto checks the execution role exists in its IAM: made with the embedded iam model.
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role = cli.json_with(
        Specs::None,
        &[
            "iam",
            "create-role",
            "--role-name",
            "fn-role",
            "--assume-role-policy-document",
            &policy.to_string(),
        ],
    );
    let role_arn = role["Role"]["Arn"].as_str().expect("role arn").to_string();
    let zip = tiny_zip(
        "index.py",
        b"def handler(event, context):\n    return event\n",
    );
    let zip_path = dir.join("fn.zip");
    std::fs::write(&zip_path, &zip).expect("write zip");
    let created = cli.json(&[
        "lambda",
        "create-function",
        "--function-name",
        "fn-1",
        "--runtime",
        "python3.12",
        "--role",
        &role_arn,
        "--handler",
        "index.handler",
        "--zip-file",
        &format!("fileb://{}", zip_path.display()),
    ]);
    assert_eq!(created["FunctionName"], "fn-1", "{created}");
    assert_eq!(
        created["CodeSize"],
        zip.len(),
        "the zip's bytes arrived: {created}"
    );
    let names = cli.json(&[
        "lambda",
        "list-functions",
        "--query",
        "Functions[].FunctionName",
    ]);
    assert_eq!(names, json!(["fn-1"]));
    let got = cli.json(&["lambda", "get-function", "--function-name", "fn-1"]);
    assert_eq!(got["Configuration"]["Role"], role_arn.as_str(), "{got}");
    assert_eq!(got["Configuration"]["Handler"], "index.handler", "{got}");
    let via_lib = call(
        lib,
        "lambda",
        "GetFunctionConfiguration",
        json!({"FunctionName": "fn-1"}),
    );
    assert_eq!(via_lib["CodeSha256"], created["CodeSha256"], "{via_lib}");

    let deleted = cli.json(&["lambda", "delete-function", "--function-name", "fn-1"]);
    // DeleteFunctionResponse models the HTTP status as a member.
    assert_eq!(deleted, json!({"StatusCode": 204}));
    let left = call(lib, "lambda", "ListFunctions", json!({}));
    assert_eq!(left["Functions"], json!([]), "{left}");
}

pub(super) fn kms(cli: &Cli, lib: &inia::blocking::Session, dir: &Path) {
    let key = cli.json(&["kms", "create-key", "--description", "inia test key"]);
    let key_id = key["KeyMetadata"]["KeyId"]
        .as_str()
        .expect("key id")
        .to_string();
    let plain: Vec<u8> = b"secret\x00\xff\x10 bytes".to_vec();
    let plain_path = dir.join("plain.bin");
    std::fs::write(&plain_path, &plain).expect("write plaintext");
    let enc = cli.json(&[
        "kms",
        "encrypt",
        "--key-id",
        &key_id,
        "--plaintext",
        &format!("fileb://{}", plain_path.display()),
    ]);
    let blob = unb64(&enc["CiphertextBlob"]);
    assert_ne!(blob, plain);
    let blob_path = dir.join("cipher.bin");
    std::fs::write(&blob_path, &blob).expect("write ciphertext");
    let dec = cli.json(&[
        "kms",
        "decrypt",
        "--ciphertext-blob",
        &format!("fileb://{}", blob_path.display()),
    ]);
    assert_eq!(unb64(&dec["Plaintext"]), plain, "{dec}");
    assert!(
        dec["KeyId"].as_str().is_some_and(|k| k.ends_with(&key_id)),
        "{dec}"
    );
    // The library decrypts what the command line encrypted (blobs as base64 text).
    let lib_dec = call(lib, "kms", "Decrypt", json!({"CiphertextBlob": b64(&blob)}));
    assert_eq!(unb64(&lib_dec["Plaintext"]), plain);
    let keys = cli.json(&["kms", "list-keys", "--query", "Keys[].KeyId"]);
    assert!(keys.as_array().unwrap().contains(&json!(key_id)), "{keys}");
}

pub(super) fn logs(cli: &Cli, lib: &inia::blocking::Session) {
    cli.json(&["logs", "create-log-group", "--log-group-name", "app-logs"]);
    cli.json(&[
        "logs",
        "create-log-stream",
        "--log-group-name",
        "app-logs",
        "--log-stream-name",
        "web-1",
    ]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let events = json!([
        {"timestamp": now, "message": "started"},
        {"timestamp": now + 1, "message": "GET /index.html 200"},
        {"timestamp": now + 2, "message": "GET /missing 404"}
    ]);
    let put = cli.json(&[
        "logs",
        "put-log-events",
        "--log-group-name",
        "app-logs",
        "--log-stream-name",
        "web-1",
        "--log-events",
        &events.to_string(),
    ]);
    assert!(put.get("rejectedLogEventsInfo").is_none(), "{put}");
    let got = cli.json(&[
        "logs",
        "get-log-events",
        "--log-group-name",
        "app-logs",
        "--log-stream-name",
        "web-1",
        "--start-from-head",
        "--query",
        "events[].message",
    ]);
    assert_eq!(
        got,
        json!(["started", "GET /index.html 200", "GET /missing 404"])
    );
    let found = cli.json(&[
        "logs",
        "filter-log-events",
        "--log-group-name",
        "app-logs",
        "--filter-pattern",
        // Not `404`: moto 5.2.5 matches every event for a term of digits.
        "missing",
        "--query",
        "events[].[logStreamName, message]",
    ]);
    assert_eq!(found, json!([["web-1", "GET /missing 404"]]));
    let groups = cli.json(&[
        "logs",
        "describe-log-groups",
        "--log-group-name-prefix",
        "app",
        "--query",
        "logGroups[].logGroupName",
    ]);
    assert_eq!(groups, json!(["app-logs"]));
    let streams = call(
        lib,
        "logs",
        "DescribeLogStreams",
        json!({"logGroupName": "app-logs"}),
    );
    assert_eq!(
        streams["logStreams"][0]["logStreamName"], "web-1",
        "{streams}"
    );
}

/// Run with `INIA_SPEC_PATH` instead of `--spec-path`.
pub(super) fn secretsmanager(cli: &Cli, lib: &inia::blocking::Session) {
    let sm = |args: &[&str]| {
        let mut all = vec!["secretsmanager"];
        all.extend_from_slice(args);
        cli.json_with(Specs::Env, &all)
    };
    let created = sm(&[
        "create-secret",
        "--name",
        "db-pass",
        "--secret-string",
        "first",
    ]);
    assert_eq!(created["Name"], "db-pass", "{created}");
    let v1 = created["VersionId"].as_str().expect("version").to_string();
    let got = sm(&["get-secret-value", "--secret-id", "db-pass"]);
    assert_eq!(got["SecretString"], "first", "{got}");
    let put = sm(&[
        "put-secret-value",
        "--secret-id",
        "db-pass",
        "--secret-string",
        "second",
    ]);
    assert_ne!(put["VersionId"], v1.as_str(), "{put}");
    let now = call(
        lib,
        "secretsmanager",
        "GetSecretValue",
        json!({"SecretId": "db-pass"}),
    );
    assert_eq!(now["SecretString"], "second", "{now}");
    let old = sm(&[
        "get-secret-value",
        "--secret-id",
        "db-pass",
        "--version-id",
        &v1,
    ]);
    assert_eq!(old["SecretString"], "first", "{old}");
    let listed = sm(&["list-secrets", "--query", "SecretList[].Name"]);
    assert_eq!(listed, json!(["db-pass"]));
    sm(&[
        "delete-secret",
        "--secret-id",
        "db-pass",
        "--force-delete-without-recovery",
    ]);
    let out = cli.run_with(
        Specs::Env,
        &[
            "secretsmanager",
            "get-secret-value",
            "--secret-id",
            "db-pass",
        ],
    );
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(ResourceNotFoundException)"),
        "{}",
        stderr(&out)
    );
}

pub(super) fn kinesis(cli: &Cli, lib: &inia::blocking::Session, dir: &Path) {
    cli.json(&[
        "kinesis",
        "create-stream",
        "--stream-name",
        "events",
        "--shard-count",
        "1",
    ]);
    assert_eq!(
        cli.json(&[
            "kinesis",
            "wait",
            "stream-exists",
            "--stream-name",
            "events"
        ]),
        Value::Null
    );
    let desc = cli.json(&["kinesis", "describe-stream", "--stream-name", "events"]);
    assert_eq!(
        desc["StreamDescription"]["StreamStatus"], "ACTIVE",
        "{desc}"
    );
    let shard = desc["StreamDescription"]["Shards"][0]["ShardId"]
        .as_str()
        .expect("shard id")
        .to_string();
    // Blob input: base64 text on the line (with `--cli-binary-format base64`; the default
    // reads the text as the bytes), or raw bytes from a file.
    let first: &[u8] = b"record \x00\x01\x02";
    let second: &[u8] = b"\xff\xfe from a file";
    let file = dir.join("record.bin");
    std::fs::write(&file, second).expect("write record");
    for data in [b64(first), format!("fileb://{}", file.display())] {
        let put = cli.json(&[
            "--cli-binary-format",
            "base64",
            "kinesis",
            "put-record",
            "--stream-name",
            "events",
            "--partition-key",
            "pk",
            "--data",
            &data,
        ]);
        assert_eq!(put["ShardId"], shard.as_str(), "{put}");
    }
    let iterator = cli.json(&[
        "kinesis",
        "get-shard-iterator",
        "--stream-name",
        "events",
        "--shard-id",
        &shard,
        "--shard-iterator-type",
        "TRIM_HORIZON",
    ]);
    let it = iterator["ShardIterator"].as_str().expect("iterator");
    let records = cli.json(&["kinesis", "get-records", "--shard-iterator", it]);
    let data: Vec<Vec<u8>> = records["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|r| unb64(&r["Data"]))
        .collect();
    assert_eq!(data, [first.to_vec(), second.to_vec()], "{records}");
    let streams = call(lib, "kinesis", "ListStreams", json!({}));
    assert_eq!(streams["StreamNames"], json!(["events"]), "{streams}");
}
