//! The rustls client configuration: root store, extra CAs, the `insecure` opt-out, ALPN.
//!
//! Roots come from the `webpki-roots` crate (Mozilla's CA list compiled into the binary),
//! not from the operating system's store. That makes the trust decision reproducible: the
//! same binary trusts the same CAs on every machine, in every container, whatever
//! `/etc/ssl` holds, and a test run here means the same as one in CI. Organisations with
//! their own CA (a TLS-inspecting proxy, a private S3 store) add it with a PEM bundle
//! ([`HttpConfig::ca_bundle`](crate::HttpConfig), which the engine fills from
//! `AWS_CA_BUNDLE`); those CAs are trusted in addition to the built-in ones.
//!
//! A server certificate that is byte for byte one of the bundle's certificates is trusted
//! as it is, as OpenSSL (and so the AWS CLI) trusts it: a self-signed certificate made with
//! `openssl req -x509` carries `CA:TRUE`, which webpki refuses on a server
//! (`CaUsedAsEndEntity`). Its dates and the host name are still checked. The operating
//! system's store can be added ([`HttpConfig::platform_roots`](crate::HttpConfig)).
//!
//! The configuration is built by the connector on the first `https` request, so a client
//! that only speaks plain `http` (for example to the instance metadata service) never
//! loads a root store nor reads the bundle.
//!
//! The crypto provider is rustls's `ring` provider, named explicitly, so the process-wide
//! default provider is neither needed nor changed.
//!
//! Owns: building `rustls::ClientConfig`. Does not own: the handshake (hyper-rustls's
//! `HttpsConnector` does it) nor when it is built (`connect`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// What the TLS configuration depends on.
#[derive(Clone, Debug)]
pub(crate) struct TlsSettings {
    pub(crate) ca_bundle: Option<PathBuf>,
    pub(crate) insecure: bool,
    pub(crate) platform_roots: bool,
}

/// Builds the client configuration (without ALPN: the connector builder sets it). The error
/// is a sentence for [`HttpError::Tls`](crate::HttpError).
pub(crate) fn client_config(settings: &TlsSettings) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS protocol versions: {e}"))?;

    if settings.insecure {
        tracing::warn!(
            "TLS certificate verification is turned off (insecure); \
             any server can pretend to be the one you call"
        );
        return Ok(builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification { provider }))
            .with_no_client_auth());
    }

    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let builtin = roots.len();
    let mut platform = 0;
    if settings.platform_roots {
        let found = rustls_native_certs::load_native_certs();
        for e in &found.errors {
            tracing::debug!(error = %e, "a platform trust store could not be read");
        }
        (platform, _) = roots.add_parsable_certificates(found.certs);
    }
    let mut pinned = Vec::new();
    if let Some(path) = &settings.ca_bundle {
        pinned = add_bundle(&mut roots, path)?;
    }
    tracing::debug!(builtin_roots = builtin, platform_roots = platform, bundle_certs = pinned.len(),
        ca_bundle = ?settings.ca_bundle, "TLS roots loaded");
    if pinned.is_empty() {
        return Ok(builder.with_root_certificates(roots).with_no_client_auth());
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| format!("TLS roots: {e}"))?;
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(BundleVerifier { webpki, pinned }))
        .with_no_client_auth())
}

/// webpki's verification, and one more way to be trusted: a server certificate equal to
/// one of the bundle's, whose only fault is being a CA certificate (its dates, checked
/// first by webpki, are good), valid for the host name.
#[derive(Debug)]
struct BundleVerifier {
    webpki: Arc<WebPkiServerVerifier>,
    pinned: Vec<CertificateDer<'static>>,
}

impl ServerCertVerifier for BundleVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let err = match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(ok) => return Ok(ok),
            Err(e) => e,
        };
        if !is_ca_used_as_end_entity(&err)
            || !self
                .pinned
                .iter()
                .any(|c| c.as_ref() == end_entity.as_ref())
        {
            return Err(err);
        }
        let cert = webpki::EndEntityCert::try_from(end_entity).map_err(|_| err.clone())?;
        cert.verify_is_valid_for_subject_name(server_name)
            .map_err(|_| {
                rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForName)
            })?;
        tracing::debug!(server = ?server_name, "server certificate trusted as it is in the CA bundle");
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}

/// webpki's `CaUsedAsEndEntity`, which rustls passes on as an "other" certificate error.
pub(crate) fn is_ca_used_as_end_entity(e: &rustls::Error) -> bool {
    match e {
        rustls::Error::InvalidCertificate(rustls::CertificateError::Other(o)) => {
            matches!(
                o.0.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::CaUsedAsEndEntity)
            )
        }
        _ => false,
    }
}

/// Adds the certificates of a PEM bundle to the roots; returns all of them (each may also
/// be trusted byte for byte). Certificates the store cannot parse are skipped as roots
/// (and counted in a debug event); a bundle with none usable is an error.
fn add_bundle(
    roots: &mut RootCertStore,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, String> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| format!("cannot read CA bundle {shown}: {e}"))?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("CA bundle {shown} is not valid PEM: {e}"))?;
    if certs.is_empty() {
        return Err(format!("CA bundle {shown} holds no PEM certificate"));
    }
    let (added, skipped) = roots.add_parsable_certificates(certs.iter().cloned());
    if skipped > 0 {
        tracing::debug!(ca_bundle = %shown, skipped, "unusable certificates in CA bundle skipped");
    }
    if added == 0 {
        return Err(format!(
            "CA bundle {shown}: none of its {skipped} certificates is usable"
        ));
    }
    Ok(certs)
}

/// Accepts any server certificate, but still checks that the handshake is signed by the key
/// in it (so the connection is at least consistent). Used only with `insecure`.
#[derive(Debug)]
struct NoVerification {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn settings(ca_bundle: Option<PathBuf>) -> TlsSettings {
        TlsSettings {
            ca_bundle,
            insecure: false,
            platform_roots: false,
        }
    }

    #[test]
    fn builtin_roots_only() {
        assert!(client_config(&settings(None)).is_ok());
    }

    #[test]
    fn missing_bundle_is_a_clear_error() {
        let err = client_config(&settings(Some("/nonexistent/ca.pem".into()))).unwrap_err();
        assert!(
            err.contains("cannot read CA bundle /nonexistent/ca.pem"),
            "{err}"
        );
    }

    #[test]
    fn bundle_without_certificates_is_an_error() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"not a certificate\n").unwrap();
        let err = client_config(&settings(Some(f.path().into()))).unwrap_err();
        assert!(err.contains("holds no PEM certificate"), "{err}");
    }

    #[test]
    fn insecure_builds() {
        let s = TlsSettings {
            ca_bundle: None,
            insecure: true,
            platform_roots: false,
        };
        assert!(client_config(&s).is_ok());
    }
}
