//! `inia logs tail GROUP`, the AWS CLI v2 command (v1 has none): the group's events from
//! FilterLogEvents (`interleaved`, every page), from `--since` on (`10m` by default; a
//! number and one unit of `s`, `m`, `h`, `d`, `w`, or a timestamp: ISO 8601, a date, or
//! epoch seconds; without a zone it is UTC), optionally narrowed by `--filter-pattern`,
//! `--log-stream-names` or `--log-stream-name-prefix`. Each event is one line (a message's
//! trailing white space replaced by one newline), in v2's formats:
//!
//! - `detailed` (default): `2024-01-02T03:04:05.678000+00:00 STREAM MESSAGE`;
//! - `short`: `2024-01-02T03:04:05 MESSAGE`;
//! - `json`: as `detailed` (the timestamp without `.000000` when it has no fraction), a
//!   message that is JSON printed indented by 4 on the lines after;
//! - `none`: the event as one line of JSON.
//!
//! The timestamp is green and the stream name cyan when stdout is a terminal (`--color
//! on|off|auto`). With `--follow` it polls every 5 s from the newest timestamp seen,
//! skipping events already printed, until interrupted.
//!
//! Owns the command. Does not own the call or its retries (the engine).

use super::Args;
use crate::error::CliError;
use crate::globals::Globals;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use inia::{json, Value};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::time::Duration;

/// How long `--follow` waits between polls when there is nothing more.
const POLL: Duration = Duration::from_secs(5);
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const RESET: &str = "\x1b[0m";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Detailed,
    Short,
    Json,
    None,
}

pub async fn tail(g: &Globals, args: &Args) -> Result<(), CliError> {
    let group = args.positional().unwrap_or_default();
    let format = match args.get("--format").unwrap_or("detailed") {
        "detailed" => Format::Detailed,
        "short" => Format::Short,
        "json" => Format::Json,
        "none" => Format::None,
        other => {
            return Err(CliError::usage(format!(
                "argument --format: invalid choice: '{other}' (choose from 'detailed', 'short', 'json', 'none')"
            )))
        }
    };
    let color = match args.get("--color").unwrap_or("auto") {
        "on" => true,
        "off" => false,
        "auto" => std::io::stdout().is_terminal(),
        other => {
            return Err(CliError::usage(format!(
                "argument --color: invalid choice: '{other}' (choose from 'on', 'off', 'auto')"
            )))
        }
    };
    if !args.list("--log-stream-names").is_empty() && args.get("--log-stream-name-prefix").is_some()
    {
        return Err(CliError::usage(
            "--log-stream-names and --log-stream-name-prefix cannot be used together",
        ));
    }
    let since = args.get("--since").unwrap_or("10m");
    let start = start_millis(since, Utc::now())?;
    let mut params = json!({"logGroupName": group, "interleaved": true, "startTime": start});
    if let Some(p) = args.get("--filter-pattern") {
        params["filterPattern"] = json!(p);
    }
    if !args.list("--log-stream-names").is_empty() {
        params["logStreamNames"] = json!(args.list("--log-stream-names"));
    }
    if let Some(p) = args.get("--log-stream-name-prefix") {
        params["logStreamNamePrefix"] = json!(p);
    }
    let session = crate::run::session(g)?;
    let logs = session.client("logs").map_err(CliError::from)?;
    let printer = Printer { format, color };
    let follow = args.flag("--follow");
    // Event ids already printed, for the newest timestamp seen (follow only).
    let mut newest: Option<(i64, HashSet<String>)> = None;
    loop {
        let page = logs
            .call("FilterLogEvents", params.clone())
            .await
            .map_err(CliError::from)?;
        for event in page["events"].as_array().into_iter().flatten() {
            if follow {
                let ts = event["timestamp"].as_i64().unwrap_or_default();
                let id = event["eventId"].as_str().unwrap_or_default().to_string();
                match &mut newest {
                    Some((t, ids)) if *t == ts => {
                        if !ids.insert(id) {
                            continue;
                        }
                    }
                    Some((t, _)) if *t > ts => {}
                    _ => newest = Some((ts, HashSet::from([id]))),
                }
            }
            if !printer.print(event)? {
                return Ok(());
            }
        }
        if let Some(token) = page["nextToken"].as_str().filter(|t| !t.is_empty()) {
            params["nextToken"] = json!(token);
            continue;
        }
        if !follow {
            return Ok(());
        }
        if let Some(obj) = params.as_object_mut() {
            obj.shift_remove("nextToken");
        }
        if let Some((t, _)) = &newest {
            params["startTime"] = json!(t);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `--since` as epoch milliseconds: `5m` before `now`, or a timestamp.
fn start_millis(since: &str, now: DateTime<Utc>) -> Result<i64, CliError> {
    let s = since.trim();
    let unit = s.chars().last().unwrap_or(' ');
    let amount = &s[..s.len() - unit.len_utf8().min(s.len())];
    if !amount.is_empty() && amount.bytes().all(|b| b.is_ascii_digit()) {
        let secs: i64 = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => 0,
        };
        if secs > 0 {
            let n: i64 = amount
                .parse()
                .map_err(|_| CliError::usage(format!("argument --since: too large: {since}")))?;
            return Ok(now.timestamp_millis() - n.saturating_mul(secs).saturating_mul(1000));
        }
    }
    parse_timestamp(s)
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            CliError::usage(format!(
                "argument --since: Invalid timestamp \"{since}\" (give e.g. 10m, 2h, 1d, 2024-01-02T03:04:05Z)"
            ))
        })
}

fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(secs) = s.parse::<f64>() {
        return Utc.timestamp_millis_opt((secs * 1000.0) as i64).single();
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
    }
    let plain = s.trim_end_matches(['Z', 'z']);
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(plain, f) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(plain, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

struct Printer {
    format: Format,
    color: bool,
}

impl Printer {
    fn paint(&self, text: &str, color: &str) -> String {
        if self.color {
            format!("{color}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// Print one event; false when stdout is closed.
    fn print(&self, event: &Value) -> Result<bool, CliError> {
        let line = self.line(event);
        let mut out = std::io::stdout().lock();
        let written = out
            .write_all(line.trim_end().as_bytes())
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush());
        match written {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
            Err(e) => Err(CliError::other(format!("cannot write output: {e}"))),
        }
    }

    fn line(&self, event: &Value) -> String {
        let millis = event["timestamp"].as_i64().unwrap_or_default();
        let when = Utc
            .timestamp_millis_opt(millis)
            .single()
            .unwrap_or_default();
        let stream = event["logStreamName"].as_str().unwrap_or_default();
        let message = event["message"].as_str().unwrap_or_default();
        match self.format {
            Format::Short => format!(
                "{} {message}",
                self.paint(&when.format("%Y-%m-%dT%H:%M:%S").to_string(), GREEN)
            ),
            Format::Detailed => format!(
                "{} {} {message}",
                self.paint(
                    &when.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
                    GREEN
                ),
                self.paint(stream, CYAN)
            ),
            Format::Json => {
                let stamp = if millis.rem_euclid(1000) == 0 {
                    when.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
                } else {
                    when.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
                };
                format!(
                    "{} {} {}",
                    self.paint(&stamp, GREEN),
                    self.paint(stream, CYAN),
                    pretty_json(message)
                )
            }
            Format::None => python_compact(event),
        }
    }
}

/// A message that is JSON, indented by 4 after a line break (Python's `json.dumps`,
/// ASCII only); other messages as they are.
fn pretty_json(message: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(message) else {
        return message.to_string();
    };
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if serde::Serialize::serialize(&v, &mut ser).is_err() {
        return message.to_string();
    }
    format!("\n{}", ascii_only(&String::from_utf8_lossy(&buf)))
}

/// Non-ASCII characters as `\uXXXX` escapes (surrogate pairs above U+FFFF).
fn ascii_only(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

/// One line of JSON with Python's separators (`, ` and `: `).
fn python_compact(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_compact)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!(
                    "{}: {}",
                    ascii_only(&Value::String(k.clone()).to_string()),
                    python_compact(v)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => ascii_only(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_forms() {
        let now = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        assert_eq!(
            start_millis("1h", now).unwrap(),
            1_700_000_000_000 - 3_600_000
        );
        assert_eq!(
            start_millis("10m", now).unwrap(),
            1_700_000_000_000 - 600_000
        );
        assert_eq!(
            start_millis("2023-11-14T22:13:20Z", now).unwrap(),
            1_700_000_000_000
        );
        assert_eq!(
            start_millis("2023-11-14T22:13:20", now).unwrap(),
            1_700_000_000_000
        );
        assert_eq!(start_millis("1700000000", now).unwrap(), 1_700_000_000_000);
        assert_eq!(
            start_millis("yesterday", now).map_err(|e| e.code).err(),
            Some(252)
        );
        assert_eq!(
            start_millis("5h30m", now).map_err(|e| e.code).err(),
            Some(252)
        );
    }

    #[test]
    fn formats() {
        let event = json!({"timestamp": 1_700_000_000_123i64, "logStreamName": "s", "message": "{\"a\": [1, \"\u{e9}\"]}\n", "eventId": "1"});
        let p = |format| Printer {
            format,
            color: false,
        };
        assert_eq!(
            p(Format::Detailed).line(&event),
            "2023-11-14T22:13:20.123000+00:00 s {\"a\": [1, \"\u{e9}\"]}\n"
        );
        assert_eq!(
            p(Format::Short).line(&event),
            "2023-11-14T22:13:20 {\"a\": [1, \"\u{e9}\"]}\n"
        );
        assert_eq!(
            p(Format::Json).line(&event),
            "2023-11-14T22:13:20.123000+00:00 s \n{\n    \"a\": [\n        1,\n        \"\\u00e9\"\n    ]\n}"
        );
    }
}
