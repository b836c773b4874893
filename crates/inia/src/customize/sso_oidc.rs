//! IAM Identity Center OIDC's one answer customization, as botocore applies it: its
//! errors follow OAuth 2.0 and explain themselves in `error_description`; that text
//! becomes the error's `Message` when the answer has none.
//!
//! Owns that rewrite; `customize` registers it.

use super::Answer;
use bytes::Bytes;
use inia_model::{Operation, ServiceModel};
use serde_json::Value;

pub(crate) fn oauth2_message(_: &ServiceModel, _: &Operation, answer: &mut Answer<'_>) {
    if answer.status < 400 {
        return;
    }
    let Some(body) = answer.body.as_deref_mut() else {
        return;
    };
    let Ok(Value::Object(mut doc)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let present = |k: &str| doc.get(k).is_some_and(|v| !v.is_null() && v != "");
    if present("Message") || present("message") {
        return;
    }
    let Some(text) = doc
        .get("error_description")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    else {
        return;
    };
    doc.insert("Message".into(), Value::String(text.to_string()));
    if let Ok(bytes) = serde_json::to_vec(&doc) {
        *body = Bytes::from(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_description_becomes_the_message() {
        let m = inia_model::SpecPath::embedded_only()
            .load_service("sso-oidc")
            .unwrap();
        let op = m.operation("CreateToken").unwrap();
        let run = |status: u16, body: &str| {
            let mut h = http::HeaderMap::new();
            let mut b = Bytes::copy_from_slice(body.as_bytes());
            let mut a = Answer {
                status,
                headers: &mut h,
                body: Some(&mut b),
                extra: Default::default(),
            };
            crate::customize::response(&m, &op, &mut a);
            serde_json::from_slice::<Value>(&b).unwrap()
        };
        let out = run(
            400,
            r#"{"error":"invalid_grant","error_description":"expired"}"#,
        );
        assert_eq!(out["Message"], "expired");
        let out = run(
            400,
            r#"{"error":"x","error_description":"d","message":"m"}"#,
        );
        assert!(out.get("Message").is_none());
        let out = run(200, r#"{"error_description":"d"}"#);
        assert!(out.get("Message").is_none());
    }
}
