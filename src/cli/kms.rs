//! `paycrypt kms …`: `aws kms`'s commands (same flags, same JSON, blobs in base64), run through
//! `Kms::call` on the `--data-dir` store, as the server runs them.

use std::process::ExitCode;

use base64ct::{Base64, Encoding};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use crate::cli::CliError;
use crate::cli::aws::{Failure, StoreArgs, finish, iso_timestamps, open_kms, remote};
use crate::cli::remote::Wire;

/// The `kms` subcommands.
#[derive(Subcommand)]
pub(crate) enum KmsCommand {
    /// Encrypt up to 4096 bytes under a KMS key (aws kms encrypt).
    Encrypt(EncryptArgs),
    /// Decrypt a ciphertext blob (aws kms decrypt).
    Decrypt(DecryptArgs),
    /// Decrypt under one key and encrypt under another (aws kms re-encrypt).
    ReEncrypt(ReEncryptArgs),
    /// A data key in the clear and encrypted (aws kms generate-data-key).
    GenerateDataKey(DataKeyArgs),
    /// A data key, encrypted only (aws kms generate-data-key-without-plaintext).
    GenerateDataKeyWithoutPlaintext(DataKeyArgs),
    /// Random bytes (aws kms generate-random).
    GenerateRandom(RandomArgs),
    /// Create a KMS key (aws kms create-key).
    CreateKey(CreateKeyArgs),
    /// Show a KMS key (aws kms describe-key).
    DescribeKey(DescribeKeyArgs),
    /// List KMS keys (aws kms list-keys).
    ListKeys(ListArgs),
    /// Enable a KMS key (aws kms enable-key).
    EnableKey(KeyIdArgs),
    /// Disable a KMS key (aws kms disable-key).
    DisableKey(KeyIdArgs),
    /// Schedule a KMS key for deletion after 7 to 30 days (aws kms schedule-key-deletion).
    ScheduleKeyDeletion(ScheduleArgs),
    /// Cancel a scheduled deletion; the key is left disabled (aws kms cancel-key-deletion).
    CancelKeyDeletion(KeyIdArgs),
    /// Create a KMS alias (aws kms create-alias).
    CreateAlias(AliasArgs),
    /// List KMS aliases (aws kms list-aliases).
    ListAliases(ListAliasesArgs),
    /// Delete a KMS alias (aws kms delete-alias).
    DeleteAlias(AliasNameArgs),
    /// Point a KMS alias at another key (aws kms update-alias).
    UpdateAlias(AliasArgs),
    /// Create a grant (aws kms create-grant).
    CreateGrant(CreateGrantArgs),
    /// List the grants on a key (aws kms list-grants).
    ListGrants(ListGrantsArgs),
    /// Retire a grant (aws kms retire-grant).
    RetireGrant(RetireGrantArgs),
    /// Revoke a grant (aws kms revoke-grant).
    RevokeGrant(RevokeGrantArgs),
}

/// `encrypt`.
#[derive(Args)]
pub(crate) struct EncryptArgs {
    /// Key id, key ARN, alias name or alias ARN
    #[arg(long)]
    key_id: String,
    /// The plaintext: fileb://PATH for raw bytes, or base64
    #[arg(long)]
    plaintext: String,
    /// k=v,k2=v2 or JSON {"k":"v"}
    #[arg(long)]
    encryption_context: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    /// SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256
    #[arg(long)]
    encryption_algorithm: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `decrypt`.
#[derive(Args)]
pub(crate) struct DecryptArgs {
    /// The ciphertext: fileb://PATH for raw bytes, or base64
    #[arg(long)]
    ciphertext_blob: String,
    /// The key (optional for symmetric ciphertexts, required for RSA)
    #[arg(long)]
    key_id: Option<String>,
    /// k=v,k2=v2 or JSON {"k":"v"}
    #[arg(long)]
    encryption_context: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    /// SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256
    #[arg(long)]
    encryption_algorithm: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `re-encrypt`.
#[derive(Args)]
pub(crate) struct ReEncryptArgs {
    /// The ciphertext: fileb://PATH for raw bytes, or base64
    #[arg(long)]
    ciphertext_blob: String,
    /// The key it is under (optional for symmetric ciphertexts)
    #[arg(long)]
    source_key_id: Option<String>,
    /// The key to encrypt under
    #[arg(long)]
    destination_key_id: String,
    /// The context it was encrypted with: k=v,… or JSON
    #[arg(long)]
    source_encryption_context: Option<String>,
    /// The context to bind: k=v,… or JSON
    #[arg(long)]
    destination_encryption_context: Option<String>,
    /// The algorithm it was encrypted with
    #[arg(long)]
    source_encryption_algorithm: Option<String>,
    /// The algorithm to encrypt with
    #[arg(long)]
    destination_encryption_algorithm: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `generate-data-key` and `generate-data-key-without-plaintext`.
#[derive(Args)]
pub(crate) struct DataKeyArgs {
    /// A symmetric key: key id, key ARN, alias name or alias ARN
    #[arg(long)]
    key_id: String,
    /// AES_256 or AES_128
    #[arg(long)]
    key_spec: Option<String>,
    /// 1 to 1024
    #[arg(long, allow_negative_numbers = true)]
    number_of_bytes: Option<i64>,
    /// k=v,k2=v2 or JSON {"k":"v"}
    #[arg(long)]
    encryption_context: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `generate-random`.
#[derive(Args)]
pub(crate) struct RandomArgs {
    /// 1 to 1024
    #[arg(long, allow_negative_numbers = true)]
    number_of_bytes: Option<i64>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `create-key`.
#[derive(Args)]
pub(crate) struct CreateKeyArgs {
    /// SYMMETRIC_DEFAULT (default), RSA_2048, RSA_3072 or RSA_4096
    #[arg(long)]
    key_spec: Option<String>,
    /// ENCRYPT_DECRYPT (the default and only one)
    #[arg(long)]
    key_usage: Option<String>,
    /// Free text
    #[arg(long)]
    description: Option<String>,
    /// AWS_KMS (the default and only one)
    #[arg(long)]
    origin: Option<String>,
    /// Key policy (accepted, not stored)
    #[arg(long)]
    policy: Option<String>,
    /// JSON Tags (accepted, not stored)
    #[arg(long)]
    tags: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `describe-key`.
#[derive(Args)]
pub(crate) struct DescribeKeyArgs {
    /// Key id, key ARN, alias name or alias ARN
    #[arg(long)]
    key_id: String,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// A command naming one key by id or ARN.
#[derive(Args)]
pub(crate) struct KeyIdArgs {
    /// Key id or key ARN
    #[arg(long)]
    key_id: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// `schedule-key-deletion`.
#[derive(Args)]
pub(crate) struct ScheduleArgs {
    /// Key id or key ARN
    #[arg(long)]
    key_id: String,
    /// 7 to 30 [default: 30]
    #[arg(long, allow_negative_numbers = true)]
    pending_window_in_days: Option<i64>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `list-keys`.
#[derive(Args)]
pub(crate) struct ListArgs {
    /// Page size, 1 to 1000
    #[arg(long, allow_negative_numbers = true)]
    limit: Option<i64>,
    /// The NextMarker of the previous page
    #[arg(long)]
    marker: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `create-alias` and `update-alias`.
#[derive(Args)]
pub(crate) struct AliasArgs {
    /// alias/NAME
    #[arg(long)]
    alias_name: String,
    /// Key id or key ARN
    #[arg(long)]
    target_key_id: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// `delete-alias`.
#[derive(Args)]
pub(crate) struct AliasNameArgs {
    /// alias/NAME
    #[arg(long)]
    alias_name: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// `list-aliases`.
#[derive(Args)]
pub(crate) struct ListAliasesArgs {
    /// Only aliases of this key (id or ARN)
    #[arg(long)]
    key_id: Option<String>,
    /// Page size, 1 to 1000
    #[arg(long, allow_negative_numbers = true)]
    limit: Option<i64>,
    /// The NextMarker of the previous page
    #[arg(long)]
    marker: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `create-grant`.
#[derive(Args)]
pub(crate) struct CreateGrantArgs {
    /// Key id or key ARN
    #[arg(long)]
    key_id: String,
    /// Who the grant is for
    #[arg(long)]
    grantee_principal: String,
    /// Who may retire it
    #[arg(long)]
    retiring_principal: Option<String>,
    /// Operations, e.g. Encrypt Decrypt GenerateDataKey
    #[arg(long, num_args = 1.., required = true)]
    operations: Vec<String>,
    /// JSON: {"EncryptionContextSubset":{…}} or {"EncryptionContextEquals":{…}}
    #[arg(long)]
    constraints: Option<String>,
    /// A name; the same request with the same name returns the same grant
    #[arg(long)]
    name: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `list-grants`.
#[derive(Args)]
pub(crate) struct ListGrantsArgs {
    /// Key id or key ARN
    #[arg(long)]
    key_id: String,
    /// Only this grant
    #[arg(long)]
    grant_id: Option<String>,
    /// Only grants for this grantee
    #[arg(long)]
    grantee_principal: Option<String>,
    /// Page size, 1 to 1000
    #[arg(long, allow_negative_numbers = true)]
    limit: Option<i64>,
    /// The NextMarker of the previous page
    #[arg(long)]
    marker: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `retire-grant`.
#[derive(Args)]
pub(crate) struct RetireGrantArgs {
    /// The grant token
    #[arg(long)]
    grant_token: Option<String>,
    /// Key ARN (with --grant-id)
    #[arg(long)]
    key_id: Option<String>,
    /// The grant id (with --key-id)
    #[arg(long)]
    grant_id: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `revoke-grant`.
#[derive(Args)]
pub(crate) struct RevokeGrantArgs {
    /// Key id or key ARN
    #[arg(long)]
    key_id: String,
    /// The grant id
    #[arg(long)]
    grant_id: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// A request body under construction: members in AWS's names, absent ones left out.
struct Body(Map<String, Value>);

impl Body {
    fn new() -> Self {
        Body(Map::new())
    }

    fn set(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.insert(name.to_owned(), value.into());
        self
    }

    fn opt(self, name: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(name, v),
            None => self,
        }
    }

    fn tokens(self, tokens: Vec<String>) -> Self {
        if tokens.is_empty() { self } else { self.set("GrantTokens", tokens) }
    }
}

/// Runs `kms <command>`.
pub(crate) fn run(command: KmsCommand) -> ExitCode {
    use KmsCommand as C;
    let (operation, store, body): (&str, StoreArgs, Result<Body, Failure>) = match command {
        C::Encrypt(a) => (
            "Encrypt",
            a.store,
            (|| {
                Ok(Body::new()
                    .set("KeyId", a.key_id)
                    .set("Plaintext", blob_arg("--plaintext", &a.plaintext)?)
                    .opt(
                        "EncryptionContext",
                        context_arg("--encryption-context", a.encryption_context.as_deref())?,
                    )
                    .tokens(a.grant_tokens)
                    .opt("EncryptionAlgorithm", a.encryption_algorithm))
            })(),
        ),
        C::Decrypt(a) => (
            "Decrypt",
            a.store,
            (|| {
                Ok(Body::new()
                    .set("CiphertextBlob", blob_arg("--ciphertext-blob", &a.ciphertext_blob)?)
                    .opt("KeyId", a.key_id)
                    .opt(
                        "EncryptionContext",
                        context_arg("--encryption-context", a.encryption_context.as_deref())?,
                    )
                    .tokens(a.grant_tokens)
                    .opt("EncryptionAlgorithm", a.encryption_algorithm))
            })(),
        ),
        C::ReEncrypt(a) => (
            "ReEncrypt",
            a.store,
            (|| {
                Ok(Body::new()
                    .set("CiphertextBlob", blob_arg("--ciphertext-blob", &a.ciphertext_blob)?)
                    .opt("SourceKeyId", a.source_key_id)
                    .set("DestinationKeyId", a.destination_key_id)
                    .opt(
                        "SourceEncryptionContext",
                        context_arg("--source-encryption-context", a.source_encryption_context.as_deref())?,
                    )
                    .opt(
                        "DestinationEncryptionContext",
                        context_arg(
                            "--destination-encryption-context",
                            a.destination_encryption_context.as_deref(),
                        )?,
                    )
                    .opt("SourceEncryptionAlgorithm", a.source_encryption_algorithm)
                    .opt("DestinationEncryptionAlgorithm", a.destination_encryption_algorithm)
                    .tokens(a.grant_tokens))
            })(),
        ),
        C::GenerateDataKey(a) => ("GenerateDataKey", a.store.clone(), data_key_body(a)),
        C::GenerateDataKeyWithoutPlaintext(a) => {
            ("GenerateDataKeyWithoutPlaintext", a.store.clone(), data_key_body(a))
        }
        C::GenerateRandom(a) => {
            ("GenerateRandom", a.store, Ok(Body::new().opt("NumberOfBytes", a.number_of_bytes)))
        }
        C::CreateKey(a) => (
            "CreateKey",
            a.store,
            (|| {
                Ok(Body::new()
                    .opt("KeySpec", a.key_spec)
                    .opt("KeyUsage", a.key_usage)
                    .opt("Description", a.description)
                    .opt("Origin", a.origin)
                    .opt("Policy", a.policy)
                    .opt("Tags", a.tags.as_deref().map(|t| json_value("--tags", t)).transpose()?))
            })(),
        ),
        C::DescribeKey(a) => {
            ("DescribeKey", a.store, Ok(Body::new().set("KeyId", a.key_id).tokens(a.grant_tokens)))
        }
        C::ListKeys(a) => {
            ("ListKeys", a.store, Ok(Body::new().opt("Limit", a.limit).opt("Marker", a.marker)))
        }
        C::EnableKey(a) => ("EnableKey", a.store, Ok(Body::new().set("KeyId", a.key_id))),
        C::DisableKey(a) => ("DisableKey", a.store, Ok(Body::new().set("KeyId", a.key_id))),
        C::ScheduleKeyDeletion(a) => (
            "ScheduleKeyDeletion",
            a.store,
            Ok(Body::new().set("KeyId", a.key_id).opt("PendingWindowInDays", a.pending_window_in_days)),
        ),
        C::CancelKeyDeletion(a) => ("CancelKeyDeletion", a.store, Ok(Body::new().set("KeyId", a.key_id))),
        C::CreateAlias(a) => (
            "CreateAlias",
            a.store,
            Ok(Body::new().set("AliasName", a.alias_name).set("TargetKeyId", a.target_key_id)),
        ),
        C::UpdateAlias(a) => (
            "UpdateAlias",
            a.store,
            Ok(Body::new().set("AliasName", a.alias_name).set("TargetKeyId", a.target_key_id)),
        ),
        C::DeleteAlias(a) => ("DeleteAlias", a.store, Ok(Body::new().set("AliasName", a.alias_name))),
        C::ListAliases(a) => (
            "ListAliases",
            a.store,
            Ok(Body::new().opt("KeyId", a.key_id).opt("Limit", a.limit).opt("Marker", a.marker)),
        ),
        C::CreateGrant(a) => (
            "CreateGrant",
            a.store,
            (|| {
                Ok(Body::new()
                    .set("KeyId", a.key_id)
                    .set("GranteePrincipal", a.grantee_principal)
                    .opt("RetiringPrincipal", a.retiring_principal)
                    .set("Operations", a.operations)
                    .opt(
                        "Constraints",
                        a.constraints.as_deref().map(|c| json_value("--constraints", c)).transpose()?,
                    )
                    .opt("Name", a.name)
                    .tokens(a.grant_tokens))
            })(),
        ),
        C::ListGrants(a) => (
            "ListGrants",
            a.store,
            Ok(Body::new()
                .set("KeyId", a.key_id)
                .opt("GrantId", a.grant_id)
                .opt("GranteePrincipal", a.grantee_principal)
                .opt("Limit", a.limit)
                .opt("Marker", a.marker)),
        ),
        C::RetireGrant(a) => (
            "RetireGrant",
            a.store,
            Ok(Body::new()
                .opt("GrantToken", a.grant_token)
                .opt("KeyId", a.key_id)
                .opt("GrantId", a.grant_id)),
        ),
        C::RevokeGrant(a) => {
            ("RevokeGrant", a.store, Ok(Body::new().set("KeyId", a.key_id).set("GrantId", a.grant_id)))
        }
    };
    finish(
        operation,
        (|| {
            let body = body?;
            let result = match remote(&store)? {
                Some(remote) => remote.call(Wire::Kms, operation, Value::Object(body.0))?,
                None => open_kms(&store)?
                    .call(operation, Value::Object(body.0))
                    .ok_or_else(|| CliError::new(format!("{operation} is not a KMS operation")))??,
            };
            print_response(result)
        })(),
    )
}

fn data_key_body(a: DataKeyArgs) -> Result<Body, Failure> {
    Ok(Body::new()
        .set("KeyId", a.key_id)
        .opt("KeySpec", a.key_spec)
        .opt("NumberOfBytes", a.number_of_bytes)
        .opt("EncryptionContext", context_arg("--encryption-context", a.encryption_context.as_deref())?)
        .tokens(a.grant_tokens))
}

/// Prints a response as the AWS CLI does (nothing for an empty one).
fn print_response(mut value: Value) -> Result<(), Failure> {
    if value.as_object().is_some_and(Map::is_empty) {
        return Ok(());
    }
    iso_timestamps(&mut value);
    crate::cli::print_json(&value).map_err(Failure::Local)
}

/// A blob parameter as the AWS CLI v2 takes it: `fileb://PATH` for the file's bytes, otherwise base64.
/// Returns the base64 for the request body.
fn blob_arg(flag: &'static str, value: &str) -> Result<String, Failure> {
    if let Some(path) = value.strip_prefix("fileb://") {
        let bytes = std::fs::read(path).map_err(|e| Failure::Parameter {
            flag,
            message: format!("Unable to load paramfile {value}: {e}"),
        })?;
        return Ok(Base64::encode_string(&bytes));
    }
    Base64::decode_vec(value)
        .map_err(|_| Failure::Parameter { flag, message: format!("Invalid base64: \"{value}\"") })?;
    Ok(value.to_owned())
}

/// An encryption context: JSON (`{"k":"v"}`, or `file://PATH` holding it) or the shorthand `k=v,k2=v2`.
fn context_arg(flag: &'static str, value: Option<&str>) -> Result<Option<Value>, Failure> {
    let Some(value) = value else { return Ok(None) };
    if value.starts_with('{') || value.starts_with("file://") {
        return json_value(flag, value).map(Some);
    }
    let mut map = Map::new();
    for pair in value.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').ok_or_else(|| Failure::Parameter {
            flag,
            message: format!(
                "Expected: '=', received: '{}' for input:\n{value}",
                pair.chars().last().unwrap_or(' ')
            ),
        })?;
        map.insert(k.to_owned(), json!(v));
    }
    Ok(Some(Value::Object(map)))
}

/// A JSON parameter, inline or `file://PATH`.
fn json_value(flag: &'static str, value: &str) -> Result<Value, Failure> {
    crate::cli::aws::json_arg(flag, value)
}
