//! The `rest-xml` serializer: HTTP bindings from `rest`, then the body.
//!
//! Body rules: with a `payload` member, a blob or string payload is the raw body (empty
//! when absent); a structure payload is an XML document (nothing when absent) whose root
//! is named by the member's `locationName` when it differs from the member's name, else
//! by the target shape's `locationName`, else by the member's `locationName` or the
//! shape's name, and carries the member's (else the shape's) `xmlNamespace`. Without a
//! payload member, the members that have no location form a document whose root is named
//! by the input shape's `locationName`, else the operation input's, else the shape name,
//! with the input's `xmlNamespace`; no such member set, no body. No Content-Type is added
//! (as botocore).
//!
//! Owns those rules. Does not own the XML element rules (see `xml_body`) or the HTTP
//! bindings (see `rest`).

use super::rest;
use super::rest_json::raw_payload;
use super::xml_body::XmlWriter;
use crate::error::ProtocolError;
use crate::member::MemberRef;
use bytes::Bytes;
use http::HeaderMap;
use inia_model::{Operation, ServiceModel, ShapeType};
use serde_json::Value;

pub(super) fn serialize(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let input = super::input(model, op)?;
    let params = super::prepare(params)?;
    let host = super::host_prefix(op, &params)?;
    let Some(input) = input else {
        let uri = &op.http.request_uri;
        return super::build(&op.http.method, uri, HeaderMap::new(), Bytes::new(), host);
    };
    let bound = rest::bind(model, op, &input, &params)?;
    let root = super::Path::Root;
    let body = match input.payload() {
        Some(payload) => {
            let m = input.shape.members.get(payload).ok_or_else(|| {
                ProtocolError::Unsupported(format!(
                    "{}: payload member {payload} does not exist",
                    input.shape_name()
                ))
            })?;
            let pm = MemberRef::resolve(model, m, input.shape_name())?;
            let value = params.get(payload).filter(|v| !v.is_null());
            let path = root.key(payload);
            match (pm.kind(), value) {
                (ShapeType::Blob | ShapeType::String, _) => raw_payload(&pm, value, &path)?,
                (_, None) => Bytes::new(),
                (_, Some(v)) => {
                    let mut w = XmlWriter::new(model);
                    w.value(&pm, payload_root_name(payload, &pm), v, &path)?;
                    Bytes::from(w.finish())
                }
            }
        }
        None if bound.body.is_empty() => Bytes::new(),
        None => {
            let name = input
                .shape
                .location_name
                .as_deref()
                .or(input.member.location_name.as_deref())
                .unwrap_or(input.shape_name());
            let mut w = XmlWriter::new(model);
            let ns = input.xml_namespace();
            let shape_name = input.shape_name();
            w.structure(&input.shape, shape_name, name, ns, &bound.body, &root)?;
            Bytes::from(w.finish())
        }
    };
    super::build(&op.http.method, &bound.uri, bound.headers, body, host)
}

/// The root element of a structure payload. A `locationName` equal to the member's own
/// name says nothing the shape's `locationName` should not override (model converters
/// write one on every payload member).
fn payload_root_name<'a>(member_name: &str, pm: &'a MemberRef<'_>) -> &'a str {
    // A member `locationName` equal to the member's own name says nothing on its own
    // (model converters write it for every payload member), unless the member also
    // carries its own namespace: S3's payload members (`LifecycleConfiguration` targeting
    // `BucketLifecycleConfiguration`) name their root element that way.
    let own = pm.member.location_name.as_deref();
    match own {
        Some(l) if l != member_name || pm.member.xml_namespace.is_some() => l,
        _ => pm.shape.location_name.as_deref().unwrap_or(pm.shape_name()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn payload_and_body_roots() {
        let doc = json!({
            "metadata": {"protocol": "rest-xml"},
            "operations": {
                "Tag": {"name": "Tag", "http": {"method": "PUT", "requestUri": "/{Bucket}?tagging"},
                        "input": {"shape": "TagIn"}},
                "Zone": {"name": "Zone", "http": {"method": "POST", "requestUri": "/zone"},
                         "input": {"shape": "ZoneIn", "locationName": "ZoneRequest",
                                   "xmlNamespace": {"uri": "https://r53/"}}}
            },
            "shapes": {
                "TagIn": {"type": "structure", "payload": "Tagging", "members": {
                    "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
                    "Tagging": {"shape": "Tags", "locationName": "Tagging",
                                "xmlNamespace": {"uri": "http://s3/"}}
                }},
                "Tags": {"type": "structure", "members": {"TagSet": {"shape": "TagSet"}}},
                "TagSet": {"type": "list", "member": {"shape": "S", "locationName": "Tag"}},
                "ZoneIn": {"type": "structure", "members": {
                    "Name": {"shape": "S"},
                    "Id": {"shape": "S", "location": "header", "locationName": "x-id"}
                }},
                "S": {"type": "string"}
            }
        });
        let m = ServiceModel::from_string(doc.to_string(), "t").unwrap();
        let op = m.operation("Tag").unwrap();
        let req = serialize(
            &m,
            &op,
            &json!({"Bucket": "b", "Tagging": {"TagSet": ["x"]}}),
        )
        .unwrap();
        assert_eq!(req.uri(), "/b?tagging");
        assert_eq!(
            req.body().as_ref(),
            br#"<Tagging xmlns="http://s3/"><TagSet><Tag>x</Tag></TagSet></Tagging>"#
        );
        let op = m.operation("Zone").unwrap();
        let req = serialize(&m, &op, &json!({"Id": "1"})).unwrap();
        assert!(req.body().is_empty());
        let req = serialize(&m, &op, &json!({"Name": "n"})).unwrap();
        assert_eq!(
            req.body().as_ref(),
            br#"<ZoneRequest xmlns="https://r53/"><Name>n</Name></ZoneRequest>"#
        );
    }
}
