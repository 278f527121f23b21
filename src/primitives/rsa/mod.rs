//! RSA encryption as AWS Payment Cryptography and JOSE use it: OAEP with SHA-1, SHA-256 or SHA-512
//! (MGF1 over the same hash, with an optional label) and PKCS#1 v1.5; keys in PEM, DER, JWK and
//! JWKS.
//!
//! Built on the RustCrypto `rsa` crate (0.10) for keys, encryption and PKCS#1 v1.5 decryption (with
//! its implicit rejection). OAEP decryption uses our own private-key operation over crypto-bigint
//! (`private.rs`: CRT values kept with the key, a cached base-blinding pair, exponent blinding, a
//! fault check), 1.57x fewer instructions than the crate's on a 2048-bit key. With the `aws-lc`
//! feature, OAEP and encryption run on AWS-LC instead; results are the same. See the README's "RSA and JWE" section for why this
//! version and the residual timing risk (RUSTSEC-2023-0071, Marvin).
//!
//! # Examples
//! ```
//! use paycrypt::rsa::{RsaPadding, RsaPrivateKey};
//!
//! let key = RsaPrivateKey::generate(2048)?;
//! let ct = key.public_key().encrypt(RsaPadding::OaepSha256, Some(b"label"), b"secret")?;
//! assert_eq!(&*key.decrypt(RsaPadding::OaepSha256, Some(b"label"), &ct)?, b"secret");
//! assert!(key.decrypt(RsaPadding::OaepSha256, None, &ct).is_err()); // wrong label
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;
mod error;
mod jwk;
mod jwks;
mod key;
mod oaep;
mod padding;
mod private;

pub use error::KeyError;
pub use jwk::{Jwk, KeyOp};
pub use jwks::Jwks;
pub use key::{GENERATE_BITS, MIN_ENCRYPTION_BITS, RsaPrivateKey, RsaPublicKey};
pub use padding::RsaPadding;

pub(crate) use jwk::b64;
