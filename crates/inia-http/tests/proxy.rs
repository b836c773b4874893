//! Through a real proxy: Debian's tinyproxy, started per test on a free 127.0.0.1 port with
//! Basic authentication. A missing tinyproxy fails each test with the command that installs
//! it (`cargo xtask test`, or `apt-get install tinyproxy`).

mod common;

use std::time::Duration;

use common::{client_with, get, origin, tls_origin, unused_port, TestCa, Tinyproxy};
use http::Request;
use inia_http::{Body, HttpError, ProxyConfig};

const USER: &str = "inia";
const PASSWORD: &str = "pr0xy-s3cret";

/// tinyproxy writes its log as it goes; give it a moment (bounded) to show a line.
async fn wait_for_log(proxy: &Tinyproxy, needle: &str) -> bool {
    for _ in 0..40 {
        if proxy.requests().iter().any(|r| r.contains(needle)) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn plain_http_through_the_proxy() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let origin = origin().await;
    let client = client_with(|c| c.proxy = ProxyConfig::all(proxy.url()));

    let response = client
        .send(get(&origin.url("http", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.into_body().bytes().await.unwrap(), "hello");

    let put = Request::put(origin.url("http", "/echo"))
        .body(Body::from("through the proxy"))
        .unwrap();
    let response = client.send(put).await.unwrap();
    assert_eq!(
        response.into_body().bytes().await.unwrap(),
        "through the proxy"
    );

    for seen in origin.seen() {
        assert!(
            seen.headers
                .get("via")
                .is_some_and(|v| v.to_str().unwrap_or("").contains("tinyproxy")),
            "the request should have come through tinyproxy: {seen:?}"
        );
        assert!(
            !seen.headers.contains_key("proxy-authorization"),
            "{seen:?}"
        );
    }
    let hello = origin.url("http", "/hello");
    assert!(
        wait_for_log(&proxy, &format!("GET {hello}")).await,
        "{}",
        proxy.log()
    );
}

#[tokio::test]
async fn https_through_a_connect_tunnel() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| {
        c.proxy = ProxyConfig::all(proxy.url());
        c.ca_bundle = Some(ca.bundle_path());
    });
    let response = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.into_body().bytes().await.unwrap(), "hello");

    let seen = origin.last_seen();
    assert_eq!(
        seen.target, "/hello",
        "inside the tunnel the request is in origin form"
    );
    assert!(
        !seen.headers.contains_key("proxy-authorization"),
        "{seen:?}"
    );
    assert!(
        wait_for_log(&proxy, &format!("CONNECT {}", origin.addr)).await,
        "tinyproxy should have seen the CONNECT: {}",
        proxy.log()
    );
}

#[tokio::test]
async fn no_proxy_goes_direct() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let origin = origin().await;
    let ca = TestCa::new();
    let tls = tls_origin(&ca).await;
    let client = client_with(|c| {
        c.proxy = ProxyConfig::all(proxy.url()).with_no_proxy("example.invalid, 127.0.0.1");
        c.ca_bundle = Some(ca.bundle_path());
    });
    client
        .send(get(&origin.url("http", "/hello")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();
    client
        .send(get(&tls.url("https", "/hello")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();

    let seen = origin.last_seen();
    assert!(
        !seen.headers.contains_key("via"),
        "the request went through a proxy: {seen:?}"
    );
    assert_eq!(
        seen.target, "/hello",
        "a direct request uses the origin form"
    );
    // Give the proxy the time it would need to log, then check it saw nothing.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(proxy.requests().is_empty(), "{}", proxy.log());
}

#[tokio::test]
async fn wrong_password_is_a_clear_proxy_auth_error() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let origin = origin().await;
    let ca = TestCa::new();
    let tls = tls_origin(&ca).await;
    let wrong = "not-the-password";
    let client = client_with(|c| {
        c.proxy = ProxyConfig::all(proxy.url_with(USER, wrong));
        c.ca_bundle = Some(ca.bundle_path());
    });
    for url in [origin.url("http", "/hello"), tls.url("https", "/hello")] {
        let err = client.send(get(&url)).await.unwrap_err();
        // tinyproxy 1.11 answers wrong credentials with 401 (no credentials with 407).
        assert!(
            matches!(
                err,
                HttpError::ProxyAuthRequired {
                    status: 401 | 407,
                    ..
                }
            ),
            "{url}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("rejected the proxy credentials"), "{text}");
        assert!(
            text.contains(&format!("127.0.0.1:{}", proxy.port)),
            "{text}"
        );
        for secret in [wrong, PASSWORD] {
            assert!(
                !text.contains(secret) && !format!("{err:?}").contains(secret),
                "{text}"
            );
        }
        assert!(!err.is_transient());
    }
    assert!(origin.seen().is_empty() && tls.seen().is_empty());
}

#[tokio::test]
async fn missing_credentials_get_407() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let origin = origin().await;
    let ca = TestCa::new();
    let tls = tls_origin(&ca).await;
    let client = client_with(|c| {
        c.proxy = ProxyConfig::all(proxy.url_without_credentials());
        c.ca_bundle = Some(ca.bundle_path());
    });
    for url in [origin.url("http", "/hello"), tls.url("https", "/hello")] {
        let err = client.send(get(&url)).await.unwrap_err();
        assert!(
            matches!(err, HttpError::ProxyAuthRequired { status: 407, .. }),
            "{url}: {err:?}"
        );
        assert!(
            err.to_string()
                .contains("407 Proxy Authentication Required"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn an_origin_401_through_the_proxy_is_a_response() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    let origin = origin().await;
    let client = client_with(|c| c.proxy = ProxyConfig::all(proxy.url()));
    let response = client
        .send(get(&origin.url("http", "/unauthorized")))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.into_body().bytes().await.unwrap(),
        "origin says no"
    );
}

#[tokio::test]
async fn proxy_that_is_down_is_a_proxy_error() {
    let port = unused_port();
    let origin = origin().await;
    let client =
        client_with(|c| c.proxy = ProxyConfig::all(format!("http://u:hunter2@127.0.0.1:{port}")));
    for url in [origin.url("http", "/hello"), origin.url("https", "/hello")] {
        let err = client.send(get(&url)).await.unwrap_err();
        assert!(matches!(err, HttpError::Proxy { .. }), "{url}: {err:?}");
        let text = err.to_string();
        assert!(text.contains("could not connect to the proxy"), "{text}");
        assert!(
            !text.contains("hunter2") && !format!("{err:?}").contains("hunter2"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn imds_endpoint_never_goes_through_the_proxy() {
    let proxy = Tinyproxy::start(USER, PASSWORD);
    // A local stand-in for the metadata service, named as an IMDS endpoint would be
    // (AWS_EC2_METADATA_SERVICE_ENDPOINT); the proxy applies to everything else.
    let imds = origin().await;
    let client = client_with(|c| {
        c.proxy = ProxyConfig::all(proxy.url());
        c.add_metadata_endpoint(&imds.url("http", "/"));
    });
    let response = client
        .send(get(&imds.url("http", "/latest/api/token")))
        .await
        .unwrap();
    response.into_body().bytes().await.unwrap();
    let seen = imds.last_seen();
    assert!(!seen.headers.contains_key("via"), "{seen:?}");
    assert!(
        !seen.headers.contains_key("proxy-authorization"),
        "{seen:?}"
    );
    assert_eq!(seen.target, "/latest/api/token");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(proxy.requests().is_empty(), "{}", proxy.log());

    // With the rule off, the same request goes through the proxy.
    let client = client_with(|c| {
        c.proxy = ProxyConfig::all(proxy.url());
        c.add_metadata_endpoint(&imds.url("http", "/"));
        c.no_proxy_for_metadata = false;
    });
    client
        .send(get(&imds.url("http", "/latest/api/token")))
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap();
    assert!(imds.last_seen().headers.contains_key("via"));
}
