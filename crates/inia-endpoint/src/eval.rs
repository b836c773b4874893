//! Evaluating a compiled rule set for one set of parameter values: rules in order, the
//! first whose conditions all hold (a condition holds unless it gives `false` or no
//! value) decides; a tree rule tries its rules in order; an endpoint rule gives the
//! endpoint with its templates filled; an error rule gives its message.
//!
//! Owns the walk and template filling. Assignments live in slots fixed at load, so a
//! sibling rule never sees another's assignments and nothing is copied between rules.

use crate::aws::Partitions;
use crate::functions;
use crate::ruleset::{EndpointTemplate, Expr, Prop, Rule, RuleKind, RuleSet, Template};
use crate::value::Val;
use crate::{Endpoint, ResolveError};
use serde_json::Value;

pub(crate) struct Eval<'a> {
    scope: Vec<Option<Val>>,
    partitions: &'a Partitions,
}

enum Outcome {
    Endpoint(Endpoint),
    Error(String),
}

impl<'a> Eval<'a> {
    pub(crate) fn partitions(&self) -> &'a Partitions {
        self.partitions
    }

    pub(crate) fn expr(&mut self, e: &Expr) -> Result<Option<Val>, String> {
        Ok(match e {
            Expr::Lit(v) => Some(v.clone()),
            Expr::Ref(slot) => self.scope.get(*slot).cloned().flatten(),
            Expr::Template(t) => Some(Val::from(self.template(t)?)),
            Expr::Call(c) => functions::call(&c.func, &c.args, self)?,
        })
    }

    fn template(&self, t: &Template) -> Result<String, String> {
        let mut out = String::new();
        for part in &t.parts {
            match part {
                crate::ruleset::Part::Lit(s) => out.push_str(s),
                crate::ruleset::Part::Var(slot, fields) => {
                    let mut v = self.scope.get(*slot).and_then(Option::as_ref);
                    for f in fields {
                        v = v.and_then(|x| x.field(f));
                    }
                    match v {
                        Some(v) => v.push_text(&mut out),
                        None => return Err("a template refers to a value that is not set".into()),
                    }
                }
            }
        }
        Ok(out)
    }

    fn rules(&mut self, rules: &[Rule]) -> Result<Option<Outcome>, String> {
        'rules: for rule in rules {
            for c in &rule.conditions {
                let v = functions::call(&c.call.func, &c.call.args, self)?;
                let holds = !matches!(v, None | Some(Val::Bool(false)));
                if let Some(slot) = c.assign {
                    self.scope[slot] = v;
                }
                if !holds {
                    continue 'rules;
                }
            }
            match &rule.kind {
                RuleKind::Endpoint(e) => {
                    return self.endpoint(e).map(|e| Some(Outcome::Endpoint(e)))
                }
                RuleKind::Error(e) => {
                    let message = match self.expr(e)? {
                        Some(Val::Str(s)) => s.to_string(),
                        Some(other) => other.to_json().to_string(),
                        None => String::new(),
                    };
                    return Ok(Some(Outcome::Error(message)));
                }
                RuleKind::Tree(t) => {
                    if let Some(found) = self.rules(t)? {
                        return Ok(Some(found));
                    }
                }
            }
        }
        Ok(None)
    }

    fn endpoint(&mut self, e: &EndpointTemplate) -> Result<Endpoint, String> {
        let url = match self.expr(&e.url)? {
            Some(Val::Str(s)) => s.to_string(),
            _ => return Err("the endpoint's url is not a string".into()),
        };
        let mut headers = Vec::with_capacity(e.headers.len());
        for (name, values) in &e.headers {
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                match self.expr(v)? {
                    Some(Val::Str(s)) => out.push(s.to_string()),
                    Some(other) => out.push(other.to_json().to_string()),
                    None => return Err(format!("header {name}: a value is not set")),
                }
            }
            headers.push((name.clone(), out));
        }
        let mut properties = serde_json::Map::new();
        for (k, p) in &e.properties {
            properties.insert(k.clone(), self.prop(p)?);
        }
        Ok(Endpoint {
            url,
            headers,
            properties,
        })
    }

    fn prop(&self, p: &Prop) -> Result<Value, String> {
        Ok(match p {
            Prop::Json(v) => v.clone(),
            Prop::Template(t) => Value::String(self.template(t)?),
            Prop::Array(a) => {
                Value::Array(a.iter().map(|x| self.prop(x)).collect::<Result<_, _>>()?)
            }
            Prop::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, x)| Ok((k.clone(), self.prop(x)?)))
                    .collect::<Result<_, String>>()?,
            ),
        })
    }
}

/// Evaluate `rules` with parameter values `params` (in declared order, defaults already
/// applied).
pub(crate) fn evaluate(
    rules: &RuleSet,
    partitions: &Partitions,
    params: &[Option<Val>],
) -> Result<Endpoint, ResolveError> {
    let mut scope = Vec::with_capacity(rules.slots);
    scope.extend_from_slice(params);
    scope.resize(rules.slots, None);
    let mut ev = Eval { scope, partitions };
    match ev.rules(&rules.rules) {
        Ok(Some(Outcome::Endpoint(e))) => Ok(e),
        Ok(Some(Outcome::Error(message))) => Err(ResolveError::Rule(message)),
        Ok(None) => Err(ResolveError::NoMatch {
            params: rules
                .params
                .iter()
                .zip(params)
                .filter_map(|(d, v)| Some(format!("{}: {}", d.name, v.as_ref()?.to_json())))
                .collect::<Vec<_>>()
                .join(", "),
        }),
        Err(message) => Err(ResolveError::Function(message)),
    }
}
