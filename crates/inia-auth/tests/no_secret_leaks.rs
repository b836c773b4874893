//! With trace-level logging on, sign requests with every scheme, make signing fail in
//! every way it can, and check that the secret key and the session token appear nowhere:
//! not in the log, not in an error, not in any `Debug` output.

use inia_auth::credentials::Credentials;
use inia_auth::sign::{
    scheme, Bearer, SigV4, SigV4Settings, SigV4a, SigV4aKey, Sign, SignBody, SignedBody,
    SigningContext,
};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const SECRET: &str = "SeCrEtKeY/wJalrXUtnFEMI+K7MDENG";
const TOKEN: &str = "ToKeN/IQoJb3JpZ2luX2VjEJr+SESSION";

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

fn parts(method: &str, uri: &str) -> http::request::Parts {
    http::Request::builder()
        .method(method)
        .uri(uri)
        .body(())
        .unwrap()
        .into_parts()
        .0
}

fn assert_clean(what: &str, text: &str) {
    for (name, s) in [("secret", SECRET), ("token", TOKEN)] {
        let variants = [s.to_string(), s.replace('/', "%2F").replace('+', "%2B")];
        for v in variants {
            assert!(!text.contains(&v), "{what} contains the {name}:\n{text}");
        }
    }
}

#[test]
fn secrets_never_reach_logs_errors_or_debug() {
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
        let creds = Credentials::new("AKIDEXAMPLE", SECRET, Some(TOKEN.into()), None, "test");
        let ctx = SigningContext::new(&creds, "us-east-1", "sts", SystemTime::now());
        seen.push_str(&format!("{creds:?} {ctx:?}\n"));

        // Every scheme, successfully.
        for name in ["v4", "s3v4", "sigv4a", "v2", "s3", "none"] {
            let signer = scheme(name).unwrap();
            let mut p = parts(
                "POST",
                "https://sts.amazonaws.com/?Action=GetCallerIdentity",
            );
            let body = SignedBody::Bytes("Version=2011-06-15".into());
            signer.sign(&mut p, &body, &ctx).unwrap();
            seen.push_str(&format!("{signer:?} {body:?} {:?}\n", p.headers));
        }
        let bearer = Bearer::new(TOKEN);
        let mut p = parts("GET", "https://example.com/");
        bearer.sign(&mut p, &SignedBody::Unsigned, &ctx).unwrap();
        seen.push_str(&format!("{bearer:?} {:?}\n", p.headers));
        let v4 = SigV4::new(SigV4Settings::s3());
        let mut p = parts("GET", "https://b.s3.amazonaws.com/k");
        let out = v4.presign(&mut p, Duration::from_secs(60), &ctx).unwrap();
        tracing::debug!(uri = ?p.uri.path(), "presigned");
        seen.push_str(&format!("{out:?}\n"));
        let v4a = SigV4a::new(SigV4Settings::s3());
        let mut p = parts("GET", "https://b.s3.amazonaws.com/k");
        let out = v4a.presign(&mut p, Duration::from_secs(60), &ctx).unwrap();
        seen.push_str(&format!("{v4a:?} {out:?}\n"));
        let key = SigV4aKey::derive("AKIDEXAMPLE", SECRET).unwrap();
        seen.push_str(&format!("{key:?}\n"));

        // And every way signing fails.
        let errors = [
            v4.presign(
                &mut parts("GET", "https://b.s3.amazonaws.com/k"),
                Duration::from_secs(0),
                &ctx,
            )
            .unwrap_err(),
            v4.sign_headers(&mut parts("GET", "/no-host"), &SignBody::Unsigned, &ctx)
                .unwrap_err(),
            scheme("v4")
                .unwrap()
                .sign(
                    &mut parts("GET", "https://x/"),
                    &SignedBody::Unsigned,
                    &SigningContext {
                        credentials: None,
                        region: "r",
                        service: "s",
                        time: SystemTime::now(),
                        token: None,
                    },
                )
                .unwrap_err(),
            {
                let bad =
                    Credentials::new("AKID", SECRET, Some(format!("{TOKEN}\n")), None, "test");
                let ctx = SigningContext::new(&bad, "us-east-1", "sts", SystemTime::now());
                v4.sign_headers(&mut parts("GET", "https://x/"), &SignBody::Unsigned, &ctx)
                    .unwrap_err()
            },
            scheme("kerberos").unwrap_err(),
            // Azure SharedKey: the secret (an account key) is not base64.
            scheme("azure-shared-key")
                .unwrap()
                .sign(
                    &mut parts("GET", "https://a.blob.core.windows.net/?comp=list"),
                    &SignedBody::Unsigned,
                    &ctx,
                )
                .unwrap_err(),
        ];
        for e in &errors {
            seen.push_str(&format!("{e} {e:?}\n"));
        }
    });
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("canonical_request"),
        "trace logging was not captured: {logged}"
    );
    assert!(
        logged.contains("** redacted **"),
        "the token should show as redacted: {logged}"
    );
    assert_clean("the log", &logged);
    assert_clean("errors and Debug output", &seen);
}
