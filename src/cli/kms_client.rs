//! The KMS behind `paycrypt esdk` and `paycrypt action`: the key store's KMS, or, with
//! `--endpoint-url`, a running endpoint's, called over SigV4 (GenerateDataKey, Encrypt, Decrypt on
//! awsJson1_1, blobs in base64) and its AWS errors kept as [`KmsCallError`]s.

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};

use paycrypt::esdk::{DataKey, EncryptionContext, KmsCallError, KmsCiphertext, KmsClient, KmsDataKey};
use paycrypt::keys::{FileStore, MemoryStore};
use paycrypt::service::kms::Kms;

use crate::cli::CliError;
use crate::cli::aws;
use crate::cli::failure::Failure;
use crate::cli::global::GlobalArgs;
use crate::cli::remote::{Remote, Wire};

/// The exception of a [`KmsCallError`] for an endpoint that could not be reached or answered
/// something that is not KMS's JSON: paycrypt's own name, not an AWS exception.
pub(crate) const CONNECTION_ERROR: &str = "ConnectionError";

/// Where KMS calls go.
pub(crate) enum CliKms {
    /// The key store on this machine (`--data-dir`).
    Local(Box<Kms<FileStore>>),
    /// A running endpoint (`--endpoint-url`).
    Remote(Box<Remote>),
    /// An empty KMS in memory: a stand-in where no key is named.
    Memory(Box<Kms<MemoryStore>>),
}

impl CliKms {
    /// The KMS the global options name: the endpoint of `--endpoint-url`, else the key store.
    pub(crate) fn open(g: &GlobalArgs) -> Result<Self, Failure> {
        match aws::remote(g)? {
            Some(remote) => Ok(CliKms::Remote(Box::new(remote))),
            None => {
                let (store, settings) = aws::open_store(g)?;
                Ok(CliKms::Local(Box::new(Kms::new(store, settings))))
            }
        }
    }
}

impl KmsClient for CliKms {
    fn generate_data_key(
        &self,
        key_id: &str,
        number_of_bytes: usize,
        context: &EncryptionContext,
        grant_tokens: &[String],
    ) -> Result<KmsDataKey, KmsCallError> {
        match self {
            CliKms::Local(kms) => {
                KmsClient::generate_data_key(kms.as_ref(), key_id, number_of_bytes, context, grant_tokens)
            }
            CliKms::Memory(kms) => {
                KmsClient::generate_data_key(kms.as_ref(), key_id, number_of_bytes, context, grant_tokens)
            }
            CliKms::Remote(remote) => {
                let mut body = request(key_id, context, grant_tokens);
                body["NumberOfBytes"] = json!(number_of_bytes);
                let out = call(remote, "GenerateDataKey", body)?;
                Ok(KmsDataKey {
                    plaintext: DataKey::new(blob_member(&out, "Plaintext")?),
                    ciphertext: blob_member(&out, "CiphertextBlob")?,
                    key_arn: text_member(&out, "KeyId")?,
                })
            }
        }
    }

    fn encrypt(
        &self,
        key_id: &str,
        plaintext: &[u8],
        context: &EncryptionContext,
        grant_tokens: &[String],
    ) -> Result<KmsCiphertext, KmsCallError> {
        match self {
            CliKms::Local(kms) => KmsClient::encrypt(kms.as_ref(), key_id, plaintext, context, grant_tokens),
            CliKms::Memory(kms) => KmsClient::encrypt(kms.as_ref(), key_id, plaintext, context, grant_tokens),
            CliKms::Remote(remote) => {
                let mut body = request(key_id, context, grant_tokens);
                body["Plaintext"] = Value::String(Base64::encode_string(plaintext));
                let out = call(remote, "Encrypt", body)?;
                Ok(KmsCiphertext {
                    ciphertext: blob_member(&out, "CiphertextBlob")?,
                    key_arn: text_member(&out, "KeyId")?,
                })
            }
        }
    }

    fn decrypt(
        &self,
        key_id: &str,
        ciphertext: &[u8],
        context: &EncryptionContext,
        grant_tokens: &[String],
    ) -> Result<KmsDataKey, KmsCallError> {
        match self {
            CliKms::Local(kms) => KmsClient::decrypt(kms.as_ref(), key_id, ciphertext, context, grant_tokens),
            CliKms::Memory(kms) => {
                KmsClient::decrypt(kms.as_ref(), key_id, ciphertext, context, grant_tokens)
            }
            CliKms::Remote(remote) => {
                let mut body = request(key_id, context, grant_tokens);
                body["CiphertextBlob"] = Value::String(Base64::encode_string(ciphertext));
                let out = call(remote, "Decrypt", body)?;
                Ok(KmsDataKey {
                    plaintext: DataKey::new(blob_member(&out, "Plaintext")?),
                    ciphertext: ciphertext.to_vec(),
                    key_arn: text_member(&out, "KeyId")?,
                })
            }
        }
    }
}

/// A failure of the KMS set-up (the store, the endpoint), as paycrypt's own commands report it.
pub(crate) fn setup_error(f: Failure) -> CliError {
    match f {
        Failure::Local(e) => e,
        Failure::Parameter { flag, message } => CliError::new(format!("{flag}: {message}")),
        Failure::Config(message) => CliError::new(message),
        Failure::Remote { exception, message } => CliError::new(format!("{exception}: {message}")),
        Failure::Missing { members } => CliError::new(format!("missing {}", members.join(", "))),
        Failure::Service(e) => CliError::new(e.to_string()),
        Failure::Kms(e) => CliError::new(format!("AWS KMS refused ({}): {e}", e.exception())),
    }
}

/// The members every call has: `KeyId`, `EncryptionContext` (when not empty), `GrantTokens`.
fn request(key_id: &str, context: &EncryptionContext, grant_tokens: &[String]) -> Value {
    let mut body = json!({ "KeyId": key_id });
    if !context.is_empty() {
        body["EncryptionContext"] = json!(context);
    }
    if !grant_tokens.is_empty() {
        body["GrantTokens"] = json!(grant_tokens);
    }
    body
}

/// One KMS call; AWS's error keeps its exception name, a failure to reach the endpoint is
/// [`CONNECTION_ERROR`].
fn call(remote: &Remote, operation: &str, body: Value) -> Result<Value, KmsCallError> {
    remote.call(Wire::Kms, operation, body).map_err(|failure| match failure {
        Failure::Remote { exception, message } => KmsCallError { exception, message },
        Failure::Local(e) => {
            KmsCallError { exception: CONNECTION_ERROR.to_owned(), message: e.message().to_owned() }
        }
        Failure::Config(message) => KmsCallError { exception: CONNECTION_ERROR.to_owned(), message },
        _ => KmsCallError {
            exception: CONNECTION_ERROR.to_owned(),
            message: format!("the {operation} request could not be sent"),
        },
    })
}

fn text_member(out: &Value, name: &str) -> Result<String, KmsCallError> {
    out.get(name).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| malformed(name))
}

fn blob_member(out: &Value, name: &str) -> Result<Vec<u8>, KmsCallError> {
    let text = out.get(name).and_then(Value::as_str).ok_or_else(|| malformed(name))?;
    Base64::decode_vec(text).map_err(|_| malformed(name))
}

fn malformed(member: &str) -> KmsCallError {
    KmsCallError {
        exception: CONNECTION_ERROR.to_owned(),
        message: format!("the endpoint's response has no valid {member}"),
    }
}
