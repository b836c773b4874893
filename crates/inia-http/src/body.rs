//! [`Body`]: the request body. Empty, bytes in memory, or a stream of known length (a
//! file, or any reader) that can be opened again for a retry.
//!
//! Its length is always known, so every request carries `Content-Length` (what S3 and
//! signed requests need) and never uses chunked encoding. A stream that ends early or runs
//! long is an error, not a silently wrong upload.
//!
//! Owns: the body type, its replay ([`Body::try_clone`]) and the length check. Does not own:
//! the read timeout bookkeeping around it (`client`) nor hashing it for a signature (the
//! signer reads [`Body::bytes`], the engine reads a stream's replay with [`Body::scan`]).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{BufMut, Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use tokio::io::AsyncRead;

use crate::error::{BodyError, BoxError};

/// Bytes-in-memory bodies are handed to the connection in slices of this size (no copy), so
/// that the read timeout sees progress while a large body is being written.
const MEMORY_SLICE: usize = 64 * 1024;
/// Read size for streamed bodies.
const READ_CHUNK: usize = 64 * 1024;

type Reader = Pin<Box<dyn AsyncRead + Send + Sync>>;
type ReaderFactory = dyn Fn() -> io::Result<Reader> + Send + Sync;
type OneShot = Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError> + Send + Sync>>;
type BodyFactory = dyn Fn() -> io::Result<OneShot> + Send + Sync;

/// What opens a replayable stream for each attempt.
#[derive(Clone)]
enum Factory {
    Reader(Arc<ReaderFactory>),
    Body(Arc<BodyFactory>),
}

/// A request body. See the module documentation.
pub struct Body {
    inner: Inner,
}

enum Inner {
    Empty,
    Bytes { all: Bytes, rest: Bytes },
    Stream(Box<Stream>),
}

struct Stream {
    len: u64,
    sent: u64,
    /// Present when the stream can be opened again; `None` for a one-shot stream.
    factory: Option<Factory>,
    /// Shown in errors (a file path, or "stream").
    what: Arc<str>,
    state: State,
    buf: BytesMut,
}

enum State {
    NotOpened,
    Reader(Reader),
    OneShot(OneShot),
    Done,
}

impl Body {
    /// No body (`Content-Length: 0` where the method calls for one).
    pub fn empty() -> Body {
        Body {
            inner: Inner::Empty,
        }
    }

    /// A body held in memory. Cheap to clone for retries.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Body {
        let all = bytes.into();
        Body {
            inner: Inner::Bytes {
                rest: all.clone(),
                all,
            },
        }
    }

    /// A body of exactly `len` bytes read from readers that `open` creates: once for the
    /// first attempt, and once more for each retry ([`Body::try_clone`]). `open` is called
    /// when the connection first asks for data.
    pub fn from_reader_factory<F, R>(len: u64, open: F) -> Body
    where
        F: Fn() -> io::Result<R> + Send + Sync + 'static,
        R: AsyncRead + Send + Sync + 'static,
    {
        let factory = Factory::Reader(Arc::new(move || open().map(|r| Box::pin(r) as Reader)));
        Body::stream(len, Some(factory), "stream".into(), State::NotOpened)
    }

    /// A body of exactly `len` bytes from `http_body::Body`s that `open` creates: once for
    /// the first attempt, and once more for each retry ([`Body::try_clone`]). Their frames
    /// go to the connection as they are, without a copy (an encoding over another body).
    pub fn from_body_factory<F, B>(len: u64, open: F) -> Body
    where
        F: Fn() -> io::Result<B> + Send + Sync + 'static,
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        use http_body_util::BodyExt;
        let factory = Factory::Body(Arc::new(move || {
            open().map(|b| Box::pin(b.map_err(Into::into)) as OneShot)
        }));
        Body::stream(len, Some(factory), "stream".into(), State::NotOpened)
    }

    /// The whole content of a file, opened anew for each attempt. The length is taken now;
    /// a file that changes size before it is sent gives [`HttpError::RequestBody`](crate::HttpError).
    pub fn from_file(path: impl AsRef<Path>) -> io::Result<Body> {
        let path: PathBuf = path.as_ref().to_path_buf();
        let len = std::fs::metadata(&path)?.len();
        let what: Arc<str> = path.display().to_string().into();
        let factory = Factory::Reader(Arc::new(move || {
            let file = std::fs::File::open(&path)?;
            Ok(Box::pin(tokio::fs::File::from_std(file)) as Reader)
        }));
        Ok(Body::stream(len, Some(factory), what, State::NotOpened))
    }

    /// A one-shot body of exactly `len` bytes from any `http_body::Body`. It cannot be sent
    /// again: [`Body::try_clone`] returns `None`.
    pub fn from_stream<B>(len: u64, body: B) -> Body
    where
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        use http_body_util::BodyExt;
        let body: OneShot = Box::pin(body.map_err(Into::into));
        Body::stream(len, None, "stream".into(), State::OneShot(body))
    }

    fn stream(len: u64, factory: Option<Factory>, what: Arc<str>, state: State) -> Body {
        let state = if len == 0 && factory.is_some() {
            State::Done
        } else {
            state
        };
        Body {
            inner: Inner::Stream(Box::new(Stream {
                len,
                sent: 0,
                factory,
                what,
                state,
                buf: BytesMut::new(),
            })),
        }
    }

    /// A fresh copy of this body from its start, or `None` when it cannot be sent again
    /// (a one-shot stream). A retry layer calls this before the first attempt.
    pub fn try_clone(&self) -> Option<Body> {
        match &self.inner {
            Inner::Empty => Some(Body::empty()),
            Inner::Bytes { all, .. } => Some(Body::from_bytes(all.clone())),
            Inner::Stream(s) => {
                let factory = s.factory.clone()?;
                Some(Body::stream(
                    s.len,
                    Some(factory),
                    s.what.clone(),
                    State::NotOpened,
                ))
            }
        }
    }

    /// The body's length in bytes (sent as `Content-Length`).
    pub fn content_length(&self) -> u64 {
        match &self.inner {
            Inner::Empty => 0,
            Inner::Bytes { all, .. } => all.len() as u64,
            Inner::Stream(s) => s.len,
        }
    }

    /// The in-memory payload as shared `Bytes` (a reference count, no copy); `None` for
    /// streams.
    pub fn shared_bytes(&self) -> Option<Bytes> {
        match &self.inner {
            Inner::Empty => Some(Bytes::new()),
            Inner::Bytes { all, .. } => Some(all.clone()),
            Inner::Stream(_) => None,
        }
    }

    /// Read a fresh copy of the payload from its start, handing each chunk to `f` (to hash
    /// a stream before it is sent: a signed SHA-256, a `Content-MD5`). This body itself is
    /// not consumed. `Ok(false)`, with nothing read, for a one-shot stream.
    pub async fn scan(&self, mut f: impl FnMut(&[u8])) -> Result<bool, crate::HttpError> {
        let Some(mut copy) = self.try_clone() else {
            return Ok(false);
        };
        use http_body_util::BodyExt;
        while let Some(frame) = copy.frame().await {
            let frame = frame.map_err(|e| crate::HttpError::RequestBody {
                detail: e.to_string(),
                source: Some(e),
            })?;
            if let Some(data) = frame.data_ref() {
                f(data);
            }
        }
        Ok(true)
    }

    /// The whole payload when it is in memory (empty or bytes), for a signer to hash;
    /// `None` for streams.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.inner {
            Inner::Empty => Some(&[]),
            Inner::Bytes { all, .. } => Some(all),
            Inner::Stream(_) => None,
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    /// Shows the kind and length, never the content.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Empty => f.write_str("Body::Empty"),
            Inner::Bytes { all, .. } => write!(f, "Body::Bytes({} bytes)", all.len()),
            Inner::Stream(s) => write!(
                f,
                "Body::Stream({} bytes from {}, {})",
                s.len,
                s.what,
                if s.factory.is_some() {
                    "replayable"
                } else {
                    "one-shot"
                }
            ),
        }
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Self {
        Body::from_bytes(b)
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Body::from_bytes(v)
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Body::from_bytes(s)
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Body::from_bytes(s)
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Body::from_bytes(s)
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::empty()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().inner {
            Inner::Empty => Poll::Ready(None),
            Inner::Bytes { rest, .. } => {
                if rest.is_empty() {
                    return Poll::Ready(None);
                }
                let n = rest.len().min(MEMORY_SLICE);
                Poll::Ready(Some(Ok(Frame::data(rest.split_to(n)))))
            }
            Inner::Stream(s) => s.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.inner {
            Inner::Empty => true,
            Inner::Bytes { rest, .. } => rest.is_empty(),
            Inner::Stream(s) => s.sent >= s.len && matches!(s.state, State::Done),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Inner::Empty => SizeHint::with_exact(0),
            Inner::Bytes { rest, .. } => SizeHint::with_exact(rest.len() as u64),
            Inner::Stream(s) => SizeHint::with_exact(s.len.saturating_sub(s.sent)),
        }
    }
}

impl Stream {
    fn fail(
        &mut self,
        detail: String,
        source: Option<io::Error>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.state = State::Done;
        Poll::Ready(Some(Err(Box::new(BodyError { detail, source }))))
    }

    fn poll_frame(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if matches!(self.state, State::NotOpened) {
            let Some(factory) = self.factory.clone() else {
                return self.fail(
                    format!("{}: one-shot body cannot be re-opened", self.what),
                    None,
                );
            };
            let opened = match factory {
                Factory::Reader(open) => open().map(State::Reader),
                Factory::Body(open) => open().map(State::OneShot),
            };
            match opened {
                Ok(state) => self.state = state,
                Err(e) => return self.fail(format!("cannot open {}: {e}", self.what), Some(e)),
            }
        }
        let remaining = self.len.saturating_sub(self.sent);
        match &mut self.state {
            State::NotOpened | State::Done => Poll::Ready(None),
            State::Reader(reader) => {
                if remaining == 0 {
                    self.state = State::Done;
                    return Poll::Ready(None);
                }
                let want = usize::try_from(remaining)
                    .unwrap_or(usize::MAX)
                    .min(READ_CHUNK);
                self.buf.reserve(want);
                let mut limited = (&mut self.buf).limit(want);
                match tokio_util::io::poll_read_buf(reader.as_mut(), cx, &mut limited) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Err(e)) => {
                        let detail = format!("reading {}: {e}", self.what);
                        self.fail(detail, Some(e))
                    }
                    Poll::Ready(Ok(0)) => {
                        let detail = format!(
                            "{} ended after {} of its declared {} bytes",
                            self.what, self.sent, self.len
                        );
                        self.fail(detail, None)
                    }
                    Poll::Ready(Ok(n)) => {
                        self.sent += n as u64;
                        if self.sent >= self.len {
                            self.state = State::Done;
                        }
                        Poll::Ready(Some(Ok(Frame::data(self.buf.split().freeze()))))
                    }
                }
            }
            State::OneShot(body) => match body.as_mut().poll_frame(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Err(e))) => {
                    let detail = format!("{}: {e}", self.what);
                    self.fail(detail, None)
                }
                Poll::Ready(Some(Ok(frame))) => {
                    let n = frame.data_ref().map_or(0, |d| d.len() as u64);
                    if n > remaining {
                        let detail = format!(
                            "{} is longer than its declared {} bytes",
                            self.what, self.len
                        );
                        return self.fail(detail, None);
                    }
                    self.sent += n;
                    Poll::Ready(Some(Ok(frame)))
                }
                Poll::Ready(None) => {
                    self.state = State::Done;
                    if self.sent < self.len {
                        let detail = format!(
                            "{} ended after {} of its declared {} bytes",
                            self.what, self.sent, self.len
                        );
                        return self.fail(detail, None);
                    }
                    Poll::Ready(None)
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::io::Write;

    async fn collect(body: Body) -> Result<Bytes, BoxError> {
        Ok(body.collect().await?.to_bytes())
    }

    #[tokio::test]
    async fn bytes_body_replays_and_is_sliced() {
        let data = Bytes::from(vec![7u8; 200_000]);
        let body = Body::from(data.clone());
        assert_eq!(body.content_length(), 200_000);
        let again = body.try_clone().unwrap();
        assert_eq!(collect(body).await.unwrap(), data);
        assert_eq!(collect(again).await.unwrap(), data);
    }

    #[tokio::test]
    async fn file_body_reopens_for_each_attempt() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&[1u8; 150_000]).unwrap();
        let body = Body::from_file(f.path()).unwrap();
        assert_eq!(body.content_length(), 150_000);
        assert!(body.bytes().is_none());
        let again = body.try_clone().unwrap();
        assert_eq!(collect(body).await.unwrap().len(), 150_000);
        assert_eq!(collect(again).await.unwrap().len(), 150_000);
    }

    #[tokio::test]
    async fn short_reader_is_an_error() {
        let body = Body::from_reader_factory(10, || Ok(&b"12345"[..]));
        let err = collect(body).await.unwrap_err().to_string();
        assert!(
            err.contains("ended after 5 of its declared 10 bytes"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn long_reader_is_cut_at_the_declared_length() {
        let body = Body::from_reader_factory(3, || Ok(&b"12345"[..]));
        assert_eq!(collect(body).await.unwrap(), "123");
    }

    #[tokio::test]
    async fn one_shot_stream_cannot_be_cloned() {
        let body = Body::from_stream(5, http_body_util::Full::new(Bytes::from_static(b"hello")));
        assert!(body.try_clone().is_none());
        assert_eq!(collect(body).await.unwrap(), "hello");
        let long = Body::from_stream(2, http_body_util::Full::new(Bytes::from_static(b"hello")));
        assert!(collect(long).await.is_err());
    }

    #[tokio::test]
    async fn scan_reads_a_replay_and_leaves_the_body_whole() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&[3u8; 150_000]).unwrap();
        let body = Body::from_file(f.path()).unwrap();
        let (mut n, mut sum) = (0usize, 0u64);
        assert!(body
            .scan(|c| {
                n += c.len();
                sum += c.iter().map(|&b| u64::from(b)).sum::<u64>();
            })
            .await
            .unwrap());
        assert_eq!((n, sum), (150_000, 450_000));
        assert_eq!(collect(body).await.unwrap().len(), 150_000);
        let short = Body::from_reader_factory(10, || Ok(&b"12345"[..]));
        assert!(short.scan(|_| {}).await.is_err());
        let once = Body::from_stream(5, http_body_util::Full::new(Bytes::from_static(b"hello")));
        assert!(!once
            .scan(|_| panic!("a one-shot body is not read"))
            .await
            .unwrap());
    }

    #[test]
    fn debug_shows_no_content() {
        let shown = format!("{:?}", Body::from("secret-payload"));
        assert_eq!(shown, "Body::Bytes(14 bytes)");
    }
}
