//! Web identity credentials (`AssumeRoleWithWebIdentity`) through the session's default
//! chain against moto on 127.0.0.1: from the environment, from a profile, as the source
//! of a role chain; the token file read again at each refresh (a rotated token is used,
//! a vanished file is an error naming it, never the token). The environment is injected,
//! never the process's; moto is reached through `AWS_ENDPOINT_URL`, as a user points the
//! inner STS client of a credential source elsewhere.
//!
//! Owns those assertions. Does not own the chain's other sources
//! (`credentials_network.rs`, `inia-auth`'s tests).

use inia::auth::config::Env;
use inia::time::Clock;
use inia::{json, Error, Session, Value};
use inia_test_support::Moto;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.web-identity-test-token.c2lnbmF0dXJl";

/// Settings for a session whose files live in `dir`, its STS calls going to moto.
fn env(moto: &Moto, dir: &Path, extra: &[(&str, String)]) -> Env {
    let mut vars = vec![
        ("AWS_ENDPOINT_URL".to_string(), moto.endpoint()),
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
        (
            "AWS_CONFIG_FILE".to_string(),
            dir.join("config").display().to_string(),
        ),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            dir.join("credentials").display().to_string(),
        ),
        ("AWS_EC2_METADATA_DISABLED".to_string(), "true".to_string()),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Env::from_vars(vars)
}

async fn who_am_i(session: &Session) -> Result<Value, Error> {
    session
        .client("sts")?
        .call("GetCallerIdentity", json!({}))
        .await
}

fn token_file(dir: &Path, token: &str) -> String {
    let path = dir.join("token");
    std::fs::write(&path, token).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_environment() {
    let moto = Moto::shared();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(dir.path(), TOKEN);
    let env = env(
        moto,
        dir.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", file),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci".into()),
            ("AWS_ROLE_SESSION_NAME", "build-7".into()),
        ],
    );
    let session = Session::builder().env(env).build().unwrap();
    let who = who_am_i(&session).await.unwrap();
    assert_eq!(
        who["Arn"], "arn:aws:sts::123456789012:assumed-role/ci/build-7",
        "{who}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_a_profile_and_as_the_source_of_a_role_chain() {
    let moto = Moto::shared();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(dir.path(), TOKEN);
    std::fs::write(
        dir.path().join("config"),
        format!(
            "[profile oidc]\nweb_identity_token_file = {file}\n\
             role_arn = arn:aws:iam::123456789012:role/oidc-role\nrole_session_name = from-profile\n\
             [profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deployer\n\
             source_profile = oidc\nrole_session_name = chained\n\
             [profile loop-a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = loop-b\n\
             [profile loop-b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = loop-a\n"
        ),
    )
    .unwrap();
    let session = |profile: &str| {
        Session::builder()
            .env(env(moto, dir.path(), &[("AWS_PROFILE", profile.into())]))
            .build()
    };
    let who = who_am_i(&session("oidc").unwrap()).await.unwrap();
    assert_eq!(
        who["Arn"],
        "arn:aws:sts::123456789012:assumed-role/oidc-role/from-profile"
    );
    // The chain: the web identity role's credentials assume the deployer role.
    let who = who_am_i(&session("deploy").unwrap()).await.unwrap();
    assert_eq!(
        who["Arn"],
        "arn:aws:sts::123456789012:assumed-role/deployer/chained"
    );
    // Two profiles naming each other are refused when the session is built.
    let e = session("loop-a").unwrap_err().to_string();
    assert!(e.contains("loop") && e.contains("loop-b"), "{e}");
}

/// A clock set by the test (the session's, judging expiry).
#[derive(Debug)]
struct At(std::sync::Mutex<SystemTime>);

impl Clock for At {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_file_is_read_again_at_each_refresh() {
    let moto = Moto::shared();
    let dir = tempfile::tempdir().unwrap();
    let file = token_file(dir.path(), TOKEN);
    let env = env(
        moto,
        dir.path(),
        &[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", file.clone()),
            (
                "AWS_ROLE_ARN",
                "arn:aws:iam::123456789012:role/rotating".into(),
            ),
        ],
    );
    let clock = Arc::new(At(std::sync::Mutex::new(SystemTime::now())));
    let session = Session::builder()
        .env(env)
        .clock(clock.clone())
        .build()
        .unwrap();
    who_am_i(&session).await.unwrap();

    // Five minutes before the credentials expire (moto gives an hour), inside the window
    // where a refresh must succeed: the file is gone, so the refresh fails, naming the
    // source and the file and not the token it held.
    std::fs::remove_file(&file).unwrap();
    *clock.0.lock().unwrap() = SystemTime::now() + Duration::from_secs(55 * 60);
    let e = who_am_i(&session).await.unwrap_err();
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("assume-role-with-web-identity") && text.contains(&file),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "{text}");

    // A rotated token is picked up by the next refresh.
    std::fs::write(&file, "rotated-token").unwrap();
    let who = who_am_i(&session).await.unwrap();
    assert!(who["Arn"]
        .as_str()
        .unwrap()
        .contains("assumed-role/rotating/"));

    // A token file without a role ARN is an error naming both settings.
    let lone = Session::builder()
        .env(Env::from_vars([
            ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
            ("AWS_CONFIG_FILE", "/nonexistent/config"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials"),
            ("AWS_ENDPOINT_URL", &moto.endpoint()),
            ("AWS_REGION", "us-east-1"),
        ]))
        .build()
        .unwrap();
    let e = who_am_i(&lone).await.unwrap_err().to_string();
    assert!(e.contains("role_arn") && e.contains("AWS_ROLE_ARN"), "{e}");
}
