//! Network credential sources against real servers on 127.0.0.1: instance metadata
//! (moto's emulation, and a small in-test server where moto's is too thin: a full tree,
//! token checks, IMDSv1 fallback, retries, silence), container credentials (in-test
//! server checking the `Authorization` header), and assume-role through the engine
//! against moto's IAM and STS. The environment is always injected, never the process's.
//!
//! One moto serves every test of this file (`Moto::shared`, started once); each test
//! uses names (buckets, queues, roles...) no other test here uses.

use inia::assume_role::AssumeRoleProvider;
use inia::auth::config::Env;
use inia::auth::provider::{ProvideCredentials, ProvideFuture};
use inia::connection::{HttpConfig, ProxyConfig};
use inia::container_credentials::ContainerCredentialsProvider;
use inia::imds::{get_instance_metadata, ImdsClient, ImdsCredentialsProvider, ImdsError};
use inia::{json, Credentials, Session};
use inia_test_support::{free_port, Moto};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn env_of(pairs: &[(&str, &str)]) -> Env {
    Env::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

/// Settings pointing IMDS at `url`.
fn imds_at(url: &str) -> Env {
    env_of(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)])
}

/// What the IMDS provider answers with these settings (never an error here).
async fn imds_creds(env: Env) -> Option<Credentials> {
    ImdsCredentialsProvider::from_env(env)
        .provide()
        .await
        .unwrap()
}

/// The container provider's error with these settings.
async fn container_err(p: ContainerCredentialsProvider) -> String {
    p.provide().await.unwrap_err().to_string()
}

fn container_at(url: &str) -> ContainerCredentialsProvider {
    ContainerCredentialsProvider::from_env(env_of(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)]))
}

/// A sleep that records each pause and returns at once.
#[derive(Debug, Default)]
struct Pauses(std::sync::Mutex<Vec<Duration>>);

impl inia::time::Sleep for Pauses {
    fn sleep(&self, d: Duration) -> inia::time::SleepFuture {
        self.0.lock().unwrap().push(d);
        Box::pin(std::future::ready(()))
    }
}

/// Time left before the credentials expire.
fn left(c: &Credentials) -> Duration {
    c.expiry()
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap()
}

// ---------------------------------------------------------------- a tiny HTTP server

/// One request as the in-test server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: HashMap<String, String>,
}

type Handler = Arc<dyn Fn(&Seen, usize) -> (u16, String) + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1 answering each request with `handler(request, n)`
/// (n counts requests from 0) and closing the connection; `None` handler: accept and
/// never answer. Serves at most 100 connections.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn start(handler: Option<Handler>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            for _ in 0..100 {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let Some(handler) = handler.clone() else {
                    held.push(sock);
                    continue;
                };
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let mut lines = text.split("\r\n");
                    let mut first = lines.next().unwrap_or("").split(' ');
                    let (method, path) = (first.next().unwrap_or(""), first.next().unwrap_or(""));
                    let headers = lines
                        .take_while(|l| !l.is_empty())
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                        .collect();
                    let req = Seen {
                        method: method.to_string(),
                        path: path.to_string(),
                        headers,
                    };
                    let n = {
                        let mut log = log.lock().unwrap();
                        log.push(req.clone());
                        log.len() - 1
                    };
                    let (status, body) = handler(&req, n);
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = sock.write_all(reply.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        Server { port, seen, task }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn handler(f: impl Fn(&Seen, usize) -> (u16, String) + Send + Sync + 'static) -> Option<Handler> {
    Some(Arc::new(f))
}

fn creds_doc(expiration: &str) -> String {
    json!({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAFAKE",
           "SecretAccessKey": "fake-s3cr3t", "Token": "fake-t0ken", "Expiration": expiration})
    .to_string()
}

fn in_an_hour() -> String {
    let t = chrono::DateTime::<chrono::Utc>::from(SystemTime::now() + Duration::from_secs(3600));
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A real-looking IMDS that insists on an IMDSv2 token.
fn imds_v2(token_ok: bool) -> Option<Handler> {
    let doc = creds_doc(&in_an_hour());
    handler(move |r, _| {
        if r.method == "PUT" {
            return match (
                r.path.as_str(),
                r.headers.get("x-aws-ec2-metadata-token-ttl-seconds"),
            ) {
                ("/latest/api/token", Some(ttl)) if ttl == "21600" && token_ok => {
                    (200, "tok-123".into())
                }
                ("/latest/api/token", _) if !token_ok => (403, String::new()),
                _ => (400, String::new()),
            };
        }
        if token_ok
            && r.headers
                .get("x-aws-ec2-metadata-token")
                .map(String::as_str)
                != Some("tok-123")
        {
            return (401, String::new());
        }
        let body = match r.path.strip_prefix("/latest/meta-data/").unwrap_or("?") {
            "" => "ami-id\ninstance-id\nplacement/\npublic-keys/\niam/\nsecurity-groups",
            "ami-id" => "ami-0abc",
            "instance-id" => "i-0123",
            "placement/" => "region\navailability-zone",
            "placement/region" => "eu-west-1",
            "placement/availability-zone" => "eu-west-1a",
            "public-keys/" => "0=my-key",
            "public-keys/0/openssh-key" => "ssh-rsa AAAA my-key",
            "security-groups" => "web\nssh",
            "iam/" => "info\nsecurity-credentials/",
            "iam/info" => r#"{"Code":"Success","InstanceProfileId":"AIPA1"}"#,
            "iam/security-credentials/" => "web-role",
            "iam/security-credentials/web-role" => doc.as_str(),
            _ => return (404, String::new()),
        };
        (200, body.to_string())
    })
}

// ---------------------------------------------------------------- IMDS against moto

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_against_moto() {
    let moto = Moto::shared();
    let endpoint = moto.endpoint();
    let provider = ImdsCredentialsProvider::from_env(imds_at(&endpoint));
    let creds = provider
        .provide()
        .await
        .unwrap()
        .expect("moto's role credentials");
    assert_eq!(creds.access_key_id(), "test-key");
    assert_eq!(creds.secret_access_key().expose(), "test-secret-key");
    let token = creds.session_token().map(|t| t.expose());
    assert_eq!(token, Some("test-session-token"));
    assert_eq!(creds.source(), "iam-role");
    assert!(left(&creds) > Duration::from_secs(3600), "{creds:?}"); // moto: tomorrow
    let shown = format!("{creds:?} {provider:?}");
    assert!(!shown.contains("test-secret-key") && !shown.contains("test-session-token"));

    // The tree: moto's `meta-data/` listing names only `iam`, whose value is JSON.
    let tree = get_instance_metadata(imds_at(&endpoint)).await.unwrap();
    let role = &tree["iam"]["security-credentials"]["default-role"];
    assert_eq!(role["AccessKeyId"], "test-key", "{tree}");
    // Single values that moto serves but does not list.
    let client = ImdsClient::from_env(imds_at(&endpoint)).unwrap();
    assert_eq!(client.get("instance-id").await.unwrap(), "i-fake");
    assert_eq!(client.get("ami-id").await.unwrap(), "ami-moto-virtual");
    assert_eq!(client.get("placement/region").await.unwrap(), "us-east-1");

    // A proxy is configured but IMDS never goes through it (the proxy port is dead).
    let mut http = HttpConfig::default();
    http.proxy = ProxyConfig::all(format!("http://127.0.0.1:{}", free_port()));
    let builder = ImdsClient::builder().env(Env::empty()).endpoint(&endpoint);
    let c = builder
        .http_config(http)
        .build()
        .unwrap()
        .role_credentials()
        .await;
    assert_eq!(c.unwrap().unwrap().access_key_id(), "test-key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_disabled_flag_sends_nothing() {
    let server = Server::start(imds_v2(true)).await;
    let url = server.url();
    for value in ["true", "TRUE"] {
        let env = imds_at(&url).with_var("AWS_EC2_METADATA_DISABLED", value);
        assert!(imds_creds(env.clone()).await.is_none());
        let e = get_instance_metadata(env).await.unwrap_err();
        assert!(matches!(e, ImdsError::Disabled), "{e}");
    }
    // Disabled wins over an unusable endpoint setting.
    let env = imds_at("not a url").with_var("AWS_EC2_METADATA_DISABLED", "true");
    assert!(imds_creds(env).await.is_none());
    assert!(server.seen().is_empty(), "{:?}", server.seen());
    // "false" does not disable.
    let env = imds_at(&url).with_var("AWS_EC2_METADATA_DISABLED", "false");
    assert!(imds_creds(env).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_unreachable_is_not_found_quickly() {
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let started = Instant::now();
    assert!(imds_creds(imds_at(&endpoint)).await.is_none());
    let e = get_instance_metadata(imds_at(&endpoint)).await.unwrap_err();
    assert!(matches!(e, ImdsError::Unreachable { .. }), "{e}");
    assert!(e.to_string().contains(&endpoint), "{e}");
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");

    // A bad endpoint setting is the one IMDS error the chain sees.
    let p = ImdsCredentialsProvider::from_env(imds_at("ftp://169.254.169.254"));
    let e = p.provide().await.unwrap_err();
    assert!(e.to_string().contains("ftp://"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_silent_server_times_out_within_bounds() {
    let server = Server::start(None).await;
    let env = imds_at(&server.url()).with_var("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "1");
    let started = Instant::now();
    assert!(imds_creds(env).await.is_none());
    // token (1.5 s, then the IMDSv1 fallback) + one GET (1.5 s)
    let took = started.elapsed();
    let bounds = Duration::from_millis(2500)..Duration::from_secs(5);
    assert!(bounds.contains(&took), "{took:?}");
}

// ---------------------------------------------------------------- IMDS, in-test server

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_full_tree_and_token_flow() {
    let server = Server::start(imds_v2(true)).await;
    let tree = get_instance_metadata(imds_at(&server.url())).await.unwrap();
    assert_eq!(tree["ami-id"], "ami-0abc");
    assert_eq!(tree["instance-id"], "i-0123");
    assert_eq!(tree["placement"]["region"], "eu-west-1");
    assert_eq!(tree["public-keys"]["my-key"], "ssh-rsa AAAA my-key");
    assert_eq!(tree["security-groups"], json!(["web", "ssh"]));
    assert_eq!(tree["iam"]["info"]["InstanceProfileId"], "AIPA1");
    let role = &tree["iam"]["security-credentials"]["web-role"];
    assert_eq!(role["AccessKeyId"], "ASIAFAKE");
    let seen = server.seen();
    let puts = seen.iter().filter(|r| r.method == "PUT").count();
    assert_eq!(puts, 1, "one token per walk");
    let with_token = |r: &Seen| r.headers.contains_key("x-aws-ec2-metadata-token");
    assert!(seen.iter().all(|r| r.method == "PUT" || with_token(r)));

    let creds = imds_creds(imds_at(&server.url())).await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAFAKE");
    let left = left(&creds);
    assert!(left > Duration::from_secs(3500) && left <= Duration::from_secs(3600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_v1_fallback_and_v1_disabled() {
    let server = Server::start(imds_v2(false)).await; // token PUT answers 403
    let creds = imds_creds(imds_at(&server.url())).await.unwrap();
    assert_eq!(creds.access_key_id(), "ASIAFAKE");
    let seen = server.seen();
    assert!(seen
        .iter()
        .all(|r| !r.headers.contains_key("x-aws-ec2-metadata-token")));

    let env = imds_at(&server.url()).with_var("AWS_EC2_METADATA_V1_DISABLED", "true");
    let client = ImdsClient::from_env(env).unwrap();
    let r = client.role_credentials().await;
    assert!(matches!(r, Err(ImdsError::V1Disabled)), "{r:?}");
}

/// An IMDS whose role document is `doc(n)` for the n-th request.
fn role_server(doc: impl Fn(usize) -> (u16, String) + Send + Sync + 'static) -> Option<Handler> {
    handler(move |r, n| match (r.method.as_str(), r.path.as_str()) {
        ("PUT", _) => (200, "tok".into()),
        (_, "/latest/meta-data/iam/security-credentials/") => (200, "r".into()),
        _ => doc(n),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imds_retries_are_bounded_and_expired_credentials_stretched() {
    let server = Server::start(role_server(|_| (500, String::new()))).await;
    let pauses = Arc::new(Pauses::default());
    let client = ImdsClient::builder()
        .env(imds_at(&server.url()))
        .sleep(pauses.clone())
        .build()
        .unwrap();
    let e = client.role_credentials().await.unwrap_err();
    assert!(matches!(e, ImdsError::Status { status: 500, .. }), "{e}");
    assert_eq!(
        server.seen().len(),
        1 + 1 + 3,
        "token, role list, 3 attempts"
    );
    // The pauses between the 3 attempts went through the given sleep, none for real.
    assert_eq!(*pauses.0.lock().unwrap(), [Duration::from_millis(100); 2]);

    // Two 503s (requests 2 and 3), then expired credentials: kept 5 to 10 more minutes.
    let expired = creds_doc("2001-01-01T00:00:00Z");
    let server = Server::start(role_server(move |n| match n {
        ..=3 => (503, String::new()),
        _ => (200, expired.clone()),
    }))
    .await;
    let creds = imds_creds(imds_at(&server.url())).await.unwrap();
    let left = left(&creds);
    assert!(
        left >= Duration::from_secs(295) && left <= Duration::from_secs(600),
        "{left:?}"
    );

    // A broken document is an error naming the field, never showing a value.
    let doc = r#"{"AccessKeyId":"A","SecretAccessKey":"s3cr3t-x","Token":"t"}"#;
    let server = Server::start(role_server(move |_| (200, doc.into()))).await;
    let client = ImdsClient::from_env(imds_at(&server.url())).unwrap();
    let e = client.role_credentials().await.unwrap_err().to_string();
    assert!(e.contains("Expiration") && !e.contains("s3cr3t"), "{e}");
}

// ---------------------------------------------------------------- container credentials

fn container_server_doc() -> String {
    json!({"AccessKeyId": "ASIACONTAINER", "SecretAccessKey": "c-s3cr3t",
           "Token": "c-t0ken", "Expiration": in_an_hour(), "AccountId": "123456789012"})
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_credentials_with_authorization() {
    let doc = container_server_doc();
    let server = Server::start(handler(move |r, _| {
        match (
            r.path.as_str(),
            r.headers.get("authorization").map(String::as_str),
        ) {
            ("/v2/credentials/abc", Some("Bearer tok-1" | "file-token")) => (200, doc.clone()),
            ("/v2/credentials/abc", _) => (401, r#"{"message":"no"}"#.into()),
            _ => (404, String::new()),
        }
    }))
    .await;
    let full = format!("{}/v2/credentials/abc", server.url());
    let env = env_of(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer tok-1"),
    ]);
    let creds = ContainerCredentialsProvider::from_env(env.clone());
    let creds = creds.provide().await.unwrap().expect("credentials");
    assert_eq!(creds.access_key_id(), "ASIACONTAINER");
    assert_eq!(creds.session_token().map(|t| t.expose()), Some("c-t0ken"));
    assert_eq!(creds.source(), "container-role");
    assert_eq!(creds.account_id(), Some("123456789012"));
    assert!(left(&creds) > Duration::from_secs(3500));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers["authorization"], "Bearer tok-1");
    assert_eq!(seen[0].headers["accept"], "application/json");

    // The token file beats the variable (read at each fetch).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "file-token\n").unwrap();
    let env = env
        .with_var("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong")
        .with_var(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            file.to_string_lossy(),
        );
    let p = ContainerCredentialsProvider::from_env(env);
    assert!(p.provide().await.unwrap().is_some());
    assert_eq!(server.seen()[1].headers["authorization"], "file-token");

    // A refused token fails at once (no retry), naming the status, not the token.
    let env = env_of(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &full),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer s3cr3t-wrong"),
    ]);
    let e = container_err(ContainerCredentialsProvider::from_env(env)).await;
    assert!(e.contains("401") && !e.contains("s3cr3t"), "{e}");
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_configuration_errors_and_retries() {
    // Not configured: nothing to do.
    let p = ContainerCredentialsProvider::from_env(Env::empty());
    assert!(!p.is_configured());
    assert!(p.provide().await.unwrap().is_none());
    // Plain http to a host that is neither loopback nor a container host is refused.
    let e = container_err(container_at("http://192.0.2.7/creds")).await;
    assert!(
        e.contains("AWS_CONTAINER_CREDENTIALS_FULL_URI") && e.contains("192.0.2.7"),
        "{e}"
    );
    // A token with a line break is refused before anything is sent.
    let env = env_of(&[
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/creds",
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nInjected: yes"),
    ]);
    let e = container_err(ContainerCredentialsProvider::from_env(env)).await;
    assert!(e.contains("line break"), "{e}");

    // 5xx is tried 3 times, then reported.
    let server = Server::start(handler(|_, _| (500, "oops".into()))).await;
    let p = container_at(&format!("{}/c", server.url()));
    let e = container_err(p.with_attempts(3, Duration::from_millis(20))).await;
    assert!(e.contains("500"), "{e}");
    assert_eq!(server.seen().len(), 3);

    // A document without a secret is an error naming the field.
    let server = Server::start(handler(|_, _| (200, r#"{"AccessKeyId":"A"}"#.into()))).await;
    let e = container_err(container_at(&format!("{}/c", server.url()))).await;
    assert!(e.contains("SecretAccessKey"), "{e}");

    // Nothing listening: an error once the attempts are spent, quickly.
    let started = Instant::now();
    let p = container_at(&format!("http://localhost:{}/c", free_port()));
    container_err(p.with_attempts(2, Duration::from_millis(20))).await;
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ---------------------------------------------------------------- assume-role via moto

/// A source provider for tests: fixed credentials, or none.
#[derive(Debug)]
struct Fixed(Option<Credentials>);

impl ProvideCredentials for Fixed {
    fn name(&self) -> &'static str {
        "fixed"
    }
    fn provide(&self) -> ProvideFuture<'_> {
        let c = self.0.clone();
        Box::pin(async move { Ok(c) })
    }
}

fn moto_session(moto: &Moto, creds: Arc<dyn ProvideCredentials>) -> Session {
    let builder = Session::builder()
        .region("us-east-1")
        .endpoint_url(moto.endpoint());
    builder
        .credentials_provider(creds)
        .env(Env::empty())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assume_role_through_the_engine() {
    let moto = Moto::shared();
    let base = Credentials::new("AKIDSOURCE", "source-secret", None, None, "test");
    let source = Arc::new(Fixed(Some(base)));
    let iam = moto_session(moto, source.clone()).client("iam").unwrap();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]});
    let params = json!({"RoleName": "deployer", "AssumeRolePolicyDocument": trust.to_string()});
    let role = iam.call("CreateRole", params).await.unwrap();
    let role_arn = role["Role"]["Arn"].as_str().unwrap().to_string();

    let provider = AssumeRoleProvider::builder(source, &role_arn)
        .session_name("ci-run")
        .external_id("ext-42")
        .duration(Duration::from_secs(900))
        .endpoint_url(moto.endpoint())
        .env(Env::empty())
        .build()
        .unwrap();
    let creds = provider
        .provide()
        .await
        .unwrap()
        .expect("assumed credentials");
    assert_eq!(creds.source(), "assume-role");
    // The account of the role's ARN, as botocore.
    assert_eq!(creds.account_id(), Some("123456789012"));
    assert!(creds.session_token().is_some());
    let left = left(&creds);
    assert!(
        left > Duration::from_secs(800) && left <= Duration::from_secs(900),
        "{left:?}"
    );
    let secret = creds.secret_access_key().expose().to_string();
    assert!(!format!("{creds:?} {provider:?}").contains(&secret));

    // The assumed credentials (with their session token) sign a call of their own, and
    // the provider itself serves as a session's credential source.
    let want = "arn:aws:sts::123456789012:assumed-role/deployer/ci-run";
    let providers: [Arc<dyn ProvideCredentials>; 2] =
        [Arc::new(Fixed(Some(creds))), Arc::new(provider)];
    for p in providers {
        let sts = moto_session(moto, p).client("sts").unwrap();
        let who = sts.call("GetCallerIdentity", json!({})).await.unwrap();
        assert_eq!(who["Arn"], want, "{who}");
    }

    // A source without credentials is an error naming the source and the role.
    let broken = AssumeRoleProvider::builder(Arc::new(Fixed(None)), &role_arn)
        .endpoint_url(moto.endpoint())
        .env(Env::empty())
        .build()
        .unwrap();
    let e = broken.provide().await.unwrap_err().to_string();
    let named = e.contains("assume-role") && e.contains("fixed") && e.contains("deployer");
    assert!(named, "{e}");
    // An empty ARN is refused when building.
    let empty = AssumeRoleProvider::builder(Arc::new(Fixed(None)), " ");
    assert!(empty.env(Env::empty()).build().is_err());
}
