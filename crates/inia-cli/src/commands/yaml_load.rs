//! Reading YAML the way the AWS CLI reads it (PyYAML's safe loader, YAML 1.1): plain
//! scalars resolved by YAML 1.1's rules (`yes`/`on` are booleans, `010` is octal 8,
//! `2010-09-09` a date, `1e5` a string), merge keys (`<<`) flattened, aliases expanded,
//! mapping order kept. With [`Tags::CloudFormation`], the short-form intrinsic functions
//! (`!Ref X`, `!GetAtt A.B`, `!Sub ...`) become their long form (`{"Ref": "X"}`,
//! `{"Fn::GetAtt": ["A", "B"]}`), as the AWS CLI's template loader makes them. The
//! syntax itself is read by `yaml-rust2`'s event parser; the values are built here.
//!
//! Owns turning YAML text into a [`Node`]. Does not own writing YAML (`yaml_dump`).

use regex_lite::Regex;
use std::collections::HashMap;
use std::sync::OnceLock;
use yaml_rust2::parser::{Event, Parser, Tag};
use yaml_rust2::scanner::TScalarStyle;

/// A loaded YAML (or JSON) value.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    /// A YAML 1.1 timestamp, kept as written (`2010-09-09`): PyYAML reads it as a date
    /// and writes it back unquoted.
    Time(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under the string key `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Map(pairs) => pairs
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Set `key` of a mapping, in place when present, else at the end.
    pub fn set(&mut self, key: &str, value: Node) {
        if let Node::Map(pairs) = self {
            match pairs.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
                Some((_, v)) => *v = value,
                None => pairs.push((Node::Str(key.to_string()), value)),
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A mapping from string keys.
    pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Node)>) -> Node {
        Node::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (Node::Str(k.into()), v))
                .collect(),
        )
    }

    /// The value as JSON (timestamps as their text, non-string keys as their text).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => i64::try_from(*i)
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(*i as f64)),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s) | Node::Time(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.key_text(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// A JSON value as a node (as Python's `json.loads` gives it).
    pub fn from_json(v: &serde_json::Value) -> Node {
        use serde_json::Value;
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Node::Int(i.into()),
                (None, Some(u)) => Node::Int(u.into()),
                _ => Node::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Node::Str(s.clone()),
            Value::Array(a) => Node::Seq(a.iter().map(Node::from_json).collect()),
            Value::Object(m) => Node::map(m.iter().map(|(k, v)| (k.clone(), Node::from_json(v)))),
        }
    }

    fn key_text(&self) -> String {
        match self {
            Node::Str(s) | Node::Time(s) => s.clone(),
            Node::Null => "null".into(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Float(f) => f.to_string(),
            other => other.to_json().to_string(),
        }
    }
}

/// Which local tags (`!Name`) are understood.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tags {
    /// None: a local tag is an error (PyYAML's safe loader).
    Safe,
    /// CloudFormation's short-form intrinsic functions.
    CloudFormation,
}

/// The first document of `text`; `Node::Null` for an empty stream.
pub fn load(text: &str, tags: Tags) -> Result<Node, String> {
    let mut parser = Parser::new_from_str(text);
    let mut b = Builder {
        tags,
        stack: Vec::new(),
        anchors: HashMap::new(),
        done: None,
    };
    loop {
        let (event, mark) = parser.next_token().map_err(|e| e.to_string())?;
        let at = || format!("line {}, column {}", mark.line(), mark.col() + 1);
        match event {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
            Event::Alias(id) => {
                let node = b
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| format!("found undefined alias ({})", at()))?;
                b.push(node, 0, false)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let node = b
                    .scalar(value, style, tag.as_ref())
                    .map_err(|e| format!("{e} ({})", at()))?;
                let merge = style == TScalarStyle::Plain && tag.is_none();
                b.push(node, anchor, merge)?;
            }
            Event::SequenceStart(anchor, tag) => b.stack.push(Open {
                node: Node::Seq(Vec::new()),
                anchor,
                tag: b
                    .intrinsic(tag.as_ref())
                    .map_err(|e| format!("{e} ({})", at()))?,
                key: None,
                merges: Vec::new(),
            }),
            Event::MappingStart(anchor, tag) => b.stack.push(Open {
                node: Node::Map(Vec::new()),
                anchor,
                tag: b
                    .intrinsic(tag.as_ref())
                    .map_err(|e| format!("{e} ({})", at()))?,
                key: None,
                merges: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = b.stack.pop() else {
                    return Err("unbalanced YAML".into());
                };
                let Open {
                    mut node,
                    anchor,
                    tag,
                    merges,
                    ..
                } = open;
                if let Node::Map(own) = &mut node {
                    if !merges.is_empty() {
                        let mut merged: Vec<(Node, Node)> = Vec::new();
                        for m in merges {
                            insert_pairs(&mut merged, m, false);
                        }
                        insert_pairs(&mut merged, std::mem::take(own), true);
                        *own = merged;
                    }
                }
                let node = match tag {
                    Some(name) => intrinsic_value(&name, node),
                    None => node,
                };
                b.push(node, anchor, false)?;
            }
        }
        if b.done.is_some() && b.stack.is_empty() {
            break;
        }
    }
    Ok(b.done.unwrap_or(Node::Null))
}

/// `pairs` added to `into`: a key already there keeps its place; its value is replaced
/// when `replace` (the mapping's own keys), kept otherwise (merged keys, first wins).
fn insert_pairs(into: &mut Vec<(Node, Node)>, pairs: Vec<(Node, Node)>, replace: bool) {
    for (k, v) in pairs {
        match into.iter_mut().find(|(old, _)| *old == k) {
            Some(slot) if replace => slot.1 = v,
            Some(_) => {}
            None => into.push((k, v)),
        }
    }
}

struct Open {
    node: Node,
    anchor: usize,
    /// The intrinsic function's long name, for a tagged collection.
    tag: Option<String>,
    /// The key read, waiting for its value (mappings).
    key: Option<(Node, bool)>,
    /// Mappings to merge in (`<<`).
    merges: Vec<Vec<(Node, Node)>>,
}

struct Builder {
    tags: Tags,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    done: Option<Node>,
}

impl Builder {
    /// Add a finished node to the open collection (or make it the document).
    /// `plain_merge`: it was an untagged plain scalar (so `<<` is a merge key).
    fn push(&mut self, node: Node, anchor: usize, plain_merge: bool) -> Result<(), String> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(open) = self.stack.last_mut() else {
            self.done = Some(node);
            return Ok(());
        };
        match &mut open.node {
            Node::Seq(items) => items.push(node),
            Node::Map(pairs) => match open.key.take() {
                None => open.key = Some((node, plain_merge)),
                Some((Node::Str(k), true)) if k == "<<" => match node {
                    Node::Map(p) => open.merges.push(p),
                    Node::Seq(list) => {
                        for m in list {
                            match m {
                                Node::Map(p) => open.merges.push(p),
                                _ => return Err("expected a mapping for merging".into()),
                            }
                        }
                    }
                    _ => return Err("expected a mapping or list of mappings for merging".into()),
                },
                Some((k, _)) => match pairs.iter_mut().find(|(old, _)| *old == k) {
                    Some(slot) => slot.1 = node,
                    None => pairs.push((k, node)),
                },
            },
            _ => return Err("internal: scalar parent".into()),
        }
        Ok(())
    }

    /// The long name of a collection's intrinsic-function tag (`!GetAtt` → `Fn::GetAtt`).
    fn intrinsic(&self, tag: Option<&Tag>) -> Result<Option<String>, String> {
        match tag {
            None => Ok(None),
            Some(t) if is_core(t) => Ok(None),
            Some(t) => match (self.tags, local_name(t)) {
                (Tags::CloudFormation, Some(name)) => Ok(Some(long_name(name))),
                _ => Err(format!(
                    "could not determine a constructor for the tag '{}{}'",
                    t.handle, t.suffix
                )),
            },
        }
    }

    fn scalar(
        &self,
        value: String,
        style: TScalarStyle,
        tag: Option<&Tag>,
    ) -> Result<Node, String> {
        if let Some(t) = tag {
            if is_core(t) {
                return core_scalar(&t.suffix, value);
            }
            let name = self.intrinsic(Some(t))?.unwrap_or_default();
            // The short form `!GetAtt Resource.Attribute` is the list form.
            if name == "Fn::GetAtt" {
                let list = match value.split_once('.') {
                    Some((a, b)) => vec![Node::Str(a.into()), Node::Str(b.into())],
                    None => vec![Node::Str(value)],
                };
                return Ok(Node::map([(name, Node::Seq(list))]));
            }
            return Ok(Node::map([(name, Node::Str(value))]));
        }
        Ok(match style {
            TScalarStyle::Plain => resolve_plain(&value),
            _ => Node::Str(value),
        })
    }
}

fn is_core(t: &Tag) -> bool {
    t.handle == "tag:yaml.org,2002:"
}

fn local_name(t: &Tag) -> Option<&str> {
    match t.handle.as_str() {
        "!" | "" if !t.suffix.is_empty() => Some(t.suffix.trim_start_matches('!')),
        _ => None,
    }
}

/// `Ref` and `Condition` keep their name; every other intrinsic is `Fn::<name>`.
fn long_name(tag: &str) -> String {
    match tag {
        "Ref" | "Condition" => tag.to_string(),
        other => format!("Fn::{other}"),
    }
}

/// A tagged collection as the one-key mapping of its intrinsic function.
fn intrinsic_value(name: &str, node: Node) -> Node {
    Node::map([(name.to_string(), node)])
}

/// A scalar with an explicit `!!type` tag.
fn core_scalar(kind: &str, value: String) -> Result<Node, String> {
    let bad = || format!("cannot read {value:?} as !!{kind}");
    Ok(match kind {
        "str" => Node::Str(value),
        "null" => Node::Null,
        "bool" => match as_bool(&value) {
            Some(b) => Node::Bool(b),
            None => return Err(bad()),
        },
        "int" => int_value(&value).ok_or_else(bad)?,
        "float" => float_value(&value).ok_or_else(bad)?,
        "timestamp" => Node::Time(value),
        _ => {
            return Err(format!(
                "could not determine a constructor for the tag '!!{kind}'"
            ))
        }
    })
}

fn as_bool(s: &str) -> Option<bool> {
    match s {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

struct Resolvers {
    int: Regex,
    float: Regex,
    timestamp: Regex,
}

/// YAML 1.1's implicit types, as PyYAML's resolver spells them.
fn resolvers() -> &'static Resolvers {
    static R: OnceLock<Resolvers> = OnceLock::new();
    R.get_or_init(|| Resolvers {
        int: Regex::new(
            r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
        )
        .expect("int pattern"),
        float: Regex::new(
            r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        )
        .expect("float pattern"),
        timestamp: Regex::new(
            r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
        )
        .expect("timestamp pattern"),
    })
}

/// What a plain scalar's text means to PyYAML's resolver: the tag it would get.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum Implicit {
    Null,
    Bool,
    Int,
    Float,
    Timestamp,
    /// `<<` and `=`: not plain strings either.
    Special,
    Str,
}

/// The implicit type of plain text `s`.
pub fn implicit(s: &str) -> Implicit {
    let r = resolvers();
    if matches!(s, "" | "~" | "null" | "Null" | "NULL") {
        Implicit::Null
    } else if as_bool(s).is_some() {
        Implicit::Bool
    } else if r.int.is_match(s) {
        Implicit::Int
    } else if r.float.is_match(s) {
        Implicit::Float
    } else if r.timestamp.is_match(s) {
        Implicit::Timestamp
    } else if s == "<<" || s == "=" {
        Implicit::Special
    } else {
        Implicit::Str
    }
}

fn resolve_plain(s: &str) -> Node {
    match implicit(s) {
        Implicit::Null => Node::Null,
        Implicit::Bool => Node::Bool(as_bool(s).unwrap_or_default()),
        Implicit::Int => int_value(s).unwrap_or_else(|| Node::Str(s.into())),
        Implicit::Float => float_value(s).unwrap_or_else(|| Node::Str(s.into())),
        Implicit::Timestamp => Node::Time(timestamp_text(s)),
        Implicit::Special | Implicit::Str => Node::Str(s.into()),
    }
}

/// A YAML 1.1 timestamp as PyYAML writes back the value it reads: a date as is, a time
/// as `YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]` (fraction to 6 digits, zone as an offset).
fn timestamp_text(s: &str) -> String {
    let Some((date, rest)) = s.split_once(['T', 't', ' ', '\t']) else {
        return s.to_string();
    };
    let num = |t: &str| t.trim().parse::<u32>().unwrap_or(0);
    let mut ymd = date.splitn(3, '-').map(num);
    let (y, mo, d) = (
        ymd.next().unwrap_or(0),
        ymd.next().unwrap_or(0),
        ymd.next().unwrap_or(0),
    );
    let rest = rest.trim_start();
    // The time runs to the zone: `Z` or a sign after the seconds.
    let zone_at = rest
        .char_indices()
        .skip(5)
        .find(|(_, c)| matches!(c, 'Z' | '+' | '-'))
        .map(|(i, _)| i);
    let (time, zone) = match zone_at {
        Some(i) => (rest[..i].trim_end(), Some(&rest[i..])),
        None => (rest.trim_end(), None),
    };
    let (hms, fraction) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.splitn(3, ':').map(num);
    let (h, mi, sec) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    let mut out = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{sec:02}");
    let micros: String = fraction.chars().take(6).collect();
    if micros.chars().any(|c| c != '0') {
        out.push_str(&format!(".{micros:0<6}"));
    }
    match zone {
        Some("Z") => out.push_str("+00:00"),
        Some(z) => {
            let (sign, hm) = z.split_at(1);
            let (zh, zm) = hm.split_once(':').unwrap_or((hm, "0"));
            let (zh, zm) = (num(zh), num(zm));
            if zh == 0 && zm == 0 {
                out.push_str("+00:00");
            } else {
                out.push_str(&format!("{sign}{zh:02}:{zm:02}"));
            }
        }
        None => {}
    }
    out
}

/// An integer in YAML 1.1's forms (binary, octal with a leading 0, hex, base 60).
fn int_value(text: &str) -> Option<Node> {
    let t = text.replace('_', "");
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => (-1i128, rest),
        None => (1, t.strip_prefix('+').unwrap_or(&t)),
    };
    let v = if digits == "0" {
        0
    } else if let Some(b) = digits.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()?
    } else if let Some(h) = digits.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()?
    } else if digits.starts_with('0') {
        i128::from_str_radix(digits, 8).ok()?
    } else if digits.contains(':') {
        let mut v: i128 = 0;
        for part in digits.split(':') {
            v = v.checked_mul(60)?.checked_add(part.parse::<i128>().ok()?)?;
        }
        v
    } else {
        digits.parse::<i128>().ok()?
    };
    Some(Node::Int(sign * v))
}

fn float_value(text: &str) -> Option<Node> {
    let t = text.replace('_', "").to_ascii_lowercase();
    let (sign, body) = match t.strip_prefix('-') {
        Some(rest) => (-1.0, rest.to_string()),
        None => (1.0, t.strip_prefix('+').unwrap_or(&t).to_string()),
    };
    let v = if body == ".inf" {
        f64::INFINITY
    } else if body == ".nan" {
        f64::NAN
    } else if body.contains(':') {
        let mut v = 0.0;
        for part in body.split(':') {
            v = v * 60.0 + part.parse::<f64>().ok()?;
        }
        v
    } else {
        body.parse::<f64>().ok()?
    };
    Some(Node::Float(sign * v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_scalars() {
        let n = load(
            "a: yes\nb: 010\nc: 1e5\nd: 2010-09-09\ne: ~\nf: 1:30\ng: '010'\nh: 0x1F\ni: 1.5\n",
            Tags::Safe,
        )
        .unwrap();
        assert_eq!(n.get("a"), Some(&Node::Bool(true)));
        assert_eq!(n.get("b"), Some(&Node::Int(8)));
        assert_eq!(n.get("c"), Some(&Node::Str("1e5".into())));
        assert_eq!(n.get("d"), Some(&Node::Time("2010-09-09".into())));
        assert_eq!(n.get("e"), Some(&Node::Null));
        assert_eq!(n.get("f"), Some(&Node::Int(90)));
        assert_eq!(n.get("g"), Some(&Node::Str("010".into())));
        assert_eq!(n.get("h"), Some(&Node::Int(31)));
        assert_eq!(n.get("i"), Some(&Node::Float(1.5)));
        assert_eq!(
            timestamp_text("2001-12-14t21:59:43.10-5"),
            "2001-12-14 21:59:43.100000-05:00"
        );
        assert_eq!(
            timestamp_text("2001-1-4 1:59:43Z"),
            "2001-01-04 01:59:43+00:00"
        );
        assert_eq!(
            timestamp_text("2001-12-14 21:59:43.0"),
            "2001-12-14 21:59:43"
        );
    }

    #[test]
    fn intrinsics_in_long_form() {
        let n = load(
            "A: !Ref X\nB: !GetAtt R.Arn\nC: !Sub '${X}-y'\nD: !Join [',', [a, !Ref Y]]\nE: !If\n  - C\n  - 1\n  - 2\n",
            Tags::CloudFormation,
        )
        .unwrap();
        assert_eq!(
            n.to_json(),
            serde_json::json!({
                "A": {"Ref": "X"},
                "B": {"Fn::GetAtt": ["R", "Arn"]},
                "C": {"Fn::Sub": "${X}-y"},
                "D": {"Fn::Join": [",", ["a", {"Ref": "Y"}]]},
                "E": {"Fn::If": ["C", 1, 2]}
            })
        );
        assert!(load("A: !Ref X\n", Tags::Safe).is_err());
    }

    #[test]
    fn merge_keys_and_aliases() {
        let n = load(
            "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n  z: 4\n",
            Tags::Safe,
        )
        .unwrap();
        assert_eq!(
            n.get("d").unwrap().to_json(),
            serde_json::json!({"x": 1, "y": 3, "z": 4})
        );
    }
}
