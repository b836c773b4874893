//! The rules language's standard library: `isSet`, `not`, `booleanEquals`,
//! `stringEquals`, `getAttr`, `substring`, `uriEncode`, `parseURL`, `isValidHostLabel`,
//! `coalesce`, `split`, `ite`, and the AWS functions `aws.partition`, `aws.parseArn` and
//! `aws.isVirtualHostableS3Bucket` (see `aws`).
//!
//! Owns each function's meaning as the Smithy rules-engine specification and botocore
//! give it, and its arity check at load. Arguments are evaluated by the caller on demand,
//! so `ite` and `coalesce` evaluate only what they use.

use crate::eval::Eval;
use crate::ruleset::Expr;
use crate::value::Val;
use std::sync::Arc;

/// One step of a `getAttr` path: `name` or `[index]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Field(Arc<str>),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Func {
    IsSet,
    Not,
    BooleanEquals,
    StringEquals,
    /// With its path compiled (the path argument is removed from the call).
    GetAttr(Vec<Step>),
    Substring,
    UriEncode,
    ParseUrl,
    IsValidHostLabel,
    Coalesce,
    Split,
    Ite,
    Partition,
    ParseArn,
    IsVirtualHostableS3Bucket,
}

impl Func {
    pub(crate) const NAMES: &'static [&'static str] = &[
        "isSet",
        "not",
        "booleanEquals",
        "stringEquals",
        "getAttr",
        "substring",
        "uriEncode",
        "parseURL",
        "isValidHostLabel",
        "coalesce",
        "split",
        "ite",
        "aws.partition",
        "aws.parseArn",
        "aws.isVirtualHostableS3Bucket",
    ];

    pub(crate) fn from_name(name: &str) -> Option<Func> {
        Some(match name {
            "isSet" => Func::IsSet,
            "not" => Func::Not,
            "booleanEquals" => Func::BooleanEquals,
            "stringEquals" => Func::StringEquals,
            "getAttr" => Func::GetAttr(Vec::new()),
            "substring" => Func::Substring,
            "uriEncode" => Func::UriEncode,
            "parseURL" => Func::ParseUrl,
            "isValidHostLabel" => Func::IsValidHostLabel,
            "coalesce" => Func::Coalesce,
            "split" => Func::Split,
            "ite" => Func::Ite,
            "aws.partition" => Func::Partition,
            "aws.parseArn" => Func::ParseArn,
            "aws.isVirtualHostableS3Bucket" => Func::IsVirtualHostableS3Bucket,
            _ => return None,
        })
    }

    /// Check the argument count; compile `getAttr`'s path.
    pub(crate) fn check(self, n: usize, args: &mut Vec<Expr>) -> Result<Func, String> {
        let want = match self {
            Func::IsSet | Func::Not | Func::UriEncode | Func::ParseUrl => 1,
            Func::Partition | Func::ParseArn => 1,
            Func::BooleanEquals | Func::StringEquals | Func::GetAttr(_) => 2,
            Func::IsValidHostLabel | Func::IsVirtualHostableS3Bucket => 2,
            Func::Split | Func::Ite => 3,
            Func::Substring => 4,
            Func::Coalesce => {
                if n == 0 {
                    return Err("coalesce needs at least one argument".into());
                }
                n
            }
        };
        if n != want {
            return Err(format!("takes {want} argument(s), {n} given"));
        }
        if let Func::GetAttr(_) = self {
            let Some(Expr::Lit(Val::Str(path))) = args.pop() else {
                return Err("getAttr's second argument must be a literal path".into());
            };
            return parse_path(&path).map(Func::GetAttr);
        }
        Ok(self)
    }
}

/// `a.b[2]`, `[0]`, `resourceId[1]`.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            steps.push(Step::Field(Arc::from(name)));
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r
                .find(']')
                .ok_or_else(|| format!("getAttr path {path:?}: `[` not closed"))?;
            let index = r[..end].parse().map_err(|_| {
                format!(
                    "getAttr path {path:?}: index {:?} is not a number",
                    &r[..end]
                )
            })?;
            steps.push(Step::Index(index));
            rest = &r[end + 1..];
        }
        if !rest.is_empty() || (name.is_empty() && steps.is_empty()) {
            return Err(format!("getAttr path {path:?} is malformed"));
        }
    }
    Ok(steps)
}

/// Follow a `getAttr` path; a missing field or index gives no value.
pub(crate) fn get_attr(v: &Val, steps: &[Step]) -> Option<Val> {
    let mut cur = v;
    for s in steps {
        cur = match (s, cur) {
            (Step::Field(f), v) => v.field(f)?,
            (Step::Index(i), Val::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(cur.clone())
}

fn want_str(f: &str, v: Option<Val>) -> Result<Arc<str>, String> {
    match v {
        Some(Val::Str(s)) => Ok(s),
        Some(other) => Err(format!("{f}: expected a string, got {}", other.kind())),
        None => Err(format!("{f}: expected a string, got no value")),
    }
}

fn want_bool(f: &str, v: Option<Val>) -> Result<bool, String> {
    match v {
        Some(Val::Bool(b)) => Ok(b),
        Some(other) => Err(format!("{f}: expected a boolean, got {}", other.kind())),
        None => Err(format!("{f}: expected a boolean, got no value")),
    }
}

fn want_int(f: &str, v: Option<Val>) -> Result<i64, String> {
    match v {
        Some(Val::Int(i)) => Ok(i),
        _ => Err(format!("{f}: expected an integer")),
    }
}

/// Characters `uriEncode` keeps: letters, digits and `-_.~`.
const URI_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Call `func`; `args` are evaluated through `ev` as each function needs them.
pub(crate) fn call(func: &Func, args: &[Expr], ev: &mut Eval<'_>) -> Result<Option<Val>, String> {
    let arg = |i: usize, ev: &mut Eval<'_>| -> Result<Option<Val>, String> {
        match args.get(i) {
            Some(e) => ev.expr(e),
            None => Ok(None),
        }
    };
    Ok(match func {
        Func::IsSet => Some(Val::Bool(arg(0, ev)?.is_some())),
        Func::Not => Some(Val::Bool(match arg(0, ev)? {
            None | Some(Val::Bool(false)) => true,
            Some(Val::Bool(true)) => false,
            Some(Val::Str(s)) => s.is_empty(),
            Some(Val::Array(a)) => a.is_empty(),
            Some(Val::Int(i)) => i == 0,
            Some(Val::Record(r)) => r.is_empty(),
        })),
        Func::BooleanEquals => {
            let a = want_bool("booleanEquals", arg(0, ev)?)?;
            let b = want_bool("booleanEquals", arg(1, ev)?)?;
            Some(Val::Bool(a == b))
        }
        Func::StringEquals => {
            let a = want_str("stringEquals", arg(0, ev)?)?;
            let b = want_str("stringEquals", arg(1, ev)?)?;
            Some(Val::Bool(a == b))
        }
        Func::GetAttr(steps) => arg(0, ev)?.and_then(|v| get_attr(&v, steps)),
        Func::Substring => {
            let s = want_str("substring", arg(0, ev)?)?;
            let start = want_int("substring", arg(1, ev)?)?;
            let stop = want_int("substring", arg(2, ev)?)?;
            let reverse = want_bool("substring", arg(3, ev)?)?;
            substring(&s, start, stop, reverse).map(Val::str)
        }
        Func::UriEncode => match arg(0, ev)? {
            None => None,
            Some(v) => {
                let s = want_str("uriEncode", Some(v))?;
                Some(Val::from(
                    percent_encoding::utf8_percent_encode(&s, URI_KEEP).to_string(),
                ))
            }
        },
        Func::ParseUrl => match arg(0, ev)? {
            Some(Val::Str(s)) => crate::url::parse(&s),
            _ => None,
        },
        Func::IsValidHostLabel => {
            let v = arg(0, ev)?;
            let sub = want_bool("isValidHostLabel", arg(1, ev)?)?;
            Some(Val::Bool(match v {
                Some(Val::Str(s)) => is_valid_host_label(&s, sub),
                _ => false,
            }))
        }
        Func::Coalesce => {
            let mut out = None;
            for i in 0..args.len() {
                if let Some(v) = arg(i, ev)? {
                    out = Some(v);
                    break;
                }
            }
            out
        }
        Func::Split => {
            let s = want_str("split", arg(0, ev)?)?;
            let delim = want_str("split", arg(1, ev)?)?;
            let limit = want_int("split", arg(2, ev)?)?;
            if delim.is_empty() {
                return Err("split: the delimiter must not be empty".into());
            }
            let parts: Vec<&str> = match usize::try_from(limit) {
                Ok(0) => s.split(&*delim).collect(),
                Ok(n) => s.splitn(n, &*delim).collect(),
                Err(_) => return Err(format!("split: limit {limit} is negative")),
            };
            Some(Val::strings(parts))
        }
        Func::Ite => {
            let cond = want_bool("ite", arg(0, ev)?)?;
            arg(if cond { 1 } else { 2 }, ev)?
        }
        Func::Partition => match arg(0, ev)? {
            Some(Val::Str(region)) => Some(ev.partitions().partition(&region)?),
            _ => None,
        },
        Func::ParseArn => match arg(0, ev)? {
            Some(Val::Str(s)) => crate::aws::parse_arn(&s),
            _ => None,
        },
        Func::IsVirtualHostableS3Bucket => {
            let v = arg(0, ev)?;
            let sub = want_bool("aws.isVirtualHostableS3Bucket", arg(1, ev)?)?;
            Some(Val::Bool(match v {
                Some(Val::Str(s)) => crate::aws::is_virtual_hostable_s3_bucket(&s, sub),
                _ => false,
            }))
        }
    })
}

/// `value[start..stop]` (from the end when `reverse`); no value when out of range or
/// when the string is not ASCII.
pub(crate) fn substring(s: &str, start: i64, stop: i64, reverse: bool) -> Option<&str> {
    let (start, stop) = (usize::try_from(start).ok()?, usize::try_from(stop).ok()?);
    if start >= stop || s.len() < stop || !s.is_ascii() {
        return None;
    }
    Some(if reverse {
        &s[s.len() - stop..s.len() - start]
    } else {
        &s[start..stop]
    })
}

/// RFC 1123 host label: 1 to 63 letters, digits and hyphens, not starting or ending with
/// a hyphen; with `subdomains`, each dot-separated label so.
pub(crate) fn is_valid_host_label(s: &str, subdomains: bool) -> bool {
    let label = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if subdomains {
        s.split('.').all(label)
    } else {
        label(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("resourceId[1]").unwrap(),
            vec![Step::Field("resourceId".into()), Step::Index(1)]
        );
        assert_eq!(parse_path("[0]").unwrap(), vec![Step::Index(0)]);
        assert_eq!(
            parse_path("a.b").unwrap(),
            vec![Step::Field("a".into()), Step::Field("b".into())]
        );
        assert!(parse_path("a[x]").is_err());
        assert!(parse_path("a[1").is_err());
    }

    #[test]
    fn substrings() {
        assert_eq!(substring("abcdef", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdef", 0, 4, true), Some("cdef"));
        assert_eq!(substring("abc", 0, 4, false), None);
        assert_eq!(substring("abé", 0, 2, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
    }

    #[test]
    fn host_labels() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(!is_valid_host_label("a.b", false));
        assert!(is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("-a", false));
        assert!(!is_valid_host_label("", false));
        assert!(!is_valid_host_label(&"a".repeat(64), false));
        assert!(!is_valid_host_label("bad region!", false));
    }
}
