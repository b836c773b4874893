//! Proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`, lower-case forms),
//! through a real tinyproxy. One test in its own binary: it changes the process environment.

mod common;

use common::{get, origin, tls_origin, TestCa, Tinyproxy};
use inia_http::{HttpClient, HttpConfig, HttpError, ProxyConfig};

const NAMES: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];

fn client_from_env(ca: &TestCa) -> HttpClient {
    let mut config = HttpConfig::default();
    assert!(
        matches!(config.proxy, ProxyConfig::FromEnv),
        "the default reads the environment"
    );
    config.ca_bundle = Some(ca.bundle_path());
    config.connect_timeout = std::time::Duration::from_secs(2);
    HttpClient::new(config).unwrap()
}

fn set_only(vars: &[(&str, &str)]) {
    for name in NAMES {
        std::env::remove_var(name);
    }
    for (name, value) in vars {
        std::env::set_var(name, value);
    }
}

#[tokio::test]
async fn proxies_from_the_environment() {
    let proxy = Tinyproxy::start("envuser", "envpass");
    let plain = origin().await;
    let ca = TestCa::new();
    let tls = tls_origin(&ca).await;
    let via = |o: &common::Origin| o.last_seen().headers.contains_key("via");

    // Upper case, through the proxy.
    set_only(&[("HTTP_PROXY", &proxy.url()), ("HTTPS_PROXY", &proxy.url())]);
    let client = client_from_env(&ca);
    client
        .send(get(&plain.url("http", "/hello")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();
    assert!(via(&plain), "HTTP_PROXY should route through tinyproxy");
    client
        .send(get(&tls.url("https", "/hello")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();
    assert!(tls.last_seen().headers.get("proxy-authorization").is_none());

    // NO_PROXY wins.
    set_only(&[
        ("HTTP_PROXY", &proxy.url()),
        ("NO_PROXY", "localhost,127.0.0.1"),
    ]);
    let client = client_from_env(&ca);
    client
        .send(get(&plain.url("http", "/hello")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();
    assert!(!via(&plain), "NO_PROXY should send the request direct");

    // ALL_PROXY in lower case, with a wrong password.
    set_only(&[("all_proxy", &proxy.url_with("envuser", "wrong"))]);
    let client = client_from_env(&ca);
    for url in [plain.url("http", "/hello"), tls.url("https", "/hello")] {
        let err = client.send(get(&url)).await.unwrap_err();
        assert!(
            matches!(err, HttpError::ProxyAuthRequired { .. }),
            "{url}: {err:?}"
        );
    }

    // Inside a CGI program the variables are ignored, as by curl.
    set_only(&[
        ("HTTP_PROXY", &proxy.url_with("envuser", "wrong")),
        ("REQUEST_METHOD", "GET"),
    ]);
    let client = client_from_env(&ca);
    client
        .send(get(&plain.url("http", "/hello")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();
    assert!(!via(&plain));

    set_only(&[]);
}
