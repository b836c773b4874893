//! The text forms of timestamps and blobs.
//!
//! Value conventions (the same for input and output, so a value read from one call can be
//! passed to the next):
//! - a timestamp in a value is an RFC 3339 string in UTC, `2015-01-25T08:00:00Z`, with a
//!   fraction only when it is not zero (`2015-01-25T08:00:00.5Z`). On input, any ISO 8601
//!   or RFC 822 string and epoch seconds (integer or float) are accepted too;
//! - a blob in a value is a base64 string (standard alphabet, padded).
//!
//! Owns conversions between those forms and the wire formats. Does not own where on the
//! wire a timestamp goes.

use base64::Engine;
use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};
use inia_model::TimestampFormat;
use serde_json::Value;

/// Read a timestamp given in a value: epoch seconds, or a date string.
pub fn from_value(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(s) => parse_text(s),
        _ => None,
    }
}

/// Epoch seconds (fractional allowed) to a UTC time.
pub fn from_epoch(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() {
        return None;
    }
    let whole = secs.floor();
    let micros = ((secs - whole) * 1_000_000.0).round() as i64;
    Utc.timestamp_opt(whole as i64, 0)
        .single()
        .map(|t| t + chrono::Duration::microseconds(micros))
}

/// Parse a timestamp as servers send it: ISO 8601 (with or without zone or fraction),
/// RFC 822/1123, or epoch seconds as text.
pub fn parse_text(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>() {
        return from_epoch(secs);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.fZ",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y%m%dT%H%M%SZ",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%a, %d %b %Y %H:%M:%S GMT",
        "%A, %d-%b-%y %H:%M:%S GMT",
    ] {
        if let Ok(t) = DateTime::parse_from_str(s, f) {
            return Some(t.with_timezone(&Utc));
        }
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    None
}

/// The value form of a timestamp (see the module doc): `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`,
/// trailing zeros of the fraction dropped. Written digit by digit: chrono's `format`
/// parses its format string on every call, which was most of a timestamp-heavy parse.
pub fn to_value_text(t: &DateTime<Utc>) -> String {
    use std::fmt::Write as _;
    let year = t.year();
    let mut out = String::with_capacity(27);
    if (0..=9999).contains(&year) {
        let _ = write!(out, "{year:04}");
    } else {
        // Outside four digits, as chrono's `%Y` writes it (a sign, at least four digits).
        let _ = write!(out, "{year:+05}");
    }
    let two = |out: &mut String, n: u32| {
        out.push(char::from(b'0' + (n / 10 % 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    };
    out.push('-');
    two(&mut out, t.month());
    out.push('-');
    two(&mut out, t.day());
    out.push('T');
    two(&mut out, t.hour());
    out.push(':');
    two(&mut out, t.minute());
    out.push(':');
    // A leap second (nanoseconds past 1e9) shows as second 60, as chrono shows it.
    let leap = t.nanosecond() >= 1_000_000_000;
    two(&mut out, t.second() + u32::from(leap));
    let micros = t.nanosecond() % 1_000_000_000 / 1000;
    if micros != 0 {
        let mut frac = [0u8; 6];
        let mut m = micros;
        for d in frac.iter_mut().rev() {
            *d = b'0' + (m % 10) as u8;
            m /= 10;
        }
        let end = frac.iter().rposition(|d| *d != b'0').map_or(0, |i| i + 1);
        out.push('.');
        out.extend(frac[..end].iter().map(|d| char::from(*d)));
    }
    out.push('Z');
    out
}

/// A wire timestamp turned into the value form; `None` when it is not a date.
pub fn wire_to_value(s: &str) -> Option<Value> {
    parse_text(s).map(|t| Value::String(to_value_text(&t)))
}

/// Write a timestamp in a wire format, as botocore does (microseconds when present).
pub fn to_wire(t: &DateTime<Utc>, format: TimestampFormat) -> WireTime {
    let micros = t.nanosecond() / 1000;
    match format {
        TimestampFormat::Iso8601 => WireTime::Text(if micros == 0 {
            t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            format!("{}.{micros:06}Z", t.format("%Y-%m-%dT%H:%M:%S"))
        }),
        TimestampFormat::Rfc822 => {
            WireTime::Text(t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        }
        TimestampFormat::UnixTimestamp => {
            if micros == 0 {
                WireTime::Int(t.timestamp())
            } else {
                WireTime::Float((t.timestamp() as f64 * 1e6 + micros as f64) / 1e6)
            }
        }
    }
}

/// A timestamp as written on the wire: a number for epoch seconds, else text.
#[derive(Debug, Clone, PartialEq)]
pub enum WireTime {
    Int(i64),
    Float(f64),
    Text(String),
}

impl WireTime {
    pub fn to_text(&self) -> String {
        match self {
            WireTime::Int(i) => i.to_string(),
            WireTime::Float(f) => format_float(*f),
            WireTime::Text(s) => s.clone(),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            WireTime::Int(i) => Value::from(*i),
            WireTime::Float(f) => Value::from(*f),
            WireTime::Text(s) => Value::String(s.clone()),
        }
    }
}

/// A float as Python's `str()` would print it for the values the protocols carry.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

thread_local! {
    /// Set while a parse asked for wire timestamps ([`crate::ParseOptions::wire_timestamps`]).
    static WIRE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The parsers' switch for [`crate::ParseOptions::wire_timestamps`], on for the length of
/// one (synchronous) parse on this thread and restored when dropped, so that the option
/// reaches every scalar reader without changing their signatures.
pub(crate) struct WireScope(bool);

impl WireScope {
    pub(crate) fn enter(on: bool) -> WireScope {
        WireScope(WIRE.with(|w| w.replace(on)))
    }
}

impl Drop for WireScope {
    fn drop(&mut self) {
        WIRE.with(|w| w.set(self.0));
    }
}

/// True inside a parse that keeps timestamps as the server sent them.
pub(crate) fn keep_wire() -> bool {
    WIRE.with(std::cell::Cell::get)
}

/// A blob given in a value: its bytes (the value form is base64).
pub fn blob_from_value(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => base64::engine::general_purpose::STANDARD.decode(s).ok(),
        _ => None,
    }
}

/// The value form of blob bytes.
pub fn blob_to_value(bytes: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Standard base64 of bytes, for wire formats that carry blobs as base64 text.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decode standard base64 (as sent on the wire), tolerating surrounding white space.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(t).ok()
}

#[cfg(test)]
mod tests {

    /// The value form, as chrono's `format` writes it (the reference the fast writer
    /// must equal).
    fn by_chrono(t: &DateTime<Utc>) -> String {
        let micros = t.nanosecond() % 1_000_000_000 / 1000;
        let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
        if micros == 0 {
            format!("{base}Z")
        } else {
            let frac = format!("{micros:06}");
            format!("{base}.{}Z", frac.trim_end_matches('0'))
        }
    }

    #[test]
    fn value_text_equals_chronos_format() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut seen = 0;
        for secs in [
            0i64,
            -1,
            951_782_400,
            253_402_300_799,
            253_402_300_800,
            -62_135_596_800,
            -62_135_596_801,
            -100_000_000_000,
        ] {
            for nanos in [0u32, 1_000, 120_000, 123_456_000, 999_999_000] {
                let t = Utc.timestamp_opt(secs, nanos).single().unwrap();
                assert_eq!(to_value_text(&t), by_chrono(&t), "{secs} {nanos}");
                seen += 1;
            }
        }
        // A leap second (chrono allows one at second 59).
        let leap = Utc
            .timestamp_opt(1_483_228_799, 1_250_000_000)
            .single()
            .unwrap();
        assert_eq!(to_value_text(&leap), by_chrono(&leap));
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let secs = (x % 400_000_000_000) as i64 - 100_000_000_000;
            let nanos = (x >> 20) as u32 % 1_000_000_000;
            let t = Utc.timestamp_opt(secs, nanos).single().unwrap();
            assert_eq!(to_value_text(&t), by_chrono(&t), "{secs} {nanos}");
            seen += 1;
        }
        assert!(seen > 20_000);
    }
    use super::*;

    #[test]
    fn value_text_round_trips() {
        let t = parse_text("2015-01-25T08:00:00.500Z").unwrap();
        assert_eq!(to_value_text(&t), "2015-01-25T08:00:00.5Z");
        assert_eq!(from_value(&Value::String(to_value_text(&t))), Some(t));
        assert_eq!(
            to_value_text(&from_epoch(1422172800.0).unwrap()),
            "2015-01-25T08:00:00Z"
        );
    }

    #[test]
    fn wire_formats() {
        let t = from_epoch(1422172800.0).unwrap();
        assert_eq!(
            to_wire(&t, TimestampFormat::Iso8601).to_text(),
            "2015-01-25T08:00:00Z"
        );
        assert_eq!(
            to_wire(&t, TimestampFormat::Rfc822).to_text(),
            "Sun, 25 Jan 2015 08:00:00 GMT"
        );
        assert_eq!(
            to_wire(&t, TimestampFormat::UnixTimestamp).to_text(),
            "1422172800"
        );
        let t = from_epoch(1422172800.123).unwrap();
        assert_eq!(
            to_wire(&t, TimestampFormat::Iso8601).to_text(),
            "2015-01-25T08:00:00.123000Z"
        );
    }

    #[test]
    fn servers_forms_parse() {
        for s in [
            "Sun, 25 Jan 2015 08:00:00 GMT",
            "2015-01-25T08:00:00Z",
            "2015-01-25T08:00:00.000Z",
            "2015-01-25T08:00:00+00:00",
            "1422172800",
            "2015-01-25T08:00:00",
        ] {
            assert_eq!(
                parse_text(s).map(|t| t.timestamp()),
                Some(1422172800),
                "{s}"
            );
        }
        assert!(parse_text("yesterday").is_none());
    }
}
