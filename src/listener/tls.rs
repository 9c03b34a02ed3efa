//! HTTPS for a listener: a certificate chain and its private key, read from PEM files once at
//! start-up (`chatr emulator --cert --key`, as Azurite takes them).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The certificate or the key could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the certificate chain from {0}: {1}")]
    Certificate(PathBuf, rustls_pki_types::pem::Error),
    #[error("{0} holds no certificate")]
    NoCertificate(PathBuf),
    #[error("cannot read a private key from {0}: {1}")]
    Key(PathBuf, rustls_pki_types::pem::Error),
    #[error("the certificate {0} and key {1} cannot be used together: {2}")]
    Config(PathBuf, PathBuf, tokio_rustls::rustls::Error),
}

/// Builds the TLS side of a listener from a PEM certificate chain (leaf first) and a PEM
/// private key (PKCS#8, PKCS#1 or SEC1). HTTP/1.1 only, as the WebSocket upgrade needs.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| TlsError::Certificate(cert.to_path_buf(), e))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate(cert.to_path_buf()));
    }
    let private =
        PrivateKeyDer::from_pem_file(key).map_err(|e| TlsError::Key(key.to_path_buf(), e))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let unusable = |e| TlsError::Config(cert.to_path_buf(), key.to_path_buf(), e);
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(unusable)?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(unusable)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_or_empty_files_are_named_in_the_error() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = dir.path().join("missing.pem");
        let err = acceptor(&missing, &missing).err().expect("refused");
        assert!(err.to_string().contains("missing.pem"), "{err}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").expect("write");
        let err = acceptor(&empty, &empty).err().expect("refused");
        assert!(matches!(err, TlsError::NoCertificate(_)), "{err}");
    }
}
