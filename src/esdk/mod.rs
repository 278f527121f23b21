//! The AWS Encryption SDK message format: messages paycrypt writes decrypt in the AWS Encryption
//! SDKs (Python, Java, C, JavaScript, the `aws-encryption-cli`), and theirs decrypt here.
//!
//! - **Encrypt** writes message format 2 with suite 0x0578 (AES-256-GCM, HKDF-SHA512, key
//!   commitment, ECDSA P-384; the default) or 0x0478 (the same without signature), framed (4096
//!   bytes per frame by default), with a fresh per-message ECDSA key whose public key goes into the
//!   encryption context as `aws-crypto-public-key` before the keyrings see it.
//! - **Decrypt** reads formats 1 and 2 and all eleven ESDK suites (the format 1 suites only under
//!   [`CommitmentPolicy::RequireEncryptAllowDecrypt`]), framed and non-framed bodies. It checks, in
//!   the specification's order: the header's fields, the commitment policy, the public key's presence,
//!   the required context, the data key (through the keyring), the commitment key (in constant time),
//!   the header tag, every frame, the footer signature, and that nothing follows. [`decrypt`] returns
//!   no plaintext before all of it verified; [`decrypt_stream`] writes regular frames as they verify
//!   and the final frame only at the end (see its security note).
//! - **Keyrings**: [`RawAesKeyring`] (AES-GCM key wrapping, the SDKs' raw AES keyring),
//!   [`KmsKeyring`] over any [`KmsClient`] (paycrypt's local [`Kms`](crate::service::kms::Kms)
//!   is one), and [`MultiKeyring`] to combine them.
//!
//! # Examples
//! ```
//! use paycrypt::esdk::{self, DecryptOptions, EncryptOptions, EncryptionContext, RawAesKeyring, Suite};
//!
//! let keyring = RawAesKeyring::new("my-namespace", "my-key", &[0x11; 32])?;
//! let context = EncryptionContext::from([("purpose".to_owned(), "example".to_owned())]);
//! let options = EncryptOptions { context: context.clone(), ..Default::default() };
//! let message = esdk::encrypt(b"the plaintext", &keyring, &options)?;
//!
//! let decrypted = esdk::decrypt(&message, &keyring, &DecryptOptions::default())?;
//! assert_eq!(&decrypted.plaintext[..], b"the plaintext");
//! assert_eq!(decrypted.info.suite, Suite::DEFAULT);
//! assert_eq!(decrypted.info.context["purpose"], "example");
//!
//! // The caller can require pairs of the context.
//! let options = DecryptOptions { required_context: context, ..Default::default() };
//! assert!(esdk::decrypt(&message, &keyring, &options).is_ok());
//! # Ok::<(), paycrypt::esdk::EsdkError>(())
//! ```

mod body;
mod context;
mod decrypt;
mod encrypt;
mod error;
mod footer;
mod header;
mod keyring;
mod suite;

pub use context::{EncryptionContext, PUBLIC_KEY_FIELD, RESERVED_PREFIX, serialize_context};
pub use decrypt::{
    CommitmentPolicy, DecryptOptions, Decrypted, MessageInfo, decrypt, decrypt_stream, decrypt_with_data_key,
    parse_header,
};
pub use encrypt::{DEFAULT_FRAME_LENGTH, EncryptOptions, Encryptor, encrypt};
pub use error::{EsdkError, KmsCallError};
pub use keyring::{
    DataKey, EncryptedDataKey, KMS_PROVIDER_ID, Keyring, KmsCiphertext, KmsClient, KmsDataKey, KmsKeyring,
    MultiKeyring, RawAesKeyring, is_key_arn,
};
pub use suite::{COMMITMENT_LEN, DerivedKeys, Suite, derive_keys};
