//! `inia sso login --use-device-code` and `inia sso logout` end to end. moto has no
//! sso-oidc or sso service, so the stand-in on 127.0.0.1 (`sso_stand_in`) answers the
//! operations as botocore's models define them (`RegisterClient`,
//! `StartDeviceAuthorization`, `CreateToken` answering "authorization pending" once before
//! it approves, the portal's `GetRoleCredentials` and `Logout`) and records what it got.
//! The token the sign-in caches then serves `inia configure export-credentials` and
//! botocore 1.44.5 (the pinned venv) alike.
//!
//! Owns those assertions. Does not own the token cache's own tests (`crates/inia/tests/sso.rs`)
//! or the authorization-code sign-in's (`sso_login_pkce.rs`).

use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};

mod sso_stand_in;
use inia_test_support::digest_hex;
use sso_stand_in::{now_secs, run, stand_in, Request};

/// The service side of a sign-in, approving on the second poll.
fn identity_center() -> (String, Arc<Mutex<Vec<Request>>>) {
    let polls = Mutex::new(0);
    stand_in(move |r| {
        let body: Value = serde_json::from_slice(&r.body).unwrap_or_default();
        match (r.method.as_str(), r.target.split('?').next().unwrap_or("")) {
            ("POST", "/client/register") => (
                200,
                json!({"clientId": "cid-1", "clientSecret": "csecret-never-printed",
                       "clientIdIssuedAt": now_secs(), "clientSecretExpiresAt": now_secs() + 90 * 86400}),
                None,
            ),
            ("POST", "/device_authorization") => (
                200,
                json!({"deviceCode": "device-code-1", "userCode": "WXYZ-1234",
                       "verificationUri": "https://device.example.test/",
                       "verificationUriComplete": "https://device.example.test/?user_code=WXYZ-1234",
                       "expiresIn": 600, "interval": 1}),
                None,
            ),
            ("POST", "/token") => {
                assert_eq!(
                    body["grantType"],
                    "urn:ietf:params:oauth:grant-type:device_code"
                );
                assert_eq!(body["deviceCode"], "device-code-1");
                let mut n = polls.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    (
                        400,
                        json!({"error": "authorization_pending"}),
                        Some("AuthorizationPendingException"),
                    )
                } else {
                    (
                        200,
                        json!({"accessToken": "signed-in-token", "tokenType": "Bearer",
                                 "expiresIn": 28800, "refreshToken": "refresh-never-printed"}),
                        None,
                    )
                }
            }
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
            ("POST", "/logout") => (200, json!({}), None),
            _ => (401, json!({"message": "no"}), Some("UnauthorizedException")),
        }
    })
}

#[test]
fn device_code_sign_in_serves_inia_and_botocore_then_logout_clears_it() {
    let (url, seen) = identity_center();
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
         [sso-session corp]\nsso_start_url = https://d-9999.awsapps.com/start\nsso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    let inia = Path::new(env!("CARGO_BIN_EXE_inia"));
    let out = run(
        inia,
        home.path(),
        &url,
        &[
            "--profile",
            "dev",
            "sso",
            "login",
            "--use-device-code",
            "--no-browser",
        ],
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("https://device.example.test/") && stderr.contains("WXYZ-1234"),
        "{stderr}"
    );
    assert_eq!(
        stdout,
        "Successfully logged into Start URL: https://d-9999.awsapps.com/start\n"
    );
    for secret in [
        "csecret-never-printed",
        "refresh-never-printed",
        "signed-in-token",
    ] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    let polls = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.target == "/token")
        .count();
    assert_eq!(polls, 2, "pending once, then approved");
    let register: Value = serde_json::from_slice(&seen.lock().unwrap()[0].body).unwrap();
    assert_eq!(register["clientType"], "public");
    assert_eq!(register["scopes"], json!(["sso:account:access"]));

    // The token cache, as the AWS CLI keeps it.
    let token_file = aws
        .join("sso/cache")
        .join(format!("{}.json", digest_hex("sha1sum", "corp")));
    let token: Value =
        serde_json::from_str(&std::fs::read_to_string(&token_file).unwrap()).unwrap();
    assert_eq!(token["accessToken"], "signed-in-token");
    assert_eq!(token["refreshToken"], "refresh-never-printed");
    assert_eq!(token["clientId"], "cid-1");
    assert_eq!(token["startUrl"], "https://d-9999.awsapps.com/start");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // It serves inia's own chain...
    let out = run(
        inia,
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
    assert_eq!(creds["AccountId"], "111122223333");
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

    // Sign-out revokes the token at the portal and deletes it; the registration stays.
    let out = run(
        inia,
        home.path(),
        &url,
        &["--profile", "dev", "sso", "logout"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!token_file.exists());
    let logout = seen
        .lock()
        .unwrap()
        .iter()
        .find(|r| r.target == "/logout")
        .cloned()
        .unwrap();
    assert_eq!(
        logout.header("x-amz-sso_bearer_token"),
        Some("signed-in-token")
    );
    assert_eq!(std::fs::read_dir(aws.join("sso/cache")).unwrap().count(), 1);
    let out = run(
        inia,
        home.path(),
        &url,
        &["--profile", "dev", "configure", "export-credentials"],
    );
    assert_eq!(out.status.code(), Some(253));
    assert!(String::from_utf8_lossy(&out.stderr).contains("sso login --profile dev"));
}
