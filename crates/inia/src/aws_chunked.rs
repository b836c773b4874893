//! The `aws-chunked` content encoding with a trailing checksum: how an upload carries
//! its flexible checksum when it cannot be computed before the body is sent (S3's
//! `STREAMING-UNSIGNED-PAYLOAD-TRAILER`).
//!
//! The body goes in chunks of [`CHUNK`] bytes (the last one shorter), each framed as
//! `<hex length>\r\n<data>\r\n`, then a zero-length chunk and the trailer:
//!
//! ```text
//! 10000\r\n<65,536 bytes>\r\n
//! 5\r\nhello\r\n
//! 0\r\n
//! x-amz-checksum-crc32:NhCmhg==\r\n
//! \r\n
//! ```
//!
//! The checksum is computed as the chunks go out, so the body is read once. Chunks have
//! a fixed size, so the encoded length is known before the first byte
//! ([`encoded_len`]): the request carries `Content-Length` (the encoded length) and
//! `x-amz-decoded-content-length`, as the AWS SDK for Rust sends them, where botocore
//! sends `Transfer-Encoding: chunked`; S3 accepts both.
//!
//! Owns the framing and its length. Does not own deciding when to use it, nor the
//! headers that announce it (`payload`), nor the checksum algorithms
//! (`inia_protocol::checksum`).

use bytes::{Bytes, BytesMut};
use http_body::{Body as _, Frame, SizeHint};
use inia_http::{Body, BoxError};
use inia_protocol::checksum::{Algorithm, Checksum};
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Size of every chunk but the last. S3 requires at least 8 KiB.
pub(crate) const CHUNK: usize = 64 * 1024;

/// The encoded length of a body of `decoded` bytes with `algorithm`'s trailer.
pub(crate) fn encoded_len(decoded: u64, algorithm: Algorithm) -> u64 {
    let chunk = CHUNK as u64;
    let frame = |n: u64| hex_digits(n) + 2 + n + 2;
    let full = decoded / chunk;
    let rest = decoded % chunk;
    let mut len = full * frame(chunk);
    if rest > 0 {
        len += frame(rest);
    }
    len + 3 + trailer(algorithm.header(), &algorithm.hasher().finish()).len() as u64
}

fn hex_digits(n: u64) -> u64 {
    u64::from((64 - n.leading_zeros()).div_ceil(4).max(1))
}

fn trailer(name: &str, value: &http::HeaderValue) -> Bytes {
    let mut out = BytesMut::with_capacity(name.len() + value.len() + 5);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b":");
    out.extend_from_slice(value.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out.freeze()
}

/// `body`, encoded. The result can be sent again when `body` can.
pub(crate) fn encode(body: Body, algorithm: Algorithm) -> Body {
    let len = encoded_len(body.content_length(), algorithm);
    if body.try_clone().is_none() {
        return Body::from_stream(len, Encoder::new(body, algorithm));
    }
    Body::from_body_factory(len, move || {
        body.try_clone()
            .map(|b| Encoder::new(b, algorithm))
            .ok_or_else(|| io::Error::other("the upload body cannot be sent again"))
    })
}

/// The encoding stream over one attempt's body.
struct Encoder {
    inner: Body,
    inner_done: bool,
    /// A partial chunk, when the body's pieces do not line up with chunks.
    partial: BytesMut,
    /// Encoded pieces ready to go.
    out: VecDeque<Bytes>,
    /// No chunk has gone yet (every later chunk's head starts with the `\r\n` that
    /// ends the one before, so a chunk goes as two pieces).
    first: bool,
    checksum: Option<Checksum>,
}

impl Encoder {
    fn new(inner: Body, algorithm: Algorithm) -> Encoder {
        Encoder {
            inner,
            inner_done: false,
            partial: BytesMut::new(),
            out: VecDeque::new(),
            first: true,
            checksum: Some(algorithm.hasher()),
        }
    }

    fn frame(&mut self, data: Bytes) {
        if let Some(c) = self.checksum.as_mut() {
            c.update(&data);
        }
        let head = match std::mem::replace(&mut self.first, false) {
            true => format!("{:x}\r\n", data.len()),
            false => format!("\r\n{:x}\r\n", data.len()),
        };
        self.out.push_back(Bytes::from(head));
        self.out.push_back(data);
    }

    /// Cut whole chunks out of `data`, without copying where it lines up.
    fn take(&mut self, mut data: Bytes) {
        while !data.is_empty() {
            if self.partial.is_empty() && data.len() >= CHUNK {
                let chunk = data.split_to(CHUNK);
                self.frame(chunk);
                continue;
            }
            let n = (CHUNK - self.partial.len()).min(data.len());
            self.partial.extend_from_slice(&data.split_to(n));
            if self.partial.len() == CHUNK {
                let chunk = self.partial.split().freeze();
                self.frame(chunk);
            }
        }
    }

    fn poll_piece(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, BoxError>>> {
        loop {
            if let Some(piece) = self.out.pop_front() {
                return Poll::Ready(Some(Ok(piece)));
            }
            if self.inner_done {
                let Some(checksum) = self.checksum.take() else {
                    return Poll::Ready(None);
                };
                if !self.partial.is_empty() {
                    let last = self.partial.split().freeze();
                    self.checksum = Some(checksum);
                    self.frame(last);
                    continue;
                }
                let name = checksum.algorithm().header();
                let value = checksum.finish();
                let end: &'static [u8] = if self.first { b"0\r\n" } else { b"\r\n0\r\n" };
                self.out.push_back(Bytes::from_static(end));
                self.out.push_back(trailer(name, &value));
                continue;
            }
            match ready!(Pin::new(&mut self.inner).poll_frame(cx)) {
                None => self.inner_done = true,
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.take(data);
                    }
                }
            }
        }
    }
}

impl http_body::Body for Encoder {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.get_mut()
            .poll_piece(cx)
            .map(|p| p.map(|r| r.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn collect(body: Body) -> Vec<u8> {
        body.collect().await.unwrap().to_bytes().to_vec()
    }

    /// Decode an aws-chunked body independently: (data, trailer line).
    fn decode(mut raw: &[u8]) -> (Vec<u8>, String) {
        let mut data = Vec::new();
        loop {
            let eol = raw.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&raw[..eol]).unwrap(), 16).unwrap();
            raw = &raw[eol + 2..];
            if size == 0 {
                let text = std::str::from_utf8(raw).unwrap();
                let line = text.strip_suffix("\r\n\r\n").unwrap();
                return (data, line.to_string());
            }
            data.extend_from_slice(&raw[..size]);
            assert_eq!(&raw[size..size + 2], b"\r\n");
            raw = &raw[size + 2..];
        }
    }

    #[tokio::test]
    async fn frames_and_trailer_for_every_length_around_a_chunk() {
        for len in [0usize, 1, 5, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for algorithm in Algorithm::ALL {
                let body = encode(Body::from_bytes(data.clone()), algorithm);
                let want = encoded_len(len as u64, algorithm);
                assert_eq!(body.content_length(), want);
                let raw = collect(body).await;
                assert_eq!(raw.len() as u64, want, "{len} {algorithm}");
                let (decoded, line) = decode(&raw);
                assert_eq!(decoded, data);
                let value = algorithm.of(&data);
                assert_eq!(
                    line,
                    format!("{}:{}", algorithm.header(), value.to_str().unwrap())
                );
            }
        }
    }

    #[tokio::test]
    async fn the_documented_example() {
        let raw = collect(encode(Body::from_bytes("hello"), Algorithm::Crc32)).await;
        let crc = Algorithm::Crc32.of(b"hello");
        let want = format!(
            "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:{}\r\n\r\n",
            crc.to_str().unwrap()
        );
        assert_eq!(String::from_utf8(raw).unwrap(), want);
    }

    #[tokio::test]
    async fn a_file_body_is_replayed() {
        use std::io::Write;
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect();
        f.write_all(&data).unwrap();
        let body = encode(Body::from_file(f.path()).unwrap(), Algorithm::Sha256);
        let again = body.try_clone().expect("replayable");
        for b in [body, again] {
            let (decoded, line) = decode(&collect(b).await);
            assert_eq!(decoded, data);
            assert!(line.starts_with("x-amz-checksum-sha256:"));
        }
    }

    #[tokio::test]
    async fn a_one_shot_stream_stays_one_shot() {
        let inner = http_body_util::Full::new(Bytes::from_static(b"abc"));
        let body = encode(Body::from_stream(3, inner), Algorithm::Crc32c);
        assert!(body.try_clone().is_none());
        let (decoded, _) = decode(&collect(body).await);
        assert_eq!(decoded, b"abc");
    }

    #[tokio::test]
    async fn a_short_stream_is_an_error_not_a_short_upload() {
        let inner = http_body_util::Full::new(Bytes::from_static(b"ab"));
        let body = encode(Body::from_stream(3, inner), Algorithm::Crc32);
        assert!(body.collect().await.is_err());
    }
}
