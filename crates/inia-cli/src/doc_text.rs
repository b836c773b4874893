//! The documentation of botocore-format models (HTML fragments) as plain text for help:
//! tags removed, paragraphs and list items on their own lines, entities decoded,
//! whitespace collapsed, lines wrapped.
//!
//! Owns that conversion. Does not own where documentation comes from
//! (`inia_model::SpecPath::load_documentation`) or the help layout (`help`).

/// Plain text of an HTML fragment, wrapped to `width` columns with `indent` before each
/// line.
pub fn to_text(html: &str, width: usize, indent: &str) -> String {
    // Inline tags vanish (so `<a>Pagination</a>.` stays one word); block tags end a
    // paragraph (marked with a form feed, which no documentation carries).
    let mut flat = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        flat.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[open + 1..open + close].trim().to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        if matches!(name, "p" | "li" | "br" | "ul" | "ol" | "dt" | "dd" | "note") {
            flat.push('\u{c}');
            if name == "li" && !closing {
                flat.push_str("- ");
            }
        }
        rest = &rest[open + close + 1..];
    }
    flat.push_str(rest);
    let text = decode(&flat);
    let mut out = String::new();
    let mut pending_dash = false;
    for para in text.split('\u{c}') {
        let words: Vec<&str> = para.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        if words == ["-"] {
            pending_dash = true;
            continue;
        }
        let mut p = words.join(" ");
        if std::mem::take(&mut pending_dash) {
            p.insert_str(0, "- ");
        }
        if !out.is_empty() {
            out.push('\n');
        }
        wrap(&p, width, indent, &mut out);
    }
    out
}

/// The first sentence of an HTML fragment's text (for one line per parameter).
pub fn first_sentence(html: &str) -> String {
    let text = to_text(html, usize::MAX, "");
    let line = text.lines().next().unwrap_or("").trim();
    match line.find(". ") {
        Some(i) => line[..=i].to_string(),
        None => line.to_string(),
    }
}

fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

fn wrap(p: &str, width: usize, indent: &str, out: &mut String) {
    let mut line = String::new();
    for word in p.split(' ') {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_wrapped_paragraphs() {
        let html = "<p>Describes the <code>Volumes</code> &amp; more.</p> <p>Second\n  para:</p><ul><li><p>one</p></li><li>two</li></ul>";
        assert_eq!(
            to_text(html, 40, "  "),
            "  Describes the Volumes & more.\n\n  Second para:\n\n  - one\n\n  - two\n"
        );
        assert_eq!(to_text("a b c d e f", 6, ""), "a b c\nd e f\n");
        assert_eq!(
            to_text("see <a href=\"x\">Pagination</a>.", 80, ""),
            "see Pagination.\n"
        );
        assert_eq!(to_text("unclosed <b", 80, ""), "unclosed\n");
        assert_eq!(
            first_sentence("<p>The ID. More text. Even more.</p><p>Next</p>"),
            "The ID."
        );
        assert_eq!(first_sentence(""), "");
    }
}
