//! Bearer-token auth (smithy's `httpBearerAuth`) chosen from the model, side by side with
//! botocore 1.44.5 against the same recording server on 127.0.0.1 (`fault_server`): Amazon
//! CodeCatalyst (a `bearer` model) with `AWS_BEARER_TOKEN_CODECATALYST`, and with the
//! token of the profile's SSO sign-in; Amazon Bedrock (SigV4 first, bearer allowed) signed
//! with SigV4, or with `AWS_BEARER_TOKEN_BEDROCK` when it is set. The models come from the
//! pinned botocore wheel the test command fetches (`.cache/`), not from inia's shipped
//! specs. The server speaks HTTPS (a CA made for the run, trusted through
//! `AWS_CA_BUNDLE`): both tools send a token only over TLS.
//!
//! Owns those assertions. Does not own the SSO token cache's tests (`sso.rs`).

use inia::auth::config::Env;
use inia::{json, Session};
use std::path::{Path, PathBuf};
use std::process::Command;

mod fault_server;
use fault_server::*;

fn wheel_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-1.44.5-wheel/botocore/data")
}

fn ok() -> Act {
    Act::Respond {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: r#"{"items": [], "modelSummaries": []}"#.into(),
    }
}

/// The `Authorization` header of each request the server saw.
fn authorizations(server: &FaultServer) -> Vec<String> {
    server
        .seen()
        .iter()
        .map(|s| s.header("authorization").unwrap_or_default())
        .collect()
}

/// The settings both tools run with; `AWS_CA_BUNDLE` trusts the server's test CA.
fn vars(home: &Path, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = vec![
        (
            "AWS_CA_BUNDLE".into(),
            home.join("ca.pem").display().to_string(),
        ),
        ("HOME".into(), home.display().to_string()),
        (
            "AWS_CONFIG_FILE".into(),
            home.join("config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            home.join("none").display().to_string(),
        ),
        ("AWS_ACCESS_KEY_ID".into(), "AKIDBEARERTEST".into()),
        ("AWS_SECRET_ACCESS_KEY".into(), "secret".into()),
        ("AWS_DEFAULT_REGION".into(), "us-west-2".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ];
    v.extend(
        extra
            .iter()
            .map(|(k, val)| (k.to_string(), val.to_string())),
    );
    v
}

async fn inia_call(
    server: &FaultServer,
    home: &Path,
    extra: &[(&str, &str)],
    service: &str,
    op: &str,
) {
    let session = Session::builder()
        .env(Env::from_vars(vars(home, extra)))
        .spec_dir(wheel_data())
        .endpoint_url(server.url())
        .build()
        .unwrap();
    session
        .client(service)
        .unwrap()
        .call(op, json!({}))
        .await
        .unwrap();
}

fn botocore_call(
    server: &FaultServer,
    home: &Path,
    extra: &[(&str, &str)],
    service: &str,
    op: &str,
) {
    let python =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
    let script = format!(
        "import botocore.session, sys\n\
         c = botocore.session.Session().create_client('{service}', endpoint_url=sys.argv[1])\n\
         getattr(c, '{op}')()\n"
    );
    let out = Command::new(python)
        .env_clear()
        .envs(vars(home, extra))
        .args(["-c", &script, &server.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_model_chooses_bearer_auth_as_botocore_does() {
    let (server, ca) = FaultServer::answering_tls(|_| ok()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::copy(ca.path(), h.join("ca.pem")).unwrap();
    std::fs::write(h.join("config"), "[default]\nregion = us-west-2\n").unwrap();
    let token = [("AWS_BEARER_TOKEN_CODECATALYST", "cc-token-1")];
    inia_call(&server, h, &token, "codecatalyst", "ListSpaces").await;
    botocore_call(&server, h, &token, "codecatalyst", "list_spaces");
    let bedrock_token = [("AWS_BEARER_TOKEN_BEDROCK", "bedrock-key-1")];
    inia_call(
        &server,
        h,
        &bedrock_token,
        "bedrock",
        "ListFoundationModels",
    )
    .await;
    botocore_call(
        &server,
        h,
        &bedrock_token,
        "bedrock",
        "list_foundation_models",
    );
    inia_call(&server, h, &[], "bedrock", "ListFoundationModels").await;
    botocore_call(&server, h, &[], "bedrock", "list_foundation_models");
    let seen = authorizations(&server);
    assert_eq!(seen[0], "Bearer cc-token-1");
    assert_eq!(seen[0], seen[1], "botocore sends the same");
    assert_eq!(seen[2], "Bearer bedrock-key-1");
    assert_eq!(seen[2], seen[3]);
    // Without the variable, Bedrock signs with SigV4, as botocore does.
    for s in &seen[4..6] {
        assert!(
            s.starts_with("AWS4-HMAC-SHA256 Credential=AKIDBEARERTEST/"),
            "{s}"
        );
        assert!(s.contains("/us-west-2/bedrock/aws4_request"), "{s}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_variable_the_sso_sign_in_gives_the_token() {
    let (server, ca) = FaultServer::answering_tls(|_| ok()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::copy(ca.path(), h.join("ca.pem")).unwrap();
    std::fs::write(
        h.join("config"),
        "[default]\nsso_session = corp\nregion = us-west-2\n\
         [sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    // The cache file of session "corp": SHA-1 of its name (as sha1sum computes it).
    let hash = inia_test_support::digest_hex("sha1sum", "corp");
    let cache = h.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let expires = chrono::DateTime::<chrono::Utc>::from(
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
    );
    std::fs::write(
        cache.join(format!("{hash}.json")),
        json!({"startUrl": "https://d-1.awsapps.com/start", "region": "us-east-1",
               "accessToken": "sso-access-token", "expiresAt": expires.format("%Y-%m-%dT%H:%M:%SZ").to_string()})
            .to_string(),
    )
    .unwrap();
    inia_call(&server, h, &[], "codecatalyst", "ListSpaces").await;
    botocore_call(&server, h, &[], "codecatalyst", "list_spaces");
    let seen = authorizations(&server);
    assert_eq!(seen, ["Bearer sso-access-token", "Bearer sso-access-token"]);

    // Over plain HTTP no token is sent: an error before anything goes out.
    let plain = FaultServer::answering(|_| ok()).await;
    let session = Session::builder()
        .env(Env::from_vars(vars(h, &[])))
        .spec_dir(wheel_data())
        .endpoint_url(plain.url())
        .build()
        .unwrap();
    let e = session
        .client("codecatalyst")
        .unwrap()
        .call("ListSpaces", json!({}))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("requires an HTTPS endpoint"), "{e}");
    assert!(plain.seen().is_empty());

    // No variable and no sign-in: an error that says what to set or run.
    std::fs::write(h.join("config"), "[default]\nregion = us-west-2\n").unwrap();
    let session = Session::builder()
        .env(Env::from_vars(vars(h, &[])))
        .spec_dir(wheel_data())
        .endpoint_url(server.url())
        .build()
        .unwrap();
    let e = session
        .client("codecatalyst")
        .unwrap()
        .call("ListSpaces", json!({}))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("AWS_BEARER_TOKEN_CODECATALYST") && e.contains("sso login"),
        "{e}"
    );
}
