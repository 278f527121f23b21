//! The "Encrypt Data" and "Decrypt Data" actions of a contact-centre flow (Genesys Cloud's Customer
//! Secured Data actions), offline: a JSON value in, an AWS Encryption SDK message under the
//! customer's KMS key out, as a base64 string no longer than 32,000 characters; and back.
//!
//! - [`encrypt_data`]: the JSON value serialized compactly as UTF-8, encrypted with the AWS
//!   Encryption SDK (suite 0x0578, frames of 4096 bytes) under the KMS key the flow names (a key id,
//!   key ARN, alias name or alias ARN), with the encryption context
//!   `{"genesys-cloud-organization-id": <organization id>}`; the result is standard base64.
//! - [`decrypt_data`]: base64, then the ESDK message decrypted with that key; its context must hold
//!   the organization id pair; the plaintext is parsed as JSON.
//!
//! Every failure is one [`ActionError`] of exactly five types ([`ActionErrorType`]), serialized as
//! the flow's failure output `{"errorType": "...", "errorMessage": "..."}`. Messages are in English,
//! fixed, and never carry key material or data.
//!
//! # Examples
//! ```
//! use paycrypt::action::{ActionErrorType, decrypt_data, encrypt_data};
//! use paycrypt::keys::MemoryStore;
//! use paycrypt::service::Settings;
//! use paycrypt::service::kms::{CreateAliasRequest, CreateKeyRequest, Kms};
//! use serde_json::json;
//!
//! let kms = Kms::new(MemoryStore::new(), Settings::default());
//! let key = kms.create_key(CreateKeyRequest::default())?.key_metadata;
//! kms.create_alias(CreateAliasRequest { alias_name: "alias/flows".into(), target_key_id: key.key_id })?;
//! let alias = "arn:aws:kms:us-east-1:111122223333:alias/flows";
//!
//! let data = json!({"pan": "4111111111111111", "expiry": "12/29"});
//! let encrypted = encrypt_data(&kms, Some(alias), "org-1", Some(&data))?;
//! assert_eq!(decrypt_data(&kms, Some(alias), "org-1", Some(&encrypted))?, data);
//!
//! // Another organization's context does not open it.
//! let err = decrypt_data(&kms, Some(alias), "org-2", Some(&encrypted)).unwrap_err();
//! assert_eq!(err.error_type, ActionErrorType::GeneralError);
//! let err = encrypt_data(&kms, Some(alias), "org-1", None).unwrap_err();
//! assert_eq!(serde_json::to_string(&err)?,
//!     r#"{"errorType":"NoDataSupplied","errorMessage":"No data was supplied to encrypt."}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;

use base64ct::{Base64, Encoding};
use serde_json::Value;

use crate::esdk::{
    self, DecryptOptions, EncryptOptions, EncryptionContext, EsdkError, KmsClient, KmsKeyring, Suite,
};

pub use error::{ActionError, ActionErrorType};

/// The encryption context key that binds a message to its organization.
pub const ORGANIZATION_CONTEXT_KEY: &str = "genesys-cloud-organization-id";

/// The longest encrypted string the actions make or take, in characters.
pub const MAX_ENCRYPTED_CHARS: usize = 32_000;

/// The frame length of the messages the action makes.
pub const FRAME_LENGTH: u32 = 4096;

/// Encrypts the JSON value `data` under the KMS key `key_arn` for the organization
/// `organization_id`: the "Encrypt Data" action. Returns the message as standard base64.
///
/// `key_arn` is any KMS key identifier (the flow tool configures an alias ARN,
/// `arn:aws:kms:<region>:<account>:alias/<name>`). `data` is `None` or `Some(Value::Null)` when the
/// flow's value is NOT_SET.
///
/// # Errors
/// [`ActionError`]: `CustomerKeyNotConfigured` without a key; `NoDataSupplied` without data;
/// `CustomerKeyNotFound` when KMS does not know the key, or it is disabled or pending deletion;
/// `MaximumDataSizeExceeded` when the result would be over [`MAX_ENCRYPTED_CHARS`]; `GeneralError`
/// for anything else.
pub fn encrypt_data<C: KmsClient>(
    client: &C,
    key_arn: Option<&str>,
    organization_id: &str,
    data: Option<&Value>,
) -> Result<String, ActionError> {
    let key = configured_key(key_arn)?;
    let data = match data {
        None | Some(Value::Null) => return Err(ActionError::no_data("No data was supplied to encrypt.")),
        Some(value) => value,
    };
    let context = organization_context(organization_id)?;
    let plaintext = zeroize::Zeroizing::new(
        serde_json::to_vec(data)
            .map_err(|_| ActionError::general("The data could not be serialized as JSON."))?,
    );
    // A message is longer than its plaintext: past 24,000 bytes (32,000 base64 characters) the
    // result cannot fit, and KMS need not be asked.
    if plaintext.len() > MAX_ENCRYPTED_CHARS / 4 * 3 {
        return Err(ActionError::new(
            ActionErrorType::MaximumDataSizeExceeded,
            format!(
                "The data is {} bytes as JSON: its encrypted form would be over the limit of {MAX_ENCRYPTED_CHARS} characters.",
                plaintext.len()
            ),
        ));
    }
    let keyring = keyring(client, key)?;
    let options = EncryptOptions { suite: Suite::DEFAULT, frame_length: FRAME_LENGTH, context };
    let message = esdk::encrypt(&plaintext, &keyring, &options).map_err(|e| from_esdk(&e, "encrypt"))?;
    let encoded = Base64::encode_string(&message);
    if encoded.len() > MAX_ENCRYPTED_CHARS {
        return Err(ActionError::new(
            ActionErrorType::MaximumDataSizeExceeded,
            format!(
                "The encrypted data is {} characters long, over the limit of {MAX_ENCRYPTED_CHARS}.",
                encoded.len()
            ),
        ));
    }
    Ok(encoded)
}

/// Decrypts a string made by [`encrypt_data`] (or by any AWS Encryption SDK with the same key and
/// context) back to its JSON value: the "Decrypt Data" action.
///
/// # Errors
/// [`ActionError`]: `CustomerKeyNotConfigured` without a key; `NoDataSupplied` for no, an empty or
/// a blank string; `MaximumDataSizeExceeded` for a string over [`MAX_ENCRYPTED_CHARS`];
/// `CustomerKeyNotFound` when KMS does not know the key, or it is disabled or pending deletion;
/// `GeneralError` for anything else (not base64, altered, another key or organization, not JSON).
pub fn decrypt_data<C: KmsClient>(
    client: &C,
    key_arn: Option<&str>,
    organization_id: &str,
    encrypted: Option<&str>,
) -> Result<Value, ActionError> {
    let key = configured_key(key_arn)?;
    let encrypted = match encrypted {
        Some(s) if !s.trim().is_empty() => s,
        _ => return Err(ActionError::no_data("No encrypted data was supplied to decrypt.")),
    };
    let chars = encrypted.chars().count();
    if chars > MAX_ENCRYPTED_CHARS {
        return Err(ActionError::new(
            ActionErrorType::MaximumDataSizeExceeded,
            format!(
                "The encrypted data is {chars} characters long, over the limit of {MAX_ENCRYPTED_CHARS}."
            ),
        ));
    }
    let context = organization_context(organization_id)?;
    let message = Base64::decode_vec(encrypted.trim())
        .map_err(|_| ActionError::general("The encrypted data is not valid base64."))?;
    // A message names its key by ARN: an alias is resolved first, so that the keyring asks KMS to
    // decrypt only with the configured key. The call also tells a missing or disabled key apart.
    let key_arn = resolve_key(client, key, &context)?;
    let keyring = keyring(client, &key_arn)?;
    let options = DecryptOptions { required_context: context.clone(), ..DecryptOptions::default() };
    let decrypted = esdk::decrypt(&message, &keyring, &options).map_err(|e| from_esdk(&e, "decrypt"))?;
    if decrypted.info.context.get(ORGANIZATION_CONTEXT_KEY) != context.get(ORGANIZATION_CONTEXT_KEY) {
        return Err(ActionError::general("The encrypted data does not belong to this organization."));
    }
    serde_json::from_slice(&decrypted.plaintext)
        .map_err(|_| ActionError::general("The decrypted data is not a JSON value."))
}

/// The key identifier, or `CustomerKeyNotConfigured`.
fn configured_key(key_arn: Option<&str>) -> Result<&str, ActionError> {
    match key_arn.map(str::trim) {
        Some(key) if !key.is_empty() => Ok(key),
        _ => Err(ActionError::new(
            ActionErrorType::CustomerKeyNotConfigured,
            "No customer KMS key is configured.",
        )),
    }
}

/// `{"genesys-cloud-organization-id": organization_id}`.
fn organization_context(organization_id: &str) -> Result<EncryptionContext, ActionError> {
    if organization_id.trim().is_empty() {
        return Err(ActionError::general("The organization id is empty."));
    }
    let mut context = EncryptionContext::new();
    context.insert(ORGANIZATION_CONTEXT_KEY.to_owned(), organization_id.to_owned());
    Ok(context)
}

/// A KMS keyring over the one key; an identifier KMS could never know is `CustomerKeyNotFound`.
fn keyring<'a, C: KmsClient>(client: &'a C, key: &str) -> Result<KmsKeyring<&'a C>, ActionError> {
    KmsKeyring::new(client, vec![key.to_owned()]).map_err(|_| {
        ActionError::new(
            ActionErrorType::CustomerKeyNotFound,
            "The customer KMS key identifier is not valid.",
        )
    })
}

/// The key ARN behind `key` (an alias, or any identifier), from a one-byte KMS Encrypt.
fn resolve_key<C: KmsClient>(
    client: &C,
    key: &str,
    context: &EncryptionContext,
) -> Result<String, ActionError> {
    client
        .encrypt(key, &[0], context, &[])
        .map(|out| out.key_arn)
        .map_err(|e| from_kms(&e.exception, &e.message, "decrypt"))
}

/// The action error for a failed ESDK call.
fn from_esdk(e: &EsdkError, doing: &str) -> ActionError {
    match e {
        EsdkError::Kms(call) => from_kms(&call.exception, &call.message, doing),
        EsdkError::RequiredContextMismatch(_) => {
            ActionError::general("The encrypted data does not belong to this organization.")
        }
        other => ActionError::general(format!("The data could not be {doing}ed: {other}")),
    }
}

/// The action error for a KMS exception: a key that is unknown, disabled or pending deletion is
/// `CustomerKeyNotFound`, anything else `GeneralError`.
fn from_kms(exception: &str, message: &str, doing: &str) -> ActionError {
    if matches!(exception, "NotFoundException" | "DisabledException" | "KMSInvalidStateException") {
        ActionError::new(
            ActionErrorType::CustomerKeyNotFound,
            format!("The customer KMS key is not usable ({exception}): {message}"),
        )
    } else {
        ActionError::general(format!("KMS refused to {doing} ({exception}): {message}"))
    }
}
