//! The connector hyper-util's pooling client calls for each new connection: TCP with a
//! connect timeout, the proxy route (forward or `CONNECT` tunnel), then TLS for `https`.
//!
//! Layers, innermost first:
//! - [`TcpConnect`]: hyper-util's `HttpConnector` (name lookup, happy eyeballs, `TCP_NODELAY`)
//!   under a connect timeout covering lookup and connect.
//! - [`RouteConnector`]: asks the routing rules (`proxy`) where to go. Direct: TCP to the
//!   origin. `http` target through a proxy: TCP to the proxy, marked "proxied" so hyper
//!   writes the request in absolute form. `https` target through a proxy: hyper-util's
//!   `Tunnel` (an HTTP `CONNECT`, with `Proxy-Authorization` on the `CONNECT` only). As
//!   `Tunnel` reports only `407` by name, the first bytes of the proxy's answer are kept
//!   ([`Sniff`]) so that another refusal (tinyproxy's `401`) is reported with its status.
//! - [`Connector`]: plain for `http`; for `https`, hyper-rustls's `HttpsConnector` over the
//!   route connector, built on the first `https` connection (see `tls`).
//!
//! Owns: opening connections and the `debug` events saying how. Does not own: pooling and
//! HTTP (hyper-util's client), the proxy rules (`proxy`), the TLS settings (`tls`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower::Service;

use crate::error::{BoxError, ConnectFailure, ConnectKind, TunnelError, TunnelRefused};
use crate::proxy::{authority_label, Route, Routes};
use crate::tls::{client_config, TlsSettings};

type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// TCP to one address, under the connect timeout.
#[derive(Clone)]
pub(crate) struct TcpConnect {
    http: HttpConnector,
    timeout: Duration,
    /// The proxy's `host:port` when this connects to a proxy (for errors).
    via_proxy: Option<String>,
}

impl TcpConnect {
    pub(crate) fn new(timeout: Duration) -> TcpConnect {
        let mut http = HttpConnector::new();
        // We pass https URIs through: TLS is added above this layer.
        http.enforce_http(false);
        http.set_nodelay(true);
        TcpConnect {
            http,
            timeout,
            via_proxy: None,
        }
    }

    fn to_proxy(&self, label: &str) -> TcpConnect {
        TcpConnect {
            via_proxy: Some(label.to_string()),
            ..self.clone()
        }
    }
}

impl Service<Uri> for TcpConnect {
    type Response = TokioIo<TcpStream>;
    type Error = ConnectFailure;
    type Future = BoxFuture<TokioIo<TcpStream>, ConnectFailure>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let addr = authority_label(&dst);
        let via_proxy = self.via_proxy.clone();
        let timeout = self.timeout;
        let connecting = self.http.call(dst);
        Box::pin(async move {
            tracing::debug!(%addr, to_proxy = via_proxy.is_some(), "tcp connect");
            let kind = match tokio::time::timeout(timeout, connecting).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(e)) => ConnectKind::Tcp(Box::new(e)),
                Err(_) => ConnectKind::Timeout(timeout),
            };
            tracing::debug!(%addr, error = ?kind, "tcp connect failed");
            Err(ConnectFailure {
                kind,
                addr,
                via_proxy,
            })
        })
    }
}

/// A TCP connection, marked when it goes to a forwarding proxy (so hyper writes requests in
/// absolute form: `GET http://host/path`).
pub(crate) struct Conn {
    io: TokioIo<TcpStream>,
    forward_proxy: bool,
    uses: ConnUses,
}

impl Conn {
    fn new(io: TokioIo<TcpStream>, forward_proxy: bool) -> Conn {
        Conn {
            io,
            forward_proxy,
            uses: ConnUses::default(),
        }
    }
}

/// How many responses a connection has delivered. Travels in the connection's metadata
/// (hyper-util copies it into each response's extensions and into a captured connection),
/// so the client can tell a reused connection from a fresh one.
#[derive(Clone, Default, Debug)]
pub(crate) struct ConnUses(Arc<AtomicUsize>);

impl ConnUses {
    pub(crate) fn served_one(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn was_used(&self) -> bool {
        self.0.load(Ordering::Relaxed) > 0
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        self.io
            .connected()
            .proxy(self.forward_proxy)
            .extra(self.uses.clone())
    }
}

impl Read for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// How many leading bytes of a proxy's `CONNECT` answer [`Sniff`] keeps: enough for the
/// status line's `HTTP/1.1 NNN`.
const SNIFF_BYTES: usize = 32;

/// TCP for hyper-util's `Tunnel`, returning a [`Sniff`] stream.
#[derive(Clone)]
struct SniffConnect {
    tcp: TcpConnect,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Service<Uri> for SniffConnect {
    type Response = Sniff;
    type Error = ConnectFailure;
    type Future = BoxFuture<Sniff, ConnectFailure>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.tcp.call(dst);
        let seen = self.seen.clone();
        Box::pin(async move {
            Ok(Sniff {
                io: connecting.await?,
                seen,
            })
        })
    }
}

/// A stream that keeps a copy of the first [`SNIFF_BYTES`] it reads. Used only during the
/// `CONNECT` exchange; the tunnel then continues on the bare stream.
struct Sniff {
    io: TokioIo<TcpStream>,
    seen: Arc<Mutex<Vec<u8>>>,
}

impl Read for Sniff {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut tmp = [0u8; 1024];
        let n = buf.remaining().min(tmp.len());
        let mut read = hyper::rt::ReadBuf::new(&mut tmp[..n]);
        match Pin::new(&mut this.io).poll_read(cx, read.unfilled()) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        let filled = read.filled();
        if let Ok(mut seen) = this.seen.lock() {
            let room = SNIFF_BYTES.saturating_sub(seen.len());
            seen.extend_from_slice(&filled[..room.min(filled.len())]);
        }
        buf.put_slice(filled);
        Poll::Ready(Ok(()))
    }
}

impl Write for Sniff {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

/// The status code of an HTTP status line at the start of `seen` (`HTTP/1.1 401 ...`).
fn status_of(seen: &Mutex<Vec<u8>>) -> Option<u16> {
    let seen = seen.lock().ok()?;
    let line = std::str::from_utf8(&seen).ok().or_else(|| {
        // A status line is ASCII; cut at the first byte that is not.
        let end = seen
            .iter()
            .position(|b| !b.is_ascii())
            .unwrap_or(seen.len());
        std::str::from_utf8(&seen[..end]).ok()
    })?;
    let mut words = line.split(' ');
    if !words.next()?.starts_with("HTTP/") {
        return None;
    }
    let code = words.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

/// Direct, forwarding proxy, or `CONNECT` tunnel, as the routing rules say.
#[derive(Clone)]
pub(crate) struct RouteConnector {
    routes: Arc<Routes>,
    tcp: TcpConnect,
}

impl RouteConnector {
    pub(crate) fn new(routes: Arc<Routes>, tcp: TcpConnect) -> RouteConnector {
        RouteConnector { routes, tcp }
    }
}

impl Service<Uri> for RouteConnector {
    type Response = Conn;
    type Error = BoxError;
    type Future = BoxFuture<Conn, BoxError>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let target = authority_label(&dst);
        let proxy = match self.routes.route(&dst) {
            Route::Direct => {
                let why = if self.routes.is_metadata(&dst) {
                    "metadata host"
                } else {
                    "no proxy applies"
                };
                tracing::debug!(%target, why, "connecting direct");
                let connecting = self.tcp.call(dst);
                return Box::pin(async move { Ok(Conn::new(connecting.await?, false)) });
            }
            Route::Proxy(proxy) => proxy,
        };
        if !proxy.is_http() {
            let failure = ConnectFailure {
                kind: ConnectKind::UnsupportedProxy(proxy.scheme().to_string()),
                addr: proxy.label().to_string(),
                via_proxy: Some(proxy.label().to_string()),
            };
            tracing::debug!(%target, ?proxy, "proxy scheme not supported");
            return Box::pin(async move { Err(failure.into()) });
        }
        let tcp = self.tcp.to_proxy(proxy.label());
        let auth = proxy.authorization();
        if dst.scheme_str() == Some("https") {
            tracing::debug!(%target, ?proxy, proxy_auth = auth.is_some(), "CONNECT tunnel through proxy");
            let seen = Arc::new(Mutex::new(Vec::new()));
            let mut tunnel = Tunnel::new(
                proxy.uri().clone(),
                SniffConnect {
                    tcp,
                    seen: seen.clone(),
                },
            );
            if let Some(auth) = auth {
                tunnel = tunnel.with_auth(auth);
            }
            let connecting = tunnel.call(dst);
            Box::pin(async move {
                match connecting.await {
                    Ok(sniff) => Ok(Conn::new(sniff.io, false)),
                    Err(TunnelError::TunnelUnsuccessful) => match status_of(&seen) {
                        Some(status) => {
                            tracing::debug!(%target, status, "proxy refused the CONNECT");
                            Err(Box::new(TunnelRefused { status }) as BoxError)
                        }
                        None => Err(Box::new(TunnelError::TunnelUnsuccessful) as BoxError),
                    },
                    Err(e) => Err(Box::new(e) as BoxError),
                }
            })
        } else {
            tracing::debug!(%target, ?proxy, proxy_auth = auth.is_some(), "forwarding through proxy");
            let mut tcp = tcp;
            let connecting = tcp.call(proxy.uri().clone());
            Box::pin(async move { Ok(Conn::new(connecting.await?, true)) })
        }
    }
}

/// The connector given to hyper-util's client.
#[derive(Clone)]
pub(crate) struct Connector {
    route: RouteConnector,
    tls: TlsSettings,
    http2: bool,
    /// Built on the first `https` connection; a failed build is not cached (a fixed CA
    /// bundle is picked up by the next request).
    https: Arc<OnceLock<HttpsConnector<RouteConnector>>>,
}

impl Connector {
    pub(crate) fn new(route: RouteConnector, tls: TlsSettings, http2: bool) -> Connector {
        Connector {
            route,
            tls,
            http2,
            https: Arc::new(OnceLock::new()),
        }
    }

    fn https(&self) -> Result<HttpsConnector<RouteConnector>, String> {
        if let Some(c) = self.https.get() {
            return Ok(c.clone());
        }
        let config = client_config(&self.tls)?;
        let builder = HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http();
        let connector = if self.http2 {
            builder
                .enable_all_versions()
                .wrap_connector(self.route.clone())
        } else {
            builder.enable_http1().wrap_connector(self.route.clone())
        };
        tracing::debug!(
            http2 = self.http2,
            insecure = self.tls.insecure,
            "TLS connector ready"
        );
        Ok(self.https.get_or_init(|| connector).clone())
    }
}

impl Service<Uri> for Connector {
    type Response = MaybeHttpsStream<Conn>;
    type Error = BoxError;
    type Future = BoxFuture<MaybeHttpsStream<Conn>, BoxError>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        if dst.scheme_str() != Some("https") {
            let connecting = self.route.call(dst);
            return Box::pin(async move { Ok(MaybeHttpsStream::Http(connecting.await?)) });
        }
        match self.https() {
            Ok(mut https) => https.call(dst),
            Err(detail) => {
                tracing::debug!(%detail, "TLS setup failed");
                let failure = ConnectFailure {
                    kind: ConnectKind::TlsSetup(detail),
                    addr: authority_label(&dst),
                    via_proxy: None,
                };
                Box::pin(async move { Err(failure.into()) })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_line_is_read() {
        let seen = |s: &[u8]| Mutex::new(s.to_vec());
        assert_eq!(
            status_of(&seen(b"HTTP/1.0 401 Unauthorized\r\nServer: x")),
            Some(401)
        );
        assert_eq!(status_of(&seen(b"HTTP/1.1 502 Bad")), Some(502));
        assert_eq!(status_of(&seen(b"HTTP/1.1 20")), None);
        assert_eq!(status_of(&seen(b"garbage")), None);
        assert_eq!(status_of(&seen(b"")), None);
    }
}
