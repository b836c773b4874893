//! Shaped XML: an XML tree (see `xml_dom`) read as a value by walking the model's
//! shapes, for query, ec2 and rest-xml bodies.
//!
//! Rules (botocore's, read leniently where Smithy's test suite differs):
//! - a structure member is the child element named by its `locationName`, else its
//!   name; failing that, by its shape's `locationName` or, for a flattened list, the
//!   list member's `locationName` (older models rely on both). Namespaces are ignored;
//!   `xmlAttribute` members come from the element's attributes; members carried in
//!   headers or the status code are skipped;
//! - a list is the children of its element, whatever their names (`member`, `item`);
//!   a flattened list is every element of the member's name;
//! - a map is `entry` children (any name) holding key and value elements (`key` and
//!   `value` unless renamed); a flattened map is every entry element of the member's
//!   name;
//! - a `document` structure is free-form: each child element is a member named by the
//!   element (Azure's `<Metadata><colour>blue</colour></Metadata>`), text for a leaf,
//!   nested the same way otherwise;
//! - a union holding one element the model does not know is
//!   `{"SDK_UNKNOWN_MEMBER": {"name": tag}}`;
//! - scalars come from element text (see [`super::text_scalar`]); absent members are
//!   omitted;
//! - child elements the shape does not describe are ignored, as botocore ignores them;
//!   with [`Shaped::keep_unmodeled`] (`ParseOptions::keep_unmodeled_xml`) they are kept,
//!   in every structure at every depth, after the modeled members: each converted by the
//!   generic rules (see `generic_xml`) and named by its local element name, repeated
//!   names collected into a list in document order. An element whose name is one of the
//!   shape's member names is never kept this way (the name belongs to the member, even
//!   when the member travels under another element name or is absent). Attributes are
//!   not kept this way, nor are elements inside `document` structures (already free-form),
//!   maps, lists (their items are read whatever their names) or a union's single unknown
//!   member (`SDK_UNKNOWN_MEMBER`, as botocore).
//!
//! Structure plans (member names, targets) are resolved once per shape per response and
//! reused for every element of that shape.
//!
//! Owns shaped XML bodies. Does not own where the output sits in a query or ec2 envelope
//! (see `query`), HTTP headers (see `rest`) or error documents (see `errors`).

use super::text_scalar;
use super::xml_dom::{Document, NodeId};
use crate::error::ProtocolError;
use crate::generic_xml;
use inia_model::{Member, ServiceModel, Shape, ShapeType};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::sync::Arc;

/// A small, fast hasher for short element names (FNV-style, 8 bytes at a time). Keys
/// come from the model, not the server, so hash flooding is not a concern.
#[derive(Default)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0 ^ 0xcbf2_9ce4_8422_2325;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w))
                .wrapping_mul(0x0100_0000_01b3)
                .rotate_left(23);
        }
        for &b in chunks.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

struct MemberPlan {
    name: String,
    xml_name: String,
    member: Member,
    shape: Arc<Shape>,
    attribute: bool,
}

struct StructPlan {
    members: Vec<MemberPlan>,
    attributes: usize,
    by_xml: FastMap<String, usize>,
    union: bool,
}

/// A shaped reader for one response.
pub(crate) struct Shaped<'m> {
    model: &'m ServiceModel,
    plans: RefCell<FastMap<String, Rc<StructPlan>>>,
    /// Per open structure, per member: (first element, number of elements). Used as a
    /// stack, so nested structures allocate nothing.
    hits: RefCell<Vec<(NodeId, u32)>>,
    /// Keep the elements a structure's shape does not describe.
    keep_unmodeled: bool,
}

impl<'m> Shaped<'m> {
    pub(crate) fn new(model: &'m ServiceModel) -> Self {
        Shaped {
            model,
            plans: RefCell::new(FastMap::default()),
            hits: RefCell::new(Vec::new()),
            keep_unmodeled: false,
        }
    }

    /// Also keep the child elements a structure's shape does not describe (see the
    /// module's rules). Off by default, as botocore.
    pub(crate) fn keep_unmodeled(mut self, on: bool) -> Self {
        self.keep_unmodeled = on;
        self
    }

    fn plan(&self, shape_name: &str, shape: &Shape) -> Result<Rc<StructPlan>, ProtocolError> {
        if let Some(p) = self.plans.borrow().get(shape_name) {
            return Ok(p.clone());
        }
        let mut members = Vec::with_capacity(shape.members.len());
        let mut by_xml = FastMap::default();
        let mut aliases = Vec::new();
        for (name, m) in &shape.members {
            let target = self.model.target(m, name)?;
            if super::http_location(m, &target).is_some() {
                continue;
            }
            let xml_name = m.location_name.clone().unwrap_or_else(|| name.clone());
            let attribute = m.xml_attribute;
            if !attribute {
                by_xml.entry(xml_name.clone()).or_insert(members.len());
                for alias in self.aliases(name, m, &target)? {
                    aliases.push((alias, members.len()));
                }
            }
            members.push(MemberPlan {
                name: name.clone(),
                xml_name,
                member: m.clone(),
                shape: target,
                attribute,
            });
        }
        for (alias, i) in aliases {
            by_xml.entry(alias).or_insert(i);
        }
        let plan = Rc::new(StructPlan {
            attributes: members.iter().filter(|m| m.attribute).count(),
            members,
            by_xml,
            union: shape.union,
        });
        self.plans
            .borrow_mut()
            .insert(shape_name.to_string(), plan.clone());
        Ok(plan)
    }

    /// Other element names a member is known by, after its own (`locationName`, else
    /// its name): its shape's `locationName`, and for a flattened list, the list
    /// member's `locationName` (botocore's reading of older models).
    fn aliases(
        &self,
        name: &str,
        m: &Member,
        target: &Shape,
    ) -> Result<Vec<String>, ProtocolError> {
        let mut out = Vec::new();
        if target.kind == ShapeType::List && m.flattened.unwrap_or(target.flattened) {
            if let Some(item) = &target.member {
                match &item.location_name {
                    Some(n) => out.push(n.clone()),
                    None => {
                        let item_shape = self.model.target(item, name)?;
                        out.extend(item_shape.location_name.clone());
                    }
                }
            }
        }
        out.extend(target.location_name.clone());
        Ok(out)
    }

    /// The structure `shape_name` read from element `node`.
    pub(crate) fn structure(
        &self,
        doc: &Document<'_>,
        shape_name: &str,
        node: NodeId,
    ) -> Result<Map<String, Value>, ProtocolError> {
        let shape = self.model.shape(shape_name, "output")?;
        self.structure_of(doc, shape_name, &shape, node)
    }

    pub(crate) fn structure_of(
        &self,
        doc: &Document<'_>,
        shape_name: &str,
        shape: &Shape,
        node: NodeId,
    ) -> Result<Map<String, Value>, ProtocolError> {
        let plan = self.plan(shape_name, shape)?;
        let n = plan.members.len();
        let base = {
            let mut hits = self.hits.borrow_mut();
            let base = hits.len();
            hits.resize(base + n, (0, 0));
            base
        };
        let mut unknown = None;
        let mut unmodeled = Vec::new();
        let mut n_children = 0usize;
        let mut present = 0usize;
        {
            let mut hits = self.hits.borrow_mut();
            let hits = &mut hits[base..];
            for child in doc.children(node) {
                n_children += 1;
                match plan.by_xml.get(doc.name(child)) {
                    Some(&i) => {
                        let h = &mut hits[i];
                        if h.1 == 0 {
                            h.0 = child;
                            present += 1;
                        }
                        h.1 += 1;
                    }
                    None => {
                        unknown = Some(child);
                        if self.keep_unmodeled && !shape.members.contains_key(doc.name(child)) {
                            unmodeled.push(child);
                        }
                    }
                }
            }
        }
        if plan.union && n_children == 1 {
            if let Some(tag) = unknown {
                self.hits.borrow_mut().truncate(base);
                let mut name = Map::new();
                name.insert("name".into(), Value::String(doc.name(tag).to_string()));
                let mut out = Map::new();
                out.insert("SDK_UNKNOWN_MEMBER".into(), Value::Object(name));
                return Ok(out);
            }
        }
        let mut out = Map::with_capacity(present + plan.attributes);
        let mut many = Vec::new();
        for (i, mp) in plan.members.iter().enumerate() {
            let v = if mp.attribute {
                match doc.attr(node, &mp.xml_name) {
                    Some(text) => text_scalar(mp.shape.kind, text, &mp.name)?,
                    None => None,
                }
            } else {
                let hit = self.hits.borrow()[base + i];
                match hit {
                    (_, 0) => None,
                    (first, 1) => self.value(doc, &mp.member, &mp.shape, &[first])?,
                    _ => {
                        many.clear();
                        many.extend(
                            doc.children(node)
                                .filter(|&c| plan.by_xml.get(doc.name(c)) == Some(&i)),
                        );
                        self.value(doc, &mp.member, &mp.shape, &many)?
                    }
                }
            };
            if let Some(v) = v {
                out.insert(mp.name.clone(), v);
            }
        }
        self.hits.borrow_mut().truncate(base);
        // Unmodeled elements never bear a member's name (see above): no modeled value
        // is replaced.
        generic_xml::insert_all(
            &mut out,
            unmodeled
                .into_iter()
                .map(|c| (doc.name(c), generic_xml::element_value(doc, c))),
        );
        Ok(out)
    }

    /// The value of a member given by reference (a rest-xml payload) from element `node`.
    pub(crate) fn member_value(
        &self,
        doc: &Document<'_>,
        member: &Member,
        node: NodeId,
    ) -> Result<Option<Value>, ProtocolError> {
        let shape = self.model.target(member, "payload")?;
        self.value(doc, member, &shape, &[node])
    }

    /// A member's value from its elements (`nodes`, never empty: more than one only
    /// for flattened lists and maps).
    fn value(
        &self,
        doc: &Document<'_>,
        member: &Member,
        shape: &Shape,
        nodes: &[NodeId],
    ) -> Result<Option<Value>, ProtocolError> {
        let Some(&first) = nodes.first() else {
            return Ok(None);
        };
        let flattened = member.flattened.unwrap_or(shape.flattened);
        let items = |f: &mut dyn FnMut(NodeId) -> Result<(), ProtocolError>| {
            if flattened {
                nodes.iter().try_for_each(|&n| f(n))
            } else {
                doc.children(first).try_for_each(f)
            }
        };
        Ok(Some(match shape.kind {
            ShapeType::Structure if shape.document => match super::errors::loose(doc, first) {
                Value::Object(o) => Value::Object(o),
                _ => Value::Object(Map::new()),
            },
            ShapeType::Structure => {
                Value::Object(self.structure_of(doc, &member.shape, shape, first)?)
            }
            ShapeType::List => {
                let item = shape
                    .member
                    .as_ref()
                    .ok_or_else(|| bad_model(&member.shape, "a list without member"))?;
                let item_shape = self.model.target(item, &member.shape)?;
                let mut out = Vec::new();
                items(&mut |node| {
                    if let Some(v) = self.value(doc, item, &item_shape, &[node])? {
                        out.push(v);
                    }
                    Ok(())
                })?;
                Value::Array(out)
            }
            ShapeType::Map => {
                let (key, val) = match (&shape.key, &shape.value) {
                    (Some(k), Some(v)) => (k, v),
                    _ => return Err(bad_model(&member.shape, "a map without key or value")),
                };
                let key_shape = self.model.target(key, &member.shape)?;
                let val_shape = self.model.target(val, &member.shape)?;
                let key_name = key
                    .location_name
                    .as_deref()
                    .or(key_shape.location_name.as_deref())
                    .unwrap_or("key");
                let val_name = val
                    .location_name
                    .as_deref()
                    .or(val_shape.location_name.as_deref())
                    .unwrap_or("value");
                let mut out = Map::new();
                items(&mut |e| {
                    let mut k = None;
                    let mut v = None;
                    for c in doc.children(e) {
                        let n = doc.name(c);
                        if n == key_name {
                            k = Some(doc.text(c).to_string());
                        } else if n == val_name {
                            v = self.value(doc, val, &val_shape, &[c])?;
                        }
                    }
                    if let (Some(k), Some(v)) = (k, v) {
                        out.insert(k, v);
                    }
                    Ok(())
                })?;
                Value::Object(out)
            }
            kind => match text_scalar(kind, doc.text(first), doc.name(first))? {
                Some(v) => v,
                None => return Ok(None),
            },
        }))
    }
}

fn bad_model(shape: &str, what: &str) -> ProtocolError {
    ProtocolError::Unsupported(format!("shape {shape} is {what}"))
}

/// True when `body` has nothing but white space.
pub(crate) fn blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    use super::super::query::{self, WithMeta};
    use super::*;
    use inia_model::Operation;
    use serde_json::json;

    fn query_output(
        m: &ServiceModel,
        op: &Operation,
        ec2: bool,
        body: &[u8],
    ) -> Result<WithMeta, ProtocolError> {
        query::query_output(m, op, ec2, body, &crate::ParseOptions::default())
    }

    fn model(shapes: Value, protocol: &str) -> ServiceModel {
        let doc = json!({
            "metadata": {"protocol": protocol},
            "operations": {"Op": {"name": "Op", "output": {"shape": "Out", "resultWrapper": "OpResult"}}},
            "shapes": shapes,
        });
        ServiceModel::from_string(doc.to_string(), "test").unwrap()
    }

    #[test]
    fn lists_maps_attributes_and_renames() {
        let m = model(
            json!({
                "Out": {"type": "structure", "members": {
                    "Items": {"shape": "L"},
                    "Flat": {"shape": "FL", "flattened": true},
                    "Named": {"shape": "S", "locationName": "other"},
                    "Pairs": {"shape": "M"},
                    "Kind": {"shape": "S", "xmlAttribute": true, "locationName": "xsi:type"},
                    "Count": {"shape": "I"},
                    "On": {"shape": "B"}
                }},
                "L": {"type": "list", "member": {"shape": "S"}},
                "FL": {"type": "list", "member": {"shape": "S", "locationName": "f"}},
                "M": {"type": "map", "key": {"shape": "S", "locationName": "k"},
                      "value": {"shape": "I", "locationName": "v"}},
                "S": {"type": "string"}, "I": {"type": "integer"}, "B": {"type": "boolean"}
            }),
            "query",
        );
        let op = m.operation("Op").unwrap();
        let body = br#"<OpResponse xmlns="urn:x"><OpResult xmlns:xsi="urn:i" xsi:type="K">
            <f>a</f><Items><member>1</member><item>2</item></Items><f>b</f>
            <other>o</other><Pairs><entry><k>x</k><v>7</v></entry></Pairs>
            <Count></Count><On>true</On><Unknown><deep/></Unknown>
          </OpResult><ResponseMetadata><RequestId>rid</RequestId></ResponseMetadata></OpResponse>"#;
        let (out, meta) = query_output(&m, &op, false, body).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"Items": ["1", "2"], "Flat": ["a", "b"], "Named": "o",
                   "Pairs": {"x": 7}, "Kind": "K", "On": true})
        );
        assert_eq!(meta.unwrap()["RequestId"], "rid");
    }

    #[test]
    fn bad_scalars_and_bad_xml_are_parse_errors() {
        let m = model(
            json!({"Out": {"type": "structure", "members": {"Count": {"shape": "I"}}},
                   "I": {"type": "integer"}}),
            "query",
        );
        let op = m.operation("Op").unwrap();
        for body in [
            &b"<OpResponse><OpResult><Count>x</Count></OpResult></OpResponse>"[..],
            b"<OpResponse><OpResult><Count>1</Count></OpResult>",
            b"\x00\x01garbage",
        ] {
            match query_output(&m, &op, false, body) {
                Err(ProtocolError::Parse { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn keeping_unmodeled_elements_leaves_lists_maps_unions_and_documents_alone() {
        let m = model(
            json!({
                "Out": {"type": "structure", "members": {
                    "Flat": {"shape": "FL", "flattened": true},
                    "Pairs": {"shape": "M"},
                    "Choice": {"shape": "U"},
                    "Free": {"shape": "D"},
                    "Kind": {"shape": "S", "xmlAttribute": true, "locationName": "kind"}
                }},
                "FL": {"type": "list", "member": {"shape": "S", "locationName": "f"}},
                "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
                "U": {"type": "structure", "union": true, "members": {"A": {"shape": "S"}}},
                "D": {"type": "structure", "document": true, "members": {}},
                "S": {"type": "string"}
            }),
            "query",
        );
        let body = br#"<OpResponse><OpResult kind="k" other="o">
            <f>a</f><Pairs><entry><key>x</key><value>1</value><note>n</note></entry></Pairs>
            <f>b</f><Choice><B>new</B></Choice><Free><colour>blue</colour></Free>
            <p:Extra xmlns:p="urn:p">e</p:Extra>
          </OpResult></OpResponse>"#;
        let doc = Document::parse(body).unwrap();
        let start = doc.child(doc.root(), "OpResult").unwrap();
        let shape = m.shape("Out", "test").unwrap();
        let read = |keep| {
            Shaped::new(&m)
                .keep_unmodeled(keep)
                .structure_of(&doc, "Out", &shape, start)
                .map(Value::Object)
                .unwrap()
        };
        let modeled = json!({"Flat": ["a", "b"], "Pairs": {"x": "1"},
            "Choice": {"SDK_UNKNOWN_MEMBER": {"name": "B"}}, "Free": {"colour": "blue"},
            "Kind": "k"});
        assert_eq!(read(false), modeled);
        let mut kept = modeled;
        kept["Extra"] = json!("e");
        assert_eq!(read(true), kept);
    }

    #[test]
    fn recursive_shapes_stop_at_the_depth_cap() {
        let m = model(
            json!({"Out": {"type": "structure", "members": {"Next": {"shape": "Out"}}}}),
            "ec2",
        );
        let op = m.operation("Op").unwrap();
        let depth = super::super::xml_dom::MAX_DEPTH - 1;
        let body = format!(
            "<OpResponse>{}{}</OpResponse>",
            "<Next>".repeat(depth),
            "</Next>".repeat(depth)
        );
        let (out, _) = query_output(&m, &op, true, body.as_bytes()).unwrap();
        assert!(out.contains_key("Next"));
    }
}
