//! `aws login` sessions end to end. moto has no sign-in service, so a stand-in on
//! 127.0.0.1 (`fault_server` with a responder) speaks `CreateOAuth2Token` as botocore's
//! model defines it and checks the DPoP proof of every refresh: ES256, verified with
//! ring against the public key `openssl` derives from the session's key, its `htm` and
//! `htu` those of the request, and the refresh token the last one it issued.
//!
//! The session cache is shared with a real peer: botocore 1.44.5 with its CRT (the pinned
//! venv) reads what inia refreshed, and inia reads what botocore refreshed.
//!
//! Owns those assertions. Does not own the proof's unit tests (`inia-auth`'s `dpop.rs`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use inia::auth::config::Env;
use inia::Session;
use inia_test_support::digest_hex;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

mod fault_server;
use fault_server::*;

const SESSION: &str = "arn:aws:iam::111122223333:user/alice";

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn utc_in(secs: i64) -> String {
    let now = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    (now + chrono::Duration::seconds(secs))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// What the stand-in checked and issued.
#[derive(Default)]
struct State {
    refresh: String,
    issued: usize,
    proofs: Vec<String>,
}

/// Verifies a DPoP proof for `method` `url`, signed by the key whose point is `public`.
fn check_proof(proof: &str, public: &[u8], url: &str) -> Result<(), String> {
    let parts: Vec<&str> = proof.split('.').collect();
    let [h, p, s] = parts.as_slice() else {
        return Err("not three parts".into());
    };
    let decode = |t: &str| -> Result<Value, String> {
        let bytes = URL_SAFE_NO_PAD.decode(t).map_err(|e| e.to_string())?;
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())
    };
    let (header, payload) = (decode(h)?, decode(p)?);
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" {
        return Err(format!("header {header}"));
    }
    let mut point = vec![4u8];
    for c in ["x", "y"] {
        point.extend(
            URL_SAFE_NO_PAD
                .decode(header["jwk"][c].as_str().unwrap_or(""))
                .map_err(|e| e.to_string())?,
        );
    }
    if point != public {
        return Err("the JWK is not the session's key".into());
    }
    if payload["htm"] != "POST" || payload["htu"] != url {
        return Err(format!("payload {payload}, want POST {url}"));
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string())?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, public)
        .verify(format!("{h}.{p}").as_bytes(), &sig)
        .map_err(|_| "bad signature".to_string())
}

struct Home {
    dir: tempfile::TempDir,
    url: String,
}

impl Home {
    fn vars(&self) -> Vec<(String, String)> {
        let p = |f: &str| self.dir.path().join(f).display().to_string();
        vec![
            ("HOME".into(), p("")),
            ("AWS_CONFIG_FILE".into(), p("config")),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), p("credentials")),
            ("AWS_LOGIN_CACHE_DIRECTORY".into(), p("login")),
            ("AWS_ENDPOINT_URL_SIGNIN".into(), self.url.clone()),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ]
    }

    fn cache_file(&self) -> PathBuf {
        self.dir
            .path()
            .join("login")
            .join(format!("{}.json", digest_hex("sha256sum", SESSION)))
    }

    fn token(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.cache_file()).unwrap()).unwrap()
    }

    fn expire_soon(&self) {
        let mut t = self.token();
        t["accessToken"]["expiresAt"] = json!(utc_in(120));
        std::fs::write(self.cache_file(), t.to_string()).unwrap();
    }

    async fn inia_key(&self) -> Result<String, inia::Error> {
        let mut vars = self.vars();
        vars.push(("AWS_PROFILE".into(), "web".into()));
        let session = Session::builder().env(Env::from_vars(vars)).build()?;
        let c = session.credentials().await?.expect("credentials");
        assert_eq!(c.account_id(), Some("111122223333"));
        Ok(c.access_key_id().to_string())
    }

    fn botocore_key(&self) -> String {
        let python =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
        let script = "import botocore.session\n\
            print(botocore.session.Session(profile='web').get_credentials().get_frozen_credentials().access_key)";
        let out = Command::new(&python)
            .env_clear()
            .envs(self.vars())
            .args(["-c", script])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

async fn setup() -> (Home, FaultServer, Arc<Mutex<State>>) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.pem");
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        key.to_str().unwrap(),
    ]);
    let der = openssl(&[
        "ec",
        "-in",
        key.to_str().unwrap(),
        "-pubout",
        "-outform",
        "DER",
    ]);
    // The uncompressed point closes the SubjectPublicKeyInfo.
    let public = der[der.len() - 65..].to_vec();
    let state = Arc::new(Mutex::new(State {
        refresh: "refresh-0".into(),
        ..Default::default()
    }));
    let (st, pk) = (state.clone(), public.clone());
    let url_slot: Arc<Mutex<String>> = Arc::default();
    let url2 = url_slot.clone();
    let server = FaultServer::answering(move |seen| {
        let mut s = st.lock().unwrap();
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
        let proof = seen
            .head
            .lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case("dpop"))
            })
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default();
        let url = format!("{}/v1/token", url2.lock().unwrap());
        let checked = check_proof(&proof, &pk, &url);
        let ok = seen.method == "POST"
            && seen.target == "/v1/token"
            && checked.is_ok()
            && body["grantType"] == "refresh_token"
            && body["refreshToken"] == s.refresh.as_str()
            && body["clientId"] == "arn:aws:signin:::devtools/same-device";
        s.proofs.push(format!("{checked:?}"));
        if !ok {
            return Act::Respond {
                status: 400,
                headers: vec![
                    ("content-type", "application/json".into()),
                    ("x-amzn-errortype", "AccessDeniedException".into()),
                ],
                body: json!({"error": "TOKEN_EXPIRED", "message": "refused"}).to_string(),
            };
        }
        s.issued += 1;
        s.refresh = format!("refresh-{}", s.issued);
        Act::Respond {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: json!({"accessToken": {"accessKeyId": format!("ASIALOGIN{}", s.issued),
                "secretAccessKey": "login-secret", "sessionToken": "login-token"},
                "tokenType": "aws_sigv4", "expiresIn": 900, "refreshToken": s.refresh})
            .to_string(),
        }
    })
    .await;
    *url_slot.lock().unwrap() = server.url();
    std::fs::write(
        dir.path().join("config"),
        format!("[profile web]\nlogin_session = {SESSION}\nregion = us-east-1\n"),
    )
    .unwrap();
    let home = Home {
        dir,
        url: server.url(),
    };
    let pem = std::fs::read_to_string(&key).unwrap();
    std::fs::create_dir_all(home.cache_file().parent().unwrap()).unwrap();
    let token = json!({"accessToken": {"accessKeyId": "ASIACACHED", "secretAccessKey": "old",
        "sessionToken": "old-token", "accountId": "111122223333", "expiresAt": utc_in(3600)},
        "tokenType": "aws_sigv4", "refreshToken": "refresh-0", "idToken": "id",
        "clientId": "arn:aws:signin:::devtools/same-device", "dpopKey": pem});
    std::fs::write(home.cache_file(), token.to_string()).unwrap();
    (home, server, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_sessions_refresh_with_a_dpop_proof_and_share_the_cache_with_botocore() {
    let (home, server, state) = setup().await;
    // An hour left: the cached credentials, no call.
    assert_eq!(home.inia_key().await.unwrap(), "ASIACACHED");
    assert!(server.seen().is_empty());

    // Two minutes left: inia refreshes with a proof and writes the session back.
    home.expire_soon();
    assert_eq!(home.inia_key().await.unwrap(), "ASIALOGIN1");
    assert_eq!(state.lock().unwrap().proofs, ["Ok(())"]);
    let t = home.token();
    assert_eq!(t["refreshToken"], "refresh-1");
    assert_eq!(t["accessToken"]["accountId"], "111122223333");
    assert!(
        t["dpopKey"].as_str().unwrap().contains("EC PRIVATE KEY"),
        "other fields kept"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.cache_file())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // botocore reads it (15 minutes left: no refresh).
    assert_eq!(home.botocore_key(), "ASIALOGIN1");
    assert_eq!(server.seen().len(), 1);

    // botocore refreshes (its proof passes the same checks); inia reads what it wrote.
    home.expire_soon();
    assert_eq!(home.botocore_key(), "ASIALOGIN2");
    assert_eq!(state.lock().unwrap().proofs, ["Ok(())", "Ok(())"]);
    assert_eq!(home.inia_key().await.unwrap(), "ASIALOGIN2");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_or_broken_sessions_say_to_sign_in_again() {
    let (home, _server, state) = setup().await;
    // The stand-in refuses a refresh token it did not issue last.
    state.lock().unwrap().refresh = "refresh-other".into();
    home.expire_soon();
    let e = home.inia_key().await.unwrap_err().to_string();
    assert!(e.contains("expired") && e.contains("aws login"), "{e}");
    assert!(
        !e.contains("refresh-0") && !e.contains("PRIVATE KEY"),
        "{e}"
    );

    // A session file missing its key.
    let mut t = home.token();
    t.as_object_mut().unwrap().remove("dpopKey");
    std::fs::write(home.cache_file(), t.to_string()).unwrap();
    let e = home.inia_key().await.unwrap_err().to_string();
    assert!(e.contains("missing required fields: dpopKey"), "{e}");

    // No session at all.
    std::fs::remove_file(home.cache_file()).unwrap();
    let e = home.inia_key().await.unwrap_err().to_string();
    assert!(
        e.contains("no login session") && e.contains("aws login"),
        "{e}"
    );
}
