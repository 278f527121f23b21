//! TR-34 (ANSI X9 TR-34-2012) key transport: a symmetric key sent from a key distribution host
//! (KDH) to a key receiving device (KRD), encrypted to the KRD's RSA certificate and signed by the
//! KDH, in the layout AWS Payment Cryptography uses for `ImportKey` and `ExportKey` with
//! `KeyBlockFormat` `X9_TR34_2012`.
//!
//! The block is CMS (RFC 5652): a SignedData, signed by the KDH, whose content is an EnvelopedData
//! for the KRD. The content-encryption key is wrapped with RSAES-OAEP (SHA-256, MGF1-SHA-256); the
//! content, encrypted with TDES-CBC or AES-CBC, is the TR-34 key block: version, the KDH's
//! issuer and serial number, the clear key, and the key block header. The signed attributes carry
//! the content type, the KRD's random nonce (two-pass), the key block header and the message digest.
//! docs/tr34.md gives the layout byte for byte, where AWS departs from plain CMS, and the sources.
//!
//! # Examples
//! ```
//! use paycrypt::primitives::pki::{self, LeafUsage};
//! use paycrypt::primitives::tr34;
//! use paycrypt::rsa::RsaPrivateKey;
//!
//! let now = 1_767_225_600;
//! let ca_key = RsaPrivateKey::generate(2048)?;
//! let ca = pki::issue_ca(&ca_key, "CA", 365, now)?;
//! let kdh_key = RsaPrivateKey::generate(2048)?;
//! let kdh = pki::issue_leaf(kdh_key.as_public_key(), "KDH", LeafUsage::DigitalSignature, &ca, &ca_key, 30, now)?;
//! let krd_key = RsaPrivateKey::generate(2048)?;
//! let krd = pki::issue_leaf(krd_key.as_public_key(), "KRD", LeafUsage::KeyEncipherment, &ca, &ca_key, 30, now)?;
//!
//! let key = [0x11u8; 16];
//! let nonce = [0xA5u8; 8];
//! let block = tr34::build(&key, "D0000K0TB00E0000", &kdh_key, &kdh, &krd, Some(&nonce))?;
//! let opened = tr34::open(&block, &kdh, &krd_key, &krd, Some(&nonce))?;
//! assert_eq!(&opened.key[..], &key);
//! assert_eq!(opened.header, "D0000K0TB00E0000");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod error;
mod oid;
mod open;

use std::fmt;

use zeroize::Zeroizing;

pub use build::build;
pub use error::Tr34Error;
pub use open::open;

/// The key block header a TR-34 block carries (signed, and again inside the encrypted content):
/// a TR-31 style header of at least 16 printable ASCII characters, e.g. `D0000K0TB00E0000`
/// (version, length, key usage `K0`, algorithm `T`, mode of use `B`, key version `00`,
/// exportability `E`, optional block count `00`, reserved `00`). TR-34 ignores the length field;
/// AWS's samples put `9999` there.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct Tr34Header(String);

impl Tr34Header {
    /// A header from its text.
    ///
    /// # Errors
    /// [`Tr34Error::Header`] unless it is at least 16 printable ASCII characters.
    pub fn new(text: &str) -> Result<Self, Tr34Error> {
        if text.len() < 16 || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Tr34Error::Header { header: text.chars().take(80).collect() });
        }
        Ok(Tr34Header(text.to_owned()))
    }

    /// The header text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key usage (characters 6-7, e.g. `K0`).
    pub fn key_usage(&self) -> &str {
        self.0.get(5..7).unwrap_or_default()
    }

    /// The algorithm character (character 8: `T` TDES, `A` AES).
    pub fn algorithm(&self) -> char {
        char::from(self.0.as_bytes().get(7).copied().unwrap_or(b' '))
    }
}

impl From<Tr34Header> for String {
    fn from(header: Tr34Header) -> String {
        header.0
    }
}

impl fmt::Display for Tr34Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a block proves it is fresh: the KRD's random nonce (two-pass TR-34, what AWS uses), or
/// the KDH's signing time (one-pass).
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum Freshness {
    /// The randomNonce attribute (1.2.840.113549.1.9.25.3).
    RandomNonce(Vec<u8>),
    /// The signingTime attribute (1.2.840.113549.1.9.5): its encoded value (UTCTime or
    /// GeneralizedTime), DER.
    SigningTime(Vec<u8>),
    /// Neither attribute is present.
    None,
}

/// What an opened block holds.
pub struct Opened {
    /// The key block header, as signed (at least 16 printable ASCII characters; see [`Tr34Header`]).
    pub header: String,
    /// The clear key.
    pub key: Zeroizing<Vec<u8>>,
    /// The random nonce or signing time the KDH signed.
    pub kdh_signing_time_or_nonce: Freshness,
}

impl fmt::Debug for Opened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opened")
            .field("header", &self.header)
            .field("key", &"...")
            .field("kdh_signing_time_or_nonce", &self.kdh_signing_time_or_nonce)
            .finish()
    }
}
