//! TLS and mutual TLS (rustls, ring provider): the server's certificate chain and key from PEM files,
//! and optionally a CA whose client certificates are then mandatory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use thiserror::Error;

/// Where the TLS material is.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The server's certificate chain (PEM, leaf first).
    pub cert: PathBuf,
    /// The server's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// If given, clients must present a certificate chaining to one of these CA certificates (PEM).
    pub client_ca: Option<PathBuf>,
}

/// The TLS material could not be used.
#[derive(Debug, Error)]
#[error("{what} {path}: {message}")]
pub struct TlsError {
    /// Which file: `--tls-cert`, `--tls-key`, `--client-ca`.
    pub what: &'static str,
    /// Its path.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl TlsFiles {
    /// Builds the rustls server configuration, offering HTTP/2 and HTTP/1.1 by ALPN.
    ///
    /// # Errors
    /// [`TlsError`] for a file that does not read or parse, a key that does not match the
    /// certificate, or a CA file with no usable certificate.
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = read_certs("--tls-cert", &self.cert)?;
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| TlsError {
            what: "--tls-key",
            path: self.key.display().to_string(),
            message: format!("no usable PEM private key ({e})"),
        })?;
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("--tls-cert", &self.cert, e))?;
        let builder = match &self.client_ca {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                for cert in read_certs("--client-ca", ca)? {
                    roots.add(cert).map_err(|e| tls_error("--client-ca", ca, e))?;
                }
                let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| tls_error("--client-ca", ca, e))?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let mut config =
            builder.with_single_cert(chain, key).map_err(|e| tls_error("--tls-key", &self.key, e))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn read_certs(what: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| tls_error(what, path, e))?;
    if certs.is_empty() {
        return Err(tls_error(what, path, "no PEM certificate in the file"));
    }
    Ok(certs)
}

fn tls_error(what: &'static str, path: &Path, e: impl std::fmt::Display) -> TlsError {
    TlsError { what, path: path.display().to_string(), message: e.to_string() }
}
