//! HTTPS against a local TLS server whose CA is generated for the run (rcgen): trusted with
//! the CA bundle, rejected without it, accepted with `insecure`.

mod common;

use common::{client_with, get, tls_origin, TestCa};
use inia_http::HttpError;

#[tokio::test]
async fn verified_with_the_ca_bundle() {
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| c.ca_bundle = Some(ca.bundle_path()));
    for _ in 0..2 {
        let response = client
            .send(get(&origin.url("https", "/hello")))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.version(), http::Version::HTTP_11);
        assert_eq!(response.into_body().bytes().await.unwrap(), "hello");
    }
    assert_eq!(origin.accepted(), 1, "the TLS connection is pooled");
}

#[tokio::test]
async fn certificate_for_another_name_is_rejected() {
    let ca = TestCa::without_ip_name();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| c.ca_bundle = Some(ca.bundle_path()));
    let err = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().contains("not valid for this host name"),
        "{err}"
    );
}

#[tokio::test]
async fn rejected_without_the_ca_bundle() {
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|_| {});
    let err = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Tls { .. }), "{err:?}");
    assert!(!err.is_transient());
    let text = err.to_string();
    assert!(text.contains("certificate not trusted"), "{text}");
    assert!(text.contains(&origin.addr.to_string()), "{text}");
    assert!(
        origin.seen().is_empty(),
        "no request may be sent over an untrusted connection"
    );
}

#[tokio::test]
async fn accepted_with_insecure() {
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| c.insecure = true);
    let response = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.into_body().bytes().await.unwrap(), "hello");
}

#[tokio::test]
async fn unreadable_ca_bundle_is_a_tls_error_naming_the_file() {
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| c.ca_bundle = Some("/nonexistent/inia-ca.pem".into()));
    let err = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Tls { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/nonexistent/inia-ca.pem"),
        "{err}"
    );
    // Plain http on the same client does not need the bundle.
    let plain = common::origin().await;
    let response = client
        .send(get(&plain.url("http", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn http2_by_alpn_when_enabled() {
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| {
        c.ca_bundle = Some(ca.bundle_path());
        c.http2 = true;
    });
    let response = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.into_body().bytes().await.unwrap(), "hello");
}

/// A self-signed certificate with `CA:TRUE` (what `openssl req -x509` makes), trusted by
/// putting that very certificate in the bundle, as the AWS CLI accepts it.
#[tokio::test]
async fn an_exactly_trusted_self_signed_certificate_is_accepted() {
    let cert = TestCa::self_signed_server(true);
    let origin = tls_origin(&cert).await;
    let client = client_with(|c| c.ca_bundle = Some(cert.bundle_path()));
    let response = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.into_body().bytes().await.unwrap(), "hello");
}

#[tokio::test]
async fn a_self_signed_certificate_still_needs_the_right_name_and_the_bundle() {
    let wrong_name = TestCa::self_signed_server(false);
    let origin = tls_origin(&wrong_name).await;
    let client = client_with(|c| c.ca_bundle = Some(wrong_name.bundle_path()));
    let err = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("not valid for this host name"),
        "{err}"
    );
    let untrusted = TestCa::self_signed_server(true);
    let origin = tls_origin(&untrusted).await;
    let other = TestCa::new();
    let client = client_with(|c| c.ca_bundle = Some(other.bundle_path()));
    let err = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap_err();
    assert!(matches!(err, HttpError::Tls { .. }), "{err:?}");
    assert!(origin.seen().is_empty());
}

#[tokio::test]
async fn the_platform_store_is_an_opt_in_beside_the_bundle() {
    let ca = TestCa::new();
    let origin = tls_origin(&ca).await;
    let client = client_with(|c| {
        c.platform_roots = true;
        c.ca_bundle = Some(ca.bundle_path());
    });
    let response = client
        .send(get(&origin.url("https", "/hello")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
