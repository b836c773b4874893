//! [`HttpConfig`] and [`ProxyConfig`]: every knob of the connection layer, with its default.
//!
//! Owns: the settings and their documented defaults, and printing them without secrets
//! (a proxy URL's password never shows in `Debug`). Does not own: acting on them (see
//! `client`, `connect`, `proxy`, `tls`), nor reading AWS settings such as `AWS_CA_BUNDLE`
//! (the engine reads those and fills this in).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Default connect timeout: 3.1 s. Just over the 3 s TCP SYN retransmit, so one lost SYN
/// is retried by the kernel before we give up.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// Default read timeout: 60 s without receiving (or sending) a byte of the exchange.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Default pool idle expiry: an idle pooled connection is closed after 60 s.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// Default bound on requests in flight (and sockets) per client: 128, well above the
/// AWS CLI's 10 concurrent transfers and well below a process's usual 1,024 descriptors.
pub const DEFAULT_MAX_CONNECTIONS: usize = 128;
/// The instance metadata service addresses (IPv4 and IPv6) that never go through a proxy
/// while [`HttpConfig::no_proxy_for_metadata`] is on.
pub const DEFAULT_METADATA_HOSTS: [&str; 2] = ["169.254.169.254", "fd00:ec2::254"];

/// Settings of an [`HttpClient`](crate::HttpClient). Build one with `HttpConfig::default()`
/// and change the fields you need.
///
/// | field | default |
/// |---|---|
/// | `connect_timeout` | 3.1 s ([`DEFAULT_CONNECT_TIMEOUT`]) |
/// | `read_timeout` | 60 s ([`DEFAULT_READ_TIMEOUT`]) |
/// | `pool_idle_timeout` | 60 s ([`DEFAULT_POOL_IDLE_TIMEOUT`]) |
/// | `pool_max_idle_per_host` | unlimited |
/// | `max_connections` | 128 ([`DEFAULT_MAX_CONNECTIONS`]) |
/// | `attempt_deadline` | none |
/// | `ca_bundle` | none: the webpki-roots store only |
/// | `insecure` | `false`: certificates are verified |
/// | `http2` | `false`: HTTP/1.1 only, as the AWS CLI speaks |
/// | `proxy` | [`ProxyConfig::FromEnv`] |
/// | `no_proxy_for_metadata` | `true` |
/// | `metadata_hosts` | `169.254.169.254`, `fd00:ec2::254` |
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpConfig {
    /// Longest wait for the TCP connection (name lookup included) to the origin, or to the
    /// proxy when one is used. Gives [`HttpError::ConnectTimeout`](crate::HttpError).
    pub connect_timeout: Duration,
    /// Longest time the exchange may go without progress: no request-body chunk taken by
    /// the connection and no response byte received. It covers the wait for the response
    /// head after the request was sent (and so a stalled TLS handshake or CONNECT, or a
    /// server that stops reading an upload), and each wait for the next body chunk. The
    /// first window starts once the connect timeout has passed, so connecting keeps its own
    /// budget. Gives [`HttpError::ReadTimeout`](crate::HttpError).
    pub read_timeout: Duration,
    /// An idle pooled connection is closed after this long.
    pub pool_idle_timeout: Duration,
    /// Most idle connections kept per origin; `usize::MAX` means no limit.
    pub pool_max_idle_per_host: usize,
    /// Most requests in flight at once through this client: a request holds its slot
    /// from sending until its response body is read to the end or dropped; more requests
    /// wait their turn (the wait is not under the read timeout). Open sockets are these
    /// plus the idle connections the pool keeps (`pool_max_idle_per_host`): a connection
    /// goes back to the pool an instant after its body ends, so a waiting request may open
    /// a new one meanwhile (4,096 calls to a keep-alive server peaked at 164-208 sockets
    /// with the default 128). A caller that keeps this many response bodies unread blocks
    /// its next request.
    pub max_connections: usize,
    /// Optional bound on a whole attempt: from the call until the response body is read
    /// to its end. Gives [`HttpError::DeadlineExceeded`](crate::HttpError).
    pub attempt_deadline: Option<Duration>,
    /// A PEM file of extra CA certificates trusted besides the built-in roots (the engine
    /// passes `AWS_CA_BUNDLE` here). Read on the first `https` request.
    pub ca_bundle: Option<PathBuf>,
    /// Skip certificate verification entirely. Only for test setups; logged as a warning.
    pub insecure: bool,
    /// Also trust the operating system's store (`rustls-native-certs`: `/etc/ssl/certs`,
    /// `SSL_CERT_FILE`, the macOS keychain, the Windows store), besides the built-in
    /// webpki roots. Off by default, so trust is the same on every machine.
    pub platform_roots: bool,
    /// Offer HTTP/2 by ALPN on `https` connections (HTTP/1.1 stays the fallback).
    pub http2: bool,
    /// Where proxies come from.
    pub proxy: ProxyConfig,
    /// Never send a request to one of [`metadata_hosts`](Self::metadata_hosts) through a
    /// proxy, whatever the proxy settings say (credentials served by the instance
    /// metadata service must not travel through a proxy, and a proxy cannot reach it).
    pub no_proxy_for_metadata: bool,
    /// Hosts (names or IP addresses, IPv6 without brackets) covered by
    /// [`no_proxy_for_metadata`](Self::no_proxy_for_metadata). The engine adds the host of
    /// a configured IMDS endpoint (`AWS_EC2_METADATA_SERVICE_ENDPOINT`) here.
    pub metadata_hosts: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            pool_idle_timeout: DEFAULT_POOL_IDLE_TIMEOUT,
            pool_max_idle_per_host: usize::MAX,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            attempt_deadline: None,
            ca_bundle: None,
            insecure: false,
            platform_roots: false,
            http2: false,
            proxy: ProxyConfig::FromEnv,
            no_proxy_for_metadata: true,
            metadata_hosts: DEFAULT_METADATA_HOSTS
                .iter()
                .map(|h| h.to_string())
                .collect(),
        }
    }
}

impl HttpConfig {
    /// Adds the host of an IMDS endpoint URL (such as the value of
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`) to [`metadata_hosts`](Self::metadata_hosts).
    /// A value that is not a URL with a host is taken as a bare host name.
    pub fn add_metadata_endpoint(&mut self, endpoint: &str) {
        let host = endpoint
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.host().map(str::to_string))
            .unwrap_or_else(|| endpoint.trim().to_string());
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !host.is_empty()
            && !self
                .metadata_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&host))
        {
            self.metadata_hosts.push(host);
        }
    }
}

impl fmt::Debug for HttpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConfig")
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("attempt_deadline", &self.attempt_deadline)
            .field("ca_bundle", &self.ca_bundle)
            .field("insecure", &self.insecure)
            .field("http2", &self.http2)
            .field("proxy", &self.proxy)
            .field("no_proxy_for_metadata", &self.no_proxy_for_metadata)
            .field("metadata_hosts", &self.metadata_hosts)
            .finish()
    }
}

/// Where the proxy settings come from.
///
/// Proxy URLs have the form `http://[user[:password]@]host[:port]`; user and password are
/// percent-decoded and sent as `Proxy-Authorization: Basic` to the proxy only. Only `http://`
/// proxies are supported (plain requests are forwarded, `https` ones tunnelled with
/// `CONNECT`); a proxy of another scheme (`https://`, `socks5://`) fails each request that
/// would use it with [`HttpError::Proxy`](crate::HttpError).
#[derive(Clone, Default)]
pub enum ProxyConfig {
    /// Read `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (upper case first, then
    /// lower case) once, when the client is built, with curl's rules (hyper-util's
    /// `Matcher`). Ignored, as by curl, inside a CGI program (`REQUEST_METHOD` set).
    #[default]
    FromEnv,
    /// No proxy at all, whatever the environment says.
    Disabled,
    /// Proxies given in code; `None` fields mean "none". `no_proxy` uses the `NO_PROXY`
    /// syntax: comma-separated host names (matching subdomains too), IP addresses, CIDR
    /// ranges, or `*`.
    Explicit {
        /// Proxy for `http://` targets.
        http: Option<String>,
        /// Proxy for `https://` targets.
        https: Option<String>,
        /// Targets that go direct.
        no_proxy: Option<String>,
    },
}

impl ProxyConfig {
    /// The same proxy for `http` and `https` targets.
    pub fn all(url: impl Into<String>) -> Self {
        let url = url.into();
        ProxyConfig::Explicit {
            http: Some(url.clone()),
            https: Some(url),
            no_proxy: None,
        }
    }

    /// Returns this setting with `no_proxy` set (only meaningful for `Explicit`).
    pub fn with_no_proxy(self, list: impl Into<String>) -> Self {
        match self {
            ProxyConfig::Explicit { http, https, .. } => ProxyConfig::Explicit {
                http,
                https,
                no_proxy: Some(list.into()),
            },
            other => other,
        }
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyConfig::FromEnv => f.write_str("FromEnv"),
            ProxyConfig::Disabled => f.write_str("Disabled"),
            ProxyConfig::Explicit {
                http,
                https,
                no_proxy,
            } => f
                .debug_struct("Explicit")
                .field("http", &http.as_deref().map(redact_url))
                .field("https", &https.as_deref().map(redact_url))
                .field("no_proxy", no_proxy)
                .finish(),
        }
    }
}

/// A proxy URL with any user info replaced by `***`, fit for logs and errors.
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i + 3], &url[i + 3..]),
        None => ("", url),
    };
    // The last '@' anywhere: a password with an unencoded '/' must not slip through.
    match rest.rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = HttpConfig::default();
        assert_eq!(c.connect_timeout, Duration::from_millis(3100));
        assert_eq!(c.read_timeout, Duration::from_secs(60));
        assert_eq!(c.pool_idle_timeout, Duration::from_secs(60));
        assert!(c.attempt_deadline.is_none());
        assert!(!c.insecure);
        assert!(c.no_proxy_for_metadata);
        assert!(matches!(c.proxy, ProxyConfig::FromEnv));
    }

    #[test]
    fn debug_never_shows_proxy_password() {
        let c = HttpConfig {
            proxy: ProxyConfig::all("http://alice:s3/cr3t@proxy.example:3128"),
            ..HttpConfig::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("cr3t"), "{shown}");
        assert!(!shown.contains("alice"), "{shown}");
        assert!(shown.contains("proxy.example:3128"), "{shown}");
    }

    #[test]
    fn metadata_endpoint_host_is_added_once() {
        let mut c = HttpConfig::default();
        c.add_metadata_endpoint("http://[fd00:ec2::254]/");
        c.add_metadata_endpoint("http://imds.internal:8080/latest");
        c.add_metadata_endpoint("imds.internal");
        assert_eq!(
            c.metadata_hosts,
            ["169.254.169.254", "fd00:ec2::254", "imds.internal"]
        );
    }
}
