//! Cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey,
//! GenerateDataKeyWithoutPlaintext, GenerateRandom.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::keys::{KeyStore, KmsKeyArn, KmsKeySpec, KmsMaterial, StoredKmsKey, Timestamp};
use crate::primitives::rsa::{RsaPadding, RsaPrivateKey};
use crate::service::kms::wire::{
    Blob, EncryptionAlgorithm, EncryptionContext, SecretBlob, check_grant_tokens, check_len, check_range,
};
use crate::service::kms::{Kms, KmsError, blob, check_enabled};

/// The most plaintext Encrypt takes, in bytes.
pub const MAX_PLAINTEXT: usize = 4096;
/// The longest ciphertext blob, in bytes.
pub const MAX_CIPHERTEXT: usize = 6144;

/// Encrypt request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptRequest {
    /// Key id, key ARN, alias name or alias ARN.
    pub key_id: String,
    /// 1 to 4096 bytes.
    pub plaintext: SecretBlob,
    /// Pairs bound to the ciphertext (symmetric keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<EncryptionContext>,
    /// At most 10, each naming a live grant on the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_tokens: Option<Vec<String>>,
    /// SYMMETRIC_DEFAULT (the default) for symmetric keys; RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256 for RSA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_algorithm: Option<EncryptionAlgorithm>,
    /// Check everything, encrypt nothing, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// Encrypt response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptResponse {
    /// The ciphertext.
    pub ciphertext_blob: Blob,
    /// The key ARN.
    pub key_id: String,
    /// The algorithm used.
    pub encryption_algorithm: EncryptionAlgorithm,
}

/// Decrypt request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptRequest {
    /// The ciphertext (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_blob: Option<Blob>,
    /// The context it was encrypted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<EncryptionContext>,
    /// At most 10, each naming a live grant on the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_tokens: Option<Vec<String>>,
    /// The key; optional for symmetric ciphertexts (which name their key), required for RSA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
    /// The algorithm it was encrypted with (default SYMMETRIC_DEFAULT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_algorithm: Option<EncryptionAlgorithm>,
    /// Nitro Enclaves attestation: not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Value>,
    /// Check everything, decrypt nothing, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// Decrypt response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DecryptResponse {
    /// The ARN of the key that decrypted.
    pub key_id: String,
    /// The plaintext.
    pub plaintext: SecretBlob,
    /// The algorithm used.
    pub encryption_algorithm: EncryptionAlgorithm,
}

/// ReEncrypt request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptRequest {
    /// The ciphertext (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ciphertext_blob: Option<Blob>,
    /// The context it was encrypted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_encryption_context: Option<EncryptionContext>,
    /// The key it is under (optional for symmetric ciphertexts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_key_id: Option<String>,
    /// The key to encrypt under.
    pub destination_key_id: String,
    /// The context to bind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_encryption_context: Option<EncryptionContext>,
    /// The algorithm it was encrypted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_encryption_algorithm: Option<EncryptionAlgorithm>,
    /// The algorithm to encrypt with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_encryption_algorithm: Option<EncryptionAlgorithm>,
    /// At most 10, each naming a live grant on the source or destination key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_tokens: Option<Vec<String>>,
    /// Check everything, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// ReEncrypt response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReEncryptResponse {
    /// The new ciphertext.
    pub ciphertext_blob: Blob,
    /// The ARN of the key it was under.
    pub source_key_id: String,
    /// The ARN of the key it is under now.
    pub key_id: String,
    /// The algorithm it was encrypted with.
    pub source_encryption_algorithm: EncryptionAlgorithm,
    /// The algorithm it is encrypted with now.
    pub destination_encryption_algorithm: EncryptionAlgorithm,
}

/// A data key's length by name (AWS `DataKeySpec`).
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub enum DataKeySpec {
    /// 32 bytes.
    #[serde(rename = "AES_256")]
    Aes256,
    /// 16 bytes.
    #[serde(rename = "AES_128")]
    Aes128,
}

/// GenerateDataKey and GenerateDataKeyWithoutPlaintext request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyRequest {
    /// The symmetric key to encrypt the data key under.
    pub key_id: String,
    /// Pairs bound to the ciphertext.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context: Option<EncryptionContext>,
    /// The data key's length, 1 to 1024 bytes (or `KeySpec`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_bytes: Option<i64>,
    /// AES_256 or AES_128 (or `NumberOfBytes`, not both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_spec: Option<DataKeySpec>,
    /// At most 10, each naming a live grant on the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_tokens: Option<Vec<String>>,
    /// Nitro Enclaves attestation: not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Value>,
    /// Check everything, fail with `DryRunOperationException`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

/// GenerateDataKey response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyResponse {
    /// The data key, encrypted.
    pub ciphertext_blob: Blob,
    /// The data key.
    pub plaintext: SecretBlob,
    /// The key ARN.
    pub key_id: String,
}

/// GenerateDataKeyWithoutPlaintext response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateDataKeyWithoutPlaintextResponse {
    /// The data key, encrypted.
    pub ciphertext_blob: Blob,
    /// The key ARN.
    pub key_id: String,
}

/// GenerateRandom request.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomRequest {
    /// 1 to 1024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_bytes: Option<i64>,
    /// Not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_key_store_id: Option<String>,
    /// Not implemented.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Value>,
}

/// GenerateRandom response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateRandomResponse {
    /// The random bytes.
    pub plaintext: SecretBlob,
}

/// A decrypted ciphertext: which key, what, how.
struct Opened {
    arn: KmsKeyArn,
    plaintext: Zeroizing<Vec<u8>>,
    algorithm: EncryptionAlgorithm,
}

impl<S: KeyStore> Kms<S> {
    /// Encrypt.
    ///
    /// # Errors
    /// `ValidationException` (plaintext outside 1-4096 bytes, more than 10 grant tokens, context with
    /// an RSA key, plaintext over the RSA limit); `NotFoundException`; `InvalidGrantTokenException`;
    /// `DisabledException`; `KMSInvalidStateException`; `InvalidKeyUsageException` for an algorithm
    /// the key does not have; `DryRunOperationException`.
    pub fn encrypt(&self, input: EncryptRequest) -> Result<EncryptResponse, KmsError> {
        check_len("plaintext", input.plaintext.expose().len(), 1, MAX_PLAINTEXT)?;
        let tokens = input.grant_tokens.unwrap_or_default();
        check_grant_tokens(&tokens)?;
        let arn = self.resolve("keyId", &input.key_id, true)?;
        let key = self.usable(&arn, &tokens)?;
        let context = non_empty(input.encryption_context.as_ref());
        let algorithm = check_algorithm(&key, input.encryption_algorithm, context)?;
        dry_run(input.dry_run)?;
        let ciphertext = encrypt_with(&key, algorithm, context, input.plaintext.expose())?;
        Ok(EncryptResponse {
            ciphertext_blob: Blob(ciphertext),
            key_id: arn.to_string(),
            encryption_algorithm: algorithm,
        })
    }

    /// Decrypt. A symmetric ciphertext names its key, so `KeyId` is optional (and must match);
    /// an RSA ciphertext needs `KeyId` and `EncryptionAlgorithm`.
    ///
    /// # Errors
    /// `InvalidCiphertextException` when the ciphertext, context or algorithm does not match;
    /// `IncorrectKeyException` when `KeyId` names another key; the key errors of [`Kms::encrypt`].
    pub fn decrypt(&self, input: DecryptRequest) -> Result<DecryptResponse, KmsError> {
        if input.recipient.is_some() {
            return Err(KmsError::Unsupported(
                "paycrypt does not implement Recipient (Nitro Enclaves).".to_owned(),
            ));
        }
        let tokens = input.grant_tokens.unwrap_or_default();
        let opened = self.open(
            input.ciphertext_blob.as_ref(),
            input.key_id.as_deref(),
            input.encryption_algorithm,
            non_empty(input.encryption_context.as_ref()),
            &tokens,
            input.dry_run,
            "keyId",
        )?;
        Ok(DecryptResponse {
            key_id: opened.arn.to_string(),
            plaintext: SecretBlob(opened.plaintext),
            encryption_algorithm: opened.algorithm,
        })
    }

    /// ReEncrypt: decrypts under the source key and encrypts under the destination key, without
    /// returning the plaintext.
    ///
    /// # Errors
    /// Those of [`Kms::decrypt`] for the source and [`Kms::encrypt`] for the destination.
    pub fn re_encrypt(&self, input: ReEncryptRequest) -> Result<ReEncryptResponse, KmsError> {
        let tokens = input.grant_tokens.unwrap_or_default();
        check_grant_tokens(&tokens)?;
        let dest_arn = self.resolve("destinationKeyId", &input.destination_key_id, true)?;
        let source = self.open(
            input.ciphertext_blob.as_ref(),
            input.source_key_id.as_deref(),
            input.source_encryption_algorithm,
            non_empty(input.source_encryption_context.as_ref()),
            &[],
            None,
            "sourceKeyId",
        )?;
        self.check_grant_tokens_any(&[&source.arn, &dest_arn], &tokens)?;
        let dest = self.usable(&dest_arn, &[])?;
        let context = non_empty(input.destination_encryption_context.as_ref());
        let algorithm = check_algorithm(&dest, input.destination_encryption_algorithm, context)?;
        dry_run(input.dry_run)?;
        let ciphertext = encrypt_with(&dest, algorithm, context, &source.plaintext)?;
        Ok(ReEncryptResponse {
            ciphertext_blob: Blob(ciphertext),
            source_key_id: source.arn.to_string(),
            key_id: dest_arn.to_string(),
            source_encryption_algorithm: source.algorithm,
            destination_encryption_algorithm: algorithm,
        })
    }

    /// GenerateDataKey: a random data key, in the clear and encrypted under a symmetric key.
    ///
    /// # Errors
    /// `ValidationException` unless exactly one of `NumberOfBytes` (1-1024) and `KeySpec` is given;
    /// `InvalidKeyUsageException` for an RSA key; the key errors of [`Kms::encrypt`].
    pub fn generate_data_key(
        &self,
        input: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyResponse, KmsError> {
        let (plaintext, ciphertext_blob, key_id) = self.data_key(input)?;
        Ok(GenerateDataKeyResponse { ciphertext_blob, plaintext, key_id })
    }

    /// GenerateDataKeyWithoutPlaintext: as [`Kms::generate_data_key`], returning only the encrypted key.
    ///
    /// # Errors
    /// As [`Kms::generate_data_key`].
    pub fn generate_data_key_without_plaintext(
        &self,
        input: GenerateDataKeyRequest,
    ) -> Result<GenerateDataKeyWithoutPlaintextResponse, KmsError> {
        let (_, ciphertext_blob, key_id) = self.data_key(input)?;
        Ok(GenerateDataKeyWithoutPlaintextResponse { ciphertext_blob, key_id })
    }

    /// GenerateRandom: 1 to 1024 random bytes from the operating system.
    ///
    /// # Errors
    /// `ValidationException` for a missing or out-of-range `NumberOfBytes`;
    /// `UnsupportedOperationException` for a custom key store or a recipient.
    pub fn generate_random(&self, input: GenerateRandomRequest) -> Result<GenerateRandomResponse, KmsError> {
        if input.custom_key_store_id.is_some() || input.recipient.is_some() {
            return Err(KmsError::Unsupported(
                "paycrypt has no custom key stores and does not implement Recipient.".to_owned(),
            ));
        }
        let n = input
            .number_of_bytes
            .ok_or_else(|| KmsError::Validation("NumberOfBytes is required.".to_owned()))?;
        Ok(GenerateRandomResponse { plaintext: SecretBlob(random_bytes(n)?) })
    }

    fn data_key(&self, input: GenerateDataKeyRequest) -> Result<(SecretBlob, Blob, String), KmsError> {
        if input.recipient.is_some() {
            return Err(KmsError::Unsupported(
                "paycrypt does not implement Recipient (Nitro Enclaves).".to_owned(),
            ));
        }
        let n = match (input.number_of_bytes, input.key_spec) {
            (Some(n), None) => n,
            (None, Some(DataKeySpec::Aes256)) => 32,
            (None, Some(DataKeySpec::Aes128)) => 16,
            (None, None) => {
                return Err(KmsError::Validation(
                    "Please specify either number of bytes or key spec.".to_owned(),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(KmsError::Validation(
                    "Please specify either number of bytes or key spec, not both.".to_owned(),
                ));
            }
        };
        check_range("numberOfBytes", n, 1, 1024)?;
        let tokens = input.grant_tokens.unwrap_or_default();
        check_grant_tokens(&tokens)?;
        let arn = self.resolve("keyId", &input.key_id, true)?;
        let key = self.usable(&arn, &tokens)?;
        if key.key.key_spec != KmsKeySpec::SymmetricDefault {
            return Err(KmsError::InvalidKeyUsage(format!(
                "{arn} key usage is ENCRYPT_DECRYPT with key spec {}, which cannot generate data keys.",
                key.key.key_spec
            )));
        }
        dry_run(input.dry_run)?;
        let plaintext = random_bytes(n)?;
        let context = non_empty(input.encryption_context.as_ref());
        let ciphertext = encrypt_with(&key, EncryptionAlgorithm::SymmetricDefault, context, &plaintext)?;
        Ok((SecretBlob(plaintext), Blob(ciphertext), arn.to_string()))
    }

    /// Decrypts `blob` (see [`Kms::decrypt`]); `key_member` names the key member in errors.
    #[allow(clippy::too_many_arguments)]
    fn open(
        &self,
        blob: Option<&Blob>,
        key_id: Option<&str>,
        algorithm: Option<EncryptionAlgorithm>,
        context: Option<&EncryptionContext>,
        tokens: &[String],
        dry: Option<bool>,
        key_member: &str,
    ) -> Result<Opened, KmsError> {
        let blob = blob.ok_or_else(|| KmsError::Validation("CiphertextBlob is required.".to_owned()))?;
        check_len("ciphertextBlob", blob.0.len(), 1, MAX_CIPHERTEXT)?;
        check_grant_tokens(tokens)?;
        let invalid = || {
            KmsError::InvalidCiphertext(
                "The ciphertext is invalid, or does not match the key, encryption context or algorithm."
                    .to_owned(),
            )
        };
        let requested = match key_id {
            Some(k) => Some(self.resolve(key_member, k, true)?),
            None => None,
        };
        let requested_key = match &requested {
            Some(arn) => Some(self.usable(arn, tokens)?),
            None => None,
        };
        if let Some(key) = &requested_key
            && key.key.key_spec != KmsKeySpec::SymmetricDefault
        {
            let alg = check_algorithm(key, algorithm, context)?;
            dry_run(dry)?;
            let plaintext = rsa_decrypt(key, alg, &blob.0).ok_or_else(invalid)?;
            return Ok(Opened { arn: key.key.arn.clone(), plaintext, algorithm: alg });
        }
        if !matches!(algorithm, None | Some(EncryptionAlgorithm::SymmetricDefault)) {
            return Err(match &requested {
                Some(arn) => KmsError::InvalidKeyUsage(unsupported_algorithm(arn, algorithm)),
                None => KmsError::Validation(
                    "KeyId is required to decrypt with an asymmetric EncryptionAlgorithm.".to_owned(),
                ),
            });
        }
        let (blob_arn, body_at) = blob::key_arn(&blob.0).ok_or_else(invalid)?;
        let key = match requested_key {
            Some(key) if key.key.arn == blob_arn => key,
            Some(_) => {
                return Err(KmsError::IncorrectKey(
                    "The key ID in the request does not identify a KMS key that can perform this operation."
                        .to_owned(),
                ));
            }
            None => {
                let stored = self.store().get_kms_key(&blob_arn)?.ok_or_else(invalid)?;
                if stored.key.is_deleted(Timestamp::now()) {
                    return Err(KmsError::NotFound(format!("Key '{blob_arn}' does not exist")));
                }
                self.check_grant_tokens(&blob_arn, tokens)?;
                check_enabled(&stored.key)?;
                stored
            }
        };
        let KmsMaterial::Aes256(material) = &key.material else {
            return Err(invalid());
        };
        dry_run(dry)?;
        let plaintext = blob::open(material, &blob.0, body_at, context).ok_or_else(invalid)?;
        Ok(Opened { arn: blob_arn, plaintext, algorithm: EncryptionAlgorithm::SymmetricDefault })
    }
}

/// `None` for an absent or empty context: the two are the same.
fn non_empty(context: Option<&EncryptionContext>) -> Option<&EncryptionContext> {
    context.filter(|c| !c.is_empty())
}

/// `DryRunOperationException` when `DryRun` is set.
fn dry_run(flag: Option<bool>) -> Result<(), KmsError> {
    if flag == Some(true) {
        return Err(KmsError::DryRun(
            "The request would have succeeded, but the DryRun flag is set.".to_owned(),
        ));
    }
    Ok(())
}

fn unsupported_algorithm(arn: &KmsKeyArn, algorithm: Option<EncryptionAlgorithm>) -> String {
    let name = algorithm.map_or("SYMMETRIC_DEFAULT", EncryptionAlgorithm::name);
    format!("{arn} does not support the encryption algorithm {name}.")
}

/// The algorithm to use with `key`: SYMMETRIC_DEFAULT for symmetric keys, an RSAES_OAEP algorithm for RSA
/// keys (which take no context).
fn check_algorithm(
    key: &StoredKmsKey,
    algorithm: Option<EncryptionAlgorithm>,
    context: Option<&EncryptionContext>,
) -> Result<EncryptionAlgorithm, KmsError> {
    let arn = &key.key.arn;
    match (key.key.key_spec, algorithm) {
        (KmsKeySpec::SymmetricDefault, None | Some(EncryptionAlgorithm::SymmetricDefault)) => {
            Ok(EncryptionAlgorithm::SymmetricDefault)
        }
        (
            KmsKeySpec::Rsa2048 | KmsKeySpec::Rsa3072 | KmsKeySpec::Rsa4096,
            Some(a @ (EncryptionAlgorithm::RsaesOaepSha1 | EncryptionAlgorithm::RsaesOaepSha256)),
        ) => {
            if context.is_some() {
                return Err(KmsError::Validation(
                    "EncryptionContext is not supported with asymmetric KMS keys.".to_owned(),
                ));
            }
            Ok(a)
        }
        _ => Err(KmsError::InvalidKeyUsage(unsupported_algorithm(arn, algorithm))),
    }
}

fn padding(algorithm: EncryptionAlgorithm) -> RsaPadding {
    match algorithm {
        EncryptionAlgorithm::RsaesOaepSha1 => RsaPadding::OaepSha1,
        _ => RsaPadding::OaepSha256,
    }
}

/// The RSA private key in `key`'s material.
fn rsa_private(key: &StoredKmsKey) -> Result<RsaPrivateKey, KmsError> {
    match &key.material {
        KmsMaterial::RsaPem(pem) => RsaPrivateKey::from_pem(pem).map_err(|_| {
            KmsError::Internal(format!("the stored material of {} does not parse", key.key.arn))
        }),
        KmsMaterial::Aes256(_) => Err(KmsError::Internal(format!("{} holds no RSA key", key.key.arn))),
    }
}

/// Encrypts under `key` with an `algorithm` [`check_algorithm`] accepted.
fn encrypt_with(
    key: &StoredKmsKey,
    algorithm: EncryptionAlgorithm,
    context: Option<&EncryptionContext>,
    plaintext: &[u8],
) -> Result<Vec<u8>, KmsError> {
    match &key.material {
        KmsMaterial::Aes256(k) => blob::seal(k, &key.key.arn, context, plaintext)
            .ok_or_else(|| KmsError::Internal("encryption failed (no randomness?)".to_owned())),
        KmsMaterial::RsaPem(_) => {
            let private = rsa_private(key)?;
            let padding = padding(algorithm);
            let max = padding.max_message_len(private.as_public_key().size()).unwrap_or(0);
            if plaintext.len() > max {
                return Err(KmsError::Validation(format!(
                    "Plaintext ({} bytes) is too long for {} with {}: at most {max} bytes.",
                    plaintext.len(),
                    key.key.key_spec,
                    algorithm.name()
                )));
            }
            private
                .as_public_key()
                .encrypt(padding, None, plaintext)
                .map_err(|e| KmsError::Internal(e.to_string()))
        }
    }
}

/// RSA-OAEP decryption; `None`, without detail, when it fails.
fn rsa_decrypt(
    key: &StoredKmsKey,
    algorithm: EncryptionAlgorithm,
    ciphertext: &[u8],
) -> Option<Zeroizing<Vec<u8>>> {
    rsa_private(key).ok()?.decrypt(padding(algorithm), None, ciphertext).ok()
}

/// `n` (1 to 1024) random bytes.
fn random_bytes(n: i64) -> Result<Zeroizing<Vec<u8>>, KmsError> {
    check_range("numberOfBytes", n, 1, 1024)?;
    let mut bytes = Zeroizing::new(vec![0u8; usize::try_from(n).unwrap_or(0)]);
    getrandom::fill(&mut bytes).map_err(|e| KmsError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}
