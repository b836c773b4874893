//! TLS in front of a plain-HTTP server on 127.0.0.1: a certificate authority made for the
//! run ([`TestCa`]), and [`TlsFront`], which ends TLS and passes the bytes on to
//! `127.0.0.1:<port>` unchanged. It lets a client speak `https://` to moto, whose
//! answers do not depend on the scheme, so the paths a client takes only over TLS (S3's
//! `aws-chunked` trailers, bearer tokens) meet a real server.
//!
//! The front runs on its own thread and runtime, at most 256 connections, and stops
//! with the process. Owns the CA and the front. Does not own any assertion.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A CA made now and a server configuration for `127.0.0.1` and `localhost` signed by it.
pub struct TestCa {
    pub config: Arc<rustls::ServerConfig>,
    /// The CA's certificate (PEM), for a client to trust.
    pub pem: String,
}

impl TestCa {
    pub fn new() -> TestCa {
        use rcgen::{
            BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose, SanType,
        };
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        // Named, so OpenSSL (botocore's TLS) can chain the server's certificate to it.
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "inia test CA");
        let ca = ca_params.self_signed(&ca_key).expect("CA certificate");
        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["localhost".to_string()]).expect("server params");
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        let cert = params
            .signed_by(&key, &ca, &ca_key)
            .expect("server certificate");
        let chain = vec![cert.der().clone(), ca.der().clone()];
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate and key");
        TestCa {
            config: Arc::new(config),
            pem: ca.pem(),
        }
    }

    /// Write the CA's PEM to `dir/ca.pem` and return the path.
    pub fn write_pem(&self, dir: &Path) -> PathBuf {
        let path = dir.join("ca.pem");
        let mut f = std::fs::File::create(&path).expect("create ca.pem");
        f.write_all(self.pem.as_bytes()).expect("write ca.pem");
        path
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}

/// A running TLS front; see the module documentation.
pub struct TlsFront {
    pub port: u16,
    pub ca: TestCa,
}

impl TlsFront {
    /// TLS on a fresh port, passing each connection on to `127.0.0.1:upstream_port`.
    pub fn start(upstream_port: u16) -> TlsFront {
        let ca = TestCa::new();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the TLS front");
        let port = listener.local_addr().expect("front address").port();
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let acceptor = tokio_rustls::TlsAcceptor::from(ca.config.clone());
        std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                for _ in 0..256 {
                    let Ok((client, _)) = listener.accept().await else {
                        return;
                    };
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        let Ok(mut tls) = acceptor.accept(client).await else {
                            return;
                        };
                        let Ok(mut up) =
                            tokio::net::TcpStream::connect(("127.0.0.1", upstream_port)).await
                        else {
                            return;
                        };
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
                    });
                }
            });
        });
        TlsFront { port, ca }
    }

    /// `https://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}
