//! Any XML document to a nested value, with no shape: the fallback for responses (or
//! parts of them) that a spec does not describe, and callable on its own.
//!
//! Rules:
//! - the root element's content is the result ([`to_value_with_root`] keeps its name);
//! - an element with only text becomes a string (an empty element, `""`); text is read as
//!   the shaped parsers read it (entities unescaped, CDATA included, line ends as `\n`);
//! - child elements become members named by their local name (namespace prefixes and
//!   `xmlns` declarations are dropped); siblings of the same name become a list, in
//!   document order, at the place of the first;
//! - an element whose children are all `member` or `item` elements becomes a list of
//!   their values (so `<instancesSet><item>…</item></instancesSet>` is a list even with one
//!   item);
//! - attributes are kept as members named `@localname`; text beside attributes is kept,
//!   trimmed, as `#text`;
//! - text beside child elements (mixed content) is dropped: AWS's XML APIs do not use
//!   mixed content, and the one XML reader (`parse::xml_dom`) does not keep it.
//!
//! The parsers use the same rules for what a model leaves undescribed (see `parse`): the
//! body of an XML-protocol operation with no output shape (`output_members` makes the
//! top level a map), and, with `ParseOptions::keep_unmodeled_xml`, the child elements a
//! structure's shape does not name (`element_value`).
//!
//! Reading is `xml_dom::Document::parse`'s, the reader the shaped parsers use, so the
//! two never disagree on what a document says; errors are its errors: malformed XML is
//! a [`ProtocolError::Parse`] with a byte offset, and so is input that is not UTF-8 (a
//! leading byte-order mark is skipped). A DOCTYPE is skipped and never
//! interpreted: entities it declares are not expanded (an undeclared entity reference is
//! an error), so entity-expansion bombs cannot work. Nesting deeper than [`MAX_DEPTH`] is
//! an error. The conversion walks the tree with its own stack, so no input can overflow
//! the call stack.
//!
//! Owns turning the tree into a shape-free value. Does not own reading XML (see
//! `parse::xml_dom`) nor shaped parsing (see `parse`).

use crate::error::ProtocolError;
use crate::parse::xml_dom::{Children, Document, NodeId};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The deepest element nesting accepted: the XML reader's limit, the same for shaped
/// parsing.
pub const MAX_DEPTH: usize = crate::parse::xml_dom::MAX_DEPTH;

/// The root element's content as a value.
pub fn to_value(xml: &[u8]) -> Result<Value, ProtocolError> {
    to_value_with_root(xml).map(|(_, v)| v)
}

/// The root element's local name and content.
pub fn to_value_with_root(xml: &[u8]) -> Result<(String, Value), ProtocolError> {
    let doc = Document::parse(xml)?;
    let root = doc.root();
    Ok((doc.name(root).to_string(), convert(&doc, root)))
}

/// Element `id` of an already parsed document as a value, by the rules above.
pub(crate) fn element_value(doc: &Document<'_>, id: NodeId) -> Value {
    convert(doc, id)
}

/// Element `id`'s content as the members of an output value (a map, whatever the
/// content): its value when that is an object, without the members named in `skip`;
/// nothing for an empty element; otherwise (text, or a list of `member`/`item`
/// children) the value under the element's own name.
pub(crate) fn output_members(doc: &Document<'_>, id: NodeId, skip: &[&str]) -> Map<String, Value> {
    match convert(doc, id) {
        Value::Object(mut obj) => {
            for k in skip {
                obj.shift_remove(*k);
            }
            obj
        }
        Value::String(s) if s.is_empty() => Map::new(),
        other => {
            let mut obj = Map::new();
            obj.insert(doc.name(id).to_string(), other);
            obj
        }
    }
}

/// Add `(name, value)` pairs to `obj`, in order; a name met again turns its member into a
/// list of every value of that name, at the place of the first (a member that already
/// holds a list from elsewhere is not confused with one made by repetition).
pub(crate) fn insert_all<'a>(
    obj: &mut Map<String, Value>,
    pairs: impl IntoIterator<Item = (&'a str, Value)>,
) {
    // Keys that became lists by repetition (as opposed to a child whose value is a list).
    let mut repeated: HashSet<&str> = HashSet::new();
    for (k, v) in pairs {
        match obj.get_mut(k) {
            Some(Value::Array(list)) if repeated.contains(k) => list.push(v),
            Some(existing) => {
                let first = std::mem::take(existing);
                *existing = Value::Array(vec![first, v]);
                repeated.insert(k);
            }
            None => {
                obj.insert(k.to_string(), v);
            }
        }
    }
}

/// An element being converted: the children not visited yet and the values of those done.
struct Frame<'d, 'a> {
    id: NodeId,
    rest: Children<'d, 'a>,
    done: Vec<(&'a str, Value)>,
}

impl<'d, 'a> Frame<'d, 'a> {
    fn new(doc: &'d Document<'a>, id: NodeId) -> Self {
        Frame {
            id,
            rest: doc.children(id),
            done: Vec::new(),
        }
    }
}

/// `id`'s value, depth first with an explicit stack of open elements.
fn convert(doc: &Document<'_>, id: NodeId) -> Value {
    let mut cur = Frame::new(doc, id);
    let mut open: Vec<Frame<'_, '_>> = Vec::new();
    loop {
        if let Some(child) = cur.rest.next() {
            if doc.has_children(child) || !doc.attrs(child).is_empty() {
                open.push(std::mem::replace(&mut cur, Frame::new(doc, child)));
            } else {
                // The common case, a text-only element: no frame needed.
                let text = Value::String(doc.text(child).to_string());
                cur.done.push((doc.name(child), text));
            }
            continue;
        }
        let name = doc.name(cur.id);
        let value = close(doc, cur.id, cur.done);
        match open.pop() {
            Some(parent) => {
                cur = parent;
                cur.done.push((name, value));
            }
            None => return value,
        }
    }
}

fn local(name: &str) -> &str {
    match name.rfind(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// An element's value from its attributes, text and children's values.
fn close(doc: &Document<'_>, id: NodeId, children: Vec<(&str, Value)>) -> Value {
    let attrs = doc.attrs(id);
    if children.is_empty() && attrs.is_empty() {
        return Value::String(doc.text(id).to_string());
    }
    let is_list = !children.is_empty()
        && attrs.is_empty()
        && children.iter().all(|(n, _)| *n == "member" || *n == "item");
    if is_list {
        return Value::Array(children.into_iter().map(|(_, v)| v).collect());
    }
    let mut obj = Map::new();
    for a in attrs {
        obj.insert(
            format!("@{}", local(a.name)),
            Value::String(a.value.to_string()),
        );
    }
    insert_all(&mut obj, children);
    // Empty whenever there are children: only text beside attributes remains.
    let text = doc.text(id).trim();
    if !text.is_empty() {
        obj.insert("#text".into(), Value::String(text.to_string()));
    }
    Value::Object(obj)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describe_instances_shape() {
        let xml = br#"<?xml version="1.0"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-1</requestId>
  <reservationSet>
    <item><reservationId>r-a</reservationId>
      <instancesSet><item><instanceId>i-1</instanceId><tagSet/></item></instancesSet>
    </item>
  </reservationSet>
</DescribeInstancesResponse>"#;
        let (root, v) = to_value_with_root(xml).unwrap();
        assert_eq!(root, "DescribeInstancesResponse");
        assert_eq!(
            v,
            json!({"requestId": "r-1", "reservationSet": [
                {"reservationId": "r-a", "instancesSet": [{"instanceId": "i-1", "tagSet": ""}]}]})
        );
    }

    #[test]
    fn repeated_siblings_attributes_and_namespaces() {
        let xml = br#"<r xmlns:x="u"><x:A k="1">t</x:A><B>1</B><B>2</B><B>3</B><C><member><L>a</L><L>b</L></member></C></r>"#;
        let v = to_value(xml).unwrap();
        assert_eq!(
            v,
            json!({"A": {"@k": "1", "#text": "t"}, "B": ["1", "2", "3"], "C": [{"L": ["a", "b"]}]})
        );
    }

    #[test]
    fn root_name_is_local_and_attributes_too() {
        let xml = br#"<p:Root xmlns:p="u" xmlns="v" p:id="7" n="x">  two words  </p:Root>"#;
        let (root, v) = to_value_with_root(xml).unwrap();
        assert_eq!(root, "Root");
        assert_eq!(v, json!({"@id": "7", "@n": "x", "#text": "two words"}));
        assert_eq!(to_value(br#"<r k="1">  </r>"#).unwrap(), json!({"@k": "1"}));
    }

    #[test]
    fn mixed_content_text_is_dropped() {
        let xml = br#"<r k="1">before<a>1</a>between<b/>after</r>"#;
        assert_eq!(
            to_value(xml).unwrap(),
            json!({"@k": "1", "a": "1", "b": ""})
        );
        let xml = b"<r>before<a>1</a>after</r>";
        assert_eq!(to_value(xml).unwrap(), json!({"a": "1"}));
    }

    #[test]
    fn a_child_list_is_not_confused_with_repetition() {
        let xml = b"<r><A><item>1</item></A><A><item>2</item></A></r>";
        assert_eq!(to_value(xml).unwrap(), json!({"A": [["1"], ["2"]]}));
    }

    /// The examples of docs/spec-format.md ("XML the model does not describe").
    #[test]
    fn documented_examples() {
        for (xml, want) in [
            (
                &b"<r><Name>logs</Name><Tag>a</Tag><Tag>b</Tag><Empty/></r>"[..],
                json!({"Name": "logs", "Tag": ["a", "b"], "Empty": ""}),
            ),
            (
                b"<r><Contents><Key>a</Key><Size>5</Size></Contents></r>",
                json!({"Contents": {"Key": "a", "Size": "5"}}),
            ),
            (
                b"<r><keySet><item><keyName>k</keyName></item></keySet><Users><member>al</member></Users></r>",
                json!({"keySet": [{"keyName": "k"}], "Users": ["al"]}),
            ),
            (
                br#"<r><Size unit="bytes"> 42 </Size><Grant xsi:type="User"/></r>"#,
                json!({"Size": {"@unit": "bytes", "#text": "42"}, "Grant": {"@type": "User"}}),
            ),
            (
                br#"<s:r xmlns:s="urn:x"><s:Key>k</s:Key></s:r>"#,
                json!({"Key": "k"}),
            ),
            (b"<r>before<a>1</a>after</r>", json!({"a": "1"})),
        ] {
            assert_eq!(to_value(xml).unwrap(), want, "{}", String::from_utf8_lossy(xml));
        }
    }

    #[test]
    fn output_members_are_always_a_map() {
        let doc = Document::parse(
            b"<R><requestId>x</requestId><keySet><item>1</item></keySet><Only>t</Only></R>",
        )
        .unwrap();
        let root = doc.root();
        assert_eq!(
            Value::Object(output_members(&doc, root, &["requestId"])),
            json!({"keySet": ["1"], "Only": "t"})
        );
        let only = doc.child(root, "Only").unwrap();
        assert_eq!(
            Value::Object(output_members(&doc, only, &[])),
            json!({"Only": "t"})
        );
        let set = doc.child(root, "keySet").unwrap();
        assert_eq!(
            Value::Object(output_members(&doc, set, &[])),
            json!({"keySet": ["1"]})
        );
        let doc = Document::parse(b"<R/>").unwrap();
        assert!(output_members(&doc, doc.root(), &[]).is_empty());
    }

    #[test]
    fn malformed_xml_has_an_offset() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a>",
            b"",
            b"<a></a><b/>",
            b"<a>&bogus;</a>",
            b"text",
            b"<a>\xff</a>",
        ] {
            match to_value(bad) {
                Err(ProtocolError::Parse {
                    offset: Some(_), ..
                }) => {}
                other => panic!("{:?}: {other:?}", String::from_utf8_lossy(bad)),
            }
        }
    }

    #[test]
    fn entities_declared_in_a_doctype_are_not_expanded() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        assert!(to_value(bomb).is_err());
        let ok = br#"<!DOCTYPE x><x>&amp;&lt;</x>"#;
        assert_eq!(to_value(ok).unwrap(), json!("&<"));
    }

    #[test]
    fn depth_is_the_readers_limit() {
        assert_eq!(MAX_DEPTH, 200);
        let nest = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        let mut v = to_value(nest(MAX_DEPTH).as_bytes()).unwrap();
        let mut levels = 1;
        while let Some(inner) = v.get_mut("a") {
            v = inner.take();
            levels += 1;
        }
        assert_eq!((levels, v), (MAX_DEPTH, json!("")));
        match to_value(nest(MAX_DEPTH + 1).as_bytes()) {
            Err(ProtocolError::Parse { message, offset }) => {
                assert!(message.contains("nesting deeper than 200"), "{message}");
                assert_eq!(offset, Some(3 * MAX_DEPTH));
            }
            other => panic!("{other:?}"),
        }
        assert!(to_value(nest(100_000).as_bytes()).is_err());
    }
}
