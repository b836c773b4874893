//! [`ResponseBody`]: the streaming response body, read chunk by chunk or collected.
//!
//! It wraps hyper's `Incoming` and keeps enforcing the client's timeouts while the caller
//! reads: the read timeout between chunks and the attempt deadline. Errors come out as
//! [`HttpError`] (a server closing mid-body is [`HttpError::Truncated`]).
//!
//! A reader may attach a [`BodyCheck`] ([`ResponseBody::checked`]): it sees every byte,
//! and at the end of the body its verdict is the last frame (an
//! [`HttpError::Integrity`] when it fails), so whoever reads the body to its end learns
//! of a mismatch, whether through [`chunk`](ResponseBody::chunk),
//! [`bytes`](ResponseBody::bytes) or `http_body`.
//!
//! Owns: the body type, its timers and the check hook. Does not own: the response head
//! (plain `http::Response`), parsing the content (the protocol layer), nor what a check
//! computes (the engine's response checksums).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::{Instant, Sleep};

use crate::error::{classify, HttpError, Phase};
use crate::proxy::Route;

/// A response body. Implements `http_body::Body` (data `Bytes`, error [`HttpError`]); for the
/// common cases use [`chunk`](Self::chunk) and [`bytes`](Self::bytes).
pub struct ResponseBody {
    kind: Kind,
    done: bool,
    check: Option<(Box<dyn BodyCheck>, String)>,
}

/// What checks a body's content as it is read: see [`ResponseBody::checked`].
pub trait BodyCheck: Send + Sync {
    /// The next piece of the body.
    fn update(&mut self, data: &[u8]);
    /// The body ended: `Err(detail)` when it fails the check.
    fn finish(self: Box<Self>) -> Result<(), String>;
}

enum Kind {
    Full(Option<Bytes>),
    Wire(Box<Wire>),
}

struct Wire {
    incoming: Incoming,
    read_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    deadline: Option<(Pin<Box<Sleep>>, Duration)>,
    ctx: Arc<Ctx>,
    /// The client's in-flight slot, given back at the body's end (or when it is dropped).
    slot: Option<OwnedSemaphorePermit>,
}

/// What errors need to name: the origin and the route taken.
pub(crate) struct Ctx {
    pub(crate) target: String,
    pub(crate) route: Route,
}

impl ResponseBody {
    /// A body read from the wire, under the client's timers.
    pub(crate) fn wire(
        incoming: Incoming,
        read_timeout: Duration,
        deadline: Option<(Instant, Duration)>,
        ctx: Arc<Ctx>,
        slot: Option<OwnedSemaphorePermit>,
    ) -> ResponseBody {
        let idle = Box::pin(tokio::time::sleep(read_timeout));
        let deadline = deadline.map(|(at, d)| (Box::pin(tokio::time::sleep_until(at)), d));
        ResponseBody {
            kind: Kind::Wire(Box::new(Wire {
                incoming,
                read_timeout,
                idle,
                deadline,
                ctx,
                slot,
            })),
            done: false,
            check: None,
        }
    }

    /// This body with `check` run over it: a body that reads to its end and fails the
    /// check ends in [`HttpError::Integrity`] naming `target`. A body abandoned or broken
    /// before its end is not judged.
    pub fn checked(mut self, check: Box<dyn BodyCheck>, target: impl Into<String>) -> ResponseBody {
        self.check = Some((check, target.into()));
        self
    }

    /// A body with the given content, for tests and canned responses.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> ResponseBody {
        ResponseBody {
            kind: Kind::Full(Some(bytes.into())),
            done: false,
            check: None,
        }
    }

    /// An empty body.
    pub fn empty() -> ResponseBody {
        ResponseBody {
            kind: Kind::Full(None),
            done: true,
            check: None,
        }
    }

    /// The next chunk of data, or `None` at the end. Trailers, if any, are skipped.
    pub async fn chunk(&mut self) -> Option<Result<Bytes, HttpError>> {
        // Each turn consumes one frame of a finite body.
        loop {
            match self.frame().await? {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        return Some(Ok(data));
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// The whole body, read to its end.
    pub async fn bytes(self) -> Result<Bytes, HttpError> {
        Ok(self.collect().await?.to_bytes())
    }

    /// The whole body, refused with [`HttpError::BodyTooLarge`] as soon as it grows past
    /// `limit` bytes (`target` names the server in that error).
    pub async fn bytes_limited(mut self, limit: u64, target: &str) -> Result<Bytes, HttpError> {
        // One chunk (the common case) is returned as it is; more are gathered.
        let mut first: Option<Bytes> = None;
        let mut gathered: Option<bytes::BytesMut> = None;
        let mut len = 0u64;
        while let Some(chunk) = self.chunk().await {
            let chunk = chunk?;
            len += chunk.len() as u64;
            if len > limit {
                return Err(HttpError::BodyTooLarge {
                    target: target.to_string(),
                    limit,
                    announced: None,
                });
            }
            match (&mut gathered, first.take()) {
                (Some(g), _) => g.extend_from_slice(&chunk),
                (None, None) => first = Some(chunk),
                (None, Some(f)) => {
                    let mut g = bytes::BytesMut::with_capacity(f.len() + chunk.len());
                    g.extend_from_slice(&f);
                    g.extend_from_slice(&chunk);
                    gathered = Some(g);
                }
            }
        }
        Ok(match gathered {
            Some(g) => g.freeze(),
            None => first.unwrap_or_default(),
        })
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = self.get_mut();
        let polled = this.poll_wire(cx);
        let Some((check, _)) = this.check.as_mut() else {
            return polled;
        };
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    check.update(data);
                }
                polled
            }
            Poll::Ready(None) => {
                let Some((check, target)) = this.check.take() else {
                    return polled;
                };
                match check.finish() {
                    Ok(()) => Poll::Ready(None),
                    Err(detail) => Poll::Ready(Some(Err(HttpError::Integrity { target, detail }))),
                }
            }
            Poll::Ready(Some(Err(_))) => {
                // Broken before its end: not judged.
                this.check = None;
                polled
            }
            Poll::Pending => polled,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.check.is_none() && self.at_end()
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(b) => SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Wire(w) => w.incoming.size_hint(),
        }
    }
}

impl ResponseBody {
    fn at_end(&self) -> bool {
        self.done
            || match &self.kind {
                Kind::Full(b) => b.is_none(),
                Kind::Wire(w) => w.incoming.is_end_stream(),
            }
    }

    fn poll_wire(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        let this = self;
        if this.done {
            return Poll::Ready(None);
        }
        let wire = match &mut this.kind {
            Kind::Full(bytes) => {
                this.done = true;
                return Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b))));
            }
            Kind::Wire(wire) => wire,
        };
        match Pin::new(&mut wire.incoming).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let next = Instant::now() + wire.read_timeout;
                wire.idle.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.done = true;
                wire.slot = None;
                let ctx = &wire.ctx;
                Poll::Ready(Some(Err(classify(
                    Box::new(e),
                    &ctx.target,
                    &ctx.route,
                    Phase::Body,
                ))))
            }
            Poll::Ready(None) => {
                this.done = true;
                wire.slot = None;
                Poll::Ready(None)
            }
            Poll::Pending => {
                if let Some((sleep, deadline)) = &mut wire.deadline {
                    if sleep.as_mut().poll(cx).is_ready() {
                        this.done = true;
                        let target = wire.ctx.target.clone();
                        return Poll::Ready(Some(Err(HttpError::DeadlineExceeded {
                            target,
                            deadline: *deadline,
                        })));
                    }
                }
                if wire.idle.as_mut().poll(cx).is_ready() {
                    this.done = true;
                    let target = wire.ctx.target.clone();
                    tracing::debug!(%target, timeout = ?wire.read_timeout, "read timeout in response body");
                    return Poll::Ready(Some(Err(HttpError::ReadTimeout {
                        target,
                        timeout: wire.read_timeout,
                    })));
                }
                Poll::Pending
            }
        }
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Full(b) => write!(
                f,
                "ResponseBody::Full({} bytes)",
                b.as_ref().map_or(0, Bytes::len)
            ),
            Kind::Wire(w) => write!(f, "ResponseBody::Wire(from {})", w.ctx.target),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn canned_bodies() {
        let mut b = ResponseBody::from_bytes("abc");
        assert_eq!(b.chunk().await.unwrap().unwrap(), "abc");
        assert!(b.chunk().await.is_none());
        assert_eq!(ResponseBody::empty().bytes().await.unwrap(), "");
    }
}
