//! Writing YAML as the AWS CLI writes its kubeconfig and packaged templates: PyYAML's
//! `safe_dump` with `default_flow_style=False` (block style, keys in their order, lists
//! under a key at the key's column, empty collections as `[]` and `{}`, no anchors).
//! Strings are plain when YAML 1.1 would read them back as the same string, else single
//! quoted, else (control or non-ASCII characters, a space before a line break) double
//! quoted with escapes; long plain and quoted strings are folded at spaces past column 80.
//! The rules are PyYAML's emitter's (its scalar analysis, style choice, indentation and
//! line folding), re-expressed here; the output is compared with PyYAML's in the tests.
//!
//! Owns turning a [`Node`] into YAML text. Does not own reading YAML (`yaml_load`).

use super::yaml_load::{implicit, Implicit, Node};

/// PyYAML's default line width.
const WIDTH: usize = 80;

/// The YAML document PyYAML's safe dumper writes for `node`.
pub fn dump(node: &Node) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        whitespace: true,
        indention: true,
    };
    e.node(node, None, false, false);
    e.write_indent(0);
    e.out
}

struct Emitter {
    out: String,
    column: usize,
    /// The last character written is whitespace (or nothing is written on the line).
    whitespace: bool,
    /// Only indentation is written on the current line so far.
    indention: bool,
}

/// What a string holds that limits how it can be written.
struct Analysis {
    empty: bool,
    multiline: bool,
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_space_or_break(c: char) -> bool {
    matches!(c, '\0' | ' ' | '\t' | '\r') || is_break(c)
}

fn analyze(s: &str) -> Analysis {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let (mut line_breaks, mut special) = (false, false);
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_ws = true;
    let n = chars.len();
    for (i, &ch) in chars.iter().enumerate() {
        let followed_by_ws = i + 1 >= n || is_space_or_break(chars[i + 1]);
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(ch) {
                block_indicators = true;
            }
            if (ch == '?' || ch == ':' || ch == '-') && followed_by_ws {
                block_indicators = true;
            }
        } else {
            if ch == ':' && followed_by_ws {
                block_indicators = true;
            }
            if ch == '#' && preceded_by_ws {
                block_indicators = true;
            }
        }
        if is_break(ch) {
            line_breaks = true;
        }
        if !(ch == '\n' || (' '..='~').contains(&ch)) {
            // Without allow_unicode every other character is special.
            special = true;
        }
        if ch == ' ' {
            leading_space |= i == 0;
            trailing_space |= i == n - 1;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            leading_break |= i == 0;
            trailing_break |= i == n - 1;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_space_or_break(ch);
    }
    let mut plain = !(leading_space || leading_break || trailing_space || trailing_break);
    let mut single = true;
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
    }
    if line_breaks || block_indicators {
        plain = false;
    }
    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_block_plain: plain,
        allow_single_quoted: single,
    }
}

#[derive(PartialEq)]
enum Style {
    Plain,
    Single,
    Double,
}

impl Emitter {
    fn write(&mut self, s: &str) {
        self.column += s.chars().count();
        self.out.push_str(s);
    }

    fn line_break(&mut self) {
        self.out.push('\n');
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
    }

    fn write_indent(&mut self, indent: usize) {
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.line_break();
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.write(&pad);
        }
    }

    fn indicator(&mut self, ind: &str, need_ws: bool, whitespace: bool, indention: bool) {
        if self.whitespace || !need_ws {
            self.write(ind);
        } else {
            self.write(&format!(" {ind}"));
        }
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    /// One node; `indent` is the enclosing collection's, `mapping` says it is a key or
    /// value of a mapping, `key` that it is a (simple) key.
    fn node(&mut self, node: &Node, indent: Option<usize>, mapping: bool, key: bool) {
        match node {
            Node::Seq(items) if items.is_empty() => {
                self.indicator("[", true, true, false);
                self.indicator("]", false, false, false);
            }
            Node::Map(pairs) if pairs.is_empty() => {
                self.indicator("{", true, true, false);
                self.indicator("}", false, false, false);
            }
            Node::Seq(items) => {
                let indentless = mapping && !self.indention;
                let inner = match indent {
                    None => 0,
                    Some(i) if indentless => i,
                    Some(i) => i + 2,
                };
                for item in items {
                    self.write_indent(inner);
                    self.indicator("-", true, false, true);
                    self.node(item, Some(inner), false, false);
                }
            }
            Node::Map(pairs) => {
                let inner = indent.map_or(0, |i| i + 2);
                for (k, v) in pairs {
                    self.write_indent(inner);
                    if simple_key(k) {
                        self.node(k, Some(inner), true, true);
                        self.indicator(":", false, false, false);
                    } else {
                        // A complex key: `? key` and `: value` on lines of their own.
                        self.indicator("?", true, false, true);
                        self.node(k, Some(inner), true, false);
                        self.write_indent(inner);
                        self.indicator(":", true, false, true);
                    }
                    self.node(v, Some(inner), true, false);
                }
            }
            scalar => {
                let inner = indent.map_or(2, |i| i + 2);
                let (text, style) = self.scalar_style(scalar, key);
                let split = !key;
                match style {
                    Style::Plain => self.plain(&text, split, inner),
                    Style::Single => self.single_quoted(&text, split, inner),
                    Style::Double => self.double_quoted(&text, split, inner),
                }
            }
        }
    }

    fn scalar_style(&self, node: &Node, key: bool) -> (String, Style) {
        let text = match node {
            Node::Null => "null".to_string(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) => i.to_string(),
            Node::Float(f) => py_float(*f),
            Node::Time(t) => t.clone(),
            Node::Str(s) => s.clone(),
            Node::Seq(_) | Node::Map(_) => node.to_json().to_string(),
        };
        let a = analyze(&text);
        // Other types are written as text YAML reads back as them.
        let implicit_ok = match node {
            Node::Str(_) | Node::Seq(_) | Node::Map(_) => implicit(&text) == Implicit::Str,
            _ => true,
        };
        let style = if !(key && (a.empty || a.multiline)) && implicit_ok && a.allow_block_plain {
            Style::Plain
        } else if a.allow_single_quoted && !(key && a.multiline) {
            Style::Single
        } else {
            Style::Double
        };
        (text, style)
    }

    fn plain(&mut self, text: &str, split: bool, indent: usize) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.write(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut start) = (false, 0);
        for end in 0..=chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > WIDTH && split {
                        self.write_indent(indent);
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        let s: String = chars[start..end].iter().collect();
                        self.write(&s);
                    }
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                let s: String = chars[start..end].iter().collect();
                self.write(&s);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
            }
        }
    }

    fn single_quoted(&mut self, text: &str, split: bool, indent: usize) {
        self.indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let (mut spaces, mut breaks, mut start) = (false, false, 0);
        let n = chars.len();
        for end in 0..=n {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column > WIDTH && split && start != 0 && end != n {
                        self.write_indent(indent);
                    } else {
                        let s: String = chars[start..end].iter().collect();
                        self.write(&s);
                    }
                    start = end;
                }
            } else if breaks {
                if ch.is_none_or(|c| !is_break(c)) {
                    if chars[start] == '\n' {
                        self.line_break();
                    }
                    for br in &chars[start..end] {
                        if *br == '\n' {
                            self.line_break();
                        } else {
                            self.out.push(*br);
                            self.whitespace = true;
                            self.indention = true;
                            self.column = 0;
                        }
                    }
                    self.write_indent(indent);
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c) || c == '\'') && start < end {
                let s: String = chars[start..end].iter().collect();
                self.write(&s);
                start = end;
            }
            if ch == Some('\'') {
                self.write("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
        }
        self.indicator("'", false, false, false);
    }

    fn double_quoted(&mut self, text: &str, split: bool, indent: usize) {
        self.indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        let mut start = 0;
        for end in 0..=n {
            let ch = chars.get(end).copied();
            let escape = match ch {
                None => true,
                Some(c) => {
                    matches!(
                        c,
                        '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'
                    ) || !(' '..='~').contains(&c)
                }
            };
            if escape {
                if start < end {
                    let s: String = chars[start..end].iter().collect();
                    self.write(&s);
                    start = end;
                }
                if let Some(c) = ch {
                    self.write(&escaped(c));
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < n
                && (ch == Some(' ') || start >= end)
                // Signed: just after an escape `start` is past `end`, as in PyYAML.
                && self.column as isize + end as isize - start as isize > WIDTH as isize
                && split
            {
                let mut s: String = chars[start.min(end)..end].iter().collect();
                s.push('\\');
                if start < end {
                    start = end;
                }
                self.write(&s);
                self.write_indent(indent);
                self.whitespace = false;
                self.indention = false;
                if chars.get(start) == Some(&' ') {
                    self.write("\\");
                }
            }
        }
        self.indicator("\"", false, false, false);
    }
}

/// Whether PyYAML writes `key` as a simple key (`key: value`): a scalar (or empty
/// collection) that is not empty, has no line break and is short, its tag counted.
fn simple_key(key: &Node) -> bool {
    let (text, tag) = match key {
        Node::Seq(items) => return items.is_empty(),
        Node::Map(pairs) => return pairs.is_empty(),
        Node::Null => ("null".to_string(), "!!null"),
        Node::Bool(b) => (b.to_string(), "!!bool"),
        Node::Int(i) => (i.to_string(), "!!int"),
        Node::Float(f) => (py_float(*f), "!!float"),
        Node::Time(t) => (t.clone(), "!!timestamp"),
        Node::Str(s) => (s.clone(), "!!str"),
    };
    let a = analyze(&text);
    tag.len() + text.chars().count() < 128 && !a.empty && !a.multiline
}

/// A character as a double-quoted escape.
fn escaped(c: char) -> String {
    let short = match c {
        '\0' => "0",
        '\u{7}' => "a",
        '\u{8}' => "b",
        '\t' => "t",
        '\n' => "n",
        '\u{b}' => "v",
        '\u{c}' => "f",
        '\r' => "r",
        '\u{1b}' => "e",
        '"' => "\"",
        '\\' => "\\",
        '\u{85}' => "N",
        '\u{a0}' => "_",
        '\u{2028}' => "L",
        '\u{2029}' => "P",
        _ => "",
    };
    if !short.is_empty() {
        return format!("\\{short}");
    }
    let code = u32::from(c);
    if code <= 0xff {
        format!("\\x{code:02X}")
    } else if code <= 0xffff {
        format!("\\u{code:04X}")
    } else {
        format!("\\U{code:08X}")
    }
}

/// A float as PyYAML writes it: Python's `repr`, lower case, `.0` before an exponent
/// that has no fraction, `.inf`/`.nan`.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let repr = if f == 0.0 || (-4..16).contains(&exp) {
        let fixed = format!("{f}");
        if fixed.contains('.') {
            fixed
        } else {
            format!("{fixed}.0")
        }
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    };
    if !repr.contains('.') && repr.contains('e') {
        repr.replacen('e', ".0e", 1)
    } else {
        repr
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(v: serde_json::Value) -> String {
        dump(&Node::from_json(&v))
    }

    #[test]
    fn block_layout() {
        assert_eq!(
            d(json!({"a": [1, {"b": "x", "c": []}], "d": {"e": {}}, "f": [[1, 2]]})),
            "a:\n- 1\n- b: x\n  c: []\nd:\n  e: {}\nf:\n- - 1\n  - 2\n"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(
            d(json!({"a": "", "b": "yes", "c": "010", "d": "2010-09-09", "e": "- x", "f": "a: b", "g": "it's", "h": "caf\u{e9}", "i": "a\nb"})),
            "a: ''\nb: 'yes'\nc: '010'\nd: '2010-09-09'\ne: '- x'\nf: 'a: b'\ng: it's\nh: \"caf\\xE9\"\ni: 'a\n\n  b'\n"
        );
        assert_eq!(py_float(1e16), "1.0e+16");
        assert_eq!(py_float(1.5e-5), "1.5e-05");
        assert_eq!(py_float(2.0), "2.0");
    }
}
