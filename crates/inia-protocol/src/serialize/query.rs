//! The `query` and `ec2` serializers: a form-encoded body
//! `Action=Op&Version=apiVersion&Name=value&...`, members in the order the params give
//! them.
//!
//! Naming rules. `query`: a member is named by its `locationName`, else its own name;
//! lists are `Name.member.N` (the list member's `locationName` replaces `member`), or
//! `Name.N` when flattened (where a flattened list's member `locationName` renames the
//! last segment unless the structure member names itself); an empty list is `Name=`;
//! maps are `Name.entry.N.key` / `.value` (`Name.N.key` when flattened, key and value
//! renamed by their `locationName`). `ec2`: a member is named by its `queryName`, else its
//! `locationName` or own name with the first letter capitalized; lists are always
//! `Name.N` and an empty list sends nothing.
//!
//! Owns those rules. Does not own the percent-encoding or scalar text forms (see the
//! parent module).

use super::{as_array, as_object, Path};
use crate::error::ProtocolError;
use crate::member::MemberRef;
use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use inia_model::{Operation, ServiceModel, Shape, ShapeType, TimestampFormat};
use serde_json::{Map, Value};

const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

pub(super) fn serialize(
    model: &ServiceModel,
    op: &Operation,
    params: &Value,
    ec2: bool,
) -> Result<http::Request<Bytes>, ProtocolError> {
    let input = super::input(model, op)?;
    let params = super::prepare(params)?;
    let version = model.metadata().api_version.as_deref().unwrap_or_default();
    let mut pairs = vec![
        ("Action".to_string(), op.name.clone()),
        ("Version".to_string(), version.to_string()),
    ];
    if let Some(input) = &input {
        let w = Writer { model, ec2 };
        w.structure(
            &mut pairs,
            &input.shape,
            input.shape_name(),
            &params,
            "",
            &Path::Root,
        )?;
    }
    let body = super::form_encode(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(FORM));
    let host = super::host_prefix(op, &params)?;
    super::build(&op.http.method, "/", headers, Bytes::from(body), host)
}

struct Writer<'m> {
    model: &'m ServiceModel,
    ec2: bool,
}

/// `name` with its first character upper-cased.
fn capitalize(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Writer<'_> {
    /// The serialized name of a structure member (`default`: its name) or map key/value
    /// (`default`: `key`/`value`, never capitalized), and whether the model named it
    /// explicitly.
    fn name_of(&self, m: &MemberRef<'_>, default: &str, is_member: bool) -> (String, bool) {
        if self.ec2 {
            if let Some(q) = &m.member.query_name {
                return (q.clone(), true);
            }
            match m.location_name() {
                Some(l) => (capitalize(l), true),
                None if is_member => (capitalize(default), false),
                None => (default.to_string(), false),
            }
        } else {
            match m.location_name() {
                Some(l) => (l.to_string(), true),
                None => (default.to_string(), false),
            }
        }
    }

    fn structure(
        &self,
        out: &mut Vec<(String, String)>,
        shape: &Shape,
        shape_name: &str,
        obj: &Map<String, Value>,
        prefix: &str,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        for (key, v) in obj {
            if v.is_null() {
                continue;
            }
            let path = path.key(key);
            let m = shape
                .members
                .get(key)
                .ok_or_else(|| path.error(format!("unknown member of {shape_name}")))?;
            let mref = MemberRef::resolve(self.model, m, shape_name)?;
            let (name, explicit) = self.name_of(&mref, key, true);
            let full = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}.{name}")
            };
            self.value(out, &mref, v, full, explicit, &path)?;
        }
        Ok(())
    }

    fn value(
        &self,
        out: &mut Vec<(String, String)>,
        m: &MemberRef<'_>,
        v: &Value,
        key: String,
        explicit: bool,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        match m.kind() {
            ShapeType::Structure => {
                if m.shape.document {
                    return Err(path.error("document values cannot be sent by this protocol"));
                }
                let obj = as_object(v, path)?;
                self.structure(out, &m.shape, m.shape_name(), obj, &key, path)
            }
            ShapeType::List => self.list(out, m, v, key, explicit, path),
            ShapeType::Map => self.map(out, m, v, key, path),
            _ => {
                let text = super::scalar_text(m, v, TimestampFormat::Iso8601, path)?;
                out.push((key, text));
                Ok(())
            }
        }
    }

    fn list(
        &self,
        out: &mut Vec<(String, String)>,
        m: &MemberRef<'_>,
        v: &Value,
        key: String,
        explicit: bool,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        let items = as_array(v, path)?;
        let item = m.shape.member.as_ref().ok_or_else(|| {
            ProtocolError::Unsupported(format!("list shape {} has no member", m.shape_name()))
        })?;
        let item = MemberRef::resolve(self.model, item, m.shape_name())?;
        if items.is_empty() {
            if !self.ec2 {
                out.push((key, String::new()));
            }
            return Ok(());
        }
        let base = if self.ec2 {
            key
        } else if m.flattened() {
            match item.location_name() {
                Some(name) if !explicit => match key.rfind('.') {
                    Some(dot) => format!("{}.{name}", &key[..dot]),
                    None => name.to_string(),
                },
                _ => key,
            }
        } else {
            format!("{key}.{}", item.location_name().unwrap_or("member"))
        };
        for (i, x) in items.iter().enumerate() {
            let p = path.index(i);
            self.value(out, &item, x, format!("{base}.{}", i + 1), false, &p)?;
        }
        Ok(())
    }

    fn map(
        &self,
        out: &mut Vec<(String, String)>,
        m: &MemberRef<'_>,
        v: &Value,
        key: String,
        path: &Path<'_>,
    ) -> Result<(), ProtocolError> {
        let obj = as_object(v, path)?;
        let missing = || {
            ProtocolError::Unsupported(format!("map shape {} lacks key or value", m.shape_name()))
        };
        let k = m.shape.key.as_ref().ok_or_else(missing)?;
        let val = m.shape.value.as_ref().ok_or_else(missing)?;
        let k = MemberRef::resolve(self.model, k, m.shape_name())?;
        let val = MemberRef::resolve(self.model, val, m.shape_name())?;
        let (kname, _) = self.name_of(&k, "key", false);
        let (vname, _) = self.name_of(&val, "value", false);
        let base = if m.flattened() {
            key
        } else {
            format!("{key}.entry")
        };
        for (i, (mk, mv)) in obj.iter().enumerate() {
            let n = i + 1;
            out.push((format!("{base}.{n}.{kname}"), mk.clone()));
            let p = path.key(mk);
            self.value(out, &val, mv, format!("{base}.{n}.{vname}"), false, &p)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn model(protocol: &str) -> ServiceModel {
        let doc = json!({
            "metadata": {"protocol": protocol, "apiVersion": "2020-01-01"},
            "operations": {"Op": {"name": "Op", "input": {"shape": "In"}}},
            "shapes": {
                "In": {"type": "structure", "members": {
                    "Plain": {"shape": "L"},
                    "Flat": {"shape": "L", "flattened": true},
                    "FlatNamed": {"shape": "Named", "flattened": true},
                    "FlatRenamed": {"shape": "Named", "flattened": true, "locationName": "Hi"},
                    "lower": {"shape": "S"},
                    "Map": {"shape": "M"}
                }},
                "M": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
                "L": {"type": "list", "member": {"shape": "S"}},
                "Named": {"type": "list", "member": {"shape": "S", "locationName": "item"}},
                "S": {"type": "string"}
            }
        });
        ServiceModel::from_string(doc.to_string(), "t").unwrap()
    }

    fn body(protocol: &str, params: Value) -> String {
        let m = model(protocol);
        let op = m.operation("Op").unwrap();
        let req = serialize(&m, &op, &params, protocol == "ec2").unwrap();
        String::from_utf8(req.body().to_vec()).unwrap()
    }

    #[test]
    fn flattened_lists() {
        let p = json!({"Plain": ["a"], "Flat": ["b"], "FlatNamed": ["c"], "FlatRenamed": ["d"]});
        assert_eq!(
            body("query", p),
            "Action=Op&Version=2020-01-01&Plain.member.1=a&Flat.1=b&item.1=c&Hi.1=d"
        );
    }

    #[test]
    fn ec2_lists_and_names() {
        let p = json!({"Plain": ["a", "b"], "lower": "x", "Flat": [], "Map": {"k": "v"}});
        assert_eq!(
            body("ec2", p),
            "Action=Op&Version=2020-01-01&Plain.1=a&Plain.2=b&Lower=x\
             &Map.entry.1.key=k&Map.entry.1.value=v"
        );
        assert_eq!(
            body("query", json!({"Plain": []})),
            "Action=Op&Version=2020-01-01&Plain="
        );
    }

    #[test]
    fn errors_name_the_path() {
        let m = model("query");
        let op = m.operation("Op").unwrap();
        let e = serialize(&m, &op, &json!({"Plain": ["a", {"x": 1}]}), false).unwrap_err();
        assert!(e.to_string().contains("Plain[1]"), "{e}");
    }
}
