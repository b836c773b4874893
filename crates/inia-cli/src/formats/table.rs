//! `--output table`, by the rules of the AWS CLI's table formatter:
//!
//! - the value becomes sections, the first titled with the operation name; an object gives
//!   one row of its scalar values under a header row of their keys (sorted), or a
//!   `key | value` row if it has just one scalar; each list or object member becomes its own
//!   section, titled with the member's key and indented one level (`|` on both sides);
//! - a list of objects gives a header row (the sorted union of scalar keys) and one row per
//!   element; when the elements have nested members, each element gets its own section so
//!   its nested sections follow it;
//! - empty values (`null`, `""`, `0`, `false`, `[]`, `{}`) are left out;
//! - widths count the characters the AWS CLI counts as two columns (East Asian Wide,
//!   Fullwidth and Ambiguous, `east_asian`) as two;
//! - every section is as wide as the widest one (columns scaled to fit, rounding half to
//!   even as Python does); if that is wider than the terminal (80 columns when stdout is
//!   not one), one-row sections are turned into `header | value` rows.

use super::east_asian::text_length;
use super::{is_scalar, py_str};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The terminal width the AWS CLI assumes when stdout is not a terminal.
const WIDTH: usize = 80;

/// The width of the terminal stdout is, else 80.
fn terminal_width() -> usize {
    console::Term::stdout()
        .size_checked()
        .map_or(WIDTH, |(_, cols)| usize::from(cols))
}

#[derive(Default)]
struct Section {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    widths: Vec<usize>,
}

impl Section {
    fn update_widths(&mut self, cells: &[String]) {
        for (i, c) in cells.iter().enumerate() {
            let n = text_length(c);
            match self.widths.get_mut(i) {
                Some(w) => *w = (*w).max(n),
                None => self.widths.push(n),
            }
        }
    }

    /// Column widths with `padding`, scaled so they add up to `max`.
    fn column_widths(&self, padding: usize, max: usize) -> Vec<usize> {
        let unscaled: Vec<usize> = self.widths.iter().map(|w| w + padding).collect();
        let total: usize = unscaled.iter().sum();
        if unscaled.is_empty() || total == 0 {
            return unscaled;
        }
        let factor = max as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|w| (factor * *w as f64).round_ties_even() as i64)
            .collect();
        let mut off = scaled.iter().sum::<i64>() - max as i64;
        while off != 0 {
            let order: Vec<usize> = if off < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off > 0 {
                    scaled[i] -= 1;
                    off -= 1;
                } else {
                    scaled[i] += 1;
                    off += 1;
                }
                if off == 0 {
                    break;
                }
            }
        }
        scaled.into_iter().map(|w| w.max(0) as usize).collect()
    }

    fn total_width(&self) -> usize {
        let cols: usize = self.widths.iter().map(|w| w + 4).sum();
        let outer = 2 * self.indent;
        (text_length(&self.title) + 2 + outer).max(cols + 2 + outer)
    }
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    fn new_section(&mut self, title: &str, indent: usize) {
        self.sections.push(Section {
            title: title.to_string(),
            indent,
            ..Section::default()
        });
    }

    fn header(&mut self, headers: Vec<String>) {
        let s = self.current();
        s.update_widths(&headers);
        s.headers = headers;
    }

    fn row(&mut self, cells: Vec<String>) {
        let s = self.current();
        s.update_widths(&cells);
        s.rows.push(cells);
    }

    fn build(&mut self, title: Option<&str>, v: &Value, indent: usize) -> bool {
        if is_empty(v) {
            return false;
        }
        if let Some(t) = title {
            self.new_section(t, indent);
        }
        match v {
            Value::Array(items) if items.first().is_some_and(Value::is_object) => {
                self.add_list(items, indent, title.unwrap_or_default())
            }
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Array(a) if a.iter().all(is_scalar) => {
                            self.row(a.iter().map(py_str).collect())
                        }
                        // Python iterates an object's keys here: all scalars.
                        Value::Object(m) => self.row(m.keys().cloned().collect()),
                        Value::Array(_) => {
                            self.build(None, item, 0);
                        }
                        scalar => self.row(vec![py_str(scalar)]),
                    }
                }
            }
            Value::Object(m) => self.add_object(m, indent),
            _ => {}
        }
        true
    }

    fn add_object(&mut self, m: &Map<String, Value>, indent: usize) {
        let (headers, more) = group(m);
        match headers.as_slice() {
            [] => {}
            [one] => {
                let value = m.get(one).map(py_str).unwrap_or_default();
                self.row(vec![one.clone(), value]);
            }
            _ => {
                let cells = headers
                    .iter()
                    .map(|k| m.get(k).map(py_str).unwrap_or_default())
                    .collect();
                self.header(headers);
                self.row(cells);
            }
        }
        for k in more {
            if let Some(child) = m.get(&k) {
                self.build(Some(&k), child, indent + 1);
            }
        }
    }

    fn add_list(&mut self, items: &[Value], indent: usize, title: &str) {
        let mut headers = BTreeSet::new();
        let mut more = BTreeSet::new();
        let empty = Map::new();
        for item in items {
            let (h, m) = group(item.as_object().unwrap_or(&empty));
            headers.extend(h);
            more.extend(m);
        }
        let headers: Vec<String> = headers.into_iter().collect();
        self.header(headers.clone());
        for (i, item) in items.iter().enumerate() {
            let m = item.as_object().unwrap_or(&empty);
            if i > 0 && !more.is_empty() {
                self.new_section(title, indent);
                self.header(headers.clone());
            }
            let cells = headers
                .iter()
                .map(|k| m.get(k).map(py_str).unwrap_or_default())
                .collect();
            self.row(cells);
            for k in &more {
                if let Some(child) = m.get(k) {
                    self.build(Some(k), child, indent + 1);
                }
            }
        }
    }
}

/// Python's falsiness.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
    }
}

/// An object's scalar keys and its other keys, each sorted.
fn group(m: &Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let (mut headers, mut more): (Vec<String>, Vec<String>) = m
        .keys()
        .cloned()
        .partition(|k| m.get(k).is_some_and(is_scalar));
    headers.sort();
    more.sort();
    (headers, more)
}

/// The boxed table the AWS CLI prints for `value` with `--output table`, titled `title`
/// (the operation name). Empty when the value is empty.
pub fn table(title: &str, value: &Value) -> String {
    table_in(title, value, terminal_width())
}

/// [`table`] for a terminal `width` columns wide.
fn table_in(title: &str, value: &Value, width: usize) -> String {
    let mut b = Builder::default();
    if !b.build(Some(title), value, 0) {
        return String::new();
    }
    let mut sections = b.sections;
    let mut max = sections.iter().map(Section::total_width).max().unwrap_or(0);
    if max > width {
        for s in &mut sections {
            if s.rows.len() == 1 && !s.headers.is_empty() {
                let mut vertical = Section {
                    title: std::mem::take(&mut s.title),
                    indent: s.indent,
                    ..Section::default()
                };
                for (h, c) in s.headers.iter().zip(&s.rows[0]) {
                    vertical.update_widths(&[h.clone(), c.clone()]);
                    vertical.rows.push(vec![h.clone(), c.clone()]);
                }
                *s = vertical;
            }
        }
        max = sections.iter().map(Section::total_width).max().unwrap_or(0);
    }
    let mut out = "-".repeat(max);
    out.push('\n');
    for s in &sections {
        render(s, max, &mut out);
    }
    out
}

fn spaces(n: isize) -> String {
    " ".repeat(n.max(0) as usize)
}

fn center(text: &str, len: usize, left: &str) -> String {
    let tl = text_length(text) as isize;
    let len = len as isize;
    let start = len / 2 - tl / 2 - 1;
    let so_far = left.len() as isize + start + tl;
    format!("{left}{}{text}{}|", spaces(start), spaces(len - 1 - so_far))
}

fn align_left(text: &str, len: usize, left: &str) -> String {
    let tl = text_length(text) as isize;
    let len = len as isize;
    let edges = left.len() as isize + 1;
    let pad = if len - (tl + 2 + edges) >= 0 { 2 } else { 0 };
    let so_far = left.len() as isize + pad + tl;
    format!("{left}{}{text}{}|", spaces(pad), spaces(len - so_far - 1))
}

fn line_break(widths: &[usize]) -> String {
    let mut s = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            s.push_str(&format!("+{}+", "-".repeat(w.saturating_sub(2))));
        } else {
            s.push_str(&format!("{}+", "-".repeat(w.saturating_sub(1))));
        }
    }
    s
}

fn render(s: &Section, max: usize, out: &mut String) {
    let bars = "|".repeat(s.indent);
    let mut line = |text: String| {
        out.push_str(&bars);
        out.push_str(&text);
        out.push_str(&bars);
        out.push('\n');
    };
    let width = max.saturating_sub(2 * s.indent);
    if !s.title.is_empty() {
        line(center(&s.title, width, "|"));
        if s.headers.is_empty() && s.rows.is_empty() {
            line(format!("+{}+", "-".repeat(width.saturating_sub(2))));
        }
    }
    if !s.headers.is_empty() {
        let widths = s.column_widths(4, width);
        line(line_break(&widths));
        let cells: String = widths
            .iter()
            .zip(&s.headers)
            .enumerate()
            .map(|(i, (w, h))| center(h, *w, if i == 0 { "|" } else { "" }))
            .collect();
        line(cells);
    }
    if s.rows.is_empty() {
        return;
    }
    let widths = s.column_widths(4, width);
    if widths.is_empty() {
        return;
    }
    line(line_break(&widths));
    for row in &s.rows {
        let cells: String = widths
            .iter()
            .zip(row)
            .enumerate()
            .map(|(i, (w, c))| align_left(c, *w, if i == 0 { "|" } else { "" }))
            .collect();
        line(cells);
    }
    line(line_break(&widths));
}

/// Expected tables here are derived by hand from the AWS CLI's table rules (the CLI cannot
/// format a fixed value without a server).
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_of_objects_under_a_title() {
        let v = json!({"Regions": [
            {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com"},
            {"RegionName": "eu-west-1", "Endpoint": "ec2.eu-west-1.amazonaws.com"}
        ]});
        let want = "\
-------------------------------------------------
|                DescribeRegions                |
+-----------------------------------------------+
||                   Regions                   ||
|+------------------------------+--------------+|
||           Endpoint           | RegionName   ||
|+------------------------------+--------------+|
||  ec2.us-east-1.amazonaws.com |  us-east-1   ||
||  ec2.eu-west-1.amazonaws.com |  eu-west-1   ||
|+------------------------------+--------------+|
";
        assert_eq!(table_in("DescribeRegions", &v, 80), want);
    }

    #[test]
    fn single_scalar_object_and_scalars() {
        let v = json!({"Account": "123456789012"});
        let want = "\
-----------------------------
|     GetCallerIdentity     |
+----------+----------------+
|  Account |  123456789012  |
+----------+----------------+
";
        assert_eq!(table_in("GetCallerIdentity", &v, 80), want);
        let v = json!(["a", "bb"]);
        let want = "\
--------
| Title|
+------+
|  a   |
|  bb  |
+------+
";
        assert_eq!(table_in("Title", &v, 80), want);
        assert_eq!(table_in("T", &json!({}), 80), "");
        assert_eq!(table_in("T", &json!(null), 80), "");
    }

    #[test]
    fn wide_one_row_sections_turn_vertical() {
        let v = json!({"A": "x".repeat(40), "B": "y".repeat(40)});
        let out = table_in("Op", &v, 80);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0].len(), 51, "{out}");
        assert!(lines.iter().any(|l| l.starts_with("|  A|  xxxx")), "{out}");
        assert!(lines.iter().any(|l| l.starts_with("|  B|  yyyy")), "{out}");
        assert!(lines.iter().all(|l| l.chars().count() == 51), "{out}");
        // A terminal wide enough keeps the row horizontal.
        let wide = table_in("Op", &v, 200);
        assert!(
            wide.lines()
                .any(|l| l.contains("xxxx") && l.contains("yyyy")),
            "{wide}"
        );
        assert!(wide.lines().next().unwrap().len() > 80, "{wide}");
    }
}
