//! [`HttpError`]: what went wrong on the wire, sorted into the kinds a caller acts on
//! differently (retry, report a proxy or certificate problem, fix the request).
//!
//! Owns: the public error enum, the crate's internal error types (`ConnectFailure`,
//! `BodyError`), and sorting the nested errors of hyper, hyper-util, rustls and tokio into
//! `HttpError`. Does not own: deciding to retry (the engine's retry layer does, helped by
//! [`HttpError::is_transient`]).
//!
//! No error text holds a secret: targets are shown as `host:port`, proxies likewise, and
//! header values (`Authorization`, `Proxy-Authorization`) are never formatted.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

use crate::proxy::Route;

/// hyper-util's tunnel error type, which it does not export by name: reached through the
/// `Service` impl of `Tunnel` (the error type does not depend on the inner connector).
pub(crate) type TunnelError = <hyper_util::client::legacy::connect::proxy::Tunnel<
    crate::connect::TcpConnect,
> as tower::Service<http::Uri>>::Error;

/// A boxed error, as hyper and tower pass them around.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// Failure of one HTTP exchange.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The request cannot be sent as it is (no scheme or host, unsupported scheme, ...).
    #[error("invalid request: {detail}")]
    InvalidRequest { detail: String },
    /// The client settings are unusable (for example a malformed proxy URL).
    #[error("invalid HTTP client configuration: {detail}")]
    Config { detail: String },
    /// The TCP connection to the origin could not be made (refused, unreachable, name not
    /// resolved). Nothing was sent.
    #[error("could not connect to {target}: {detail}")]
    Connect {
        target: String,
        detail: String,
        #[source]
        source: Option<BoxError>,
    },
    /// The TCP connection (to the origin, or to the proxy: `target` then starts with
    /// `proxy `) took longer than the connect timeout. Nothing was sent.
    #[error("connecting to {target} timed out after {timeout:?}")]
    ConnectTimeout { target: String, timeout: Duration },
    /// The exchange made no progress for the read timeout.
    #[error("read timeout: no progress from {target} for {timeout:?}")]
    ReadTimeout { target: String, timeout: Duration },
    /// The per-attempt deadline passed before the response was read to its end.
    #[error("the request to {target} did not finish within its {deadline:?} attempt deadline")]
    DeadlineExceeded { target: String, deadline: Duration },
    /// The TLS handshake failed, the certificate was not trusted, or the CA bundle could not
    /// be loaded.
    #[error("TLS failure with {target}: {detail}")]
    Tls {
        target: String,
        detail: String,
        #[source]
        source: Option<BoxError>,
    },
    /// The proxy refused our credentials: it answered `407 Proxy Authentication Required`
    /// (no or wrong credentials), or `401 Unauthorized` where that can only have come from
    /// the proxy itself (tinyproxy answers wrong credentials so). The user name or password
    /// in the proxy URL is missing or wrong.
    #[error(
        "proxy {proxy} rejected the proxy credentials (HTTP {status} {}): \
         the user name or password in the proxy URL is missing or wrong",
        reason(*status)
    )]
    ProxyAuthRequired { proxy: String, status: u16 },
    /// Any other proxy failure: cannot connect to it, it refused the `CONNECT` tunnel, or
    /// its scheme is not supported.
    #[error("proxy {proxy} failed: {detail}")]
    Proxy {
        proxy: String,
        detail: String,
        #[source]
        source: Option<BoxError>,
    },
    /// The connection broke (reset, closed early, garbled response) after it was made.
    #[error("connection to {target} failed: {detail}")]
    Io {
        target: String,
        detail: String,
        #[source]
        source: Option<BoxError>,
    },
    /// The response body ended before its announced length (the server closed mid-body).
    #[error("response body from {target} was cut short: {detail}")]
    Truncated {
        target: String,
        detail: String,
        #[source]
        source: Option<BoxError>,
    },
    /// The response body arrived whole but failed the check its reader attached
    /// ([`ResponseBody::checked`](crate::ResponseBody::checked)): a checksum that does not
    /// match. Not transient: the same bytes would come again, or the path corrupts them.
    #[error("response body from {target} failed its check: {detail}")]
    Integrity { target: String, detail: String },
    /// A response read into memory is larger than the cap for such bodies (announced by
    /// `Content-Length`, or counted while reading). Streamed bodies are never capped.
    #[error(
        "the response from {target} {}the {limit}-byte cap on responses read into memory",
        match announced { Some(n) => format!("announces {n} bytes, more than "), None => "is larger than ".to_string() }
    )]
    BodyTooLarge {
        target: String,
        limit: u64,
        announced: Option<u64>,
    },
    /// The request body could not be produced (file unreadable, stream shorter or longer
    /// than its declared length).
    #[error("request body could not be sent: {detail}")]
    RequestBody {
        detail: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl HttpError {
    /// True for the timeouts: connect, read, and attempt deadline.
    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            HttpError::ConnectTimeout { .. }
                | HttpError::ReadTimeout { .. }
                | HttpError::DeadlineExceeded { .. }
        )
    }

    /// True when no connection to the origin was made, so the request was certainly not
    /// sent (safe to retry even when not idempotent).
    pub fn is_connect(&self) -> bool {
        matches!(
            self,
            HttpError::Connect { .. } | HttpError::ConnectTimeout { .. }
        )
    }

    /// True for failures that may go away on another attempt: connect failures, timeouts,
    /// broken connections and cut bodies. TLS, proxy, configuration and request problems are
    /// not.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            HttpError::Connect { .. }
                | HttpError::ConnectTimeout { .. }
                | HttpError::ReadTimeout { .. }
                | HttpError::DeadlineExceeded { .. }
                | HttpError::Io { .. }
                | HttpError::Truncated { .. }
        )
    }
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// A proxy answered our `CONNECT` with this non-200 status.
#[derive(Debug)]
pub(crate) struct TunnelRefused {
    pub(crate) status: u16,
}

impl fmt::Display for TunnelRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the proxy answered the CONNECT with HTTP {} {}",
            self.status,
            reason(self.status)
        )
    }
}

impl StdError for TunnelRefused {}

/// Why our connector could not produce a connection. Travels inside hyper-util's error and
/// is found again by [`classify`].
#[derive(Debug)]
pub(crate) struct ConnectFailure {
    pub(crate) kind: ConnectKind,
    /// `host:port` we tried to reach (the proxy's when `via_proxy` is set).
    pub(crate) addr: String,
    /// `host:port` of the proxy, when the failure concerns it.
    pub(crate) via_proxy: Option<String>,
}

#[derive(Debug)]
pub(crate) enum ConnectKind {
    Tcp(BoxError),
    Timeout(Duration),
    UnsupportedProxy(String),
    TlsSetup(String),
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ConnectKind::Tcp(_) => write!(f, "tcp connect to {} failed", self.addr),
            ConnectKind::Timeout(d) => {
                write!(f, "tcp connect to {} timed out after {d:?}", self.addr)
            }
            ConnectKind::UnsupportedProxy(s) => write!(f, "unsupported proxy scheme {s}://"),
            ConnectKind::TlsSetup(d) => write!(f, "TLS setup: {d}"),
        }
    }
}

impl StdError for ConnectFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            ConnectKind::Tcp(e) => Some(&**e),
            _ => None,
        }
    }
}

/// A request body that could not be produced. Surfaces as [`HttpError::RequestBody`].
#[derive(Debug)]
pub(crate) struct BodyError {
    pub(crate) detail: String,
    pub(crate) source: Option<io::Error>,
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl StdError for BodyError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// The nested errors under `err`, outermost first. Also looks inside `io::Error`s, whose
/// `source()` skips the error they wrap. Bounded in depth.
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        if out.len() >= 16 {
            break;
        }
        out.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

/// The messages of a chain, joined with `": "`, skipping repeats.
fn text(errors: &[&(dyn StdError + 'static)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in errors {
        let s = e.to_string();
        if s.is_empty() || parts.iter().any(|p| p.contains(&s)) {
            continue;
        }
        parts.push(s);
    }
    parts.join(": ")
}

/// Where in the exchange an error happened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Phase {
    /// Getting a connection and the response head.
    Head,
    /// Reading the response body.
    Body,
}

/// Sorts an error from hyper-util's client (or from a response body) into an [`HttpError`].
/// `target` is the origin's `host:port`.
pub(crate) fn classify(err: BoxError, target: &str, route: &Route, phase: Phase) -> HttpError {
    let sorted = sort(&*err, target, route, phase);
    attach_source(sorted, err)
}

/// Sets `source` on the variants that have one.
fn attach_source(mut e: HttpError, err: BoxError) -> HttpError {
    match &mut e {
        HttpError::Connect { source, .. }
        | HttpError::Tls { source, .. }
        | HttpError::Proxy { source, .. }
        | HttpError::Io { source, .. }
        | HttpError::Truncated { source, .. }
        | HttpError::RequestBody { source, .. } => *source = Some(err),
        _ => {}
    }
    e
}

fn sort(err: &(dyn StdError + 'static), target: &str, route: &Route, phase: Phase) -> HttpError {
    let proxy_label = match route {
        Route::Proxy(p) => Some(p.label().to_string()),
        Route::Direct => None,
    };
    let all = chain(err);
    // The first layer, hyper-util's "client error (Connect)", says nothing useful.
    let skip = usize::from(all.len() > 1 && all[0].is::<hyper_util::client::legacy::Error>());
    let detail_from = |i: usize| text(&all[i.max(skip)..]);
    let mut is_connect = false;

    for (i, e) in all.iter().enumerate() {
        if let Some(legacy) = e.downcast_ref::<hyper_util::client::legacy::Error>() {
            is_connect |= legacy.is_connect();
        }
        if let Some(cf) = e.downcast_ref::<ConnectFailure>() {
            let detail = detail_from(i + 1);
            return from_connect_failure(cf, target, detail);
        }
        if let Some(te) = e.downcast_ref::<TunnelError>() {
            use TunnelError as T;
            let proxy = proxy_label.clone().unwrap_or_default();
            match te {
                T::ProxyAuthRequired => return HttpError::ProxyAuthRequired { proxy, status: 407 },
                // The cause (our ConnectFailure) comes next in the chain.
                T::ConnectFailed(_) => continue,
                _ => {
                    return HttpError::Proxy {
                        proxy,
                        detail: format!("CONNECT tunnel to {target}: {}", detail_from(i)),
                        source: None,
                    }
                }
            }
        }
        if let Some(refused) = e.downcast_ref::<TunnelRefused>() {
            let proxy = proxy_label.clone().unwrap_or_default();
            return match refused.status {
                401 | 407 => HttpError::ProxyAuthRequired {
                    proxy,
                    status: refused.status,
                },
                _ => HttpError::Proxy {
                    proxy,
                    detail: format!("CONNECT tunnel to {target}: {refused}"),
                    source: None,
                },
            };
        }
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return HttpError::Tls {
                target: target.to_string(),
                detail: tls_detail(tls),
                source: None,
            };
        }
        if let Some(be) = e.downcast_ref::<BodyError>() {
            return HttpError::RequestBody {
                detail: be.detail.clone(),
                source: None,
            };
        }
        if let Some(ioe) = e.downcast_ref::<io::Error>() {
            if ioe.kind() == io::ErrorKind::UnexpectedEof && phase == Phase::Body {
                return HttpError::Truncated {
                    target: target.to_string(),
                    detail: detail_from(i),
                    source: None,
                };
            }
        }
    }

    let detail = detail_from(0);
    if is_connect {
        return match proxy_label {
            Some(proxy) => HttpError::Proxy {
                proxy,
                detail,
                source: None,
            },
            None => HttpError::Connect {
                target: target.to_string(),
                detail,
                source: None,
            },
        };
    }
    let incomplete = all
        .iter()
        .filter_map(|e| e.downcast_ref::<hyper::Error>())
        .any(hyper::Error::is_incomplete_message);
    let detail = if incomplete {
        format!("the connection closed before the response was complete ({detail})")
    } else {
        detail
    };
    HttpError::Io {
        target: target.to_string(),
        detail,
        source: None,
    }
}

fn from_connect_failure(cf: &ConnectFailure, target: &str, detail: String) -> HttpError {
    match (&cf.kind, &cf.via_proxy) {
        (ConnectKind::Tcp(_), Some(proxy)) => HttpError::Proxy {
            proxy: proxy.clone(),
            detail: format!("could not connect to the proxy: {detail}"),
            source: None,
        },
        (ConnectKind::Tcp(_), None) => HttpError::Connect {
            target: cf.addr.clone(),
            detail,
            source: None,
        },
        (ConnectKind::Timeout(d), Some(proxy)) => HttpError::ConnectTimeout {
            target: format!("proxy {proxy}"),
            timeout: *d,
        },
        (ConnectKind::Timeout(d), None) => HttpError::ConnectTimeout {
            target: cf.addr.clone(),
            timeout: *d,
        },
        (ConnectKind::UnsupportedProxy(scheme), _) => HttpError::Proxy {
            proxy: cf.via_proxy.clone().unwrap_or_default(),
            detail: format!("proxy scheme {scheme}:// is not supported (only http:// proxies)"),
            source: None,
        },
        (ConnectKind::TlsSetup(d), _) => HttpError::Tls {
            target: target.to_string(),
            detail: d.clone(),
            source: None,
        },
    }
}

/// A rustls error in words a user can act on.
fn tls_detail(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            "certificate not trusted: it is not signed by a known CA \
             (add the issuing CA to the CA bundle: AWS_CA_BUNDLE, --ca-bundle)"
                .to_string()
        }
        e if crate::tls::is_ca_used_as_end_entity(e) => {
            "certificate not trusted: the server presents a CA certificate as its own \
             (a self-signed one made with `openssl req -x509`?); to trust it, put that \
             exact certificate in the CA bundle (AWS_CA_BUNDLE, --ca-bundle)"
                .to_string()
        }
        rustls::Error::InvalidCertificate(C::NotValidYet)
        | rustls::Error::InvalidCertificate(C::NotValidYetContext { .. }) => {
            "certificate not valid yet (check this machine's clock)".to_string()
        }
        rustls::Error::InvalidCertificate(C::Revoked) => "certificate revoked".to_string(),
        rustls::Error::InvalidCertificate(C::BadSignature) => {
            "certificate signature does not verify".to_string()
        }
        rustls::Error::InvalidCertificate(C::BadEncoding) => {
            "the server's certificate is malformed".to_string()
        }
        rustls::Error::InvalidCertificate(C::NotValidForName)
        | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
            "certificate not valid for this host name".to_string()
        }
        rustls::Error::InvalidCertificate(C::Expired)
        | rustls::Error::InvalidCertificate(C::ExpiredContext { .. }) => {
            "certificate expired".to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_looks_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let inner = io::Error::new(io::ErrorKind::InvalidData, tls);
        let outer: BoxError = Box::new(io::Error::other(inner));
        let e = classify(outer, "example.com:443", &Route::Direct, Phase::Head);
        assert!(matches!(e, HttpError::Tls { .. }), "{e:?}");
        assert!(e.to_string().contains("certificate not trusted"), "{e}");
    }

    #[test]
    fn eof_in_body_is_truncation() {
        let err: BoxError = Box::new(io::Error::new(io::ErrorKind::UnexpectedEof, "early eof"));
        let e = classify(err, "h:80", &Route::Direct, Phase::Body);
        assert!(matches!(e, HttpError::Truncated { .. }), "{e:?}");
        assert!(e.is_transient());
    }
}
