//! JWE compact serialization (RFC 7516) with RSA key encryption and AES-GCM content encryption, and
//! JSON field encryption built on it.
//!
//! `alg` is `RSA-OAEP-256` (the default) or `RSA-OAEP`; `enc` is `A256GCM` (the default), `A192GCM`
//! or `A128GCM`. The protected header carries `alg`, `enc` and, when given, `kid`, `typ` and `cty`.
//! This is the shape banking APIs ask for when they want every sensitive value of a request
//! encrypted end to end under their public key.
//!
//! Decryption checks the token's form first and reports what is wrong with it; then it refuses any
//! `alg` or `enc` outside the caller's [`AllowList`], `none`, `zip` and every `crit`; the key is
//! chosen by `kid`. Past that point the outcome is success or [`JweError::Decryption`]: a bad
//! encrypted key is replaced by a random one and fails at the tag, as RFC 7516 §11.5 asks.
//!
//! # Examples
//! ```
//! use paycrypt::jwe::{self, AllowList, EncryptOptions};
//! use paycrypt::rsa::{Jwk, Jwks, RsaPrivateKey};
//!
//! let key = Jwk::from_private(RsaPrivateKey::generate(2048)?).with_kid("bank-2024");
//! let token = jwe::encrypt(b"hunter2", &key, &EncryptOptions::default())?;
//! assert_eq!(token.split('.').count(), 5);
//!
//! let out = jwe::decrypt(&token, &Jwks::new(vec![key]), &AllowList::default())?;
//! assert_eq!(&*out.payload, b"hunter2");
//! assert_eq!(out.header.kid.as_deref(), Some("bank-2024"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compact;
mod error;
mod fields;
pub mod gcm;

use std::fmt;
use std::str::FromStr;

pub use compact::{Decrypted, Header, decrypt, encrypt};
pub use error::JweError;
pub use fields::{Field, decrypt_fields, encrypt_fields};

use crate::primitives::CipherError;
use crate::rsa::RsaPadding;

/// A JWE key-management algorithm (`alg`): RSA-OAEP wrapping of the content key.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
pub enum JweAlg {
    /// `RSA-OAEP-256`: OAEP with SHA-256 and MGF1-SHA-256.
    #[default]
    RsaOaep256,
    /// `RSA-OAEP`: OAEP with SHA-1 and MGF1-SHA-1.
    RsaOaep,
}

impl JweAlg {
    /// Every `alg`, default first.
    pub const ALL: [JweAlg; 2] = [JweAlg::RsaOaep256, JweAlg::RsaOaep];

    /// The JOSE name.
    pub const fn name(self) -> &'static str {
        match self {
            JweAlg::RsaOaep256 => "RSA-OAEP-256",
            JweAlg::RsaOaep => "RSA-OAEP",
        }
    }

    /// The RSA padding it uses.
    pub const fn padding(self) -> RsaPadding {
        match self {
            JweAlg::RsaOaep256 => RsaPadding::OaepSha256,
            JweAlg::RsaOaep => RsaPadding::OaepSha1,
        }
    }
}

/// A JWE content-encryption algorithm (`enc`): AES-GCM with a 96-bit IV and a 128-bit tag.
#[derive(Clone, Copy, Debug, Default, Eq, Hash, PartialEq)]
pub enum JweEnc {
    /// `A256GCM`: AES-256-GCM.
    #[default]
    A256Gcm,
    /// `A192GCM`: AES-192-GCM.
    A192Gcm,
    /// `A128GCM`: AES-128-GCM.
    A128Gcm,
}

impl JweEnc {
    /// Every `enc`, default first.
    pub const ALL: [JweEnc; 3] = [JweEnc::A256Gcm, JweEnc::A192Gcm, JweEnc::A128Gcm];

    /// The JOSE name.
    pub const fn name(self) -> &'static str {
        match self {
            JweEnc::A256Gcm => "A256GCM",
            JweEnc::A192Gcm => "A192GCM",
            JweEnc::A128Gcm => "A128GCM",
        }
    }

    /// The content-encryption key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            JweEnc::A256Gcm => 32,
            JweEnc::A192Gcm => 24,
            JweEnc::A128Gcm => 16,
        }
    }
}

macro_rules! jose_name {
    ($ty:ident, $what:literal, $expected:literal) => {
        impl FromStr for $ty {
            type Err = CipherError;

            fn from_str(s: &str) -> Result<Self, CipherError> {
                $ty::ALL.into_iter().find(|v| v.name() == s).ok_or_else(|| CipherError::UnknownName {
                    what: $what,
                    got: s.to_owned(),
                    expected: $expected,
                })
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

jose_name!(JweAlg, "JWE alg", "RSA-OAEP-256, RSA-OAEP");
jose_name!(JweEnc, "JWE enc", "A256GCM, A192GCM, A128GCM");

/// What [`encrypt`] writes into the protected header.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct EncryptOptions {
    /// The key-management algorithm.
    pub alg: JweAlg,
    /// The content-encryption algorithm.
    pub enc: JweEnc,
    /// The `kid`; `None` takes the key's own `kid`, if it has one.
    pub kid: Option<String>,
    /// The `typ` member (e.g. `JWE`), if any.
    pub typ: Option<String>,
    /// The `cty` member (e.g. `JWT`, `json`), if any.
    pub cty: Option<String>,
}

/// The `alg` and `enc` values [`decrypt`] accepts; everything else is refused before any key is
/// touched.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AllowList {
    algs: Vec<JweAlg>,
    encs: Vec<JweEnc>,
}

impl AllowList {
    /// Accepts exactly `algs` and `encs`.
    pub fn new(algs: &[JweAlg], encs: &[JweEnc]) -> Self {
        AllowList { algs: algs.to_vec(), encs: encs.to_vec() }
    }

    /// Whether `alg` is allowed.
    pub fn allows_alg(&self, alg: JweAlg) -> bool {
        self.algs.contains(&alg)
    }

    /// Whether `enc` is allowed.
    pub fn allows_enc(&self, enc: JweEnc) -> bool {
        self.encs.contains(&enc)
    }

    fn alg_names(&self) -> String {
        self.algs.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
    }

    fn enc_names(&self) -> String {
        self.encs.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
    }
}

impl Default for AllowList {
    /// `RSA-OAEP-256` with any of the three AES-GCM sizes: the end-to-end encryption profile.
    fn default() -> Self {
        AllowList::new(&[JweAlg::RsaOaep256], &JweEnc::ALL)
    }
}
