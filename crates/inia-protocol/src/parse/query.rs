//! The envelope of query and ec2 success bodies: where the output sits, what becomes
//! `ResponseMetadata`, and whether the answer belongs to the operation asked.
//!
//! Rules:
//! - query output sits in the operation's `resultWrapper` element (the root when it is
//!   missing); ec2 output is the root's content. The structure is read by `xml`'s
//!   shaped rules;
//! - query's `<ResponseMetadata>` (ec2's `<requestId>`), a child of the root, becomes
//!   `ResponseMetadata`, with or without an output shape, and never also a member of the
//!   output (not even with `keep_unmodeled_xml`, when the output is the root's content);
//! - an operation with **no output shape** gets the body by the generic rules (see
//!   `generic_xml`): for query, the content of `<{Operation}Result>` when the root has
//!   that child (botocore's result wrappers are named so), else the root's content
//!   without `<ResponseMetadata>`; for ec2, the root's content without `<requestId>`
//!   and without the `<return>true</return>` acknowledgement of the operations
//!   botocore's models leave without output (so an EC2 `CreateTags` answer gives `{}`,
//!   as botocore; `keep_unmodeled_xml` keeps `return`). The top level is always
//!   a map: an empty result is `{}`, a text-only or list-only one sits under its
//!   element's name;
//! - a blank body is `{}`; malformed XML is a parse error; another operation's answer is
//!   an error naming both (see [`check_root`]).
//!
//! Owns query and ec2 envelopes. Does not own reading structures (see `xml`), the generic
//! rules (see `generic_xml`) or error bodies (see `errors`).

use super::xml::{blank, Shaped};
use super::xml_dom::{Document, NodeId};
use crate::error::ProtocolError;
use crate::generic_xml;
use crate::ParseOptions;
use inia_model::{Operation, ServiceModel};
use serde_json::{Map, Value};

/// An answer to another operation (say, from another service listening where this one
/// was expected) is an error naming what was expected and what arrived, not an empty
/// result: for query, the output's result wrapper must be a child of the root; for ec2
/// (no wrapper) and for outputs without a wrapper, a root named `<...Response>` must be
/// `<{Operation}Response>`. Other roots are accepted, as botocore accepts them (its
/// protocol vectors answer outputs with no members with `<xml/>`).
fn check_root(
    doc: &Document<'_>,
    root: NodeId,
    op: &Operation,
    ec2: bool,
    wrapper: Option<&str>,
) -> Result<(), ProtocolError> {
    let name = doc.name(root);
    let local = name.rsplit(':').next().unwrap_or(name);
    let wrapper = if ec2 { None } else { wrapper };
    let expected = match wrapper {
        Some(w) if doc.child(root, w).is_none() => format!("<{w}> in the answer to {}", op.name),
        Some(_) => return Ok(()),
        None => match local.strip_suffix("Response") {
            Some(operation) if operation != op.name => {
                format!("a <{}Response> answer to {}", op.name, op.name)
            }
            _ => return Ok(()),
        },
    };
    Err(ProtocolError::parse(
        format!("expected {expected}, got <{name}>"),
        None,
    ))
}

/// An output value and the response metadata found in the body.
pub(crate) type WithMeta = (Map<String, Value>, Option<Map<String, Value>>);

/// A query or ec2 success body: the output value and the body's response metadata.
pub(crate) fn query_output(
    model: &ServiceModel,
    op: &Operation,
    ec2: bool,
    body: &[u8],
    options: &ParseOptions,
) -> Result<WithMeta, ProtocolError> {
    if blank(body) {
        return Ok((Map::new(), None));
    }
    let doc = Document::parse(body)?;
    let root = doc.root();
    // The root's child that is response metadata, not output.
    let envelope = if ec2 { "requestId" } else { "ResponseMetadata" };
    let out = match &op.output {
        Some(output) => {
            let shape = model.target(output, &op.name)?;
            let wrapper = output
                .result_wrapper
                .as_deref()
                .or(shape.result_wrapper.as_deref());
            check_root(&doc, root, op, ec2, wrapper)?;
            let start = match wrapper {
                Some(w) => doc.child(root, w).unwrap_or(root),
                None => root,
            };
            let mut out = Shaped::new(model)
                .keep_unmodeled(options.keep_unmodeled_xml)
                .structure_of(&doc, &output.shape, &shape, start)?;
            if start == root && !shape.members.contains_key(envelope) {
                out.shift_remove(envelope);
            }
            out
        }
        None => {
            check_root(&doc, root, op, ec2, None)?;
            let wrapper = format!("{}Result", op.name);
            // EC2's `<return>true</return>` acknowledges an operation that botocore's
            // models leave without output, and the AWS CLI prints nothing for it.
            let acknowledgement = ec2 && !options.keep_unmodeled_xml;
            let skip: &[&str] = if acknowledgement {
                &[envelope, "return"]
            } else {
                &[envelope]
            };
            match doc.child(root, &wrapper).filter(|_| !ec2) {
                Some(node) => generic_xml::output_members(&doc, node, &[]),
                None => generic_xml::output_members(&doc, root, skip),
            }
        }
    };
    let meta = if ec2 {
        doc.child(root, "requestId").map(|n| {
            let mut m = Map::new();
            m.insert("RequestId".into(), Value::String(doc.text(n).to_string()));
            m
        })
    } else {
        doc.child(root, "ResponseMetadata").map(|n| {
            doc.children(n)
                .map(|c| {
                    (
                        doc.name(c).to_string(),
                        Value::String(doc.text(c).to_string()),
                    )
                })
                .collect()
        })
    };
    Ok((out, meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(protocol: &str, output: Option<Value>) -> ServiceModel {
        let mut op = json!({"name": "Op"});
        if let Some(o) = output {
            op["output"] = o;
        }
        let doc = json!({
            "metadata": {"protocol": protocol},
            "operations": {"Op": op},
            "shapes": {
                "Out": {"type": "structure", "members": {
                    "Count": {"shape": "I"}, "Inner": {"shape": "In"},
                    "Things": {"shape": "L", "locationName": "thingSet"}
                }},
                "In": {"type": "structure", "members": {"Name": {"shape": "S"}}},
                "L": {"type": "list", "member": {"shape": "In", "locationName": "item"}},
                "I": {"type": "integer"}, "S": {"type": "string"}
            },
        });
        ServiceModel::from_string(doc.to_string(), "test").unwrap()
    }

    fn run(m: &ServiceModel, ec2: bool, body: &[u8], keep: bool) -> WithMeta {
        let op = m.operation("Op").unwrap();
        let options = ParseOptions {
            keep_unmodeled_xml: keep,
            ..Default::default()
        };
        query_output(m, &op, ec2, body, &options).unwrap()
    }

    fn wrapped() -> Option<Value> {
        Some(json!({"shape": "Out", "resultWrapper": "OpResult"}))
    }

    #[test]
    fn another_operations_answer_is_an_error_naming_both() {
        let m = model("query", wrapped());
        let op = m.operation("Op").unwrap();
        let opts = ParseOptions::default();
        let body =
            b"<GetCallerIdentityResponse><GetCallerIdentityResult/></GetCallerIdentityResponse>";
        let e = query_output(&m, &op, false, body, &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("<OpResult>") && e.contains("<GetCallerIdentityResponse>"),
            "{e}"
        );
        let body = b"<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>";
        let e = query_output(&m, &op, true, body, &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("<OpResponse>") && e.contains("<DescribeVpcsResponse>"),
            "{e}"
        );
        // A namespace prefix on the root is fine.
        let body = br#"<q:OpResponse xmlns:q="urn:x"><OpResult><Count>2</Count></OpResult></q:OpResponse>"#;
        assert!(query_output(&m, &op, false, body, &opts).is_ok());
        // The check holds without an output shape too.
        let m = model("ec2", None);
        let op = m.operation("Op").unwrap();
        let body = b"<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>";
        let e = query_output(&m, &op, true, body, &opts).unwrap_err();
        assert!(e.to_string().contains("<DescribeVpcsResponse>"), "{e}");
    }

    #[test]
    fn query_without_an_output_shape_unwraps_the_result() {
        let m = model("query", None);
        let body = br#"<OpResponse xmlns="urn:q"><OpResult>
              <Arn>arn:x</Arn><Tags><member><Key>k</Key><Value>v</Value></member></Tags>
              <Flag enabled="yes">on</Flag>
            </OpResult><ResponseMetadata><RequestId>rq</RequestId></ResponseMetadata></OpResponse>"#;
        let (out, meta) = run(&m, false, body, false);
        assert_eq!(
            Value::Object(out),
            json!({"Arn": "arn:x", "Tags": [{"Key": "k", "Value": "v"}],
                   "Flag": {"@enabled": "yes", "#text": "on"}})
        );
        assert_eq!(meta.unwrap()["RequestId"], "rq");
        // No result element: the root's content, without the metadata.
        let body = b"<OpResponse><Extra>1</Extra><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></OpResponse>";
        let (out, meta) = run(&m, false, body, false);
        assert_eq!(Value::Object(out), json!({"Extra": "1"}));
        assert_eq!(meta.unwrap()["RequestId"], "r2");
        // An empty result, a bare metadata answer, a list result.
        for body in [
            &b"<OpResponse><OpResult/><ResponseMetadata/></OpResponse>"[..],
            b"<OpResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></OpResponse>",
            b"  ",
        ] {
            assert_eq!(run(&m, false, body, false).0, Map::new());
        }
        let body =
            b"<OpResponse><OpResult><member>a</member><member>b</member></OpResult></OpResponse>";
        assert_eq!(
            Value::Object(run(&m, false, body, false).0),
            json!({"OpResult": ["a", "b"]})
        );
    }

    #[test]
    fn ec2_without_an_output_shape_keeps_the_body_but_the_request_id() {
        let m = model("ec2", None);
        let body = br#"<OpResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <requestId>e-1</requestId><return>true</return></OpResponse>"#;
        let (out, meta) = run(&m, true, body, false);
        assert_eq!(Value::Object(out), json!({}));
        assert_eq!(meta.unwrap()["RequestId"], "e-1");
        let (out, _) = run(&m, true, body, true);
        assert_eq!(Value::Object(out), json!({"return": "true"}));
        let body = br#"<OpResponse><requestId>e-2</requestId>
            <keySet><item><keyName>a</keyName><tagSet/></item></keySet></OpResponse>"#;
        let (out, _) = run(&m, true, body, false);
        assert_eq!(
            Value::Object(out),
            json!({"keySet": [{"keyName": "a", "tagSet": ""}]})
        );
        let (out, _) = run(
            &m,
            true,
            b"<OpResponse><requestId>e</requestId></OpResponse>",
            false,
        );
        assert!(out.is_empty());
    }

    #[test]
    fn unmodeled_elements_are_kept_at_every_level_only_when_asked() {
        let body = br#"<OpResponse><OpResult>
              <Count>3</Count><Extra a="1">x</Extra>
              <Inner><Name>n</Name><Deep><member>1</member></Deep></Inner>
              <thingSet><item><Name>t</Name><Colour>red</Colour></item></thingSet>
              <Extra>y</Extra><Count2/><Things>not the member's element</Things>
            </OpResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></OpResponse>"#;
        let m = model("query", wrapped());
        let (off, _) = run(&m, false, body, false);
        assert_eq!(
            Value::Object(off),
            json!({"Count": 3, "Inner": {"Name": "n"}, "Things": [{"Name": "t"}]})
        );
        let (on, meta) = run(&m, false, body, true);
        // Modeled members first, in shape order, then the rest in document order; an
        // element named like a member (`Things`, whose element is `thingSet`) is not kept.
        assert_eq!(
            Value::Object(on),
            json!({"Count": 3, "Inner": {"Name": "n", "Deep": ["1"]},
                   "Things": [{"Name": "t", "Colour": "red"}],
                   "Extra": [{"@a": "1", "#text": "x"}, "y"], "Count2": ""})
        );
        assert_eq!(meta.unwrap()["RequestId"], "r");
    }

    #[test]
    fn unmodeled_envelope_elements_stay_response_metadata() {
        let m = model("ec2", Some(json!({"shape": "Out"})));
        let body = b"<OpResponse><requestId>e</requestId><Count>1</Count><new>n</new></OpResponse>";
        let (out, meta) = run(&m, true, body, true);
        assert_eq!(Value::Object(out), json!({"Count": 1, "new": "n"}));
        assert_eq!(meta.unwrap()["RequestId"], "e");
        // query without a result wrapper: the output is the root's content.
        let m = model("query", Some(json!({"shape": "Out"})));
        let body = b"<OpResponse><Count>1</Count><ResponseMetadata><RequestId>q</RequestId></ResponseMetadata></OpResponse>";
        let (out, meta) = run(&m, false, body, true);
        assert_eq!(Value::Object(out), json!({"Count": 1}));
        assert_eq!(meta.unwrap()["RequestId"], "q");
    }

    #[test]
    fn malformed_bodies_are_errors_with_or_without_a_shape() {
        for output in [wrapped(), None] {
            let m = model("query", output);
            let op = m.operation("Op").unwrap();
            for body in [&b"<OpResponse><OpResult>"[..], b"\x00\x01garbage"] {
                match query_output(&m, &op, false, body, &ParseOptions::default()) {
                    Err(ProtocolError::Parse { .. }) => {}
                    other => panic!("{other:?}"),
                }
            }
        }
    }
}
