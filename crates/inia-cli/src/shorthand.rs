//! The AWS CLI's shorthand syntax, parsed without a shape: `Key=Name,Value=x`,
//! `Values=a,b` (a comma list runs until the next `key=`), explicit lists `[a,b]`, nested
//! structures `{Key=a}`, and quoted values `'a,b'` / `"a,b"`.
//!
//! Lists and structures nest at most [`MAX_DEPTH`] levels: deeper input is an error, not
//! a stack overflow.
//!
//! Owns the grammar. Does not own what a parsed value means for a shape (see `values`).

use indexmap::IndexMap;

/// A parsed shorthand value.
#[derive(Debug, Clone, PartialEq)]
pub enum Sh {
    Str(String),
    List(Vec<Sh>),
    Map(IndexMap<String, Sh>),
}

/// How deep lists and structures may nest (no AWS model nests nearly this deep).
pub const MAX_DEPTH: usize = 64;

/// Parse `key=value,...` text.
pub fn parse(text: &str) -> Result<IndexMap<String, Sh>, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
        depth: 0,
    };
    let map = p.keyvals(None)?;
    p.ws();
    if p.pos < p.chars.len() {
        return Err(p.expected("',' or end of input"));
    }
    Ok(map)
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Lists and structures open at the cursor.
    depth: usize,
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '#' | '/' | ':' | '@' | '*' | '$')
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn expected(&self, what: &str) -> String {
        let got = self
            .peek()
            .map_or_else(|| "EOF".to_string(), |c| format!("'{c}'"));
        format!(
            "Expected: {what}, received: {got} (at character {})",
            self.pos
        )
    }

    /// `keyval *("," keyval)`, ending at `close` (if nested) or the end.
    fn keyvals(&mut self, close: Option<char>) -> Result<IndexMap<String, Sh>, String> {
        let mut map = IndexMap::new();
        loop {
            self.ws();
            if close.is_some() && self.peek() == close {
                return Ok(map);
            }
            let key = self.key()?;
            self.ws();
            if self.peek() != Some('=') {
                return Err(self.expected("'='"));
            }
            self.pos += 1;
            let value = self.values()?;
            map.insert(key, value);
            self.ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                c if c == close || c.is_none() => return Ok(map),
                _ => return Err(self.expected("','")),
            }
        }
    }

    fn key(&mut self) -> Result<String, String> {
        let start = self.pos;
        while self.peek().is_some_and(is_key_char) {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.expected("a key"));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    /// True when the text at the cursor is `key=`.
    fn at_keyval(&self) -> bool {
        let mut i = self.pos;
        while self.chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        let start = i;
        while self.chars.get(i).copied().is_some_and(is_key_char) {
            i += 1;
        }
        while self.chars.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        i > start && self.chars.get(i) == Some(&'=')
    }

    /// What follows `key=`: an explicit list, a structure, or a comma list.
    fn values(&mut self) -> Result<Sh, String> {
        self.ws();
        match self.peek() {
            Some('[') => self.list(),
            Some('{') => self.hash(),
            _ => {
                let first = self.value()?;
                let mut items = vec![first];
                while self.peek() == Some(',') {
                    let save = self.pos;
                    self.pos += 1;
                    if self.at_keyval() {
                        self.pos = save;
                        break;
                    }
                    items.push(self.value()?);
                }
                Ok(if items.len() == 1 {
                    items.pop().unwrap_or(Sh::Str(String::new()))
                } else {
                    Sh::List(items)
                })
            }
        }
    }

    /// One more level of nesting, refused past [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "shorthand nested deeper than {MAX_DEPTH} levels (at character {})",
                self.pos
            ));
        }
        Ok(())
    }

    fn list(&mut self) -> Result<Sh, String> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            if self.peek() == Some(']') {
                self.pos += 1;
                self.depth -= 1;
                return Ok(Sh::List(items));
            }
            let item = match self.peek() {
                Some('[') => self.list()?,
                Some('{') => self.hash()?,
                _ => self.value()?,
            };
            items.push(item);
            self.ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(']') => {}
                _ => return Err(self.expected("',' or ']'")),
            }
        }
    }

    fn hash(&mut self) -> Result<Sh, String> {
        self.enter()?;
        self.pos += 1;
        let map = self.keyvals(Some('}'))?;
        if self.peek() != Some('}') {
            return Err(self.expected("'}'"));
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(Sh::Map(map))
    }

    /// One scalar: quoted, or plain text up to `,`, `]` or `}`.
    fn value(&mut self) -> Result<Sh, String> {
        self.ws();
        if let Some(q @ ('\'' | '"')) = self.peek() {
            self.pos += 1;
            let mut out = String::new();
            loop {
                match self.peek() {
                    None => return Err(self.expected(&format!("closing {q}"))),
                    Some('\\') if self.chars.get(self.pos + 1) == Some(&q) => {
                        out.push(q);
                        self.pos += 2;
                    }
                    Some(c) if c == q => {
                        self.pos += 1;
                        return Ok(Sh::Str(out));
                    }
                    Some(c) => {
                        out.push(c);
                        self.pos += 1;
                    }
                }
            }
        }
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| !matches!(c, ',' | ']' | '}' | '[' | '{'))
        {
            self.pos += 1;
        }
        if matches!(self.peek(), Some('[' | '{')) {
            return Err(self.expected("a value"));
        }
        let s: String = self.chars[start..self.pos].iter().collect();
        Ok(Sh::Str(s.trim().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Sh {
        Sh::Str(v.into())
    }

    #[test]
    fn comma_lists_run_to_the_next_key() {
        let m = parse("Name=instance-state-name,Values=running,stopped").unwrap();
        assert_eq!(m["Name"], s("instance-state-name"));
        assert_eq!(m["Values"], Sh::List(vec![s("running"), s("stopped")]));
        let m = parse("Values=a,b,Name=x").unwrap();
        assert_eq!(m["Values"], Sh::List(vec![s("a"), s("b")]));
        assert_eq!(m["Name"], s("x"));
    }

    #[test]
    fn nested_quoted_and_explicit() {
        let m = parse("Tags=[{Key=a,Value='x,y'},{Key=b,Value=\"z\"}],Empty=,L=[]").unwrap();
        let Sh::List(tags) = &m["Tags"] else {
            panic!("{m:?}")
        };
        let Sh::Map(t0) = &tags[0] else {
            panic!("{tags:?}")
        };
        assert_eq!(t0["Value"], s("x,y"));
        assert_eq!(m["Empty"], s(""));
        assert_eq!(m["L"], Sh::List(vec![]));
        assert_eq!(parse("Value=a=b").unwrap()["Value"], s("a=b"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("TagSet={}", "[".repeat(40_000));
        let e = parse(&deep).unwrap_err();
        assert_eq!(
            e,
            "shorthand nested deeper than 64 levels (at character 71)"
        );
        let e = parse(&format!("A={}", "{B=".repeat(40_000))).unwrap_err();
        assert!(
            e.starts_with("shorthand nested deeper than 64 levels"),
            "{e}"
        );
        let ok = format!("A={}x{}", "[".repeat(64), "]".repeat(64));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn errors_say_what_was_expected() {
        assert!(parse("Key").unwrap_err().contains("Expected: '='"));
        assert!(parse("Key={A=b").is_err());
        assert!(parse("=x").is_err());
    }
}
