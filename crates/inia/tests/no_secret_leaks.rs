//! With every log line of every crate on (trace level, the global subscriber), the
//! network credential sources run their whole flows against stand-ins on 127.0.0.1 (one
//! `fault_server`, HTTPS, answering as sso-oidc, the SSO portal, the sign-in service and
//! CodeCatalyst would): an SSO token refreshed, role credentials got with it, a login
//! session refreshed with a DPoP proof, a bearer-signed call; then the same stand-in
//! answers garbage (not JSON, an HTML error page) and every source must fail with an error
//! naming itself. No secret may appear in the log, an error, or a `Debug` of an error:
//! access and refresh tokens, client secrets, the DPoP key, secret keys, session tokens.
//!
//! Owns those assertions. Does not own the signers' own leak test (`inia-auth`'s).

use inia::auth::config::Env;
use inia::{json, Session};
use inia_test_support::digest_hex;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

mod fault_server;
use fault_server::*;

const SECRETS: &[&str] = &[
    "sso-access-OLD-s3cr3t",
    "sso-access-NEW-s3cr3t",
    "sso-refresh-OLD-s3cr3t",
    "sso-refresh-NEW-s3cr3t",
    "client-secret-s3cr3t",
    "role-secret-key-s3cr3t",
    "role-session-token-s3cr3t",
    "login-refresh-OLD-s3cr3t",
    "login-refresh-NEW-s3cr3t",
    "login-secret-key-s3cr3t",
    "login-session-token-s3cr3t",
    "codecatalyst-token-s3cr3t",
];

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn at(secs: i64) -> String {
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    (now + chrono::Duration::seconds(secs))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn json_act(status: u16, body: serde_json::Value, error_type: Option<&str>) -> Act {
    let mut headers = vec![("content-type", "application/json".to_string())];
    if let Some(t) = error_type {
        headers.push(("x-amzn-errortype", t.to_string()));
    }
    Act::Respond {
        status,
        headers,
        body: body.to_string(),
    }
}

/// The stand-in: real answers, or garbage once `broken` is set.
fn stand_in(seen: &Seen, broken: &AtomicBool) -> Act {
    if broken.load(Ordering::SeqCst) {
        return Act::Respond {
            status: 200,
            headers: vec![("content-type", "text/html".into())],
            body: "<html><body>Gateway says hello</body></html>".into(),
        };
    }
    let path = seen.target.split('?').next().unwrap_or("");
    match (seen.method.as_str(), path) {
        ("POST", "/token") => json_act(
            200,
            json!({"accessToken": "sso-access-NEW-s3cr3t",
            "expiresIn": 3600, "refreshToken": "sso-refresh-NEW-s3cr3t", "tokenType": "Bearer"}),
            None,
        ),
        ("GET", "/federation/credentials") => json_act(
            200,
            json!({"roleCredentials": {
            "accessKeyId": "ASIAROLE", "secretAccessKey": "role-secret-key-s3cr3t",
            "sessionToken": "role-session-token-s3cr3t",
            "expiration": (SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() + 3600) * 1000}}),
            None,
        ),
        ("POST", "/v1/token") => json_act(
            200,
            json!({"accessToken": {"accessKeyId": "ASIALOGIN",
            "secretAccessKey": "login-secret-key-s3cr3t", "sessionToken": "login-session-token-s3cr3t"},
            "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": "login-refresh-NEW-s3cr3t"}),
            None,
        ),
        ("POST", "/v1/spaces") => json_act(200, json!({"items": []}), None),
        _ => json_act(
            404,
            json!({"message": "not here"}),
            Some("ResourceNotFoundException"),
        ),
    }
}

fn setup_files(home: &Path, url: &str) -> Vec<(String, String)> {
    let key = home.join("key.pem");
    let out = Command::new("openssl")
        .args([
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            key.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(
        home.join("config"),
        "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
         [sso-session corp]\nsso_start_url = https://d-1.awsapps.com/start\nsso_region = us-east-1\n\
         [profile web]\nlogin_session = arn:aws:iam::111122223333:user/alice\n",
    )
    .unwrap();
    let sso_cache = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&sso_cache).unwrap();
    std::fs::write(
        sso_cache.join(format!("{}.json", digest_hex("sha1sum", "corp"))),
        json!({"startUrl": "https://d-1.awsapps.com/start", "region": "us-east-1",
               "accessToken": "sso-access-OLD-s3cr3t", "expiresAt": at(300), "clientId": "cid",
               "clientSecret": "client-secret-s3cr3t", "registrationExpiresAt": at(86400),
               "refreshToken": "sso-refresh-OLD-s3cr3t"})
        .to_string(),
    )
    .unwrap();
    let login_cache = home.join("login");
    std::fs::create_dir_all(&login_cache).unwrap();
    std::fs::write(
        login_cache.join(format!("{}.json", digest_hex("sha256sum", "arn:aws:iam::111122223333:user/alice"))),
        json!({"accessToken": {"accessKeyId": "ASIAOLD", "secretAccessKey": "login-secret-key-s3cr3t",
               "sessionToken": "login-session-token-s3cr3t", "accountId": "111122223333",
               "expiresAt": at(60)}, "refreshToken": "login-refresh-OLD-s3cr3t",
               "clientId": "arn:aws:signin:::devtools/same-device",
               "dpopKey": std::fs::read_to_string(&key).unwrap()})
        .to_string(),
    )
    .unwrap();
    let p = |f: &str| home.join(f).display().to_string();
    vec![
        ("HOME".into(), p("")),
        ("AWS_CONFIG_FILE".into(), p("config")),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), p("none")),
        ("AWS_LOGIN_CACHE_DIRECTORY".into(), p("login")),
        ("AWS_CA_BUNDLE".into(), p("ca.pem")),
        ("AWS_ENDPOINT_URL".into(), url.to_string()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ]
}

/// Every source's flow for `profile`, its errors' texts and `Debug`s appended to `seen`.
async fn run_flows(vars: &[(String, String)], home: &Path, seen: &mut String) -> Vec<bool> {
    let mut ok = Vec::new();
    for profile in ["sso", "web"] {
        let mut v = vars.to_vec();
        v.push(("AWS_PROFILE".into(), profile.into()));
        let session = Session::builder().env(Env::from_vars(v)).build().unwrap();
        match session.credentials().await {
            Ok(c) => {
                seen.push_str(&format!("{c:?}\n"));
                ok.push(true);
            }
            Err(e) => {
                seen.push_str(&format!("{profile}: {e}\n{e:?}\n"));
                ok.push(false);
            }
        }
    }
    let mut v = vars.to_vec();
    v.push((
        "AWS_BEARER_TOKEN_CODECATALYST".into(),
        "codecatalyst-token-s3cr3t".into(),
    ));
    let wheel = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.cache/botocore-1.44.5-wheel/botocore/data");
    let session = Session::builder()
        .env(Env::from_vars(v))
        .spec_dir(wheel)
        .build()
        .unwrap();
    match session
        .client("codecatalyst")
        .unwrap()
        .call("ListSpaces", json!({}))
        .await
    {
        Ok(out) => {
            seen.push_str(&format!("{out}\n"));
            ok.push(true);
        }
        Err(e) => {
            seen.push_str(&format!("codecatalyst: {e}\n{e:?}\n"));
            ok.push(false);
        }
    }
    let _ = home;
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_of_the_new_sources_reaches_a_log_an_error_or_debug() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let broken = Arc::new(AtomicBool::new(false));
    let b = broken.clone();
    let (server, ca) = FaultServer::answering_tls(move |s| stand_in(s, &b)).await;
    let home = tempfile::tempdir().unwrap();
    std::fs::copy(ca.path(), home.path().join("ca.pem")).unwrap();
    let vars = setup_files(home.path(), &server.url());
    let mut seen = String::new();

    // The whole flows work: every secret passes through them.
    assert_eq!(
        run_flows(&vars, home.path(), &mut seen).await,
        [true, true, true],
        "{seen}"
    );
    assert!(
        server.seen().len() >= 4,
        "refresh, role credentials, login refresh, call"
    );

    // Garbage answers: each source fails, naming itself; nothing panics.
    broken.store(true, Ordering::SeqCst);
    let _ = setup_files(home.path(), &server.url());
    let mut errors = String::new();
    assert_eq!(
        run_flows(&vars, home.path(), &mut errors).await,
        [false, false, false]
    );
    for source in ["sso", "login", "codecatalyst"] {
        assert!(errors.contains(source), "{source}: {errors}");
    }
    seen.push_str(&errors);

    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "the log was captured"
    );
    for secret in SECRETS {
        assert!(!log.contains(secret), "the log contains {secret}");
        assert!(
            !seen.contains(secret),
            "an error or Debug contains {secret}:\n{seen}"
        );
    }
    assert!(!log.contains("EC PRIVATE KEY") && !seen.contains("EC PRIVATE KEY"));
}
