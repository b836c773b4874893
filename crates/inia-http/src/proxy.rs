//! Routing: does a request go direct or through a proxy, and with which credentials.
//!
//! The rules are hyper-util's `Matcher` (curl's semantics for `HTTP_PROXY`, `HTTPS_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`), preceded by one rule of our own: metadata hosts
//! ([`HttpConfig::metadata_hosts`](crate::HttpConfig)) always go direct.
//!
//! Owns: turning a [`ProxyConfig`] into a matcher, the metadata rule, and the proxy's
//! `Proxy-Authorization` value. Does not own: opening connections or tunnels (`connect`),
//! nor adding the header to a request (`client`).

use std::net::IpAddr;

use http::{HeaderValue, Uri};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

use crate::config::{redact_url, HttpConfig, ProxyConfig};
use crate::error::HttpError;

/// The decision for one target.
#[derive(Clone, Debug)]
pub(crate) enum Route {
    Direct,
    Proxy(Proxy),
}

/// A proxy to use. `Debug` shows the proxy address only, never its credentials.
#[derive(Clone)]
pub(crate) struct Proxy {
    intercept: Intercept,
    label: String,
}

impl Proxy {
    /// The proxy's URI, without user info (`http://host:port/`).
    pub(crate) fn uri(&self) -> &Uri {
        self.intercept.uri()
    }

    /// `host:port` of the proxy, for logs and errors.
    pub(crate) fn label(&self) -> &str {
        &self.label
    }

    /// The `Proxy-Authorization: Basic ...` value from the proxy URL's user info, if any.
    /// Marked sensitive.
    pub(crate) fn authorization(&self) -> Option<HeaderValue> {
        self.intercept.basic_auth().map(|v| {
            let mut v = v.clone();
            v.set_sensitive(true);
            v
        })
    }

    /// True for the only proxy scheme we speak: `http://`.
    pub(crate) fn is_http(&self) -> bool {
        self.uri().scheme_str() == Some("http")
    }

    pub(crate) fn scheme(&self) -> &str {
        self.uri().scheme_str().unwrap_or("")
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({}://{})", self.scheme(), self.label)
    }
}

/// The routing rules of one client.
#[derive(Debug)]
pub(crate) struct Routes {
    matcher: Option<Matcher>,
    metadata: Vec<MetadataHost>,
}

#[derive(Debug)]
enum MetadataHost {
    Ip(IpAddr),
    Name(String),
}

impl Routes {
    pub(crate) fn new(config: &HttpConfig) -> Result<Routes, HttpError> {
        let matcher = match &config.proxy {
            ProxyConfig::Disabled => None,
            ProxyConfig::FromEnv => Some(Matcher::from_env()),
            ProxyConfig::Explicit {
                http,
                https,
                no_proxy,
            } => {
                let mut builder = Matcher::builder();
                if let Some(url) = http {
                    check_proxy_url(url)?;
                    builder = builder.http(url.clone());
                }
                if let Some(url) = https {
                    check_proxy_url(url)?;
                    builder = builder.https(url.clone());
                }
                if let Some(list) = no_proxy {
                    builder = builder.no(list.clone());
                }
                Some(builder.build())
            }
        };
        tracing::debug!(proxy_source = ?config.proxy, matcher = ?matcher, "proxy rules");
        let metadata = if config.no_proxy_for_metadata {
            config
                .metadata_hosts
                .iter()
                .map(|h| {
                    let h = strip_brackets(h.trim());
                    match h.parse::<IpAddr>() {
                        Ok(ip) => MetadataHost::Ip(ip),
                        Err(_) => MetadataHost::Name(h.to_ascii_lowercase()),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Routes { matcher, metadata })
    }

    /// Direct or which proxy, for a target URI.
    pub(crate) fn route(&self, uri: &Uri) -> Route {
        let Some(matcher) = &self.matcher else {
            return Route::Direct;
        };
        if self.is_metadata(uri) {
            return Route::Direct;
        }
        match matcher.intercept(uri) {
            Some(intercept) => {
                let label = authority_label(intercept.uri());
                Route::Proxy(Proxy { intercept, label })
            }
            None => Route::Direct,
        }
    }

    /// True when the metadata rule sends this target direct.
    pub(crate) fn is_metadata(&self, uri: &Uri) -> bool {
        let Some(host) = uri.host() else {
            return false;
        };
        let host = strip_brackets(host);
        let ip = host.parse::<IpAddr>().ok();
        self.metadata.iter().any(|m| match (m, ip) {
            (MetadataHost::Ip(a), Some(b)) => *a == b,
            (MetadataHost::Name(n), None) => n.eq_ignore_ascii_case(host),
            _ => false,
        })
    }
}

fn strip_brackets(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// `host:port` of a URI (default port by scheme), without user info.
pub(crate) fn authority_label(uri: &Uri) -> String {
    let host = uri.host().unwrap_or("");
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    format!("{host}:{port}")
}

/// Rejects, at build time, an explicit proxy URL that the matcher would silently drop or that
/// we cannot speak. Error text shows the URL without its user info.
fn check_proxy_url(url: &str) -> Result<(), HttpError> {
    let shown = redact_url(url);
    let uri = url.parse::<Uri>().map_err(|_| HttpError::Config {
        detail: format!("proxy URL {shown:?} is not a valid URL"),
    })?;
    if uri.host().unwrap_or("").is_empty() {
        return Err(HttpError::Config {
            detail: format!("proxy URL {shown:?} has no host"),
        });
    }
    match uri.scheme_str() {
        None | Some("http") => Ok(()),
        Some(other) => Err(HttpError::Config {
            detail: format!(
                "proxy URL {shown:?}: scheme {other:?} is not supported (only http:// proxies)"
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(proxy: ProxyConfig) -> Routes {
        let mut c = HttpConfig {
            proxy,
            ..HttpConfig::default()
        };
        c.add_metadata_endpoint("http://imds.example:1338");
        Routes::new(&c).unwrap()
    }

    fn via(r: &Routes, uri: &str) -> Option<String> {
        match r.route(&uri.parse().unwrap()) {
            Route::Direct => None,
            Route::Proxy(p) => Some(p.label().to_string()),
        }
    }

    #[test]
    fn explicit_proxy_and_no_proxy() {
        let r = routes(
            ProxyConfig::all("http://u:p@127.0.0.1:3128")
                .with_no_proxy("internal.example, 10.0.0.0/8"),
        );
        assert_eq!(
            via(&r, "http://s3.amazonaws.com/").as_deref(),
            Some("127.0.0.1:3128")
        );
        assert_eq!(
            via(&r, "https://s3.amazonaws.com/").as_deref(),
            Some("127.0.0.1:3128")
        );
        assert_eq!(via(&r, "https://a.internal.example/"), None);
        assert_eq!(via(&r, "http://10.1.2.3/"), None);
    }

    #[test]
    fn metadata_hosts_never_use_a_proxy() {
        let r = routes(ProxyConfig::all("http://127.0.0.1:3128"));
        assert_eq!(via(&r, "http://169.254.169.254/latest/api/token"), None);
        assert_eq!(via(&r, "http://[fd00:ec2::254]/latest/meta-data/"), None);
        assert_eq!(via(&r, "http://IMDS.example:1338/"), None);
        assert!(via(&r, "http://169.254.169.253/").is_some());
    }

    #[test]
    fn metadata_rule_can_be_turned_off() {
        let c = HttpConfig {
            proxy: ProxyConfig::all("http://127.0.0.1:3128"),
            no_proxy_for_metadata: false,
            ..HttpConfig::default()
        };
        let r = Routes::new(&c).unwrap();
        assert!(via(&r, "http://169.254.169.254/").is_some());
    }

    #[test]
    fn proxy_credentials_become_basic_auth_and_stay_out_of_debug() {
        let r = routes(ProxyConfig::all(
            "http://alice:open%20sesame@127.0.0.1:3128",
        ));
        let Route::Proxy(p) = r.route(&"http://example.com/".parse().unwrap()) else {
            panic!("expected a proxy");
        };
        let auth = p.authorization().unwrap();
        assert!(auth.is_sensitive());
        // base64("alice:open sesame")
        assert_eq!(auth, "Basic YWxpY2U6b3BlbiBzZXNhbWU=");
        let shown = format!("{p:?} {r:?}");
        assert!(
            !shown.contains("alice") && !shown.contains("sesame"),
            "{shown}"
        );
    }

    #[test]
    fn bad_explicit_proxy_urls_are_rejected_without_showing_the_password() {
        for url in [
            "socks5://u:pw123@127.0.0.1:1080",
            "https://u:pw123@127.0.0.1:1080",
            "http://u:pw123@",
        ] {
            let c = HttpConfig {
                proxy: ProxyConfig::all(url),
                ..HttpConfig::default()
            };
            let err = Routes::new(&c).unwrap_err().to_string();
            assert!(!err.contains("pw123"), "{err}");
        }
    }

    #[test]
    fn disabled_means_direct() {
        let r = routes(ProxyConfig::Disabled);
        assert_eq!(via(&r, "http://example.com/"), None);
    }
}
