//! Real servers for the integration tests, all on 127.0.0.1: a hyper origin (plain or TLS,
//! counting accepted connections and recording what it saw), raw TCP servers that misbehave
//! (stall, cut a body short), a test CA made with rcgen, and tinyproxy started from a
//! generated configuration. Every wait and loop here is bounded.
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use inia_http::{Body, HttpClient, HttpConfig, ProxyConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Longest any test server keeps a misbehaving connection open.
pub const SERVER_HOLD: Duration = Duration::from_secs(10);

/// A client that ignores the environment's proxy settings, with short timeouts.
pub fn client_with(edit: impl FnOnce(&mut HttpConfig)) -> HttpClient {
    let mut config = HttpConfig::default();
    config.proxy = ProxyConfig::Disabled;
    config.connect_timeout = Duration::from_secs(2);
    config.read_timeout = Duration::from_secs(5);
    edit(&mut config);
    HttpClient::new(config).unwrap()
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

/// What the origin saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    /// The request target as written on the wire (origin form unless a proxy mangled it).
    pub target: String,
    pub headers: http::HeaderMap,
    pub body_len: usize,
}

/// A hyper server. Paths: `/hello` answers `hello`; `/echo` returns the request body;
/// `/big` returns 1 MB; `/unauthorized` answers 401 with `WWW-Authenticate`; anything
/// else `ok`. Each response carries `x-method`.
pub struct Origin {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Drop for Origin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Origin {
    pub fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{}{path}", self.addr)
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn last_seen(&self) -> Seen {
        self.seen()
            .last()
            .cloned()
            .expect("the origin saw no request")
    }
}

async fn handle(
    req: Request<Incoming>,
    seen: Arc<Mutex<Vec<Seen>>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|c| c.to_bytes())
        .unwrap_or_default();
    seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        target: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body_len: body.len(),
    });
    let mut response = Response::builder().header("x-method", parts.method.as_str());
    let content = match parts.uri.path() {
        "/hello" => Bytes::from_static(b"hello"),
        "/echo" => body,
        "/big" => Bytes::from(vec![b'x'; 1_000_000]),
        "/unauthorized" => {
            response = response
                .status(401)
                .header("www-authenticate", "Basic realm=\"origin\"");
            Bytes::from_static(b"origin says no")
        }
        _ => Bytes::from_static(b"ok"),
    };
    Ok(response.body(Full::new(content)).unwrap())
}

/// A plain HTTP origin.
pub async fn origin() -> Origin {
    start_origin(None).await
}

/// An HTTPS origin (HTTP/1.1 and HTTP/2 by ALPN) with the given certificate.
pub async fn tls_origin(ca: &TestCa) -> Origin {
    start_origin(Some(ca.acceptor())).await
}

async fn start_origin(tls: Option<tokio_rustls::TlsAcceptor>) -> Origin {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (accepted2, seen2) = (accepted.clone(), seen.clone());
    let task = tokio::spawn(async move {
        // Bounded: a test makes far fewer connections; the task is aborted on drop anyway.
        for _ in 0..1000 {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            accepted2.fetch_add(1, Ordering::SeqCst);
            let seen = seen2.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| handle(req, seen.clone()));
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                match tls {
                    None => {
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                    Some(acceptor) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(SERVER_HOLD, acceptor.accept(stream)).await
                        else {
                            return;
                        };
                        let _ = builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    });
    Origin {
        addr,
        accepted,
        seen,
        task,
    }
}

/// How a raw server misbehaves after reading the request head.
#[derive(Clone, Copy, Debug)]
pub enum Misbehave {
    /// Never answers.
    Stall,
    /// Sends the head and 3 of 10 body bytes, then stalls.
    HeadThenStall,
    /// Announces 100 body bytes, sends 50, closes.
    Truncate,
    /// Answers the first request of each connection (`ok`, kept alive), then closes the
    /// connection on reading the second, without answering: a keep-alive connection that
    /// the server dropped while the client thought it idle.
    CloseOnSecondRequest,
}

/// A raw TCP server that misbehaves; stops when dropped.
pub struct RawServer {
    pub addr: SocketAddr,
    pub accepted: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn raw_server(how: Misbehave) -> RawServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    let task = tokio::spawn(async move {
        for _ in 0..100 {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(misbehave(stream, how));
        }
    });
    RawServer {
        addr,
        accepted,
        task,
    }
}

/// Reads one request head (bounded); false when the peer went away first.
async fn read_head(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        match tokio::time::timeout(SERVER_HOLD, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => return false,
        }
    }
    true
}

async fn misbehave(mut stream: TcpStream, how: Misbehave) {
    if !read_head(&mut stream).await {
        return;
    }
    match how {
        Misbehave::Stall => tokio::time::sleep(SERVER_HOLD).await,
        Misbehave::HeadThenStall => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc")
                .await;
            tokio::time::sleep(SERVER_HOLD).await;
        }
        Misbehave::Truncate => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
                .await;
            let _ = stream.write_all(&[b'y'; 50]).await;
            let _ = stream.shutdown().await;
        }
        Misbehave::CloseOnSecondRequest => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .await;
            read_head(&mut stream).await;
        }
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released).
pub fn unused_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A CA made for this test run, and a server certificate it signed for `127.0.0.1` and
/// `localhost`.
pub struct TestCa {
    pub ca_pem: String,
    pub bundle: tempfile::NamedTempFile,
    server_chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    server_key: Vec<u8>,
}

impl TestCa {
    pub fn new() -> TestCa {
        TestCa::issue(true)
    }

    /// A server certificate naming only `localhost`: reaching it as `127.0.0.1` must fail.
    pub fn without_ip_name() -> TestCa {
        TestCa::issue(false)
    }

    fn issue(with_ip: bool) -> TestCa {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType,
        };
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "inia-http test CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = ca_params.self_signed(&ca_key).unwrap();

        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        if with_ip {
            params
                .subject_alt_names
                .push(SanType::IpAddress([127, 0, 0, 1].into()));
        }
        params
            .distinguished_name
            .push(DnType::CommonName, "inia-http test server");
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();

        let ca_pem = ca.pem();
        let mut bundle = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut bundle, ca_pem.as_bytes()).unwrap();
        TestCa {
            ca_pem,
            bundle,
            server_chain: vec![cert.der().clone(), ca.der().clone()],
            server_key: key.serialize_der(),
        }
    }

    /// One self-signed certificate with `CA:TRUE` serving as the server's own, as
    /// `openssl req -x509` makes them; the bundle holds that certificate. With `with_ip`,
    /// it names `127.0.0.1` too.
    pub fn self_signed_server(with_ip: bool) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        if with_ip {
            params
                .subject_alt_names
                .push(SanType::IpAddress([127, 0, 0, 1].into()));
        }
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "inia-http self-signed server");
        let cert = params.self_signed(&key).unwrap();
        let pem = cert.pem();
        let mut bundle = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut bundle, pem.as_bytes()).unwrap();
        TestCa {
            ca_pem: pem,
            bundle,
            server_chain: vec![cert.der().clone()],
            server_key: key.serialize_der(),
        }
    }

    pub fn bundle_path(&self) -> PathBuf {
        self.bundle.path().to_path_buf()
    }

    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(self.server_key.clone().into());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .unwrap();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

#[allow(unused_imports)] // Not every test binary that includes this module uses it.
pub use inia_test_support::Tinyproxy;
