//! The engine through a real HTTP proxy: Debian's tinyproxy with Basic authentication, in
//! front of moto, both on 127.0.0.1. A plain-HTTP STS call goes through the proxy (its log
//! shows the forwarded request) and succeeds; `NO_PROXY` sends it direct (the log stays
//! empty); a wrong proxy password is a clear transport error.
//!
//! HTTPS through a `CONNECT` tunnel is covered by inia-http's own proxy tests and not
//! repeated here. tinyproxy is installed by `cargo xtask test`; its absence fails the test
//! with the command that installs it.
//!
//! Owns these end-to-end checks and the tinyproxy start-up they need (the same approach
//! as inia-http's test support, kept separate on purpose). Every wait is bounded.

use inia::auth::config::Env;
use inia::connection::{HttpConfig, HttpError, ProxyConfig};
use inia::retry::RetryConfig;
use inia::{json, Credentials, Error, Session};
use inia_test_support::{free_port, Moto, Tinyproxy};
use std::time::Duration;

const USER: &str = "inia";
const PASSWORD: &str = "pr0xy-s3cret";

fn session(endpoint: &str, proxy: ProxyConfig) -> Session {
    let mut http = HttpConfig::default();
    http.proxy = proxy;
    http.connect_timeout = Duration::from_secs(2);
    http.read_timeout = Duration::from_secs(20);
    Session::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .http_config(http)
        .env(Env::empty())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sts_goes_through_the_proxy_unless_no_proxy_says_otherwise() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let moto = Moto::start(&[]);
    let endpoint = moto.endpoint();

    // Through the proxy, authenticated.
    let via_proxy = ProxyConfig::all(proxy.url_with(USER, PASSWORD));
    let who = session(&endpoint, via_proxy.clone())
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(
        who["Account"].as_str().is_some_and(|a| a.len() == 12),
        "{who}"
    );
    assert!(
        proxy.wait_for_request(&format!("POST {endpoint}/ HTTP/1.1")),
        "tinyproxy should have forwarded the call: {}",
        proxy.log()
    );
    assert!(!proxy.log().contains(PASSWORD), "{}", proxy.log());

    // NO_PROXY names the target: direct, and the proxy sees nothing.
    let untouched = Tinyproxy::start(USER, PASSWORD);
    let direct = ProxyConfig::all(untouched.url_with(USER, PASSWORD)).with_no_proxy("127.0.0.1");
    let who = session(&endpoint, direct)
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap();
    assert!(who["Account"].is_string(), "{who}");
    // Give a (wrongly) proxied request time to show in the log before concluding.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        untouched.requests().is_empty(),
        "NO_PROXY=127.0.0.1 should bypass the proxy: {}",
        untouched.log()
    );
}

#[tokio::test]
async fn a_wrong_proxy_password_is_a_clear_error() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    // The proxy refuses before forwarding anything: no origin is needed behind it.
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let wrong = ProxyConfig::all(proxy.url_with(USER, "not-the-password"));
    let s = Session::builder()
        .region("us-east-1")
        .endpoint_url(&endpoint)
        .credentials(Credentials::new(
            "AKIDTEST",
            "secret-test",
            None,
            None,
            "test",
        ))
        .http_config({
            let mut http = HttpConfig::default();
            http.proxy = wrong;
            http
        })
        .retry(RetryConfig::default())
        .env(Env::empty())
        .build()
        .unwrap();
    let err = s
        .client("sts")
        .unwrap()
        .call("GetCallerIdentity", json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport(HttpError::ProxyAuthRequired { .. })),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("proxy 127.0.0.1:{}", proxy.port))
            && text.contains("rejected the proxy credentials"),
        "{text}"
    );
    assert!(!text.contains("not-the-password"), "{text}");
}
