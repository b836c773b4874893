//! The `inia` binary with the `azure-blob` provider against a real Azurite (in-memory,
//! the published development account): the issue's acceptance flows through the command
//! line (`inia --provider azure-blob --endpoint-url URL blob <operation>`), with
//! credentials from AZURE_STORAGE_ACCOUNT / AZURE_STORAGE_KEY, and state checked through a
//! second path (the inia library).
//!
//! Owns the command-line acceptance of the Azure provider. Does not own the engine's
//! (crates/inia/tests/azure_blob.rs) or the model's wire checks.

use inia::auth::config::Env;
use inia::{json, Client, Credentials, Session, Value};
use inia_test_support::azurite::{Azurite, ACCOUNT, ACCOUNT_KEY};
use std::path::Path;
use std::process::{Command, Output};

/// The `inia` binary with a clean environment: HOME in `home`, the Azure variables
/// (`key` as AZURE_STORAGE_KEY), instance metadata disabled, and `extra` variables.
fn inia(home: &Path, key: &str, extra: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inia"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AZURE_STORAGE_ACCOUNT", ACCOUNT)
        .env("AZURE_STORAGE_KEY", key)
        .envs(extra.iter().copied())
        .args(args);
    cmd.output().expect("run inia")
}

struct Cli {
    home: tempfile::TempDir,
    endpoint: String,
}

/// The words of `line` (split at spaces), then `extra` (values that hold spaces).
fn words<'a>(line: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    line.split_whitespace()
        .chain(extra.iter().copied())
        .collect()
}

impl Cli {
    fn new(azurite: &Azurite) -> Cli {
        Cli {
            home: tempfile::tempdir().unwrap(),
            endpoint: azurite.blob_endpoint(),
        }
    }

    /// `inia --provider azure-blob --endpoint-url <azurite> <line> extra...` with `key`.
    fn run_key(&self, key: &str, line: &str, extra: &[&str]) -> Output {
        let mut all = vec!["--provider", "azure-blob", "--endpoint-url", &self.endpoint];
        all.extend(words(line, extra));
        inia(self.home.path(), key, &[], &all)
    }

    /// Run with the development key, require exit 0, parse stdout (`null` when empty).
    fn json(&self, line: &str, extra: &[&str]) -> Value {
        parse(line, self.run_key(ACCOUNT_KEY, line, extra))
    }
}

fn parse(what: &str, out: Output) -> Value {
    assert!(
        out.status.success(),
        "inia {what} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The second path: the library, through the same provider.
fn library(azurite: &Azurite) -> Client {
    Session::builder()
        .provider("azure-blob")
        .endpoint_url(azurite.blob_endpoint())
        .credentials(Credentials::new(ACCOUNT, ACCOUNT_KEY, None, None, "test"))
        .env(Env::empty())
        .build()
        .unwrap()
        .client("blob")
        .unwrap()
}

fn names(listing: &Value) -> Vec<String> {
    listing["Blobs"]["Blob"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| b["Name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Standard base64 (the CLI crate does not depend on a base64 crate; block ids need it).
fn b64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `len` bytes of a xorshift sequence: a misplaced block or a wrong byte would show.
fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn base64_helper_matches_known_values() {
    assert_eq!(b64(b""), "");
    assert_eq!(b64(b"f"), "Zg==");
    assert_eq!(b64(b"fo"), "Zm8=");
    assert_eq!(b64(b"foo"), "Zm9v");
    assert_eq!(b64(b"block-00000"), "YmxvY2stMDAwMDA=");
}

#[test]
fn help_lists_the_provider_services_and_blob_operations() {
    let home = tempfile::tempdir().unwrap();
    let run = |extra: &[(&str, &str)], line: &str| {
        inia(home.path(), ACCOUNT_KEY, extra, &words(line, &[]))
    };
    let ops = [
        "create-container",
        "delete-blob",
        "delete-container",
        "get-blob",
        "get-blob-properties",
        "get-block-list",
        "get-container-properties",
        "list-blobs",
        "list-containers",
        "put-blob",
        "put-block",
        "put-block-list",
    ];
    // Chosen by the flag, and by INIA_PROVIDER.
    let by_flag = run(&[], "--provider azure-blob blob help");
    let by_env = run(&[("INIA_PROVIDER", "azure-blob")], "blob help");
    for out in [by_flag, by_env] {
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with("blob: Azure Blob Storage"), "{text}");
        let listed: Vec<&str> = text
            .lines()
            .skip_while(|l| *l != "operations:")
            .skip(1)
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(listed, ops, "{text}");
    }
    let out = run(&[], "--provider azure-blob help");
    let text = String::from_utf8_lossy(&out.stdout);
    let services: Vec<&str> = text
        .lines()
        .skip_while(|l| *l != "services:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(services, ["blob"], "{text}");
    // The upload member is `--body FILE`; the download is a trailing outfile.
    let out = run(&[], "--provider azure-blob blob put-blob help");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--body <file>") && text.contains("--metadata <map>"),
        "{text}"
    );
    let out = run(&[], "--provider azure-blob blob get-blob help");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("<outfile>"),
        "{}",
        stderr(&out)
    );
    // An operation the model lacks is a usage error (252).
    let out = run(&[], "--provider azure-blob blob copy-blob");
    assert_eq!(out.status.code(), Some(252), "{}", stderr(&out));
}

#[tokio::test]
async fn containers_blobs_metadata_paging_and_deletes() {
    let azurite = Azurite::start();
    let cli = Cli::new(&azurite);
    let lib = library(&azurite);
    let dir = tempfile::tempdir().unwrap();

    let v = cli.json(
        "blob create-container --container cli-docs --metadata project=inia,stage=test",
        &[],
    );
    assert!(v["ETag"].as_str().is_some(), "{v}");
    assert!(v.get("ResponseMetadata").is_none(), "{v}");
    let seen = lib
        .call("GetContainerProperties", json!({"Container": "cli-docs"}))
        .await
        .unwrap();
    assert_eq!(
        seen["Metadata"],
        json!({"project": "inia", "stage": "test"})
    );

    // Five blobs uploaded from files with metadata (shorthand and JSON forms).
    let blobs = ["a.txt", "b.txt", "c.txt", "dir/d e.txt", "z.txt"];
    for (i, name) in blobs.iter().enumerate() {
        let file = dir.path().join(format!("up{i}.txt"));
        std::fs::write(&file, format!("content of {name}")).unwrap();
        let shorthand = format!("index={i},kind=text");
        let json_meta = format!(r#"{{"index": "{i}", "kind": "text"}}"#);
        let meta = if i % 2 == 0 { &shorthand } else { &json_meta };
        let v = cli.json(
            "blob put-blob --container cli-docs --blob-type BlockBlob --content-type text/plain",
            &[
                "--blob",
                name,
                "--metadata",
                meta,
                "--body",
                file.to_str().unwrap(),
            ],
        );
        assert!(v["ContentMD5"].as_str().is_some(), "{name}: {v}");
    }
    let out = lib
        .call_with(
            "GetBlob",
            json!({"Container": "cli-docs", "Blob": "dir/d e.txt"}),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.value["Metadata"], json!({"index": "3", "kind": "text"}));
    let body = out.body.unwrap().bytes().await.unwrap();
    assert_eq!(&body[..], b"content of dir/d e.txt");

    // Download to a trailing outfile; the value shows the metadata headers.
    let down = dir.path().join("down.txt");
    let v = cli.json(
        "blob get-blob --container cli-docs",
        &["--blob", "dir/d e.txt", down.to_str().unwrap()],
    );
    assert_eq!(v["Metadata"], json!({"index": "3", "kind": "text"}), "{v}");
    assert_eq!(v["ContentLength"], 22);
    assert!(v.get("Body").is_none(), "{v}");
    assert_eq!(std::fs::read(&down).unwrap(), b"content of dir/d e.txt");
    let v = cli.json(
        "blob get-blob-properties --container cli-docs --blob a.txt",
        &[],
    );
    assert_eq!(v["ContentType"], "text/plain", "{v}");
    assert_eq!(v["ContentLength"], 16, "{v}");

    // List with metadata.
    let v = cli.json(
        "blob list-blobs --container cli-docs --include metadata",
        &[],
    );
    assert_eq!(names(&v), blobs, "{v}");
    for (i, b) in v["Blobs"]["Blob"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            b["Metadata"],
            json!({"index": i.to_string(), "kind": "text"}),
            "{b}"
        );
    }
    // One page of the model's own limit member: two blobs and a marker to go on from.
    let page = cli.json(
        "--no-paginate blob list-blobs --container cli-docs --max-results 2",
        &[],
    );
    assert_eq!(names(&page), &blobs[..2], "{page}");
    let marker = page["NextMarker"]
        .as_str()
        .unwrap_or_else(|| panic!("{page}"));
    let page = cli.json(
        "--no-paginate blob list-blobs --container cli-docs --max-results 2",
        &["--marker", marker],
    );
    assert_eq!(names(&page), &blobs[2..4], "{page}");
    // --page-size 2: every blob once, with its metadata, tokens gone from the result.
    let v = cli.json(
        "blob list-blobs --container cli-docs --include metadata --page-size 2",
        &[],
    );
    assert_eq!(names(&v), blobs, "{v}");
    assert_eq!(v["Blobs"]["Blob"][4]["Metadata"]["index"], "4", "{v}");
    assert!(
        v.get("NextMarker").is_none() && v.get("NextToken").is_none(),
        "{v}"
    );
    // It took three calls of two, two and one (the engine's debug log has one
    // "attempt done" line per HTTP attempt).
    let out = cli.run_key(
        ACCOUNT_KEY,
        "--debug blob list-blobs --container cli-docs --page-size 2",
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let attempts = stderr(&out)
        .lines()
        .filter(|l| l.contains("operation=ListBlobs") && l.contains("attempt done"))
        .count();
    assert_eq!(attempts, 3, "{}", stderr(&out));
    // --max-items with --starting-token, cutting inside a page of two: each blob once.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for round in 0..10 {
        let line = "blob list-blobs --container cli-docs --page-size 2 --max-items 3";
        let v = match &token {
            Some(t) => cli.json(line, &["--starting-token", t]),
            None => cli.json(line, &[]),
        };
        let got = names(&v);
        assert!(!got.is_empty() && got.len() <= 3, "round {round}: {v}");
        seen.extend(got);
        match v["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, blobs, "each blob once, in order");
    // The same listing with INIA_PROVIDER instead of --provider.
    let out = inia(
        cli.home.path(),
        ACCOUNT_KEY,
        &[("INIA_PROVIDER", "azure-blob")],
        &words(
            "blob list-blobs --container cli-docs --query Blobs.Blob[].Name --endpoint-url",
            &[&cli.endpoint],
        ),
    );
    assert_eq!(parse("with INIA_PROVIDER", out), json!(blobs));

    // Deletes; a get afterwards is Azure's not-found error (exit 254), and no file.
    for name in blobs {
        let v = cli.json("blob delete-blob --container cli-docs", &["--blob", name]);
        assert!(v["RequestId"].as_str().is_some(), "{v}");
    }
    let gone = dir.path().join("gone.txt");
    let out = cli.run_key(
        ACCOUNT_KEY,
        "blob get-blob --container cli-docs --blob a.txt",
        &[gone.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    let expected = "An error occurred (BlobNotFound) when calling the GetBlob operation: ";
    assert!(stderr(&out).starts_with(expected), "{}", stderr(&out));
    assert!(!gone.exists(), "no file is written for an error");
    let v = lib
        .call("ListBlobs", json!({"Container": "cli-docs"}))
        .await
        .unwrap();
    assert!(names(&v).is_empty(), "{v}");
    cli.json("blob delete-container --container cli-docs", &[]);
    let err = lib
        .call("GetContainerProperties", json!({"Container": "cli-docs"}))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("ContainerNotFound"), "{err}");
    let out = cli.run_key(ACCOUNT_KEY, "blob list-blobs --container cli-docs", &[]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("(ContainerNotFound)"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_20_mib_blob_uploaded_in_blocks_from_file_parts() {
    const PART: usize = 6 * 1024 * 1024;
    let azurite = Azurite::start();
    let cli = Cli::new(&azurite);
    let lib = library(&azurite);
    let dir = tempfile::tempdir().unwrap();
    cli.json("blob create-container --container cli-big", &[]);

    // A 20 MiB file split into 6 MiB parts (the last one 2 MiB), one put-block each.
    let data = pattern(20 * 1024 * 1024, 0x5eed_f00d);
    let started = std::time::Instant::now();
    let mut ids = Vec::new();
    for (i, part) in data.chunks(PART).enumerate() {
        let file = dir.path().join(format!("part{i}"));
        std::fs::write(&file, part).unwrap();
        let id = b64(format!("block-{i:05}").as_bytes());
        let v = cli.json(
            "blob put-block --container cli-big --blob big.bin",
            &["--block-id", &id, "--body", file.to_str().unwrap()],
        );
        assert!(v["RequestId"].as_str().is_some(), "{v}");
        ids.push(id);
    }
    assert_eq!(ids.len(), 4);
    let v = cli.json(
        "blob get-block-list --container cli-big --blob big.bin --block-list-type uncommitted",
        &[],
    );
    assert_eq!(
        v["UncommittedBlocks"].as_array().map(Vec::len),
        Some(4),
        "{v}"
    );
    // The block ids end in `=`: AWS CLI shorthand cannot carry `=` in a list's later
    // values, so the list is given as JSON.
    let list = json!({"Latest": ids}).to_string();
    let v = cli.json(
        "blob put-block-list --container cli-big --blob big.bin --metadata parts=4",
        &["--block-list", &list],
    );
    assert!(v["ETag"].as_str().is_some(), "{v}");
    let uploaded = started.elapsed();
    let v = cli.json(
        "blob get-block-list --container cli-big --blob big.bin --block-list-type committed \
         --query CommittedBlocks[].[Name,Size]",
        &[],
    );
    let sizes = [PART, PART, PART, data.len() - 3 * PART];
    let expected: Vec<Value> = ids
        .iter()
        .zip(sizes)
        .map(|(id, n)| json!([id, n]))
        .collect();
    assert_eq!(v, Value::Array(expected));

    // Read back through the CLI to a file, and through the library.
    let started_down = std::time::Instant::now();
    let down = dir.path().join("big.out");
    let v = cli.json(
        "blob get-blob --container cli-big --blob big.bin",
        &[down.to_str().unwrap()],
    );
    let downloaded = started_down.elapsed();
    assert_eq!(v["ContentLength"], data.len(), "{v}");
    assert_eq!(v["Metadata"], json!({"parts": "4"}), "{v}");
    let got = std::fs::read(&down).unwrap();
    assert_eq!(got.len(), data.len());
    assert!(
        got == data,
        "the downloaded file differs from the uploaded one"
    );
    let out = lib
        .call_with(
            "GetBlob",
            json!({"Container": "cli-big", "Blob": "big.bin"}),
            None,
        )
        .await
        .unwrap();
    let body = out.body.unwrap().bytes().await.unwrap();
    assert!(body[..] == data[..], "the library reads different bytes");
    eprintln!(
        "CLI 20 MiB: 4 put-block + put-block-list in {uploaded:?}, get-blob in {downloaded:?}"
    );

    cli.json("blob delete-blob --container cli-big --blob big.bin", &[]);
    cli.json("blob delete-container --container cli-big", &[]);
    let v = lib.call("ListContainers", json!({})).await.unwrap();
    assert!(v["Containers"].as_array().is_none_or(Vec::is_empty), "{v}");
}

#[tokio::test]
async fn a_wrong_key_exits_254_with_the_service_code() {
    let azurite = Azurite::start();
    let cli = Cli::new(&azurite);
    let lib = library(&azurite);
    lib.call("CreateContainer", json!({"Container": "kept"}))
        .await
        .unwrap();
    let wrong = b64(&pattern(64, 11));
    // Real Azure answers a bad SharedKey signature with `AuthenticationFailed`; Azurite
    // 3.35.0 (the pinned release) answers 403 `AuthorizationFailure`. What matters here is
    // that the server's own code arrives as a service error (exit 254, AWS CLI's line).
    let out = cli.run_key(&wrong, "blob list-blobs --container kept", &[]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    let err = stderr(&out);
    let expected =
        "An error occurred (AuthorizationFailure) when calling the ListBlobs operation: ";
    assert!(err.starts_with(expected), "{err}");
    assert!(
        err.contains("RequestId:"),
        "Azure's message names the request id: {err}"
    );
    assert!(!err.contains(&wrong), "the key leaked: {err}");
    assert!(out.stdout.is_empty());
    // A write refused: nothing is created.
    let out = cli.run_key(&wrong, "blob create-container --container not-made", &[]);
    assert_eq!(out.status.code(), Some(254), "{}", stderr(&out));
    let expected = "(AuthorizationFailure) when calling the CreateContainer operation";
    assert!(stderr(&out).contains(expected), "{}", stderr(&out));
    let v = lib.call("ListContainers", json!({})).await.unwrap();
    let containers: Vec<&str> = v["Containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["Name"].as_str().unwrap())
        .collect();
    assert_eq!(containers, ["kept"], "{v}");
    // The right key through the same command line works.
    let v = cli.json("blob list-containers --query Containers[].Name", &[]);
    assert_eq!(v, json!(["kept"]));
}
