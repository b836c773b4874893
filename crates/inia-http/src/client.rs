//! [`HttpClient`]: the `tower::Service` that sends one request and returns its response.
//!
//! It is hyper-util's pooling client (connections kept per origin, closed after the pool
//! idle timeout) over our connector, plus what a cloud API client needs around it: the
//! read timeout and attempt deadline, a bound on requests in flight (and so, with the
//! pool's idle connections, on sockets),
//! `Proxy-Authorization` on forwarded requests only,
//! a proxy's refusal of its credentials turned into [`HttpError::ProxyAuthRequired`], and
//! every failure sorted into [`HttpError`].
//!
//! Owns: the client, its `Service` impl, the timers of the response head. Does not own:
//! retries (the engine wraps this service), signing, connection set-up (`connect`).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::PROXY_AUTHORIZATION;
use http::{Request, Response, StatusCode};
use http_body::{Frame, SizeHint};
use hyper_util::client::legacy::connect::{capture_connection, CaptureConnection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tower::Service;

use crate::body::Body;
use crate::config::HttpConfig;
use crate::connect::{ConnUses, Connector, RouteConnector, TcpConnect};
use crate::error::{classify, BoxError, HttpError, Phase};
use crate::proxy::{authority_label, Route, Routes};
use crate::response::{Ctx, ResponseBody};
use crate::tls::TlsSettings;

/// A cloneable HTTP client; clones share one connection pool. Use it as a
/// `tower::Service<http::Request<Body>>` or call [`send`](Self::send).
///
/// Needs a tokio runtime (with the time driver) when sending; building does not.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client<Connector, TrackedBody>,
    routes: Arc<Routes>,
    connect_timeout: Duration,
    read_timeout: Duration,
    attempt_deadline: Option<Duration>,
    /// One permit per request in flight ([`HttpConfig::max_connections`]).
    slots: Arc<Semaphore>,
}

impl HttpClient {
    /// A client with these settings. Proxy settings are read (from the environment, for
    /// [`ProxyConfig::FromEnv`](crate::ProxyConfig)) now; TLS roots on the first `https`
    /// request. Fails only on an unusable explicit proxy URL.
    pub fn new(config: HttpConfig) -> Result<HttpClient, HttpError> {
        let routes = Arc::new(Routes::new(&config)?);
        let tcp = TcpConnect::new(config.connect_timeout);
        let tls = TlsSettings {
            ca_bundle: config.ca_bundle.clone(),
            insecure: config.insecure,
            platform_roots: config.platform_roots,
        };
        let connector = Connector::new(RouteConnector::new(routes.clone(), tcp), tls, config.http2);
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build(connector);
        Ok(HttpClient {
            inner: Arc::new(Inner {
                client,
                routes,
                connect_timeout: config.connect_timeout,
                read_timeout: config.read_timeout,
                attempt_deadline: config.attempt_deadline,
                slots: Arc::new(Semaphore::new(
                    config.max_connections.clamp(1, Semaphore::MAX_PERMITS),
                )),
            }),
        })
    }

    /// A client with the default settings ([`HttpConfig::default`]).
    pub fn with_defaults() -> Result<HttpClient, HttpError> {
        HttpClient::new(HttpConfig::default())
    }

    /// Sends one request and waits for the response head. The body is read from the
    /// returned [`ResponseBody`], still under the read timeout and the attempt deadline.
    ///
    /// Any status is a successful response, except a forwarding proxy's refusal of its
    /// credentials, which is [`HttpError::ProxyAuthRequired`]: a `407`, or a `401` without
    /// a `Via` header (made by the proxy itself, as tinyproxy does for wrong credentials).
    ///
    /// This is one attempt; retries belong to the caller. The one exception: when a pooled
    /// connection turns out to have been closed by the peer while idle (the request fails
    /// before any answer), a request whose body can be replayed is sent again on another
    /// connection, at most twice, within the same timeouts.
    pub async fn send(&self, request: Request<Body>) -> Result<Response<ResponseBody>, HttpError> {
        let inner = &self.inner;
        let (mut parts, body) = request.into_parts();
        let target = check_target(&parts.uri)?;
        let route = inner.routes.route(&parts.uri);

        // Proxy-Authorization goes to a forwarding proxy only: never to an origin, and for
        // tunnels only on the CONNECT (added by the connector).
        parts.headers.remove(PROXY_AUTHORIZATION);
        let forward_proxy = match &route {
            Route::Proxy(p) if parts.uri.scheme_str() == Some("http") && p.is_http() => Some(p),
            _ => None,
        };
        if let Some(value) = forward_proxy.and_then(|p| p.authorization()) {
            parts.headers.insert(PROXY_AUTHORIZATION, value);
        }

        // Wait for a slot first: waiting is not a stall of this exchange. The semaphore is
        // never closed, so `ok()` only drops an impossible error.
        let slot = inner.slots.clone().acquire_owned().await.ok();
        let started = Instant::now();
        // The first window also covers getting a connection, which has its own timeout.
        let progress = Arc::new(Progress::new(started + inner.connect_timeout));
        let deadline = inner.attempt_deadline.map(|d| (started + d, d));

        let sending = inner.exchange(parts, body, &progress, &target);
        let result = tokio::select! {
            result = sending => result,
            () = progress.stalled(inner.read_timeout) => {
                tracing::debug!(%target, timeout = ?inner.read_timeout, "read timeout before the response head");
                return Err(HttpError::ReadTimeout { target, timeout: inner.read_timeout });
            }
            () = sleep_until(deadline) => {
                let deadline = deadline.map(|(_, d)| d).unwrap_or_default();
                return Err(HttpError::DeadlineExceeded { target, deadline });
            }
        };

        let response = match result {
            Ok(response) => response,
            Err(e) => return Err(classify(Box::new(e), &target, &route, Phase::Head)),
        };
        if let Some(proxy) = forward_proxy {
            let sent_credentials = proxy.authorization().is_some();
            if is_proxy_auth_refusal(response.status(), response.headers(), sent_credentials) {
                let status = response.status().as_u16();
                tracing::debug!(%target, ?proxy, status, "proxy refused its credentials");
                return Err(HttpError::ProxyAuthRequired {
                    proxy: proxy.label().to_string(),
                    status,
                });
            }
        }
        let ctx = Arc::new(Ctx { target, route });
        let (parts, incoming) = response.into_parts();
        let body = ResponseBody::wire(incoming, inner.read_timeout, deadline, ctx, slot);
        Ok(Response::from_parts(parts, body))
    }
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("routes", &self.inner.routes)
            .field("read_timeout", &self.inner.read_timeout)
            .field("attempt_deadline", &self.inner.attempt_deadline)
            .finish_non_exhaustive()
    }
}

impl Service<Request<Body>> for HttpClient {
    type Response = Response<ResponseBody>;
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, HttpError>> + Send>>;

    /// Always ready: the pool opens connections on demand.
    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), HttpError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let client = self.clone();
        Box::pin(async move { client.send(request).await })
    }
}

/// Whether a response to a request forwarded through a proxy is the proxy refusing its
/// credentials. `407` always is. `401` is too when we sent proxy credentials and the response
/// has no `Via` header: a proxy must add `Via` to every response it forwards (RFC 9110,
/// 7.6.3), so a `401` without one was made by the proxy itself. tinyproxy answers wrong
/// credentials that way.
fn is_proxy_auth_refusal(
    status: StatusCode,
    headers: &http::HeaderMap,
    sent_credentials: bool,
) -> bool {
    status == StatusCode::PROXY_AUTHENTICATION_REQUIRED
        || (status == StatusCode::UNAUTHORIZED
            && sent_credentials
            && !headers.contains_key(http::header::VIA))
}

/// How many times a request is sent again after a reused connection turned out closed.
const MAX_STALE_RESENDS: usize = 2;

impl Inner {
    /// Sends the request and waits for the response head. A pooled connection that the
    /// server (or a proxy such as tinyproxy, which closes after each answer without saying
    /// so) closed while it sat idle fails the request before any answer; the request is
    /// then sent again on another connection, as curl does, when its body can be replayed.
    async fn exchange(
        &self,
        mut parts: http::request::Parts,
        mut body: Body,
        progress: &Arc<Progress>,
        target: &str,
    ) -> Result<Response<hyper::body::Incoming>, hyper_util::client::legacy::Error> {
        let mut resends = 0;
        // Bounded: each turn either returns or counts a resend, and past
        // MAX_STALE_RESENDS there is no replay, so the turn returns.
        loop {
            let replay = if resends < MAX_STALE_RESENDS {
                body.try_clone()
            } else {
                None
            };
            let next_parts = replay.as_ref().map(|_| parts.clone());
            let tracked = TrackedBody {
                body,
                progress: progress.clone(),
            };
            let mut request = Request::from_parts(parts, tracked);
            let connection = capture_connection(&mut request);
            let error = match self.client.request(request).await {
                Ok(response) => {
                    if let Some(uses) = response.extensions().get::<ConnUses>() {
                        uses.served_one();
                    }
                    return Ok(response);
                }
                Err(error) => error,
            };
            match (replay, next_parts) {
                (Some(again), Some(again_parts)) if closed_while_idle(&error, &connection) => {
                    tracing::debug!(%target, "reused connection was closed by the peer; sending again");
                    resends += 1;
                    body = again;
                    parts = again_parts;
                }
                _ => return Err(error),
            }
        }
    }
}

/// True when the request failed because the connection, already used for an earlier
/// response, was closed or reset before answering.
fn closed_while_idle(
    error: &hyper_util::client::legacy::Error,
    connection: &CaptureConnection,
) -> bool {
    if error.is_connect() {
        return false;
    }
    let reused = connection
        .connection_metadata()
        .as_ref()
        .is_some_and(|connected| {
            let mut extras = http::Extensions::new();
            connected.get_extras(&mut extras);
            extras.get::<ConnUses>().is_some_and(ConnUses::was_used)
        });
    if !reused {
        return false;
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    for _ in 0..16 {
        let Some(e) = next else { break };
        if e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
            return matches!(io.kind(), ConnectionReset | BrokenPipe | ConnectionAborted);
        }
        next = e.source();
    }
    false
}

/// `host:port` of an absolute `http`/`https` URI, or why it cannot be sent.
fn check_target(uri: &http::Uri) -> Result<String, HttpError> {
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        Some(other) => {
            return Err(HttpError::InvalidRequest {
                detail: format!("unsupported URI scheme {other:?} (only http and https)"),
            })
        }
        None => {
            return Err(HttpError::InvalidRequest {
                detail: "the URI has no scheme: an absolute http:// or https:// URI is needed"
                    .into(),
            })
        }
    }
    match uri.host() {
        Some(h) if !h.is_empty() => Ok(authority_label(uri)),
        _ => Err(HttpError::InvalidRequest {
            detail: "the URI has no host".into(),
        }),
    }
}

async fn sleep_until(deadline: Option<(Instant, Duration)>) {
    match deadline {
        Some((at, _)) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// When the exchange last made progress, as nanoseconds after `base`. Only moves forward.
struct Progress {
    base: Instant,
    last: AtomicU64,
}

impl Progress {
    fn new(first: Instant) -> Progress {
        let base = Instant::now();
        let p = Progress {
            base,
            last: AtomicU64::new(0),
        };
        p.mark(first);
        p
    }

    fn mark(&self, at: Instant) {
        let nanos =
            u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX);
        self.last.fetch_max(nanos, Ordering::Relaxed);
    }

    fn last(&self) -> u64 {
        self.last.load(Ordering::Relaxed)
    }

    /// Resolves once `timeout` passes with no progress. Each turn of the loop waits for a
    /// full window after the latest progress, so it ends once progress stops.
    async fn stalled(&self, timeout: Duration) {
        loop {
            let last = self.last();
            tokio::time::sleep_until(self.base + Duration::from_nanos(last) + timeout).await;
            if self.last() == last {
                return;
            }
        }
    }
}

/// The request body as hyper sees it: each chunk taken counts as progress.
struct TrackedBody {
    body: Body,
    progress: Arc<Progress>,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if polled.is_ready() {
            this.progress.mark(Instant::now());
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        http_body::Body::is_end_stream(&self.body)
    }

    fn size_hint(&self) -> SizeHint {
        http_body::Body::size_hint(&self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_odd_uris_are_invalid_requests() {
        for uri in ["/path", "ftp://example.com/", "http:///x"] {
            let Ok(uri) = uri.parse::<http::Uri>() else {
                continue;
            };
            assert!(
                matches!(check_target(&uri), Err(HttpError::InvalidRequest { .. })),
                "{uri}"
            );
        }
        assert_eq!(
            check_target(&"https://s3.amazonaws.com/b".parse().unwrap()).unwrap(),
            "s3.amazonaws.com:443"
        );
        assert_eq!(
            check_target(&"http://[::1]:8080/".parse().unwrap()).unwrap(),
            "[::1]:8080"
        );
    }

    #[test]
    fn proxy_refusals() {
        let mut via = http::HeaderMap::new();
        via.insert(http::header::VIA, "1.1 proxy".parse().unwrap());
        let none = http::HeaderMap::new();
        assert!(is_proxy_auth_refusal(
            StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            &via,
            false
        ));
        assert!(is_proxy_auth_refusal(StatusCode::UNAUTHORIZED, &none, true));
        // forwarded from the origin, or no credentials of ours to refuse
        assert!(!is_proxy_auth_refusal(StatusCode::UNAUTHORIZED, &via, true));
        assert!(!is_proxy_auth_refusal(
            StatusCode::UNAUTHORIZED,
            &none,
            false
        ));
        assert!(!is_proxy_auth_refusal(StatusCode::FORBIDDEN, &none, true));
    }

    #[tokio::test(start_paused = true)]
    async fn stall_timer_restarts_on_progress() {
        let p = Arc::new(Progress::new(Instant::now()));
        let p2 = p.clone();
        tokio::spawn(async move {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_millis(80)).await;
                p2.mark(Instant::now());
            }
        });
        let start = Instant::now();
        p.stalled(Duration::from_millis(100)).await;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(340) && waited < Duration::from_millis(400),
            "{waited:?}"
        );
    }
}
