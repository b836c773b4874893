//! A rule set (`endpoint-rule-set-1.json`) compiled for evaluation: parameters with their
//! types, defaults and built-ins; rules as a tree of conditions, endpoints and errors;
//! every reference resolved to a slot and every template split into parts at load, so
//! evaluation does no name lookups and no parsing.
//!
//! Owns the file's grammar and its load errors, which name the file and the JSON path of
//! what is wrong (`rules[2].rules[0].conditions[1].fn`). Does not own evaluation
//! (`eval`) or the functions' meaning (`functions`).

use crate::functions::Func;
use crate::json::{field, Json, Members};
use crate::value::Val;
use serde_json::Value;
use std::sync::Arc;

/// A rule set could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {path}: {message}")]
pub struct LoadError {
    /// The file (or what the caller named the text).
    pub origin: String,
    /// Where in the file, as a JSON path (`rules[3].conditions[0].argv[1]`).
    pub path: String,
    pub message: String,
}

impl LoadError {
    /// A JSON syntax error, at its line and column.
    pub(crate) fn json(origin: &str, e: &serde_json::Error) -> LoadError {
        LoadError {
            origin: origin.to_string(),
            path: format!("line {} column {}", e.line(), e.column()),
            message: e.to_string(),
        }
    }

    /// The text as UTF-8, or an error naming the first bad byte.
    pub(crate) fn utf8<'t>(text: &'t [u8], origin: &str) -> Result<&'t str, LoadError> {
        std::str::from_utf8(text).map_err(|e| LoadError {
            origin: origin.to_string(),
            path: format!("byte {}", e.valid_up_to()),
            message: "not UTF-8".into(),
        })
    }
}

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Boolean,
    StringArray,
}

impl ParamType {
    pub(crate) fn accepts(self, v: &Val) -> bool {
        match (self, v) {
            (ParamType::String, Val::Str(_)) | (ParamType::Boolean, Val::Bool(_)) => true,
            (ParamType::StringArray, Val::Array(a)) => a.iter().all(|x| x.as_str().is_some()),
            _ => false,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            ParamType::String => "a string",
            ParamType::Boolean => "a boolean",
            ParamType::StringArray => "an array of strings",
        }
    }
}

/// One declared parameter.
#[derive(Debug, Clone)]
pub struct ParamDef {
    pub name: String,
    pub kind: ParamType,
    /// The SDK setting that fills it (`AWS::Region`, `SDK::Endpoint`...).
    pub built_in: Option<String>,
    pub default: Option<Val>,
    pub required: bool,
    /// False when no rule reads it (S3's `Key`): it need not be bound nor be part of a
    /// cache key.
    pub referenced: bool,
}

#[derive(Debug)]
pub(crate) enum Expr {
    Lit(Val),
    Ref(usize),
    Template(Template),
    Call(Box<Call>),
}

#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) func: Func,
    pub(crate) args: Vec<Expr>,
}

#[derive(Debug)]
pub(crate) struct Condition {
    pub(crate) call: Call,
    pub(crate) assign: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) kind: RuleKind,
}

#[derive(Debug)]
pub(crate) enum RuleKind {
    Endpoint(EndpointTemplate),
    Error(Expr),
    Tree(Vec<Rule>),
}

#[derive(Debug)]
pub(crate) struct EndpointTemplate {
    pub(crate) url: Expr,
    pub(crate) properties: Vec<(String, Prop)>,
    pub(crate) headers: Vec<(String, Vec<Expr>)>,
}

/// A property value: JSON with templates in its strings.
#[derive(Debug)]
pub(crate) enum Prop {
    Json(Value),
    Template(Template),
    Array(Vec<Prop>),
    Object(Vec<(String, Prop)>),
}

/// `"https://{Bucket}.s3.{PartitionResult#dnsSuffix}"`: literal text and references
/// with a field path.
#[derive(Debug)]
pub(crate) struct Template {
    pub(crate) parts: Vec<Part>,
}

#[derive(Debug)]
pub(crate) enum Part {
    Lit(String),
    Var(usize, Vec<Arc<str>>),
}

/// A compiled rule set.
#[derive(Debug)]
pub struct RuleSet {
    pub(crate) origin: String,
    pub(crate) params: Vec<ParamDef>,
    pub(crate) rules: Vec<Rule>,
    /// Scope size: the parameters, then the deepest chain of assignments.
    pub(crate) slots: usize,
}

impl RuleSet {
    /// Compile the text of an `endpoint-rule-set-1.json`. `origin` names it in errors.
    pub fn from_slice(text: &[u8], origin: &str) -> Result<RuleSet, LoadError> {
        RuleSet::from_text(LoadError::utf8(text, origin)?, origin)
    }

    /// Compile the text of an `endpoint-rule-set-1.json` already known to be UTF-8 (no
    /// second validation of its strings).
    pub fn from_text(text: &str, origin: &str) -> Result<RuleSet, LoadError> {
        let v: Json<'_> = serde_json::from_str(text).map_err(|e| LoadError::json(origin, &e))?;
        RuleSet::compile(&v, origin)
    }

    /// Compile a parsed rule set.
    pub fn from_json(v: &Value, origin: &str) -> Result<RuleSet, LoadError> {
        RuleSet::compile(&Json::from_value(v), origin)
    }

    fn compile(v: &Json<'_>, origin: &str) -> Result<RuleSet, LoadError> {
        let mut c = Compiler {
            origin,
            scope: Vec::new(),
            max: 0,
            params: Vec::new(),
        };
        let obj = c.object(v, &At::Root)?;
        if field(obj, "version").is_none() {
            return Err(c.err(&At::Root, "no `version`"));
        }
        let params_at = At::Key(&At::Root, "parameters");
        let params = c.object(field(obj, "parameters").unwrap_or(&Json::Null), &params_at)?;
        for (name, spec) in params {
            let path = At::Key(&params_at, name);
            let spec = c.object(spec, &path)?;
            let kind = match field(spec, "type")
                .and_then(Json::as_str)
                .map(str::to_ascii_lowercase)
            {
                Some(t) if t == "string" => ParamType::String,
                Some(t) if t == "boolean" => ParamType::Boolean,
                Some(t) if t == "stringarray" => ParamType::StringArray,
                other => {
                    return Err(c.err(
                        &path,
                        &format!(
                        "unknown parameter type {other:?}: must be string, boolean or stringArray"
                    ),
                    ))
                }
            };
            let default = match field(spec, "default") {
                None | Some(Json::Null) => None,
                Some(d) => {
                    let val = d.to_val().filter(|v| kind.accepts(v)).ok_or_else(|| {
                        c.err(
                            &At::Key(&path, "default"),
                            &format!("must be {}", kind.name()),
                        )
                    })?;
                    Some(val)
                }
            };
            c.params.push(ParamDef {
                name: name.to_string(),
                kind,
                built_in: field(spec, "builtIn")
                    .and_then(Json::as_str)
                    .map(str::to_string),
                default,
                required: field(spec, "required")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
                referenced: false,
            });
            c.scope.push(name.to_string());
        }
        c.max = c.scope.len();
        let rules = c.rules(
            field(obj, "rules").unwrap_or(&Json::Null),
            &At::Key(&At::Root, "rules"),
        )?;
        let referenced = referenced_slots(&rules, c.params.len());
        let mut params = c.params;
        for (i, p) in params.iter_mut().enumerate() {
            p.referenced = referenced[i];
        }
        Ok(RuleSet {
            origin: origin.to_string(),
            params,
            rules,
            slots: c.max,
        })
    }

    /// The declared parameters, in file order.
    pub fn params(&self) -> &[ParamDef] {
        &self.params
    }

    /// Where the rule set came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The index of parameter `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// Where a node sits in the file, rendered (`rules[2].conditions[0].fn`) only for an
/// error, so compiling allocates no path strings.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn render(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Key(parent, k) => {
                let p = parent.render();
                if p.is_empty() {
                    k.to_string()
                } else {
                    format!("{p}.{k}")
                }
            }
            At::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

struct Compiler<'a> {
    origin: &'a str,
    /// Names visible here; a name's slot is its position.
    scope: Vec<String>,
    max: usize,
    params: Vec<ParamDef>,
}

impl Compiler<'_> {
    fn err(&self, path: &At<'_>, message: &str) -> LoadError {
        let path = path.render();
        LoadError {
            origin: self.origin.to_string(),
            path: if path.is_empty() { "$".into() } else { path },
            message: message.to_string(),
        }
    }

    fn object<'v, 'j>(&self, v: &'v Json<'j>, path: &At<'_>) -> Result<&'v Members<'j>, LoadError> {
        match v {
            Json::Obj(m) => Ok(m),
            _ => Err(self.err(path, "expected an object")),
        }
    }

    fn array<'v, 'j>(&self, v: &'v Json<'j>, path: &At<'_>) -> Result<&'v [Json<'j>], LoadError> {
        match v {
            Json::Arr(a) => Ok(a.as_slice()),
            _ => Err(self.err(path, "expected an array")),
        }
    }

    fn slot(&self, name: &str, path: &At<'_>) -> Result<usize, LoadError> {
        self.scope.iter().rposition(|n| n == name).ok_or_else(|| {
            self.err(
                path,
                &format!("`{name}` is neither a parameter nor assigned before this point"),
            )
        })
    }

    fn rules(&mut self, v: &Json<'_>, path: &At<'_>) -> Result<Vec<Rule>, LoadError> {
        let list = self.array(v, path)?;
        let mut out = Vec::with_capacity(list.len());
        for (i, r) in list.iter().enumerate() {
            out.push(self.rule(r, &At::Index(path, i))?);
        }
        Ok(out)
    }

    fn rule(&mut self, v: &Json<'_>, path: &At<'_>) -> Result<Rule, LoadError> {
        let obj = self.object(v, path)?;
        let depth = self.scope.len();
        let mut conditions = Vec::new();
        let conds = field(obj, "conditions").unwrap_or(&Json::Null);
        for (i, cv) in self
            .array(conds, &At::Key(path, "conditions"))?
            .iter()
            .enumerate()
        {
            let conds_at = At::Key(path, "conditions");
            let cpath = At::Index(&conds_at, i);
            let call = self.call(cv, &cpath)?;
            let assign = match cv.get("assign") {
                None => None,
                Some(Json::Str(name)) => {
                    if self.scope.iter().any(|n| n == name) {
                        return Err(self.err(
                            &At::Key(&cpath, "assign"),
                            &format!(
                                "`{name}` is already defined here and cannot be assigned again"
                            ),
                        ));
                    }
                    self.scope.push(name.to_string());
                    self.max = self.max.max(self.scope.len());
                    Some(self.scope.len() - 1)
                }
                Some(_) => return Err(self.err(&At::Key(&cpath, "assign"), "expected a name")),
            };
            conditions.push(Condition { call, assign });
        }
        let kind = match field(obj, "type").and_then(Json::as_str) {
            Some("endpoint") => {
                let e = field(obj, "endpoint").unwrap_or(&Json::Null);
                RuleKind::Endpoint(self.endpoint(e, &At::Key(path, "endpoint"))?)
            }
            Some("error") => {
                let e = field(obj, "error")
                    .ok_or_else(|| self.err(path, "an error rule needs `error`"))?;
                RuleKind::Error(self.expr(e, &At::Key(path, "error"))?)
            }
            Some("tree") => RuleKind::Tree(self.rules(
                field(obj, "rules").unwrap_or(&Json::Null),
                &At::Key(path, "rules"),
            )?),
            other => {
                return Err(self.err(
                    &At::Key(path, "type"),
                    &format!("unknown rule type {other:?}: must be tree, endpoint or error"),
                ))
            }
        };
        self.scope.truncate(depth);
        Ok(Rule { conditions, kind })
    }

    fn endpoint(&mut self, v: &Json<'_>, path: &At<'_>) -> Result<EndpointTemplate, LoadError> {
        let obj = self.object(v, path)?;
        let url = self.expr(
            field(obj, "url").ok_or_else(|| self.err(path, "an endpoint needs `url`"))?,
            &At::Key(path, "url"),
        )?;
        let mut properties = Vec::new();
        if let Some(p) = field(obj, "properties") {
            let props_at = At::Key(path, "properties");
            for (k, pv) in self.object(p, &props_at)? {
                properties.push((k.to_string(), self.prop(pv, &At::Key(&props_at, k))?));
            }
        }
        let mut headers = Vec::new();
        if let Some(h) = field(obj, "headers") {
            let headers_at = At::Key(path, "headers");
            for (name, values) in self.object(h, &headers_at)? {
                let hpath = At::Key(&headers_at, name);
                let mut exprs = Vec::new();
                for (i, x) in self.array(values, &hpath)?.iter().enumerate() {
                    exprs.push(self.expr(x, &At::Index(&hpath, i))?);
                }
                headers.push((name.to_string(), exprs));
            }
        }
        Ok(EndpointTemplate {
            url,
            properties,
            headers,
        })
    }

    fn prop(&self, v: &Json<'_>, path: &At<'_>) -> Result<Prop, LoadError> {
        Ok(match v {
            Json::Str(s) => match self.template(s, path)? {
                Some(t) => Prop::Template(t),
                None => Prop::Json(v.to_value()),
            },
            Json::Arr(a) => Prop::Array(
                a.iter()
                    .enumerate()
                    .map(|(i, x)| self.prop(x, &At::Index(path, i)))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Obj(o) => Prop::Object(
                o.iter()
                    .map(|(k, x)| Ok((k.to_string(), self.prop(x, &At::Key(path, k))?)))
                    .collect::<Result<_, LoadError>>()?,
            ),
            other => Prop::Json(other.to_value()),
        })
    }

    fn expr(&self, v: &Json<'_>, path: &At<'_>) -> Result<Expr, LoadError> {
        match v {
            Json::Obj(o) if field(o, "fn").is_some() => {
                Ok(Expr::Call(Box::new(self.call(v, path)?)))
            }
            Json::Obj(o) if field(o, "ref").is_some() => match field(o, "ref") {
                Some(Json::Str(name)) => Ok(Expr::Ref(self.slot(name, &At::Key(path, "ref"))?)),
                _ => Err(self.err(&At::Key(path, "ref"), "expected a name")),
            },
            Json::Str(s) => Ok(match self.template(s, path)? {
                Some(t) => Expr::Template(t),
                None => Expr::Lit(Val::str(s)),
            }),
            other => other.to_val().map(Expr::Lit).ok_or_else(|| {
                self.err(
                    path,
                    "expected a string, boolean, integer, array, `fn` or `ref`",
                )
            }),
        }
    }

    fn call(&self, v: &Json<'_>, path: &At<'_>) -> Result<Call, LoadError> {
        let obj = self.object(v, path)?;
        let name = field(obj, "fn")
            .and_then(Json::as_str)
            .ok_or_else(|| self.err(path, "expected a function call (`fn`)"))?;
        let argv = self.array(
            field(obj, "argv").unwrap_or(&Json::Null),
            &At::Key(path, "argv"),
        )?;
        let fpath = At::Key(path, "fn");
        let func = Func::from_name(name).ok_or_else(|| {
            self.err(
                &fpath,
                &format!(
                    "unknown function `{name}` (known: {})",
                    Func::NAMES.join(", ")
                ),
            )
        })?;
        let mut args = Vec::with_capacity(argv.len());
        for (i, a) in argv.iter().enumerate() {
            args.push(self.expr(a, &At::Index(&At::Key(path, "argv"), i))?);
        }
        let func = func
            .check(args.len(), &mut args)
            .map_err(|m| self.err(&fpath, &m))?;
        Ok(Call { func, args })
    }

    /// A string with `{name}` or `{name#field}` references as a template; `None` when it
    /// has none (then it is literal text, `{{` and all).
    fn template(&self, s: &str, path: &At<'_>) -> Result<Option<Template>, LoadError> {
        if !has_reference(s) {
            return Ok(None);
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(['{', '}']) {
            lit.push_str(&rest[..i]);
            let (c, after) = (rest.as_bytes()[i], &rest[i + 1..]);
            if after.as_bytes().first() == Some(&c) {
                lit.push(c as char);
                rest = &after[1..];
                continue;
            }
            if c == b'}' {
                return Err(self.err(
                    path,
                    "a single `}` in a template (write `}}` for the character)",
                ));
            }
            let end = after
                .find('}')
                .ok_or_else(|| self.err(path, "a `{` in a template is not closed"))?;
            let mut names = after[..end].split('#');
            let var = names.next().unwrap_or("");
            let slot = self.slot(var, path)?;
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            parts.push(Part::Var(slot, names.map(Arc::from).collect()));
            rest = &after[end + 1..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Some(Template { parts }))
    }
}

/// True when `s` holds `{name}` or `{name#field}` (letters and `#` only), which is what
/// makes a string a template.
fn has_reference(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'{') {
        let start = i + off + 1;
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic() || **c == b'#')
            .count();
        if len > 0 && b.get(start + len) == Some(&b'}') {
            return true;
        }
        i = start;
    }
    false
}

/// Which of the first `n` slots (the parameters) any rule reads.
fn referenced_slots(rules: &[Rule], n: usize) -> Vec<bool> {
    fn expr(e: &Expr, seen: &mut [bool]) {
        match e {
            Expr::Ref(s) => mark(*s, seen),
            Expr::Template(t) => template(t, seen),
            Expr::Call(c) => c.args.iter().for_each(|a| expr(a, seen)),
            Expr::Lit(_) => {}
        }
    }
    fn mark(s: usize, seen: &mut [bool]) {
        if let Some(x) = seen.get_mut(s) {
            *x = true;
        }
    }
    fn template(t: &Template, seen: &mut [bool]) {
        for p in &t.parts {
            if let Part::Var(s, _) = p {
                mark(*s, seen);
            }
        }
    }
    fn prop(p: &Prop, seen: &mut [bool]) {
        match p {
            Prop::Template(t) => template(t, seen),
            Prop::Array(a) => a.iter().for_each(|x| prop(x, seen)),
            Prop::Object(o) => o.iter().for_each(|(_, x)| prop(x, seen)),
            Prop::Json(_) => {}
        }
    }
    fn walk(rules: &[Rule], seen: &mut [bool]) {
        for r in rules {
            for c in &r.conditions {
                c.call.args.iter().for_each(|a| expr(a, seen));
            }
            match &r.kind {
                RuleKind::Endpoint(e) => {
                    expr(&e.url, seen);
                    e.properties.iter().for_each(|(_, p)| prop(p, seen));
                    e.headers
                        .iter()
                        .for_each(|(_, v)| v.iter().for_each(|x| expr(x, seen)));
                }
                RuleKind::Error(e) => expr(e, seen),
                RuleKind::Tree(t) => walk(t, seen),
            }
        }
    }
    let mut seen = vec![false; n];
    walk(rules, &mut seen);
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(v: Value) -> Result<RuleSet, LoadError> {
        RuleSet::from_json(&v, "test.json")
    }

    #[test]
    fn templates_are_found_as_botocore_finds_them() {
        assert!(has_reference("https://{Region}.x"));
        assert!(has_reference("{a#b}"));
        assert!(!has_reference("{}"));
        assert!(!has_reference("{{}}"));
        assert!(!has_reference("{a-b}"));
    }

    #[test]
    fn load_errors_name_the_path() {
        let e = load(json!({"version": "1.0", "parameters": {},
            "rules": [{"type": "tree", "conditions": [], "rules": [
                {"type": "endpoint", "conditions": [{"fn": "nope", "argv": []}], "endpoint": {"url": "x"}}]}]}))
        .unwrap_err();
        assert_eq!(e.path, "rules[0].rules[0].conditions[0].fn");
        assert!(e.message.contains("unknown function `nope`"), "{e}");
        let e = load(json!({"version": "1.0", "parameters": {},
            "rules": [{"type": "error", "conditions": [], "error": "{Missing}"}]}))
        .unwrap_err();
        assert_eq!(e.path, "rules[0].error");
        let e = load(json!({"version": "1.0", "parameters": {"R": {"type": "int"}}, "rules": []}))
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("test.json: parameters.R: unknown parameter type"),
            "{e}"
        );
        let e = load(json!({"version": "1.0", "parameters": {}, "rules": [{"type": "magic", "conditions": []}]})).unwrap_err();
        assert_eq!(e.path, "rules[0].type");
        let e = RuleSet::from_slice(b"{\"version\": ", "bad.json").unwrap_err();
        assert!(e.path.starts_with("line 1"), "{e}");
    }

    #[test]
    fn unreferenced_parameters_are_marked() {
        let rs = load(json!({"version": "1.0",
            "parameters": {"A": {"type": "string"}, "B": {"type": "string"}},
            "rules": [{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://{A}"}}]}))
        .unwrap();
        assert!(rs.params()[0].referenced);
        assert!(!rs.params()[1].referenced);
    }
}
