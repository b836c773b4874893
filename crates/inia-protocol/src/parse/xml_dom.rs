//! A small read-only XML tree borrowed from the response bytes: the crate's one XML
//! reader, for the shaped XML parsers (query, ec2, rest-xml), the XML error parsers and
//! shape-free XML (`generic_xml`).
//!
//! Rules:
//! - element names are local names (any `prefix:` is dropped); namespaces are ignored;
//! - attributes keep their qualified names (`xsi:type`); `xmlns` declarations are dropped;
//! - an element's text is the text directly inside it when it has no child elements
//!   (entities and character references unescaped, CDATA included, `\r\n` read as
//!   `\n`); an element with children has empty text (text beside child elements, mixed
//!   content, is dropped: AWS's XML APIs do not use it);
//! - a DOCTYPE is skipped and never interpreted: entities it declares are not expanded,
//!   and a reference to an unknown entity is an error;
//! - malformed XML (bad tags, mismatched or missing end tags, junk outside the root,
//!   invalid UTF-8, nesting deeper than [`MAX_DEPTH`]) is a [`ProtocolError::Parse`] with
//!   the byte offset.
//!
//! Names and text are borrowed from the input whenever no unescaping is needed; nodes
//! live in one flat vector and link to each other by index, so building the tree costs
//! one push per element. The tree is built without recursion.
//!
//! Owns XML tokenizing into the tree. Does not own what any element means (see `xml`,
//! `errors` and `generic_xml`).

use crate::error::ProtocolError;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::borrow::Cow;

/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 200;

const NONE: u32 = u32::MAX;

/// An element of a [`Document`], by index.
pub type NodeId = u32;

/// A piece of text: a range of the input, or (`start == NONE`) the `len`-th owned text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

const EMPTY: Span = Span { start: 0, len: 0 };

/// 32 bytes per element.
#[derive(Debug)]
struct Node {
    name: Span,
    text: Span,
    attrs: (u32, u32),
    first_child: u32,
    next_sibling: u32,
}

/// An attribute: qualified name and unescaped value.
#[derive(Debug)]
pub struct Attr<'a> {
    pub name: &'a str,
    pub value: Cow<'a, str>,
}

/// A parsed XML document.
#[derive(Debug)]
pub struct Document<'a> {
    src: &'a str,
    nodes: Vec<Node>,
    attrs: Vec<Attr<'a>>,
    owned: Vec<String>,
}

fn xml_err(msg: impl std::fmt::Display, pos: u64) -> ProtocolError {
    ProtocolError::parse(format!("invalid XML: {msg}"), Some(pos as usize))
}

/// `part` (a slice of `src`'s bytes) as a `&str` of `src`'s lifetime, if it is one.
fn lift<'a>(src: &'a str, part: &[u8]) -> Option<&'a str> {
    let base = src.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    if p >= base && p + part.len() <= base + src.len() {
        src.get(p - base..p - base + part.len())
    } else {
        None
    }
}

/// Text as it appears in the input, with entities resolved and line ends normalized.
fn decode_text<'a>(src: &'a str, raw: &[u8], pos: u64) -> Result<Cow<'a, str>, ProtocolError> {
    let text: Cow<'a, str> = match lift(src, raw) {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(
            std::str::from_utf8(raw)
                .map_err(|e| xml_err(e, pos))?
                .to_string(),
        ),
    };
    if !text.bytes().any(|b| b == b'&' || b == b'\r') {
        return Ok(text);
    }
    // Line ends are normalized before references are resolved, so `&#13;` survives.
    let text = normalize_newlines(text);
    let text = if text.contains('&') {
        match quick_xml::escape::unescape(&text) {
            Ok(Cow::Owned(s)) => Cow::Owned(s),
            Ok(Cow::Borrowed(_)) => text,
            Err(e) => return Err(xml_err(e, pos)),
        }
    } else {
        text
    };
    Ok(text)
}

fn normalize_newlines(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        text
    }
}

fn local(name: &str) -> &str {
    match name.bytes().rposition(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

impl<'a> Document<'a> {
    /// Parse `xml` (UTF-8; a leading byte-order mark is skipped).
    pub fn parse(xml: &'a [u8]) -> Result<Document<'a>, ProtocolError> {
        let xml = xml.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(xml);
        let src = std::str::from_utf8(xml).map_err(|e| {
            ProtocolError::parse(
                format!("invalid XML: not UTF-8 ({e})"),
                Some(e.valid_up_to()),
            )
        })?;
        if u32::try_from(src.len()).is_err() {
            return Err(xml_err("document larger than 4 GiB", 0));
        }
        let mut doc = Document {
            src,
            nodes: Vec::with_capacity(xml.len() / 20 + 4),
            attrs: Vec::new(),
            owned: Vec::new(),
        };
        let mut reader = Reader::from_str(src);
        reader.config_mut().check_end_names = true;
        // Open elements: (node, last child so far).
        let mut stack: Vec<(u32, u32)> = Vec::with_capacity(32);
        loop {
            let pos = reader.buffer_position();
            let event = reader
                .read_event()
                .map_err(|e| xml_err(e, reader.error_position()))?;
            match event {
                Event::Start(_) | Event::Empty(_) if stack.is_empty() && !doc.nodes.is_empty() => {
                    return Err(xml_err("content after the root element", pos));
                }
                Event::Start(e) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(xml_err(format!("nesting deeper than {MAX_DEPTH}"), pos));
                    }
                    let id = doc.open(src, &e, &mut stack, pos)?;
                    stack.push((id, NONE));
                }
                Event::Empty(e) => {
                    doc.open(src, &e, &mut stack, pos)?;
                }
                Event::End(_) => {
                    if stack.pop().is_none() {
                        return Err(xml_err("end tag without a start tag", pos));
                    }
                }
                Event::Text(t) => {
                    let raw: &[u8] = &t;
                    match stack.last() {
                        Some(&(id, last)) => {
                            if last == NONE {
                                let text = decode_text(src, raw, pos)?;
                                doc.push_text(id, text);
                            }
                        }
                        None => {
                            if !raw.iter().all(u8::is_ascii_whitespace) {
                                return Err(xml_err("text outside the root element", pos));
                            }
                        }
                    }
                }
                Event::CData(t) => match stack.last() {
                    Some(&(id, NONE)) => {
                        let raw: &[u8] = &t;
                        let text = match lift(src, raw) {
                            Some(s) => Cow::Borrowed(s),
                            None => Cow::Owned(String::from_utf8_lossy(raw).into_owned()),
                        };
                        doc.push_text(id, normalize_newlines(text));
                    }
                    Some(_) => {}
                    None => return Err(xml_err("CDATA outside the root element", pos)),
                },
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
                Event::Eof => break,
            }
        }
        if !stack.is_empty() {
            return Err(xml_err(
                "unexpected end of input (unclosed element)",
                reader.buffer_position(),
            ));
        }
        if doc.nodes.is_empty() {
            return Err(xml_err("no root element", reader.buffer_position()));
        }
        Ok(doc)
    }

    fn open(
        &mut self,
        src: &'a str,
        e: &BytesStart<'_>,
        stack: &mut [(u32, u32)],
        pos: u64,
    ) -> Result<u32, ProtocolError> {
        let qname = e.name();
        let full = match lift(src, qname.as_ref()) {
            Some(s) => s,
            None => return Err(xml_err("element name not in the input", pos)),
        };
        let a0 = self.attrs.len() as u32;
        // Cheap test before walking attributes: anything after the name?
        if e.attributes_raw().iter().any(|b| !b.is_ascii_whitespace()) {
            for attr in attributes(e).map_err(|err| xml_err(err, pos))? {
                let key = lift(src, attr.key.as_ref())
                    .ok_or_else(|| xml_err("attribute name not in the input", pos))?;
                if key == "xmlns" || key.starts_with("xmlns:") {
                    continue;
                }
                let value = decode_text(src, &attr.value, pos)?;
                self.attrs.push(Attr { name: key, value });
            }
        }
        let id = self.nodes.len() as u32;
        if id == NONE {
            return Err(xml_err("too many elements", pos));
        }
        let name = local(full);
        self.nodes.push(Node {
            name: self.span_of(name),
            text: EMPTY,
            attrs: (a0, self.attrs.len() as u32),
            first_child: NONE,
            next_sibling: NONE,
        });
        if let Some((parent, last)) = stack.last_mut() {
            if *last == NONE {
                let p = &mut self.nodes[*parent as usize];
                p.first_child = id;
                p.text = EMPTY;
            } else {
                self.nodes[*last as usize].next_sibling = id;
            }
            *last = id;
        }
        Ok(id)
    }

    /// The span of `part`, a slice of the input.
    fn span_of(&self, part: &str) -> Span {
        let start = part.as_ptr() as usize - self.src.as_ptr() as usize;
        Span {
            start: start as u32,
            len: part.len() as u32,
        }
    }

    fn span_text(&self, span: Span) -> &str {
        if span.start == NONE {
            &self.owned[span.len as usize]
        } else {
            let start = span.start as usize;
            &self.src[start..start + span.len as usize]
        }
    }

    fn push_text(&mut self, id: u32, text: Cow<'a, str>) {
        if text.is_empty() {
            return;
        }
        let old = self.nodes[id as usize].text;
        let new = if old.start != NONE && old.len == 0 {
            match text {
                Cow::Borrowed(t) if lift(self.src, t.as_bytes()).is_some() => self.span_of(t),
                other => {
                    self.owned.push(other.into_owned());
                    Span {
                        start: NONE,
                        len: (self.owned.len() - 1) as u32,
                    }
                }
            }
        } else if old.start == NONE {
            self.owned[old.len as usize].push_str(&text);
            old
        } else {
            let joined = format!("{}{}", self.span_text(old), text);
            self.owned.push(joined);
            Span {
                start: NONE,
                len: (self.owned.len() - 1) as u32,
            }
        };
        self.nodes[id as usize].text = new;
    }

    /// The root element.
    pub fn root(&self) -> NodeId {
        0
    }

    /// An element's local name.
    pub fn name(&self, id: NodeId) -> &'a str {
        let span = self.nodes[id as usize].name;
        let start = span.start as usize;
        &self.src[start..start + span.len as usize]
    }

    /// An element's text (empty when it has child elements).
    pub fn text(&self, id: NodeId) -> &str {
        self.span_text(self.nodes[id as usize].text)
    }

    pub fn has_children(&self, id: NodeId) -> bool {
        self.nodes[id as usize].first_child != NONE
    }

    /// An element's attributes, in document order.
    pub fn attrs(&self, id: NodeId) -> &[Attr<'a>] {
        let (a, b) = self.nodes[id as usize].attrs;
        &self.attrs[a as usize..b as usize]
    }

    /// The attribute called `name` (a qualified name such as `xsi:type` matches an
    /// attribute of that local name under any prefix).
    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        let attrs = self.attrs(id);
        attrs
            .iter()
            .find(|a| a.name == name)
            .or_else(|| attrs.iter().find(|a| local(a.name) == local(name)))
            .map(|a| &*a.value)
    }

    /// An element's child elements, in document order.
    pub fn children(&self, id: NodeId) -> Children<'_, 'a> {
        Children {
            doc: self,
            next: self.nodes[id as usize].first_child,
        }
    }

    /// The first child element called `name`.
    pub fn child(&self, id: NodeId, name: &str) -> Option<NodeId> {
        self.children(id).find(|&c| self.name(c) == name)
    }
}

/// Iterator over child elements.
pub struct Children<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
}

impl Iterator for Children<'_, '_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let id = self.next;
        self.next = self.doc.nodes[id as usize].next_sibling;
        Some(id)
    }
}

/// An element's attributes, each name at most once. quick-xml's own duplicate check
/// compares every attribute with every earlier one (21 s for one element with 160,000
/// attributes); this one uses a set, so the cost is linear in their number.
fn attributes<'b>(e: &'b BytesStart<'_>) -> Result<Vec<Attribute<'b>>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| err.to_string())?;
        if !seen.insert(attr.key.into_inner()) {
            return Err(format!(
                "attribute {} appears twice",
                String::from_utf8_lossy(attr.key.into_inner())
            ));
        }
        out.push(attr);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offset(e: ProtocolError) -> Option<usize> {
        match e {
            ProtocolError::Parse { offset, .. } => offset,
            other => panic!("not a parse error: {other}"),
        }
    }

    #[test]
    fn names_text_attributes() {
        let xml = br#"<?xml version="1.0"?>
<a:Root xmlns:a="urn:x" xmlns:xsi="urn:i" xsi:type="T" id="1&amp;2">
  <Child>one &lt;two&gt; &#65;</Child><Child><![CDATA[<raw>]]></Child>
  <Empty/><Line>a&#13;
b</Line><!-- c --></a:Root>"#;
        let d = Document::parse(xml).unwrap();
        let r = d.root();
        assert_eq!(d.name(r), "Root");
        assert_eq!(d.attr(r, "xsi:type"), Some("T"));
        assert_eq!(d.attr(r, "type"), Some("T"));
        assert_eq!(d.attr(r, "id"), Some("1&2"));
        assert_eq!(d.attrs(r).len(), 2);
        let kids: Vec<_> = d.children(r).map(|c| (d.name(c), d.text(c))).collect();
        assert_eq!(
            kids,
            [
                ("Child", "one <two> A"),
                ("Child", "<raw>"),
                ("Empty", ""),
                ("Line", "a\r\nb")
            ]
        );
        assert_eq!(d.text(r), "");
    }

    #[test]
    fn text_is_borrowed_when_plain() {
        let d = Document::parse(b"<a><b>plain</b></a>").unwrap();
        let b = d.child(d.root(), "b").unwrap();
        assert_ne!(d.nodes[b as usize].text.start, NONE);
        assert!(d.owned.is_empty());
    }

    #[test]
    fn malformed_input_is_an_error_with_offset() {
        for bad in [
            &b"<a><b></a>"[..],
            b"<a><b>",
            b"<a>x</a><b/>",
            b"",
            b"   ",
            b"<a>&bogus;</a>",
            b"<a x=\"1></a>",
            b"junk<a/>",
            b"<a/>junk",
            b"\xff<a/>",
            b"<a>\xc3</a>",
        ] {
            let e = Document::parse(bad).unwrap_err();
            assert!(offset(e).is_some(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn doctype_entities_are_not_expanded() {
        let xml = br#"<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<r><v>&b;</v></r>"#;
        assert!(Document::parse(xml).is_err());
        let xml = br#"<!DOCTYPE r [<!ENTITY a "x">]><r><v>plain</v></r>"#;
        let d = Document::parse(xml).unwrap();
        assert_eq!(d.text(d.child(d.root(), "v").unwrap()), "plain");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let n = 100_000;
        let mut xml = "<a>".repeat(n);
        xml.push_str(&"</a>".repeat(n));
        let e = Document::parse(xml.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("nesting"), "{e}");
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(Document::parse(ok.as_bytes()).is_ok());
    }
}
