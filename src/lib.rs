//! paycrypt: AWS Payment Cryptography, AWS KMS and JOSE JWE results, offline and bit for bit.
//!
//! This crate is the library behind the `paycrypt` command: TDES and AES in every mode AWS Payment
//! Cryptography offers (ECB, CBC, CFB1, CFB8, CFB64, CFB128, OFB), padding, and key check values.
//!
//! Layers, each using only the ones below it:
//! - [`primitives`]: pure functions over bytes (ciphers, modes, KCV, [`dukpt`], [`rsa`], [`jwe`]);
//! - [`keys`]: the key model with AWS's enums and the key stores (in memory, or redb on disk with key
//!   material sealed under a master key);
//! - [`service`]: AWS Payment Cryptography's operations in AWS's request and response shapes, with
//!   AWS's validation, key separation and exceptions; and AWS KMS ([`service::kms`]);
//! - [`sigv4`] (beside the layers, using none of them): AWS Signature Version 4 signing and
//!   verifying, and the AWS credentials file, for the server and the CLI's `--endpoint-url`.
//!
//! # Examples
//! ```
//! use paycrypt::{Algorithm, Mode, SymmetricKey};
//! use paycrypt::kcv::{kcv, KcvAlgorithm};
//!
//! let key = SymmetricKey::new(Algorithm::Tdes2Key, &hex::decode("0123456789ABCDEFFEDCBA9876543210")?)?;
//! assert_eq!(hex::encode_upper(kcv(&key, KcvAlgorithm::AnsiX924)), "08D7B4");
//! let ct = key.encrypt(Mode::Cbc, Some(&[0u8; 8]), b"8 bytes!")?;
//! assert_eq!(key.decrypt(Mode::Cbc, Some(&[0u8; 8]), &ct)?, b"8 bytes!");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub mod keys;
pub mod primitives;
#[cfg(feature = "server")]
pub mod server;
pub mod service;
pub mod sigv4;

pub use primitives::dukpt;
pub use primitives::{Algorithm, Cipher, CipherError, DecryptError, Error, Mode, SymmetricKey, UnpadError};
pub use primitives::{jwe, kcv, modes, padding, rsa};

/// The README's Rust examples run as doctests, so the README cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
