//! IAM Identity Center (SSO) credentials end to end. moto has no sso or sso-oidc service,
//! so a stand-in on 127.0.0.1 (`fault_server` with a responder) speaks the two operations
//! as botocore's models define them: sso-oidc `CreateToken` (POST /token, refresh-token
//! grant, checking the client id, secret and refresh token it issued) and the portal's
//! `GetRoleCredentials` (GET /federation/credentials, the bearer token in
//! `x-amz-sso_bearer_token`, 401 `UnauthorizedException` for a token it did not issue).
//!
//! The token cache is shared with a real peer: botocore 1.44.5 (the pinned venv the test
//! command installs) reads the cache file inia refreshed and gets credentials from the
//! same stand-in, and inia reads the file botocore refreshed.
//!
//! Owns those assertions. Does not own the settings' unit tests (`src/credentials/sso*.rs`).

use inia::auth::config::Env;
use inia::{Error, Session};
use inia_test_support::digest_hex;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

mod fault_server;
use fault_server::*;

const CLIENT_ID: &str = "client-id-1";
const CLIENT_SECRET: &str = "client-secret-do-not-print";

/// The stand-in's state: the tokens it issued, newest last.
#[derive(Default)]
struct Issued {
    access: Vec<String>,
    refresh: String,
}

fn json_reply(status: u16, body: Value, error_type: Option<&'static str>) -> Act {
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

/// Starts the stand-in; `issued` starts with the tokens of a sign-in.
async fn stand_in(issued: Arc<Mutex<Issued>>) -> FaultServer {
    FaultServer::answering(move |seen| {
        let mut state = issued.lock().unwrap();
        if seen.method == "POST" && seen.target == "/token" {
            let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
            let ok = body["grantType"] == "refresh_token"
                && body["clientId"] == CLIENT_ID
                && body["clientSecret"] == CLIENT_SECRET
                && body["refreshToken"] == state.refresh.as_str();
            if !ok {
                return json_reply(
                    400,
                    json!({"error": "invalid_grant"}),
                    Some("InvalidGrantException"),
                );
            }
            let n = state.access.len();
            state.access.push(format!("access-{n}"));
            state.refresh = format!("refresh-{n}");
            return json_reply(
                200,
                json!({"accessToken": format!("access-{n}"), "tokenType": "Bearer",
                       "expiresIn": 3600, "refreshToken": format!("refresh-{n}")}),
                None,
            );
        }
        if seen.method == "GET" && seen.target.starts_with("/federation/credentials?") {
            let bearer = seen.header("x-amz-sso_bearer_token").unwrap_or_default();
            if !state.access.contains(&bearer) {
                return json_reply(
                    401,
                    json!({"message": "Session token not found or invalid"}),
                    Some("UnauthorizedException"),
                );
            }
            let millis = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_millis() as u64
                + 3_600_000;
            return json_reply(
                200,
                json!({"roleCredentials": {"accessKeyId": format!("ASIA-{bearer}"),
                    "secretAccessKey": "role-secret", "sessionToken": "role-token",
                    "expiration": millis}}),
                None,
            );
        }
        json_reply(
            404,
            json!({"message": "not here"}),
            Some("ResourceNotFoundException"),
        )
    })
    .await
}

struct Home {
    dir: tempfile::TempDir,
    url: String,
}

impl Home {
    fn new(server: &FaultServer) -> Home {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config"),
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n\
             sso_role_name = Developer\nregion = eu-west-1\n\
             [sso-session corp]\nsso_start_url = https://d-1234.awsapps.com/start\n\
             sso_region = us-east-1\n\
             [profile broken]\nsso_account_id = 1\n",
        )
        .unwrap();
        Home {
            dir,
            url: server.url(),
        }
    }

    fn vars(&self) -> Vec<(String, String)> {
        let p = |f: &str| self.dir.path().join(f).display().to_string();
        vec![
            ("HOME".into(), p("")),
            ("AWS_CONFIG_FILE".into(), p("config")),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), p("credentials")),
            ("AWS_ENDPOINT_URL_SSO".into(), self.url.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC".into(), self.url.clone()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ]
    }

    fn write_token(&self, access: &str, refresh: &str, expires_in: i64) {
        let at = utc_in;
        let path = self.cache_file();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let doc = json!({"startUrl": "https://d-1234.awsapps.com/start", "region": "us-east-1",
            "accessToken": access, "expiresAt": at(expires_in), "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET, "registrationExpiresAt": at(90 * 86400),
            "refreshToken": refresh});
        std::fs::write(path, doc.to_string()).unwrap();
    }

    /// `~/.aws/sso/cache/<sha1("corp")>.json`, as the AWS CLI names it (the SHA-1 taken
    /// by `sha1sum`, not by the code under test).
    fn cache_file(&self) -> PathBuf {
        let digest = digest_hex("sha1sum", "corp");
        self.dir
            .path()
            .join(".aws/sso/cache")
            .join(format!("{digest}.json"))
    }

    fn read_token(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.cache_file()).unwrap()).unwrap()
    }

    async fn inia_key(&self, profile: &str) -> Result<String, Error> {
        let mut vars = self.vars();
        vars.push(("AWS_PROFILE".into(), profile.into()));
        let session = Session::builder().env(Env::from_vars(vars)).build()?;
        let creds = session.credentials().await?.expect("credentials");
        assert_eq!(creds.account_id(), Some("111122223333"));
        Ok(creds.access_key_id().to_string())
    }

    /// The access key botocore gets for `profile`, from the pinned venv.
    fn botocore_key(&self, profile: &str) -> String {
        let python =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
        let script = "import botocore.session, sys\n\
            s = botocore.session.Session(profile=sys.argv[1])\n\
            print(s.get_credentials().get_frozen_credentials().access_key)\n";
        let out = std::process::Command::new(&python)
            .env_clear()
            .envs(self.vars())
            .args(["-c", script, profile])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (run `cargo xtask test` once to install it)",
                    python.display()
                )
            });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// Now plus `secs`, as the cache writes times.
fn utc_in(secs: i64) -> String {
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    (now + chrono::Duration::seconds(secs))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_cached_token_gets_role_credentials() {
    let issued = Arc::new(Mutex::new(Issued {
        access: vec!["signed-in".into()],
        refresh: "refresh-initial".into(),
    }));
    let server = stand_in(issued).await;
    let home = Home::new(&server);
    home.write_token("signed-in", "refresh-initial", 3600);
    assert_eq!(home.inia_key("dev").await.unwrap(), "ASIA-signed-in");
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "no refresh with an hour left");
    let get = &seen[0];
    assert_eq!(
        get.target,
        "/federation/credentials?role_name=Developer&account_id=111122223333"
    );
    assert_eq!(
        get.header("x-amz-sso_bearer_token").as_deref(),
        Some("signed-in")
    );
    assert_eq!(get.header("authorization"), None, "the call is unsigned");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshed_tokens_are_shared_with_botocore_both_ways() {
    let issued = Arc::new(Mutex::new(Issued {
        access: vec!["signed-in".into()],
        refresh: "refresh-initial".into(),
    }));
    let server = stand_in(issued.clone()).await;
    let home = Home::new(&server);

    // Ten minutes left: inia refreshes through CreateToken and writes the cache back.
    home.write_token("signed-in", "refresh-initial", 600);
    assert_eq!(home.inia_key("dev").await.unwrap(), "ASIA-access-1");
    let token = home.read_token();
    assert_eq!(token["accessToken"], "access-1");
    assert_eq!(token["refreshToken"], "refresh-1");
    assert_eq!(token["clientSecret"], CLIENT_SECRET);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.cache_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // botocore reads the file inia wrote: no refresh (an hour left), the same token.
    assert_eq!(home.botocore_key("dev"), "ASIA-access-1");
    let posts = |s: &FaultServer| s.seen().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts(&server), 1);

    // Ten minutes left again, on the refresh token inia stored: botocore refreshes and
    // writes the cache; inia uses what botocore wrote without refreshing again.
    let mut t = home.read_token();
    t["expiresAt"] = json!(utc_in(600));
    std::fs::write(home.cache_file(), t.to_string()).unwrap();
    assert_eq!(home.botocore_key("dev"), "ASIA-access-2");
    assert_eq!(home.read_token()["refreshToken"], "refresh-2");
    assert_eq!(home.inia_key("dev").await.unwrap(), "ASIA-access-2");
    assert_eq!(posts(&server), 2);
    let _ = issued;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_or_expired_sign_in_says_what_to_run() {
    let issued = Arc::new(Mutex::new(Issued::default()));
    let server = stand_in(issued).await;
    let home = Home::new(&server);

    // No cache file.
    let e = home.inia_key("dev").await.unwrap_err().to_string();
    assert!(e.contains("sso login --profile dev"), "{e}");

    // Expired, and the stand-in refuses the refresh token: the refresh fails, so the
    // expired token is refused without calling the portal.
    home.write_token("old", "refresh-unknown", -60);
    let e = home.inia_key("dev").await.unwrap_err().to_string();
    assert!(
        e.contains("expired") && e.contains("sso login --profile dev"),
        "{e}"
    );
    assert!(
        !e.contains(CLIENT_SECRET) && !e.contains("refresh-unknown"),
        "{e}"
    );
    assert!(server.seen().iter().all(|r| r.method == "POST"));

    // A token the portal does not know: its 401 becomes the same advice.
    home.write_token("revoked", "refresh-unknown", 3600);
    let e = home.inia_key("dev").await.unwrap_err().to_string();
    assert!(e.contains("expired or is otherwise invalid"), "{e}");

    // A malformed cache file names the file, not its content.
    std::fs::write(home.cache_file(), "{\"accessToken\": \"half").unwrap();
    let e = home.inia_key("dev").await.unwrap_err().to_string();
    assert!(
        e.contains(".json") && e.contains("not JSON") && !e.contains("half"),
        "{e}"
    );

    // A profile missing keys: botocore's words.
    let e = home.inia_key("broken").await.unwrap_err().to_string();
    assert!(
        e.contains("missing required configuration: sso_role_name"),
        "{e}"
    );
}
