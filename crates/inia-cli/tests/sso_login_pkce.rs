//! `inia sso login`'s default sign-in, the authorization code with PKCE and a loopback
//! redirect, end to end: the login runs as a child process against the stand-in
//! (`sso_stand_in`) answering as sso-oidc and the portal; the test reads the authorize
//! URL the child prints, checks its query, and plays the browser by calling the redirect
//! URI on 127.0.0.1. The stand-in's `CreateToken` accepts only the authorization-code
//! grant with the code, the redirect URI and a verifier whose S256 challenge is the URL's.
//! The token cached then serves `inia configure export-credentials` and botocore 1.44.5
//! (the pinned venv); a redirect with another state signs nothing in.
//!
//! Owns those assertions. Does not own the device-code sign-in's (`sso_login.rs`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod sso_stand_in;
use inia_test_support::digest_hex;
use sso_stand_in::{command, now_secs, run, stand_in, Request};

const START_URL: &str = "https://d-9999.awsapps.com/start";

/// What the stand-in's `CreateToken` must see, once the test has read the URL: the code
/// challenge and the redirect URI.
type Expected = Arc<Mutex<Option<(String, String)>>>;

/// Why a `CreateToken` is refused, if it is.
fn refusal(body: &Value, expected: &Expected) -> Option<String> {
    let Some((challenge, redirect)) = expected.lock().unwrap().clone() else {
        return Some("CreateToken before the browser came back".into());
    };
    let verifier = body["codeVerifier"].as_str().unwrap_or("");
    let s256 = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        verifier.as_bytes(),
    ));
    let checks = [
        (body["grantType"] == "authorization_code", "grantType"),
        (body["code"] == "the-code", "code"),
        (body["redirectUri"] == json!(redirect), "redirectUri"),
        (
            s256 == challenge,
            "codeVerifier (its S256 is not the challenge)",
        ),
        (body["clientId"] == "cid-auth", "clientId"),
        (
            body["clientSecret"] == "csecret-never-printed",
            "clientSecret",
        ),
    ];
    checks
        .iter()
        .find(|(ok, _)| !ok)
        .map(|(_, what)| format!("wrong {what}"))
}

/// The service side of an authorization-code sign-in.
fn identity_center(expected: Expected) -> (String, Arc<Mutex<Vec<Request>>>) {
    stand_in(move |r| {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        match (r.method.as_str(), r.target.split('?').next().unwrap_or("")) {
            ("POST", "/client/register") => (
                200,
                json!({"clientId": "cid-auth", "clientSecret": "csecret-never-printed",
                       "clientIdIssuedAt": now_secs(), "clientSecretExpiresAt": now_secs() + 90 * 86400}),
                None,
            ),
            ("POST", "/token") => match refusal(&body, &expected) {
                None => (
                    200,
                    json!({"accessToken": "signed-in-token", "tokenType": "Bearer",
                           "expiresIn": 28800, "refreshToken": "refresh-never-printed"}),
                    None,
                ),
                Some(why) => (
                    400,
                    json!({"error": "invalid_grant", "error_description": why}),
                    Some("InvalidGrantException"),
                ),
            },
            ("GET", "/federation/credentials")
                if r.header("x-amz-sso_bearer_token") == Some("signed-in-token") =>
            {
                (
                    200,
                    json!({"roleCredentials": {"accessKeyId": "ASIASIGNEDIN", "secretAccessKey": "s",
                       "sessionToken": "t", "expiration": (now_secs() + 3600) * 1000}}),
                    None,
                )
            }
            _ => (401, json!({"message": "no"}), Some("UnauthorizedException")),
        }
    })
}

/// A home whose profile `dev` uses the sso-session `corp` (no scopes configured).
fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
             [sso-session corp]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n"
        ),
    )
    .unwrap();
    home
}

fn inia() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_inia"))
}

/// `inia --profile dev sso login --no-browser`, running; its stderr lines come on the
/// receiver as they are written.
fn start_login(home: &Path, url: &str) -> (Child, Receiver<String>) {
    let args = ["--profile", "dev", "sso", "login", "--no-browser"];
    let mut child = command(inia(), home, url, &args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (send, lines) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    (child, lines)
}

/// The first stderr line with the authorize URL, and the lines before it.
fn authorize_url(lines: &Receiver<String>) -> (String, Vec<String>) {
    let mut before = Vec::new();
    for _ in 0..50 {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("no authorize URL ({e}); stderr so far: {before:?}"));
        if line.contains("/authorize?") {
            return (line, before);
        }
        before.push(line);
    }
    panic!("no authorize URL in {before:?}");
}

/// The query of `url`, decoded.
fn query(url: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .into_owned()
    };
    let (_, q) = url.split_once('?').unwrap();
    q.split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

/// The browser: `GET <path>` on the redirect URI's host; the whole answer.
fn browse(redirect_uri: &str, path: &str) -> String {
    let host = redirect_uri
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap();
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/html\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

/// The child's end: exit status, stdout, and the rest of stderr. Bounded: killed after a
/// minute.
fn finish(mut child: Child, lines: Receiver<String>) -> (Option<i32>, String, String) {
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let stderr: Vec<String> = lines.iter().collect();
    (status.code(), stdout, stderr.join("\n"))
}

#[test]
fn authorization_code_sign_in_serves_inia_and_botocore() {
    let expected: Expected = Arc::default();
    let (url, seen) = identity_center(expected.clone());
    let home = home();
    let (child, lines) = start_login(home.path(), &url);

    let (authorize, before) = authorize_url(&lines);
    assert_eq!(
        before.join("\n"),
        "Browser will not be automatically opened.\nPlease visit the following URL:\n"
    );
    assert!(
        authorize.starts_with(&format!("{url}/authorize?")),
        "{authorize}"
    );
    let q = query(&authorize);
    let names: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "code_challenge_method",
            "scopes",
            "code_challenge"
        ]
    );
    let get = |k: &str| q.iter().find(|(n, _)| n == k).unwrap().1.clone();
    assert_eq!(get("response_type"), "code");
    assert_eq!(get("client_id"), "cid-auth");
    assert_eq!(get("code_challenge_method"), "S256");
    assert_eq!(get("scopes"), "sso:account:access");
    let (redirect, state, challenge) = (get("redirect_uri"), get("state"), get("code_challenge"));
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");
    assert!(redirect.ends_with("/oauth/callback"), "{redirect}");
    assert!(state.len() >= 16, "{state}");
    assert_eq!(challenge.len(), 43, "{challenge}");
    *expected.lock().unwrap() = Some((challenge, redirect.clone()));

    // The browser: a stray request first, then the redirect.
    let page = browse(&redirect, "/favicon.ico");
    assert!(page.starts_with("HTTP/1.1 404"), "{page}");
    let page = browse(
        &redirect,
        &format!("/oauth/callback?code=the-code&state={state}"),
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("The sign-in succeeded"), "{page}");

    let (code, stdout, stderr) = finish(child, lines);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        format!("Successfully logged into Start URL: {START_URL}\n")
    );
    let requests = seen.lock().unwrap().clone();
    let token_call: Value = requests
        .iter()
        .find(|r| r.target == "/token")
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .unwrap();
    let verifier = token_call["codeVerifier"].as_str().unwrap().to_string();
    assert_eq!(verifier.len(), 43);
    for secret in [
        "csecret-never-printed",
        "refresh-never-printed",
        "signed-in-token",
        "the-code",
        &verifier,
    ] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret}"
        );
    }
    let register: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(requests[0].target, "/client/register");
    assert_eq!(register["clientType"], "public");
    assert_eq!(
        register["grantTypes"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(
        register["redirectUris"],
        json!(["http://127.0.0.1/oauth/callback"])
    );
    assert_eq!(register["issuerUrl"], START_URL);
    assert_eq!(register["scopes"], json!(["sso:account:access"]));
    assert!(register["clientName"]
        .as_str()
        .unwrap()
        .starts_with("botocore-client-"));

    // The token cache, as the AWS CLI keeps it, beside the registration.
    let cache = home.path().join(".aws/sso/cache");
    let token_file = cache.join(format!("{}.json", digest_hex("sha1sum", "corp")));
    let token: Value =
        serde_json::from_str(&std::fs::read_to_string(&token_file).unwrap()).unwrap();
    assert_eq!(token["accessToken"], "signed-in-token");
    assert_eq!(token["refreshToken"], "refresh-never-printed");
    assert_eq!(token["clientId"], "cid-auth");
    assert_eq!(token["startUrl"], START_URL);
    assert_eq!(token["region"], "us-east-1");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2);

    // It serves inia's own chain...
    let out = run(
        inia(),
        home.path(),
        &url,
        &["--profile", "dev", "configure", "export-credentials"],
    );
    let creds: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        creds["AccessKeyId"],
        "ASIASIGNEDIN",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ...and botocore's.
    let python =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/botocore-venv/bin/python");
    let script = "import botocore.session\n\
        print(botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials().access_key)";
    let out = run(&python, home.path(), &url, &["-c", script]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ASIASIGNEDIN",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_redirect_with_another_state_signs_nothing_in() {
    let expected: Expected = Arc::default();
    let (url, seen) = identity_center(expected);
    let home = home();
    let (child, lines) = start_login(home.path(), &url);
    let (authorize, _) = authorize_url(&lines);
    let q = query(&authorize);
    let redirect = &q.iter().find(|(k, _)| k == "redirect_uri").unwrap().1;

    let page = browse(redirect, "/oauth/callback?code=the-code&state=forged");
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    assert!(page.contains("The sign-in failed"), "{page}");

    let (code, stdout, stderr) = finish(child, lines);
    assert_ne!(code, Some(0), "{stderr}");
    assert!(code.is_some(), "killed: the login did not end");
    assert!(stderr.contains("state other than the one sent"), "{stderr}");
    assert!(!stderr.contains("the-code") && !stdout.contains("the-code"));
    assert_eq!(stdout, "");
    assert!(seen.lock().unwrap().iter().all(|r| r.target != "/token"));
    let token_file = home
        .path()
        .join(".aws/sso/cache")
        .join(format!("{}.json", digest_hex("sha1sum", "corp")));
    assert!(!token_file.exists());
}
