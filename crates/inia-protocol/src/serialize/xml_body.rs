//! The XML document writer of `rest-xml` bodies.
//!
//! Rules: a structure member's element is named by the member's `locationName`, else
//! its own name (never the target shape's `locationName`); a structure writes its
//! `xmlAttribute` members as attributes (named by `locationName`, `xsi:type` included)
//! and the others as child elements, nulls left out; a list is an element wrapping items
//! named by the list member's `locationName` or `member`, or, when flattened, one element
//! per item named as the list itself; a map is an element wrapping `entry` elements of
//! key and value (named by their `locationName` or `key`/`value`), or, when flattened,
//! one element per entry; `xmlNamespace` adds `xmlns` or `xmlns:prefix` to the element
//! it is set on; booleans are `true`/`false`, blobs base64, timestamps ISO 8601 unless
//! the member says otherwise, floats as given or `NaN`, `Infinity`, `-Infinity`. Text
//! and attributes are escaped; no XML declaration is written.
//!
//! Owns those rules. Does not own which element is the root (see `rest_xml`).

use super::{as_array, as_object, Path};
use crate::error::ProtocolError;
use crate::member::MemberRef;
use inia_model::{ServiceModel, Shape, ShapeType, TimestampFormat, XmlNamespace};
use serde_json::Value;

/// An XML document being written.
pub(crate) struct XmlWriter<'m> {
    model: &'m ServiceModel,
    out: String,
}

impl<'m> XmlWriter<'m> {
    pub(crate) fn new(model: &'m ServiceModel) -> Self {
        XmlWriter {
            model,
            out: String::with_capacity(256),
        }
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }

    /// Write a structure element `name` holding `fields` (member name, value).
    pub(crate) fn structure(
        &mut self,
        shape: &Shape,
        shape_name: &str,
        name: &str,
        ns: Option<&XmlNamespace>,
        fields: &[(&String, &Value)],
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        let mut attrs = Vec::new();
        let mut children = Vec::with_capacity(fields.len());
        for (key, v) in fields {
            if v.is_null() {
                continue;
            }
            let p = path.key(key);
            let m = shape
                .members
                .get(key.as_str())
                .ok_or_else(|| p.error(format!("unknown member of {shape_name}")))?;
            let mref = MemberRef::resolve(self.model, m, shape_name)?;
            if mref.member.xml_attribute {
                let aname = mref.member.location_name.as_deref().unwrap_or(key);
                let aname = aname.to_string();
                let text = super::scalar_text(&mref, v, TimestampFormat::Iso8601, &p)?;
                attrs.push((aname, text));
            } else {
                children.push((key.as_str(), mref, *v));
            }
        }
        self.open(name, ns, &attrs);
        for (key, mref, v) in &children {
            // The member's own name: a target shape's locationName names it only as a
            // document root or list item.
            let ename = mref.member.location_name.as_deref().unwrap_or(key);
            self.value(mref, ename, v, &path.key(key))?;
        }
        self.close(name);
        Ok(())
    }

    /// Write the element `name` for value `v` of member `m`.
    pub(crate) fn value(
        &mut self,
        m: &MemberRef<'_>,
        name: &str,
        v: &Value,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        match m.kind() {
            ShapeType::Structure if m.shape.document => {
                Err(path.error("document values cannot be sent by this protocol"))
            }
            ShapeType::Structure => {
                let obj = as_object(v, path)?;
                let fields: Vec<(&String, &Value)> = obj.iter().collect();
                self.structure(
                    &m.shape,
                    m.shape_name(),
                    name,
                    m.xml_namespace(),
                    &fields,
                    path,
                )
            }
            ShapeType::List => self.list(m, name, v, path),
            ShapeType::Map => self.map(m, name, v, path),
            _ => {
                let text = super::scalar_text(m, v, TimestampFormat::Iso8601, path)?;
                self.open(name, m.xml_namespace(), &[]);
                escape_into(&mut self.out, &text, false);
                self.close(name);
                Ok(())
            }
        }
    }

    fn list(
        &mut self,
        m: &MemberRef<'_>,
        name: &str,
        v: &Value,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        let items = as_array(v, path)?;
        let item = m.shape.member.as_ref().ok_or_else(|| {
            ProtocolError::Unsupported(format!("list shape {} has no member", m.shape_name()))
        })?;
        let item = MemberRef::resolve(self.model, item, m.shape_name())?;
        if m.flattened() {
            for (i, x) in items.iter().enumerate() {
                self.value(&item, name, x, &path.index(i))?;
            }
            return Ok(());
        }
        let iname = item.location_name().unwrap_or("member");
        self.open(name, m.xml_namespace(), &[]);
        for (i, x) in items.iter().enumerate() {
            self.value(&item, iname, x, &path.index(i))?;
        }
        self.close(name);
        Ok(())
    }

    fn map(
        &mut self,
        m: &MemberRef<'_>,
        name: &str,
        v: &Value,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        let obj = as_object(v, path)?;
        let missing = || {
            ProtocolError::Unsupported(format!("map shape {} lacks key or value", m.shape_name()))
        };
        let key = m.shape.key.as_ref().ok_or_else(missing)?;
        let val = m.shape.value.as_ref().ok_or_else(missing)?;
        let key = MemberRef::resolve(self.model, key, m.shape_name())?;
        let val = MemberRef::resolve(self.model, val, m.shape_name())?;
        let kname = key.location_name().unwrap_or("key");
        let vname = val.location_name().unwrap_or("value");
        let flat = m.flattened();
        if !flat {
            self.open(name, m.xml_namespace(), &[]);
        }
        for (k, x) in obj {
            let p = path.key(k);
            let entry = if flat { name } else { "entry" };
            self.open(entry, None, &[]);
            self.value(&key, kname, &Value::String(k.clone()), &p)?;
            self.value(&val, vname, x, &p)?;
            self.close(entry);
        }
        if !flat {
            self.close(name);
        }
        Ok(())
    }

    fn open(&mut self, name: &str, ns: Option<&XmlNamespace>, attrs: &[(String, String)]) {
        self.out.push('<');
        self.out.push_str(name);
        if let Some(ns) = ns {
            self.out.push_str(" xmlns");
            if let Some(prefix) = ns.prefix.as_deref().filter(|p| !p.is_empty()) {
                self.out.push(':');
                self.out.push_str(prefix);
            }
            self.out.push_str("=\"");
            escape_into(&mut self.out, &ns.uri, true);
            self.out.push('"');
        }
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape_into(&mut self.out, v, true);
            self.out.push('"');
        }
        self.out.push('>');
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

/// Escape XML text (`attr`: an attribute value, which also escapes quotes and white
/// space that attribute normalization would otherwise lose).
fn escape_into(out: &mut String, s: &str, attr: bool) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attr => out.push_str("&quot;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model() -> ServiceModel {
        let doc = json!({
            "metadata": {"protocol": "rest-xml"},
            "operations": {},
            "shapes": {
                "Root": {"type": "structure", "members": {
                    "Attr": {"shape": "S", "xmlAttribute": true, "locationName": "xsi:type"},
                    "Flat": {"shape": "L", "flattened": true},
                    "Wrapped": {"shape": "L", "locationName": "W"},
                    "FlatMap": {"shape": "M", "flattened": true},
                    "Ns": {"shape": "S", "xmlNamespace": {"prefix": "p", "uri": "urn:x"}}
                }, "xmlNamespace": {"prefix": "xsi", "uri": "urn:xsi"}},
                "L": {"type": "list", "member": {"shape": "S", "locationName": "item"}},
                "M": {"type": "map", "key": {"shape": "S", "locationName": "K"},
                      "value": {"shape": "S", "locationName": "V"}},
                "S": {"type": "string"}
            }
        });
        ServiceModel::from_string(doc.to_string(), "t").unwrap()
    }

    #[test]
    fn attributes_lists_maps_and_namespaces() {
        let m = model();
        let shape = m.shape("Root", "t").unwrap();
        let v = json!({"Flat": ["a", "b"], "Wrapped": ["<&>"], "Attr": "T\"",
                       "FlatMap": {"k": "v"}, "Ns": "n"});
        let fields: Vec<_> = v.as_object().unwrap().iter().collect();
        let mut w = XmlWriter::new(&m);
        let ns = shape.xml_namespace.clone();
        w.structure(&shape, "Root", "Root", ns.as_ref(), &fields, &Path::Root)
            .unwrap();
        assert_eq!(
            w.finish(),
            "<Root xmlns:xsi=\"urn:xsi\" xsi:type=\"T&quot;\"><Flat>a</Flat><Flat>b</Flat>\
             <W><item>&lt;&amp;&gt;</item></W><FlatMap><K>k</K><V>v</V></FlatMap>\
             <Ns xmlns:p=\"urn:x\">n</Ns></Root>"
        );
    }
}
