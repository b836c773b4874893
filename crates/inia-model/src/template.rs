//! `{name}` templates, the one scanner for them: a model's `requestUri` (`/{Bucket}/{Key+}`)
//! and `hostPrefix` (`{AccountId}.`), and a provider file's endpoint templates
//! (`https://{account}.blob.{region}`). Text outside braces is literal; `{` opens a name
//! that the next `}` closes.
//!
//! Owns splitting a template into text and names. Does not own what a name stands for or
//! how its value is encoded (the callers), or the endpoint rule sets' templates, whose
//! grammar differs (`{{` escapes, `#` paths: `inia-endpoint`).

use std::fmt;

/// One piece of a template, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A `{name}`, without its braces.
    Name(&'a str),
}

/// A template that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// A `{` with no `}` after it (or with another `{` first).
    Unclosed,
    /// A `}` with no `{` before it.
    Unopened,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TemplateError::Unclosed => "unmatched '{'",
            TemplateError::Unopened => "unmatched '}'",
        })
    }
}

/// The pieces of `template`, or why it cannot be read.
pub fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    Pieces { rest: template }.collect()
}

/// The pieces of a template one by one, without collecting them (the per-call path).
struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Result<Piece<'a>, TemplateError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest;
        if rest.is_empty() {
            return None;
        }
        let Some(at) = rest.find(['{', '}']) else {
            self.rest = "";
            return Some(Ok(Piece::Text(rest)));
        };
        if at > 0 {
            self.rest = &rest[at..];
            return Some(Ok(Piece::Text(&rest[..at])));
        }
        // Once an error is given, the iteration ends.
        self.rest = "";
        if rest.as_bytes()[0] == b'}' {
            return Some(Err(TemplateError::Unopened));
        }
        let after = &rest[1..];
        let Some(close) = after
            .find(['{', '}'])
            .filter(|i| after.as_bytes()[*i] == b'}')
        else {
            return Some(Err(TemplateError::Unclosed));
        };
        self.rest = &after[close + 1..];
        Some(Ok(Piece::Name(&after[..close])))
    }
}

/// `template` with each `{name}` replaced by what `value` appends for it (so a caller can
/// encode as it writes); `value`'s error, or the template's, stops the fill.
pub fn fill<E>(
    template: &str,
    mut value: impl FnMut(&str, &mut String) -> Result<(), E>,
) -> Result<String, FillError<E>> {
    let mut out = String::with_capacity(template.len() + 16);
    for piece in (Pieces { rest: template }) {
        match piece.map_err(FillError::Template)? {
            Piece::Text(t) => out.push_str(t),
            Piece::Name(n) => value(n, &mut out).map_err(FillError::Value)?,
        }
    }
    Ok(out)
}

/// Why [`fill`] stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FillError<E> {
    /// The template cannot be read.
    Template(TemplateError),
    /// The caller's value function refused a name.
    Value(E),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_in_order() {
        assert_eq!(
            pieces("/{Bucket}/{Key+}?x").unwrap(),
            [
                Piece::Text("/"),
                Piece::Name("Bucket"),
                Piece::Text("/"),
                Piece::Name("Key+"),
                Piece::Text("?x"),
            ]
        );
        assert_eq!(pieces("").unwrap(), []);
        assert_eq!(
            pieces("{a}{b}").unwrap(),
            [Piece::Name("a"), Piece::Name("b")]
        );
        assert_eq!(pieces("a{b"), Err(TemplateError::Unclosed));
        assert_eq!(pieces("a{b{c}"), Err(TemplateError::Unclosed));
        assert_eq!(pieces("a}b"), Err(TemplateError::Unopened));
    }

    #[test]
    fn fill_appends_values_and_stops_on_errors() {
        let f = fill("https://{a}.x/{b}", |n, out| {
            out.push_str(&n.to_uppercase());
            Ok::<_, ()>(())
        });
        assert_eq!(f.unwrap(), "https://A.x/B");
        let f = fill("{a}{missing}", |n, out| {
            if n == "a" {
                out.push('1');
                Ok(())
            } else {
                Err(n.to_string())
            }
        });
        assert_eq!(f, Err(FillError::Value("missing".to_string())));
        let f = fill("{a", |_, _| Ok::<_, ()>(()));
        assert_eq!(f, Err(FillError::Template(TemplateError::Unclosed)));
    }
}
