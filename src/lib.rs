//! paycrypt: AWS Payment Cryptography, AWS KMS and JOSE JWE results, offline and bit for bit.
//!
//! This crate is the library behind the `paycrypt` command: TDES and AES in every mode AWS Payment
//! Cryptography offers (ECB, CBC, CFB1, CFB8, CFB64, CFB128, OFB), padding and key check values;
//! DUKPT (X9.24-1 TDES, X9.24-3 AES); RSA encryption and compact JWE; AWS Payment Cryptography's and
//! AWS KMS's operations over a key store; and the local AWS endpoint behind `paycrypt serve`.
//!
//! Layers, each using only the ones below it:
//! - [`primitives`]: pure functions over bytes (ciphers, modes, KCV, [`dukpt`], [`rsa`], [`jwe`]);
//! - [`keys`]: the key model with AWS's enums and the key stores (in memory, or redb on disk with key
//!   material sealed under a master key);
//! - [`service`]: AWS Payment Cryptography's operations in AWS's request and response shapes, with
//!   AWS's validation, key separation and exceptions; and AWS KMS ([`service::kms`]);
//! - `server` (feature `server`): the AWS wire protocols over HTTP, on top of [`service`] and [`sigv4`];
//! - [`esdk`] (on [`service`] for its KMS keyring): the AWS Encryption SDK message format, with raw
//!   AES and KMS keyrings;
//! - [`sigv4`] (beside the layers, using none of them): AWS Signature Version 4 signing and
//!   verifying, and the AWS credentials file, for the server and the CLI's `--endpoint-url`.
//!
//! The manual (the command line, each subject, speed, known differences from AWS, the architecture)
//! is in the repository's `docs/` folder, linked from its README.
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

pub mod action;
pub mod batch;
pub mod esdk;
pub mod keys;
pub mod perf;
pub mod primitives;
#[cfg(feature = "server")]
pub mod server;
pub mod service;
pub mod sigv4;
mod time;

pub use primitives::dukpt;
pub use primitives::{Algorithm, Cipher, CipherError, DecryptError, Mode, SymmetricKey, UnpadError};
pub use primitives::{jwe, kcv, modes, padding, rsa};

/// The README's Rust examples run as doctests, so the README cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The Rust examples of `docs/dukpt.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/dukpt.md")]
struct DukptDoctests;

/// The Rust examples of `docs/rsa-jwe.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/rsa-jwe.md")]
struct RsaJweDoctests;

/// The Rust examples of `docs/payment-cryptography.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/payment-cryptography.md")]
struct PaymentCryptographyDoctests;

/// The Rust examples of `docs/kms.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/kms.md")]
struct KmsDoctests;

/// The Rust examples of `docs/batch.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/batch.md")]
struct BatchDoctests;

/// The Rust examples of `docs/architecture.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/architecture.md")]
struct ArchitectureDoctests;

/// The Rust examples of `docs/esdk.md` run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/esdk.md")]
struct EsdkDoctests;
