//! Blob payloads on the command line as botocore sees them: an output whose payload is a
//! blob is a streamed body even without `streaming: true`, so `bedrock-runtime
//! invoke-model` takes an outfile and writes the body there, with the AWS CLI 1.46.2
//! side by side against the same stand-in on 127.0.0.1 (the shared `sso_stand_in`
//! server, answering as Bedrock would); the input blob (`--body fileb://...`) is sent as
//! the raw body by both. The model comes from the pinned botocore wheel.
//!
//! Owns those assertions. Does not own the engine's streaming rule (`inia::client`).

mod sso_stand_in;

use serde_json::{json, Value};
use sso_stand_in::{command, stand_in};
use std::path::Path;

#[test]
fn invoke_model_writes_its_blob_body_to_the_outfile_as_the_aws_cli_does() {
    let (url, seen) = stand_in(|r| {
        let prompt: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        (
            200,
            json!({"completion": format!("echo: {}", prompt["prompt"])}),
            None,
        )
    });
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("in.json"), r#"{"prompt": "hello"}"#).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.cache/botocore-1.44.5-wheel/botocore/data");
    let data = data.to_str().unwrap();
    let body = format!("fileb://{}", h.join("in.json").display());
    let run = |program: &Path, out: &str, extra: &[&str]| {
        let mut args = vec!["--endpoint-url", &url, "--region", "us-east-1"];
        args.extend_from_slice(extra);
        let out_path = h.join(out);
        let out_path = out_path.to_str().unwrap().to_string();
        let mut all: Vec<&str> = args.clone();
        all.extend([
            "bedrock-runtime",
            "invoke-model",
            "--model-id",
            "m-1",
            "--body",
            &body,
            &out_path,
        ]);
        let o = command(program, h, &url, &all)
            .env("AWS_ACCESS_KEY_ID", "AKIDBLOB")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{}: {}",
            program.display(),
            String::from_utf8_lossy(&o.stderr)
        );
        (
            serde_json::from_slice::<Value>(&o.stdout).unwrap_or_default(),
            std::fs::read_to_string(h.join(out)).unwrap(),
        )
    };
    let ours = run(
        Path::new(env!("CARGO_BIN_EXE_inia")),
        "ours.json",
        &["--spec-path", data],
    );
    let aws = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/awscli-venv/bin/aws");
    let theirs = run(&aws, "theirs.json", &[]);
    assert_eq!(ours.1, r#"{"completion":"echo: \"hello\""}"#);
    assert_eq!(
        ours, theirs,
        "printed output and written body are the AWS CLI's"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    for r in seen.iter() {
        assert_eq!(
            r.body, br#"{"prompt": "hello"}"#,
            "the input blob is the raw body"
        );
        assert_eq!(r.target, "/model/m-1/invoke");
    }
}
