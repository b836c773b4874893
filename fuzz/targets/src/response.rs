//! How a response-parsing target reads its bytes: an HTTP response, in a form that is
//! short to write by hand and easy for a fuzzer to mutate.
//!
//! - Byte 0 selects: bits 0–1 the status ([`STATUSES`]), bit 2 whether headers follow,
//!   bits 3–7 the operation (an index into the target's table, wrapping around).
//! - With bit 2 set: header lines `name: value`, each ending in `\n`, up to an empty line
//!   (or the end of the input). A line that is not a valid header is skipped.
//! - The rest is the body.
//!
//! Owns this layout ([`decode`], and [`encode`] to write seeds). Does not own what is
//! done with the response (see `parse`).

/// The statuses byte 0 chooses among: two successes and two errors.
pub const STATUSES: [u16; 4] = [200, 204, 404, 500];

/// Bit 2 of byte 0: header lines follow.
pub const HAS_HEADERS: u8 = 0b100;

/// A response decoded from fuzz bytes.
#[derive(Debug)]
pub struct Response<'a> {
    /// Which operation of the target's table (before wrapping around).
    pub operation: usize,
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: &'a [u8],
}

/// Read a response from `data`; `None` for empty input.
pub fn decode(data: &[u8]) -> Option<Response<'_>> {
    let (selector, rest) = crate::split_first(data)?;
    let status = STATUSES[usize::from(selector & 0b11)];
    let operation = usize::from(selector >> 3);
    let mut headers = http::HeaderMap::new();
    let body = if selector & HAS_HEADERS != 0 {
        let (block, body) = match find(rest, b"\n\n") {
            Some(i) => (&rest[..i], &rest[i + 2..]),
            None => (rest, &rest[rest.len()..]),
        };
        for line in block.split(|&b| b == b'\n') {
            add_header(&mut headers, line);
        }
        body
    } else {
        rest
    };
    Some(Response {
        operation,
        status,
        headers,
        body,
    })
}

/// The bytes [`decode`] reads back as this response. `status` must be one of
/// [`STATUSES`] (another gives 200) and `operation` below 32.
pub fn encode(operation: usize, status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let status_bits = STATUSES.iter().position(|&s| s == status).unwrap_or(0) as u8;
    let mut selector = ((operation as u8) << 3) | status_bits;
    let mut out = Vec::with_capacity(body.len() + 64);
    if !headers.is_empty() {
        selector |= HAS_HEADERS;
    }
    out.push(selector);
    if !headers.is_empty() {
        for (name, value) in headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out.extend_from_slice(body);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn add_header(headers: &mut http::HeaderMap, line: &[u8]) {
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return;
    };
    let name = http::HeaderName::from_bytes(line[..colon].trim_ascii());
    let value = http::HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
    if let (Ok(name), Ok(value)) = (name, value) {
        headers.append(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_decode_agree() {
        let bytes = encode(5, 404, &[("x-a", "1"), ("x-a", "2")], b"<e/>\n\nx");
        let r = decode(&bytes).unwrap();
        assert_eq!((r.operation, r.status), (5, 404));
        assert_eq!(r.headers.get_all("x-a").iter().count(), 2);
        assert_eq!(r.body, b"<e/>\n\nx");
        let bytes = encode(3, 200, &[], b"\n\nbody");
        let r = decode(&bytes).unwrap();
        assert_eq!((r.operation, r.status, r.body), (3, 200, &b"\n\nbody"[..]));
        assert!(r.headers.is_empty());
        assert!(decode(b"").is_none());
    }
}
