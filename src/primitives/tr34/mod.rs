//! TR-34
#![allow(missing_docs, clippy::missing_errors_doc)]
use crate::primitives::pki::Certificate;
use crate::primitives::rsa::RsaPrivateKey;
#[derive(Debug, thiserror::Error)]
pub enum Tr34Error {
    #[error("x")]
    X,
}
pub struct Opened {
    pub header: String,
    pub key: zeroize::Zeroizing<Vec<u8>>,
}
pub fn open(
    _b: &[u8],
    _k: &Certificate,
    _r: &RsaPrivateKey,
    _c: &Certificate,
    _n: Option<&[u8]>,
) -> Result<Opened, Tr34Error> {
    Err(Tr34Error::X)
}
pub fn build(
    _key: &[u8],
    _h: &str,
    _k: &RsaPrivateKey,
    _c: &Certificate,
    _r: &Certificate,
    _n: Option<&[u8]>,
) -> Result<Vec<u8>, Tr34Error> {
    Err(Tr34Error::X)
}
