//! A canonical text form of an XML document for comparing bodies in tests: elements with
//! sorted attributes (namespace declarations included), text trimmed, white-space-only
//! text dropped, comments and declarations ignored. Like ElementTree's
//! `canonicalize(strip_text=True)`, which botocore's runner uses.

use quick_xml::events::Event;
use quick_xml::Reader;

pub fn canonical(xml: &[u8]) -> Result<String, String> {
    let mut reader = Reader::from_reader(xml);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut saw_root = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                open(&mut out, &e)?;
                depth += 1;
                saw_root = true;
            }
            Ok(Event::Empty(e)) => {
                open(&mut out, &e)?;
                out.push_str(&format!(
                    "</{}>",
                    String::from_utf8_lossy(e.name().as_ref())
                ));
                saw_root = true;
            }
            Ok(Event::End(e)) => {
                depth = depth.checked_sub(1).ok_or("unbalanced end tag")?;
                out.push_str(&format!(
                    "</{}>",
                    String::from_utf8_lossy(e.name().as_ref())
                ));
            }
            Ok(Event::Text(t)) => {
                let t = t.unescape().map_err(|e| e.to_string())?;
                let t = t.trim();
                if !t.is_empty() {
                    out.push_str(&escape(t));
                }
            }
            Ok(Event::CData(t)) => out.push_str(&escape(String::from_utf8_lossy(&t).trim())),
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    if depth != 0 || !saw_root {
        return Err("not a complete XML document".into());
    }
    Ok(out)
}

fn open(out: &mut String, e: &quick_xml::events::BytesStart<'_>) -> Result<(), String> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let v = a.unescape_value().map_err(|e| e.to_string())?;
        attrs.push((
            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
            v.into_owned(),
        ));
    }
    attrs.sort();
    out.push('<');
    out.push_str(&String::from_utf8_lossy(e.name().as_ref()));
    for (k, v) in attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape(&v)));
    }
    out.push('>');
    Ok(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
