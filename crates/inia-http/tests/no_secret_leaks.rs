//! With trace-level logging on, send requests through a real proxy (tinyproxy) with proxy
//! credentials and an `Authorization` header, right and wrong, and check that neither the
//! proxy password nor the `Authorization` value shows in the log, an error, or `Debug`.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{client_with, origin, tls_origin, TestCa, Tinyproxy};
use http::Request;
use inia_http::{Body, HttpConfig, ProxyConfig};

const PASSWORD: &str = "Pr0xyPa55w0rd";
const SIGNATURE: &str = "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a";

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

fn assert_clean(what: &str, text: &str) {
    // The password, and its Basic form as it would appear inside a header.
    let basic_good = "aW5pYTpQcjB4eVBhNTV3MHJk"; // base64("inia:Pr0xyPa55w0rd")
    for secret in [PASSWORD, SIGNATURE, basic_good] {
        assert!(
            !text.contains(secret),
            "{what} contains a secret ({secret}):\n{text}"
        );
    }
}

// current_thread: every task (connections included) runs on this thread, under the
// subscriber set below.
#[tokio::test(flavor = "current_thread")]
async fn secrets_never_reach_logs_errors_or_debug() {
    let proxy = Tinyproxy::start("inia", PASSWORD);
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let plain = origin().await;
    let ca = TestCa::new();
    let tls = tls_origin(&ca).await;
    let mut shown = String::new();
    for password in [PASSWORD, "wrong-Pr0xyPa55w0rd"] {
        let config_proxy = ProxyConfig::all(proxy.url_with("inia", password));
        let mut config = HttpConfig::default();
        config.proxy = config_proxy.clone();
        shown.push_str(&format!("{config:?}\n"));
        let client = client_with(|c| {
            c.proxy = config_proxy;
            c.ca_bundle = Some(ca.bundle_path());
        });
        shown.push_str(&format!("{client:?}\n"));
        for url in [plain.url("http", "/echo"), tls.url("https", "/echo")] {
            let request = Request::put(&url)
                .header(
                    "authorization",
                    format!("AWS4-HMAC-SHA256 Credential=AKID/x, {SIGNATURE}"),
                )
                .body(Body::from("payload"))
                .unwrap();
            shown.push_str(&format!("{:?}\n", request.body()));
            match client.send(request).await {
                Ok(response) => {
                    assert_eq!(password, PASSWORD, "a wrong password must fail");
                    shown.push_str(&format!("{response:?}\n"));
                    response.into_body().bytes().await.unwrap();
                }
                Err(err) => {
                    assert_ne!(password, PASSWORD, "{url}: {err:?}");
                    shown.push_str(&format!("{err}\n{err:?}\n"));
                }
            }
        }
    }
    let log = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("CONNECT tunnel through proxy"),
        "debug events were not captured:\n{log}"
    );
    assert!(log.contains("forwarding through proxy"), "{log}");
    assert_clean("the log", &log);
    assert_clean("errors and Debug output", &shown);
    // Wrong-password shapes too: "wrong-" + password contains the password itself.
    assert!(!log.contains("wrong-Pr0xy") && !shown.contains("wrong-Pr0xy"));
}
