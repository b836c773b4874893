//! The credential chain end to end: every local source with a temporary HOME and an
//! injected environment (the process environment is never touched), precedence between
//! sources and between profiles, `credential_process` (success, failure, bad output,
//! expiry), malformed files, caching over the chain, region resolution, and that no
//! error, log line or `Debug` output shows a secret.

use inia_auth::config::{Env, ProfileFiles};
use inia_auth::credentials::Credentials;
use inia_auth::provider::{
    BotoConfigProvider, CredentialsChain, CredentialsError, EnvironmentProvider, ProcessProvider,
    ProfileFileProvider, ProvideCredentials, RefreshingCredentials, StaticProvider,
};
use inia_auth::region::resolve_region;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

const SECRET: &str = "SeCrEt/wJalrXUtnFEMI+K7MDENG";
const TOKEN: &str = "ToKeN/IQoJb3JpZ2luX2VjEJr";

/// A temporary HOME with `~/.aws/` and an environment pointing at it.
struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".aws")).unwrap();
        Home { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn config(&self, text: &str) -> &Self {
        self.write(".aws/config", text);
        self
    }

    fn credentials(&self, text: &str) -> &Self {
        self.write(".aws/credentials", text);
        self
    }

    /// A `credential_process` line running `script` with `sh`.
    fn script(&self, name: &str, script: &str) -> String {
        let p = self.write(name, script);
        format!("/bin/sh '{}'", p.display())
    }

    /// HOME here, PATH for the scripts, and no boto file unless a test adds one.
    fn env(&self) -> Env {
        Env::from_vars([("PATH", "/usr/bin:/bin")])
            .with_home(self.dir.path())
            .with_var(
                "BOTO_CONFIG",
                self.path("no-boto.cfg").display().to_string(),
            )
    }
}

fn resolve(env: Env, profile: Option<&str>) -> Result<Credentials, CredentialsError> {
    futures_executor::block_on(CredentialsChain::standard(env, profile).resolve())
}

fn found(env: Env, profile: Option<&str>) -> (String, &'static str) {
    match resolve(env, profile) {
        Ok(c) => (c.access_key_id().to_owned(), c.source()),
        Err(e) => panic!("expected credentials, got {e}"),
    }
}

fn keys(id: &str) -> String {
    format!("aws_access_key_id = {id}\naws_secret_access_key = {SECRET}\n")
}

fn env_keys(env: Env, id: &str) -> Env {
    env.with_var("AWS_ACCESS_KEY_ID", id)
        .with_var("AWS_SECRET_ACCESS_KEY", SECRET)
}

#[test]
fn every_source_alone() {
    let h = Home::new();
    let e = env_keys(h.env(), "ENV").with_var("AWS_SESSION_TOKEN", TOKEN);
    let c = resolve(e, None).unwrap();
    assert_eq!((c.access_key_id(), c.source()), ("ENV", "environment"));
    assert_eq!(c.session_token().map(|t| t.expose()), Some(TOKEN));

    let h = Home::new();
    h.credentials(&format!(
        "[default]\n{}aws_session_token = {TOKEN}\n",
        keys("CRED")
    ));
    let c = resolve(h.env(), None).unwrap();
    assert_eq!(
        (c.access_key_id(), c.source()),
        ("CRED", "shared-credentials-file")
    );
    assert_eq!(c.secret_access_key().expose(), SECRET);
    assert_eq!(c.session_token().map(|t| t.expose()), Some(TOKEN));

    let h = Home::new();
    h.config(&format!("[default]\nregion = x\n{}", keys("CFG")));
    assert_eq!(found(h.env(), None), ("CFG".into(), "config-file"));

    let h = Home::new();
    let boto = h.write("boto.cfg", &format!("[Credentials]\n{}", keys("BOTO")));
    let e = h.env().with_var("BOTO_CONFIG", boto.display().to_string());
    assert_eq!(found(e, None), ("BOTO".into(), "boto-config"));
    // The default locations, ~/.boto included, when BOTO_CONFIG is not set.
    h.write(".boto", &format!("[Credentials]\n{}", keys("HOMEBOTO")));
    let p = BotoConfigProvider::new(h.env().without_var("BOTO_CONFIG"))
        .with_default_paths(["~/nothing-here", "~/.boto"]);
    let c = futures_executor::block_on(p.provide()).unwrap().unwrap();
    assert_eq!(c.access_key_id(), "HOMEBOTO");

    let c = futures_executor::block_on(StaticProvider::from_keys("ST", SECRET, None).provide());
    assert_eq!(c.unwrap().unwrap().source(), "static");
}

#[test]
fn files_from_variables_not_home() {
    let h = Home::new();
    h.credentials(&format!("[default]\n{}", keys("HOMECRED")));
    let creds = h.write(
        "elsewhere-creds",
        &format!("[default]\n{}", keys("VARCRED")),
    );
    let e = h
        .env()
        .with_var("AWS_SHARED_CREDENTIALS_FILE", creds.display().to_string());
    assert_eq!(found(e, None).0, "VARCRED");
    let cfg = h.write(
        "elsewhere-config",
        &format!("[profile p]\n{}", keys("VARCFG")),
    );
    let e = h
        .env()
        .with_var("AWS_CONFIG_FILE", cfg.display().to_string())
        .with_var("AWS_SHARED_CREDENTIALS_FILE", "~/missing");
    assert_eq!(found(e, Some("p")).0, "VARCFG");
}

#[test]
fn source_precedence() {
    let h = Home::new();
    h.credentials(&format!("[default]\n{}", keys("CRED")));
    h.config(&format!("[default]\n{}", keys("CFG")));
    // Environment beats both files; the credentials file beats the config file.
    assert_eq!(found(env_keys(h.env(), "ENV"), None).0, "ENV");
    assert_eq!(
        found(h.env(), None),
        ("CRED".into(), "shared-credentials-file")
    );
    // A profile only in the config file comes from there.
    h.config(&format!(
        "[default]\n{}[profile dev]\n{}",
        keys("CFG"),
        keys("CFGDEV")
    ));
    assert_eq!(
        found(h.env(), Some("dev")),
        ("CFGDEV".into(), "config-file")
    );
    // `[profile dev]` in the credentials file is the profile "profile dev", not "dev".
    h.credentials(&format!("[profile dev]\n{}", keys("ODD")));
    assert_eq!(found(h.env(), Some("dev")).0, "CFGDEV");
}

#[test]
fn profile_selection() {
    let h = Home::new();
    h.credentials(&format!(
        "[default]\n{}[a]\n{}[b]\n{}[c]\n{}",
        keys("DEF"),
        keys("A"),
        keys("B"),
        keys("C")
    ));
    assert_eq!(found(h.env(), None).0, "DEF");
    let e = h.env().with_var("AWS_DEFAULT_PROFILE", "b");
    assert_eq!(found(e.clone(), None).0, "B");
    let e = e.with_var("AWS_PROFILE", "a");
    assert_eq!(found(e.clone(), None).0, "A");
    assert_eq!(found(e.clone(), Some("c")).0, "C");
    // A profile given in code skips environment credentials...
    let e = env_keys(e, "ENV");
    assert_eq!(found(e.clone(), Some("c")).0, "C");
    // ...but one chosen by AWS_PROFILE does not.
    assert_eq!(found(e, None).0, "ENV");
}

#[test]
fn missing_profiles() {
    let h = Home::new();
    h.credentials(&format!("[default]\n{}", keys("DEF")));
    for (e, profile) in [
        (h.env(), Some("nope")),
        (h.env().with_var("AWS_PROFILE", "nope"), None),
        (h.env().with_var("AWS_DEFAULT_PROFILE", "nope"), None),
    ] {
        match resolve(e, profile) {
            Err(CredentialsError::ProfileNotFound(p)) => assert_eq!(p, "nope"),
            other => panic!("{other:?}"),
        }
    }
    // Environment credentials still answer before AWS_PROFILE is looked at.
    let e = env_keys(h.env(), "ENV").with_var("AWS_PROFILE", "nope");
    assert_eq!(found(e, None).0, "ENV");
    // The fallback `default` missing is simply nothing found, naming every source.
    let h = Home::new();
    match resolve(h.env(), None) {
        Err(CredentialsError::NotFound(s)) => assert_eq!(
            s,
            "environment, shared-credentials-file, credential-process, config-file, boto-config"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn credential_process_success_and_precedence() {
    let h = Home::new();
    let ok = h.script(
        "ok.sh",
        &format!(
            "echo \"$INIA_TEST_KEY\" >> '{}'\n\
             echo '{{\"Version\": 1, \"AccessKeyId\": \"'\"$INIA_TEST_KEY\"'\", \
             \"SecretAccessKey\": \"{SECRET}\", \"SessionToken\": \"{TOKEN}\", \
             \"Expiration\": \"2030-01-01T00:00:00Z\"}}'\n",
            h.path("runs").display()
        ),
    );
    h.config(&format!(
        "[default]\ncredential_process = {ok}\n{}",
        keys("CFG")
    ));
    // The process sees the injected environment, not the test's.
    let e = h.env().with_var("INIA_TEST_KEY", "PROC");
    let c = resolve(e.clone(), None).unwrap();
    assert_eq!(
        (c.access_key_id(), c.source()),
        ("PROC", "credential-process")
    );
    assert_eq!(c.secret_access_key().expose(), SECRET);
    assert_eq!(c.session_token().map(|t| t.expose()), Some(TOKEN));
    assert_eq!(
        c.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000))
    );

    // Cached over the chain: the process runs once for many callers.
    let cached = RefreshingCredentials::new(CredentialsChain::standard(e.clone(), None));
    for _ in 0..5 {
        let c = futures_executor::block_on(cached.provide())
            .unwrap()
            .unwrap();
        assert_eq!(c.access_key_id(), "PROC");
    }
    let runs = std::fs::read_to_string(h.path("runs")).unwrap();
    assert_eq!(runs.lines().count(), 2, "{runs}");

    // Keys in the credentials file come first.
    h.credentials(&format!("[default]\n{}", keys("CRED")));
    assert_eq!(found(e.clone(), None).0, "CRED");

    // A credential_process in the credentials file works too (profiles are merged).
    h.credentials(&format!("[other]\ncredential_process = {ok}\n"));
    assert_eq!(
        found(e, Some("other")),
        ("PROC".into(), "credential-process")
    );
}

#[test]
fn credential_process_without_expiry() {
    let h = Home::new();
    let ok = h.script(
        "ok.sh",
        &format!("echo '{{\"Version\": 1, \"AccessKeyId\": \"P\", \"SecretAccessKey\": \"{SECRET}\"}}'\n"),
    );
    h.config(&format!(
        "[profile \"with space\"]\ncredential_process = {ok}\n"
    ));
    let c = futures_executor::block_on(
        ProcessProvider::new(h.env())
            .with_profile("with space")
            .provide(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(c.access_key_id(), "P");
    assert!(c.session_token().is_none() && c.expiry().is_none());
}

/// The account id each source gives, as botocore reads it: `AWS_ACCOUNT_ID`,
/// `aws_account_id` in either file, a process's `AccountId` (else the profile's key).
#[test]
fn account_ids_from_every_local_source() {
    let h = Home::new();
    let e = env_keys(h.env(), "ENV").with_var("AWS_ACCOUNT_ID", "111111111111");
    assert_eq!(resolve(e, None).unwrap().account_id(), Some("111111111111"));
    assert_eq!(
        resolve(env_keys(h.env(), "ENV"), None)
            .unwrap()
            .account_id(),
        None
    );

    h.credentials(&format!(
        "[default]\n{}aws_account_id = 222222222222\n",
        keys("CRED")
    ));
    assert_eq!(
        resolve(h.env(), None).unwrap().account_id(),
        Some("222222222222")
    );

    let h = Home::new();
    h.config(&format!(
        "[default]\n{}aws_account_id = 333333333333\n",
        keys("CFG")
    ));
    assert_eq!(
        resolve(h.env(), None).unwrap().account_id(),
        Some("333333333333")
    );

    let h = Home::new();
    let with_id = h.script(
        "id.sh",
        &format!("echo '{{\"Version\": 1, \"AccessKeyId\": \"P\", \"SecretAccessKey\": \"{SECRET}\", \"AccountId\": \"444444444444\"}}'\n"),
    );
    let without = h.script(
        "noid.sh",
        &format!("echo '{{\"Version\": 1, \"AccessKeyId\": \"P\", \"SecretAccessKey\": \"{SECRET}\"}}'\n"),
    );
    h.config(&format!(
        "[profile a]\ncredential_process = {with_id}\naws_account_id = 555555555555\n\
         [profile b]\ncredential_process = {without}\naws_account_id = 555555555555\n"
    ));
    let c = resolve(h.env(), Some("a")).unwrap();
    assert_eq!(
        (c.source(), c.account_id()),
        ("credential-process", Some("444444444444"))
    );
    let c = resolve(h.env(), Some("b")).unwrap();
    assert_eq!(c.account_id(), Some("555555555555"));
    assert!(!format!("{c:?}").contains(SECRET));
}

/// The chain's error for a `credential_process` printing `stdout` (and `stderr`) and
/// exiting with `code`; config-file keys in the same profile must not be used.
fn process_error(stdout: &str, stderr: &str, code: i32) -> String {
    let h = Home::new();
    h.write("out.txt", stdout);
    h.write("err.txt", stderr);
    let script = h.script(
        "p.sh",
        &format!(
            "cat '{}'\ncat '{}' >&2\nexit {code}\n",
            h.path("out.txt").display(),
            h.path("err.txt").display()
        ),
    );
    h.config(&format!(
        "[default]\ncredential_process = {script}\n{}",
        keys("CFG")
    ));
    match resolve(h.env(), None) {
        Err(e @ CredentialsError::Provider { source_name, .. }) => {
            assert_eq!(source_name, "credential-process");
            let text = format!("{e} {e:?}");
            assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
            text
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn credential_process_failures() {
    let e = process_error("", "boom: no session for you\n", 1);
    assert!(
        e.contains("exit status: 1") && e.contains("boom: no session"),
        "{e}"
    );

    let e = process_error(&format!("not json {SECRET}"), "", 0);
    assert!(e.contains("not valid JSON"), "{e}");

    let good = |version: &str, extra: &str| {
        format!("{{\"Version\": {version}, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"{SECRET}\", \"SessionToken\": \"{TOKEN}\"{extra}}}")
    };
    // The command printing its own secret to stderr does not leak it either.
    let e = process_error(&good("2", ""), &format!("oops {SECRET} {TOKEN}"), 0);
    assert!(
        e.contains("Version 2") && e.contains("oops ** redacted **"),
        "{e}"
    );

    let e = process_error(
        &format!("{{\"Version\": 1, \"SecretAccessKey\": \"{SECRET}\"}}"),
        "",
        0,
    );
    assert!(e.contains("AccessKeyId"), "{e}");
    let e = process_error("{\"Version\": 1, \"AccessKeyId\": \"A\"}", "", 0);
    assert!(e.contains("SecretAccessKey"), "{e}");
    let e = process_error("{\"AccessKeyId\": \"A\"}", "", 0);
    assert!(e.contains("no Version"), "{e}");
    let e = process_error(&good("1", ", \"Expiration\": \"next tuesday\""), "", 0);
    assert!(
        e.contains("Expiration") && e.contains("next tuesday"),
        "{e}"
    );
    let e = process_error("[1, 2]", "", 0);
    assert!(e.contains("not an object"), "{e}");
}

fn malformed(r: Result<Credentials, CredentialsError>) -> (String, usize, String) {
    match r {
        Err(CredentialsError::Malformed {
            path,
            line,
            message,
        }) => (path, line, message),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn malformed_files_name_file_and_line() {
    let h = Home::new();
    h.credentials(&format!("[default]\n{}{SECRET}\n", keys("CRED")));
    let (path, line, msg) = malformed(resolve(h.env(), None));
    assert!(path.ends_with(".aws/credentials"), "{path}");
    assert_eq!(line, 4);
    assert!(!msg.contains(SECRET), "{msg}");

    let h = Home::new();
    h.credentials(&format!("[default]\n{}", keys("CRED")));
    h.config("# comment\nregion = x\n");
    let (path, line, _) = malformed(resolve(h.env(), None));
    assert!(path.ends_with(".aws/config"), "{path}");
    assert_eq!(line, 2);

    let h = Home::new();
    h.config("[default]\nregion = x\n[profile dev\n");
    let (_, line, msg) = malformed(resolve(h.env(), None));
    assert_eq!(line, 3);
    assert!(msg.contains("unterminated"), "{msg}");

    let h = Home::new();
    let boto = h.write("boto.cfg", "[Credentials]\naws_access_key_id\n");
    let e = h.env().with_var("BOTO_CONFIG", boto.display().to_string());
    let (path, line, _) = malformed(resolve(e, None));
    assert!(path.ends_with("boto.cfg") && line == 2, "{path}:{line}");
}

#[test]
fn partial_credentials_are_errors() {
    let h = Home::new();
    h.credentials("[default]\naws_access_key_id = AK\n");
    let e = resolve(h.env(), None).unwrap_err().to_string();
    assert!(
        e.contains("aws_secret_access_key") && e.contains("shared-credentials-file"),
        "{e}"
    );

    let e = env_keys(h.env(), "ENV").without_var("AWS_SECRET_ACCESS_KEY");
    let e = resolve(e, None).unwrap_err().to_string();
    assert!(e.contains("AWS_SECRET_ACCESS_KEY"), "{e}");
}

#[test]
fn nested_blocks_do_not_disturb_credentials() {
    let h = Home::new();
    h.config(&format!(
        "[default]\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n{}",
        keys("CFG")
    ));
    assert_eq!(found(h.env(), None).0, "CFG");
    let files = ProfileFiles::load(&h.env()).unwrap();
    let s3 = files.profile("default").unwrap();
    assert_eq!(s3.nested("s3").unwrap()["addressing_style"], "path");
}

#[test]
fn region_resolution() {
    let h = Home::new();
    h.config("[default]\nregion = us-west-2\n[profile eu]\nregion = eu-west-1\n");
    assert_eq!(
        resolve_region(&h.env(), None).unwrap().as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        resolve_region(&h.env(), Some("eu")).unwrap().as_deref(),
        Some("eu-west-1")
    );
    let e = h.env().with_var("AWS_PROFILE", "eu");
    assert_eq!(
        resolve_region(&e, None).unwrap().as_deref(),
        Some("eu-west-1")
    );
    let e = e.with_var("AWS_DEFAULT_REGION", "ap-south-1");
    assert_eq!(
        resolve_region(&e, None).unwrap().as_deref(),
        Some("ap-south-1")
    );
    let e = e.with_var("AWS_REGION", "ca-central-1");
    assert_eq!(
        resolve_region(&e, None).unwrap().as_deref(),
        Some("ca-central-1")
    );
}

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

#[test]
fn no_secret_in_logs_errors_or_debug() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let mut seen = String::new();
    tracing::subscriber::with_default(subscriber, || {
        // Other tests of this binary run on other threads without a subscriber; a log
        // call they reached first may have been cached as never enabled. Ask again now
        // that this subscriber is in place.
        tracing::callsite::rebuild_interest_cache();
        let h = Home::new();
        let with_token = format!("{}aws_session_token = {TOKEN}\n", keys("AK"));
        h.credentials(&format!(
            "[default]\n{with_token}[bad]\naws_access_key_id = AK\n"
        ));
        h.config(&format!(
            "[default]\n{with_token}[profile p]\ncredential_process = /bin/sh -c 'exit 3'\n"
        ));
        let bad = h.write("bad-config", &format!("[default]\nx =\n  {SECRET}\n"));
        let bad = h
            .env()
            .with_var("AWS_CONFIG_FILE", bad.display().to_string());
        let env = env_keys(h.env(), "ENV").with_var("AWS_SESSION_TOKEN", TOKEN);

        let chain = CredentialsChain::standard(env.clone(), None);
        let cached =
            RefreshingCredentials::new(Arc::new(CredentialsChain::standard(env.clone(), None)));
        seen += &format!("{chain:?} {cached:?} {env:?}\n");
        for r in [
            futures_executor::block_on(chain.resolve()),
            futures_executor::block_on(cached.provide()).map(|c| c.expect("chain answers")),
            resolve(h.env(), None),
            resolve(h.env(), Some("bad")),
            resolve(h.env(), Some("p")),
            resolve(bad, None),
        ] {
            seen += &format!("{r:?}\n");
            if let Err(e) = r {
                seen += &format!("{e}\n");
            }
        }
        let files = ProfileFiles::load(&h.env().with_var("AWS_CONFIG_FILE", "~/none"));
        seen += &format!("{files:?}\n");
        for p in [
            &EnvironmentProvider::new(env.clone()) as &dyn ProvideCredentials,
            &ProfileFileProvider::credentials_file(env.clone()),
            &ProfileFileProvider::config_file(env.clone()),
            &ProcessProvider::new(env.clone()),
            &BotoConfigProvider::new(env.clone()),
            &StaticProvider::from_keys("AK", SECRET, Some(TOKEN.into())),
        ] {
            seen += &format!("{p:?} {:?}\n", futures_executor::block_on(p.provide()));
        }
    });
    let log = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(log.contains("credentials found"), "{log}");
    for text in [&seen, &log] {
        assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
    }
}
