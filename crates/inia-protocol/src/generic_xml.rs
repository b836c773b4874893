//! Any XML document to a nested value, with no shape: the fallback for responses (or
//! parts of them) that a spec does not describe, and callable on its own.
//!
//! Rules:
//! - the root element's content is the result ([`to_value_with_root`] keeps its name);
//! - an element with only text becomes a string (an empty element, `""`);
//! - child elements become members named by their local name (namespace prefixes and
//!   `xmlns` declarations are dropped); siblings of the same name become a list, in
//!   document order, at the place of the first;
//! - an element whose children are all `member` or `item` elements becomes a list of
//!   their values (so `<instancesSet><item>…</item></instancesSet>` is a list even with one
//!   item);
//! - attributes are kept as members named `@name`; text beside children or attributes is
//!   kept as `#text`.
//!
//! Malformed XML is an error with a byte offset. A DOCTYPE is skipped and never
//! interpreted: entities it declares are not expanded (an undeclared entity reference is
//! an error), so entity-expansion bombs cannot work. Nesting deeper than [`MAX_DEPTH`]
//! is an error. The parser keeps its own stack, so no input can overflow the call stack.
//!
//! Owns shape-free XML conversion. Does not own shaped parsing (see `parse`).

use crate::error::ProtocolError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde_json::{Map, Value};

/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 512;

struct Frame {
    name: String,
    attrs: Vec<(String, Value)>,
    children: Vec<(String, Value)>,
    text: String,
}

/// The root element's content as a value.
pub fn to_value(xml: &[u8]) -> Result<Value, ProtocolError> {
    to_value_with_root(xml).map(|(_, v)| v)
}

/// The root element's local name and content.
pub fn to_value_with_root(xml: &[u8]) -> Result<(String, Value), ProtocolError> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<(String, Value)> = None;
    let err =
        |msg: String, pos: u64| ProtocolError::parse(format!("XML: {msg}"), Some(pos as usize));
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| err(e.to_string(), reader.error_position()))?;
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return Err(err("content after the root element".into(), pos));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(format!("nesting deeper than {MAX_DEPTH}"), pos));
                }
                stack.push(open(&e).map_err(|m| err(m, pos))?);
            }
            Event::Empty(e) => {
                if root.is_some() {
                    return Err(err("content after the root element".into(), pos));
                }
                let frame = open(&e).map_err(|m| err(m, pos))?;
                let done = close(frame);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::End(_) => {
                let frame = stack
                    .pop()
                    .ok_or_else(|| err("end tag without start".into(), pos))?;
                let done = close(frame);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| err(e.to_string(), pos))?;
                match stack.last_mut() {
                    Some(f) => f.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(err("text outside the root element".into(), pos)),
                }
            }
            Event::CData(t) => {
                if let Some(f) = stack.last_mut() {
                    f.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions, DOCTYPE: skipped.
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(err(
            format!(
                "document ends inside <{}>",
                stack.last().map_or("", |f| &f.name)
            ),
            reader.buffer_position(),
        ));
    }
    root.ok_or_else(|| err("no root element".into(), 0))
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    match s.rfind(':') {
        Some(i) => s[i + 1..].to_string(),
        None => s.into_owned(),
    }
}

fn open(e: &BytesStart<'_>) -> Result<Frame, String> {
    let mut attrs = Vec::new();
    for a in crate::parse::xml_dom::attributes(e)? {
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let v = a.unescape_value().map_err(|e| e.to_string())?;
        attrs.push((format!("@{}", local(key)), Value::String(v.into_owned())));
    }
    Ok(Frame {
        name: local(e.name().as_ref()),
        attrs,
        children: Vec::new(),
        text: String::new(),
    })
}

fn close(f: Frame) -> (String, Value) {
    if f.children.is_empty() && f.attrs.is_empty() {
        return (f.name, Value::String(f.text));
    }
    let is_list = !f.children.is_empty()
        && f.attrs.is_empty()
        && f.children.iter().all(|(n, _)| n == "member" || n == "item");
    if is_list {
        return (
            f.name,
            Value::Array(f.children.into_iter().map(|(_, v)| v).collect()),
        );
    }
    let mut obj = Map::new();
    for (k, v) in f.attrs {
        obj.insert(k, v);
    }
    // Keys that became lists by repetition (as opposed to a child whose value is a list).
    let mut repeated: Vec<String> = Vec::new();
    for (k, v) in f.children {
        match obj.get_mut(&k) {
            Some(Value::Array(list)) if repeated.contains(&k) => list.push(v),
            Some(existing) => {
                let first = std::mem::take(existing);
                *existing = Value::Array(vec![first, v]);
                repeated.push(k);
            }
            None => {
                obj.insert(k, v);
            }
        }
    }
    let text = f.text.trim();
    if !text.is_empty() {
        obj.insert("#text".into(), Value::String(text.to_string()));
    }
    (f.name, Value::Object(obj))
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
        let v = to_value(xml).unwrap();
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
    fn a_child_list_is_not_confused_with_repetition() {
        let xml = b"<r><A><item>1</item></A><A><item>2</item></A></r>";
        assert_eq!(to_value(xml).unwrap(), json!({"A": [["1"], ["2"]]}));
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
    fn deep_nesting_is_refused_not_overflowed() {
        let depth = 100_000;
        let xml = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        assert!(to_value(xml.as_bytes()).is_err());
    }
}
