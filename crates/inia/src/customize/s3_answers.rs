//! S3's answer customizations, as botocore's handlers apply them:
//! - an error document in a 200 answer (CopyObject, UploadPartCopy and
//!   CompleteMultipartUpload can fail after S3 has sent the status), or a body cut short,
//!   is a 500: a service error, retried as one. Not for operations whose output is an
//!   event stream or a blob or text payload, which cannot be told from an error;
//! - an `Expires` header is also given as it was sent, `ExpiresString`, and when it is
//!   not a date (S3 stores what the uploader sent) `Expires` is left out instead of
//!   failing the call;
//! - GetBucketLocation's `LocationConstraint` is `null` for a bucket in us-east-1 (S3
//!   answers an empty element);
//! - the listings' keys, prefixes, delimiters and markers are URL-decoded when the call
//!   path asked for `EncodingType=url` (`s3::url_encoding`), and left as S3 sent them
//!   when the caller asked for an encoding.
//!
//! Owns those rewrites; `customize` registers them.

use super::{Answer, Notes};
use inia_model::{Operation, ServiceModel, ShapeType};
use serde_json::Value;

/// Whether a 200 answer of `op` may carry an error document.
fn may_hide_an_error(model: &ServiceModel, op: &Operation) -> bool {
    let Some(out) = op.output.as_ref() else {
        return false;
    };
    let Ok(shape) = model.target(out, &op.name) else {
        return false;
    };
    let targets = |m| model.target(m, &op.name).ok();
    let event_stream = shape
        .members
        .values()
        .any(|m| targets(m).is_some_and(|t| t.eventstream));
    let text_payload = shape
        .payload
        .as_ref()
        .and_then(|p| shape.members.get(p))
        .and_then(targets)
        .is_some_and(|t| matches!(t.kind, ShapeType::Blob | ShapeType::String));
    !event_stream && !text_payload
}

/// The root element's name of an XML document, when the document looks whole (it ends
/// with that element's end tag, or is one empty element).
fn whole_document_root(body: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(body).ok()?;
    let mut rest = text.trim_start_matches('\u{feff}').trim_start();
    // The XML declaration, processing instructions and comments before the root.
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1.trim_start();
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1.trim_start();
        } else {
            break;
        }
    }
    let after = rest.strip_prefix('<')?;
    let end = after.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
    let name = &after[..end];
    let tail = rest.trim_end();
    let closed = tail.ends_with(&format!("</{name}>"))
        || (tail.ends_with("/>") && !after[end..].contains('<'));
    (!name.is_empty() && closed).then_some(name)
}

/// A 200 answer that holds an error document, or a cut-short body, becomes a 500.
pub(crate) fn error_in_200(model: &ServiceModel, op: &Operation, answer: &mut Answer<'_>) {
    let Some(body) = answer.body.as_deref() else {
        return;
    };
    if answer.status != 200 || body.is_empty() || !may_hide_an_error(model, op) {
        return;
    }
    match whole_document_root(body) {
        Some("Error") | None => {
            tracing::debug!(operation = %op.name, "an error document in a 200 answer: a 500");
            answer.status = 500;
        }
        Some(_) => {}
    }
}

/// Whether the output has S3's `Expires` header member.
fn has_expires_member(model: &ServiceModel, op: &Operation) -> bool {
    let Some(shape) = op
        .output
        .as_ref()
        .and_then(|o| model.target(o, &op.name).ok())
    else {
        return false;
    };
    shape
        .members
        .values()
        .any(|m| m.shape == "Expires" && m.location_name.as_deref() == Some("Expires"))
}

/// `ExpiresString` beside `Expires`; an `Expires` that is no date is not parsed.
pub(crate) fn expires_string(model: &ServiceModel, op: &Operation, answer: &mut Answer<'_>) {
    let Some(raw) = answer.headers.get(http::header::EXPIRES) else {
        return;
    };
    let text = String::from_utf8_lossy(raw.as_bytes()).into_owned();
    if text.is_empty() || !has_expires_member(model, op) {
        return;
    }
    if inia_protocol::timefmt::wire_to_value(text.trim()).is_none() {
        tracing::debug!(expires = %text, "the Expires header is not a date: kept as ExpiresString only");
        answer.headers.remove(http::header::EXPIRES);
    }
    answer
        .extra
        .insert("ExpiresString".into(), Value::String(text));
}

/// `LocationConstraint` is `null` for us-east-1's empty answer.
pub(crate) fn bucket_location(_: &ServiceModel, _: &Operation, _: &Notes, value: &mut Value) {
    if let Some(obj) = value.as_object_mut() {
        match obj.get("LocationConstraint") {
            Some(Value::String(s)) if !s.is_empty() => {}
            _ => {
                obj.insert("LocationConstraint".into(), Value::Null);
            }
        }
    }
}

/// `s` URL-decoded as a form value: `+` is a space, `%XX` a byte; bytes that are not
/// UTF-8 become U+FFFD.
fn url_decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

/// Decode the named members of a listing that the call path had URL-encoded.
fn decode_listing(notes: &Notes, value: &mut Value, top: &[&str], nested: &[(&str, &str)]) {
    if !notes.url_encoding_added || value["EncodingType"] != "url" {
        return;
    }
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    let decode = |v: &mut Value| {
        if let Value::String(s) = v {
            *s = url_decode(s);
        }
    };
    for key in top {
        if let Some(v) = obj.get_mut(*key) {
            decode(v);
        }
    }
    for (list, member) in nested {
        if let Some(Value::Array(items)) = obj.get_mut(*list) {
            for item in items {
                if let Some(v) = item.get_mut(*member) {
                    decode(v);
                }
            }
        }
    }
}

pub(crate) fn decode_list_objects(_: &ServiceModel, _: &Operation, n: &Notes, v: &mut Value) {
    decode_listing(
        n,
        v,
        &["Delimiter", "Marker", "NextMarker"],
        &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
    );
}

pub(crate) fn decode_list_objects_v2(_: &ServiceModel, _: &Operation, n: &Notes, v: &mut Value) {
    decode_listing(
        n,
        v,
        &["Delimiter", "Prefix", "StartAfter"],
        &[("Contents", "Key"), ("CommonPrefixes", "Prefix")],
    );
}

pub(crate) fn decode_list_object_versions(
    _: &ServiceModel,
    _: &Operation,
    n: &Notes,
    v: &mut Value,
) {
    decode_listing(
        n,
        v,
        &["KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"],
        &[
            ("Versions", "Key"),
            ("DeleteMarkers", "Key"),
            ("CommonPrefixes", "Prefix"),
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customize::testing;
    use bytes::Bytes;
    use serde_json::json;

    fn s3() -> ServiceModel {
        inia_model::SpecPath::embedded_only()
            .load_service("s3")
            .unwrap()
    }

    /// The `Response` stage on an answer: its status and added members.
    fn answer(
        m: &ServiceModel,
        op: &str,
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, http::HeaderMap, serde_json::Map<String, Value>) {
        let op = m.operation(op).unwrap();
        let mut h = http::HeaderMap::new();
        for (k, v) in headers {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let mut bytes = Bytes::copy_from_slice(body.as_bytes());
        let mut a = Answer {
            status,
            headers: &mut h,
            body: Some(&mut bytes),
            extra: Default::default(),
        };
        crate::customize::response(m, &op, &mut a);
        let (status, extra) = (a.status, a.extra);
        (status, h, extra)
    }

    #[test]
    fn an_error_document_in_a_200_is_a_500() {
        let m = s3();
        let err = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>\
                   <Message>We encountered an internal error.</Message></Error>";
        assert_eq!(answer(&m, "CopyObject", 200, &[], err).0, 500);
        let ok = "<?xml version=\"1.0\"?><CopyObjectResult><ETag>\"x\"</ETag></CopyObjectResult>\n";
        assert_eq!(answer(&m, "CopyObject", 200, &[], ok).0, 200);
        // Cut short: no end tag.
        let cut = "<CompleteMultipartUploadResult><Location>http://x";
        assert_eq!(answer(&m, "CompleteMultipartUpload", 200, &[], cut).0, 500);
        assert_eq!(answer(&m, "CopyObject", 200, &[], "").0, 200);
        assert_eq!(answer(&m, "GetBucketAcl", 200, &[], "<Owner/>").0, 200);
        // A text payload (the bucket policy) is never taken for an error.
        assert_eq!(answer(&m, "GetBucketPolicy", 200, &[], "<Error>").0, 200);
    }

    #[test]
    fn expires_is_kept_as_sent() {
        let m = s3();
        let date = "Tue, 01 Jan 2030 00:00:00 GMT";
        let (_, h, extra) = answer(&m, "HeadObject", 200, &[("expires", date)], "");
        assert_eq!(extra["ExpiresString"], date);
        assert_eq!(h["expires"], date);
        let (_, h, extra) = answer(&m, "HeadObject", 200, &[("expires", "soon")], "");
        assert_eq!(extra["ExpiresString"], "soon");
        assert!(
            !h.contains_key("expires"),
            "a non-date Expires is not parsed"
        );
        let (_, _, extra) = answer(&m, "ListBuckets", 200, &[("expires", date)], "");
        assert!(extra.is_empty());
    }

    #[test]
    fn us_east_1_has_a_null_location_constraint() {
        let m = s3();
        let out = |v| testing::output(&m, "GetBucketLocation", &Notes::default(), v);
        assert_eq!(
            out(json!({"LocationConstraint": ""})),
            json!({"LocationConstraint": null})
        );
        assert_eq!(out(json!({})), json!({"LocationConstraint": null}));
        assert_eq!(
            out(json!({"LocationConstraint": "eu-west-1"})),
            json!({"LocationConstraint": "eu-west-1"})
        );
    }

    #[test]
    fn listings_are_decoded_only_when_the_call_path_encoded_them() {
        let m = s3();
        let added = Notes {
            url_encoding_added: true,
        };
        let page = json!({
            "EncodingType": "url",
            "Prefix": "dir%2F",
            "Delimiter": "%2F",
            "StartAfter": "a+b",
            "Contents": [{"Key": "a%20b+c%2Bd%C3%A9"}, {"Key": "bad%FF"}],
            "CommonPrefixes": [{"Prefix": "%C3%BC/"}],
            "NextContinuationToken": "tok%20en"
        });
        let out = testing::output(&m, "ListObjectsV2", &added, page.clone());
        assert_eq!(
            out,
            json!({
                "EncodingType": "url",
                "Prefix": "dir/",
                "Delimiter": "/",
                "StartAfter": "a b",
                "Contents": [{"Key": "a b c+dé"}, {"Key": "bad\u{fffd}"}],
                "CommonPrefixes": [{"Prefix": "ü/"}],
                "NextContinuationToken": "tok%20en"
            })
        );
        // The caller asked for the encoding: left as S3 sent it.
        let asked = testing::output(&m, "ListObjectsV2", &Notes::default(), page.clone());
        assert_eq!(asked, page);
        let versions = testing::output(
            &m,
            "ListObjectVersions",
            &added,
            json!({"EncodingType": "url", "KeyMarker": "k%20m", "NextKeyMarker": "n%20k",
                   "Versions": [{"Key": "v%20k"}], "DeleteMarkers": [{"Key": "d%20k"}]}),
        );
        assert_eq!(
            versions,
            json!({"EncodingType": "url", "KeyMarker": "k m", "NextKeyMarker": "n k",
                   "Versions": [{"Key": "v k"}], "DeleteMarkers": [{"Key": "d k"}]})
        );
        let v1 = testing::output(
            &m,
            "ListObjects",
            &added,
            json!({"EncodingType": "url", "Marker": "m%20", "NextMarker": "n%20", "Prefix": "p%20"}),
        );
        // ListObjects' Prefix is not among the members botocore decodes.
        assert_eq!(
            v1,
            json!({"EncodingType": "url", "Marker": "m ", "NextMarker": "n ", "Prefix": "p%20"})
        );
    }
}
