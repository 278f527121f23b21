//! `paycrypt kms …`: `aws kms`'s commands (same flags, same JSON, blobs in base64), run through
//! `Kms::call` on the `--data-dir` store, as the server runs them.

use std::process::ExitCode;

use base64ct::{Base64, Encoding};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use crate::cli::aws::{
    Backend, Body, Call, Paging, json_arg, paginate, param_file, param_fileb, print, shaped_arg, text_arg,
};
use crate::cli::control_plane::AliasNameArgs;
use crate::cli::failure::{Failure, finish};
use crate::cli::global::{BinaryFormat, GlobalArgs};
use crate::cli::output::Api;

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
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
    /// The plaintext: fileb://PATH for raw bytes, or base64
    #[arg(long, required_unless_present = "cli_input_json")]
    plaintext: Option<String>,
    #[command(flatten)]
    options: CipherOptions,
}

/// What `encrypt` and `decrypt` share: the context, grant tokens and algorithm.
#[derive(Args)]
pub(crate) struct CipherOptions {
    /// k=v,k2=v2 or JSON {"k":"v"}
    #[arg(long)]
    encryption_context: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
    /// SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256
    #[arg(long)]
    encryption_algorithm: Option<String>,
}

impl CipherOptions {
    /// Adds the members these flags give to `body`.
    fn add_to(self, body: Body) -> Result<Body, Failure> {
        Ok(body
            .opt(
                "EncryptionContext",
                context_arg("--encryption-context", self.encryption_context.as_deref())?,
            )
            .tokens(self.grant_tokens)
            .opt("EncryptionAlgorithm", self.encryption_algorithm))
    }
}

/// `decrypt`.
#[derive(Args)]
pub(crate) struct DecryptArgs {
    /// The ciphertext: fileb://PATH for raw bytes, or base64
    #[arg(long, required_unless_present = "cli_input_json")]
    ciphertext_blob: Option<String>,
    /// The key (optional for symmetric ciphertexts, required for RSA)
    #[arg(long)]
    key_id: Option<String>,
    #[command(flatten)]
    options: CipherOptions,
}

/// `re-encrypt`.
#[derive(Args)]
pub(crate) struct ReEncryptArgs {
    /// The ciphertext: fileb://PATH for raw bytes, or base64
    #[arg(long, required_unless_present = "cli_input_json")]
    ciphertext_blob: Option<String>,
    /// The key it is under (optional for symmetric ciphertexts)
    #[arg(long)]
    source_key_id: Option<String>,
    /// The key to encrypt under
    #[arg(long, required_unless_present = "cli_input_json")]
    destination_key_id: Option<String>,
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
}

/// `generate-data-key` and `generate-data-key-without-plaintext`.
#[derive(Args)]
pub(crate) struct DataKeyArgs {
    /// A symmetric key: key id, key ARN, alias name or alias ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
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
}

/// `generate-random`.
#[derive(Args)]
pub(crate) struct RandomArgs {
    /// 1 to 1024
    #[arg(long, allow_negative_numbers = true)]
    number_of_bytes: Option<i64>,
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
}

/// `describe-key`.
#[derive(Args)]
pub(crate) struct DescribeKeyArgs {
    /// Key id, key ARN, alias name or alias ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
    /// Grant tokens (at most 10)
    #[arg(long, num_args = 1..)]
    grant_tokens: Vec<String>,
}

/// A command naming one key by id or ARN.
#[derive(Args)]
pub(crate) struct KeyIdArgs {
    /// Key id or key ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
}

/// `schedule-key-deletion`.
#[derive(Args)]
pub(crate) struct ScheduleArgs {
    /// Key id or key ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
    /// 7 to 30 [default: 30]
    #[arg(long, allow_negative_numbers = true)]
    pending_window_in_days: Option<i64>,
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
}

/// `create-alias` and `update-alias`.
#[derive(Args)]
pub(crate) struct AliasArgs {
    /// alias/NAME
    #[arg(long, required_unless_present = "cli_input_json")]
    alias_name: Option<String>,
    /// Key id or key ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    target_key_id: Option<String>,
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
}

/// `create-grant`.
#[derive(Args)]
pub(crate) struct CreateGrantArgs {
    /// Key id or key ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
    /// Who the grant is for
    #[arg(long, required_unless_present = "cli_input_json")]
    grantee_principal: Option<String>,
    /// Who may retire it
    #[arg(long)]
    retiring_principal: Option<String>,
    /// Operations, e.g. Encrypt Decrypt GenerateDataKey
    #[arg(long, num_args = 1.., required_unless_present = "cli_input_json")]
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
}

/// `list-grants`.
#[derive(Args)]
pub(crate) struct ListGrantsArgs {
    /// Key id or key ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
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
}

/// `revoke-grant`.
#[derive(Args)]
pub(crate) struct RevokeGrantArgs {
    /// Key id or key ARN
    #[arg(long, required_unless_present = "cli_input_json")]
    key_id: Option<String>,
    /// The grant id
    #[arg(long, required_unless_present = "cli_input_json")]
    grant_id: Option<String>,
}

/// How `ListKeys` pages.
const PAGES_KEYS: Paging =
    Paging { input_token: "Marker", output_token: "NextMarker", limit: "Limit", result: "Keys" };
/// How `ListAliases` pages.
const PAGES_ALIASES: Paging =
    Paging { input_token: "Marker", output_token: "NextMarker", limit: "Limit", result: "Aliases" };
/// How `ListGrants` pages.
const PAGES_GRANTS: Paging =
    Paging { input_token: "Marker", output_token: "NextMarker", limit: "Limit", result: "Grants" };

/// Runs `kms <command>`.
pub(crate) fn run(command: KmsCommand, g: &GlobalArgs) -> ExitCode {
    use KmsCommand as C;
    let binary = g.cli_binary_format;
    let (operation, required, body): (&'static str, &'static [&'static str], Result<Body, Failure>) =
        match command {
            C::Encrypt(a) => (
                "Encrypt",
                &["KeyId", "Plaintext"],
                (|| {
                    a.options.add_to(
                        Body::new()
                            .opt("KeyId", a.key_id)
                            .opt("Plaintext", blob_arg("--plaintext", a.plaintext.as_deref(), binary)?),
                    )
                })(),
            ),
            C::Decrypt(a) => (
                "Decrypt",
                &["CiphertextBlob"],
                (|| {
                    a.options.add_to(
                        Body::new()
                            .opt(
                                "CiphertextBlob",
                                blob_arg("--ciphertext-blob", a.ciphertext_blob.as_deref(), binary)?,
                            )
                            .opt("KeyId", a.key_id),
                    )
                })(),
            ),
            C::ReEncrypt(a) => (
                "ReEncrypt",
                &["CiphertextBlob", "DestinationKeyId"],
                (|| {
                    Ok(Body::new()
                        .opt(
                            "CiphertextBlob",
                            blob_arg("--ciphertext-blob", a.ciphertext_blob.as_deref(), binary)?,
                        )
                        .opt("SourceKeyId", a.source_key_id)
                        .opt("DestinationKeyId", a.destination_key_id)
                        .opt(
                            "SourceEncryptionContext",
                            context_arg(
                                "--source-encryption-context",
                                a.source_encryption_context.as_deref(),
                            )?,
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
            C::GenerateDataKey(a) => ("GenerateDataKey", &["KeyId"], data_key_body(a)),
            C::GenerateDataKeyWithoutPlaintext(a) => {
                ("GenerateDataKeyWithoutPlaintext", &["KeyId"], data_key_body(a))
            }
            C::GenerateRandom(a) => {
                ("GenerateRandom", &[], Ok(Body::new().opt("NumberOfBytes", a.number_of_bytes)))
            }
            C::CreateKey(a) => (
                "CreateKey",
                &[],
                (|| {
                    Ok(Body::new()
                        .opt("KeySpec", a.key_spec)
                        .opt("KeyUsage", a.key_usage)
                        .opt("Description", text_arg("--description", a.description)?)
                        .opt("Origin", a.origin)
                        .opt("Policy", text_arg("--policy", a.policy)?)
                        .opt("Tags", shaped_arg::<Value>("--tags", a.tags.as_deref())?))
                })(),
            ),
            C::DescribeKey(a) => {
                ("DescribeKey", &["KeyId"], Ok(Body::new().opt("KeyId", a.key_id).tokens(a.grant_tokens)))
            }
            C::ListKeys(a) => {
                ("ListKeys", &[], Ok(Body::new().opt("Limit", a.limit).opt("Marker", a.marker)))
            }
            C::EnableKey(a) => ("EnableKey", &["KeyId"], Ok(Body::new().opt("KeyId", a.key_id))),
            C::DisableKey(a) => ("DisableKey", &["KeyId"], Ok(Body::new().opt("KeyId", a.key_id))),
            C::ScheduleKeyDeletion(a) => (
                "ScheduleKeyDeletion",
                &["KeyId"],
                Ok(Body::new().opt("KeyId", a.key_id).opt("PendingWindowInDays", a.pending_window_in_days)),
            ),
            C::CancelKeyDeletion(a) => {
                ("CancelKeyDeletion", &["KeyId"], Ok(Body::new().opt("KeyId", a.key_id)))
            }
            C::CreateAlias(a) => (
                "CreateAlias",
                &["AliasName", "TargetKeyId"],
                Ok(Body::new().opt("AliasName", a.alias_name).opt("TargetKeyId", a.target_key_id)),
            ),
            C::UpdateAlias(a) => (
                "UpdateAlias",
                &["AliasName", "TargetKeyId"],
                Ok(Body::new().opt("AliasName", a.alias_name).opt("TargetKeyId", a.target_key_id)),
            ),
            C::DeleteAlias(a) => {
                ("DeleteAlias", &["AliasName"], Ok(Body::new().opt("AliasName", a.alias_name)))
            }
            C::ListAliases(a) => (
                "ListAliases",
                &[],
                Ok(Body::new().opt("KeyId", a.key_id).opt("Limit", a.limit).opt("Marker", a.marker)),
            ),
            C::CreateGrant(a) => (
                "CreateGrant",
                &["KeyId", "GranteePrincipal", "Operations"],
                (|| {
                    let operations = (!a.operations.is_empty()).then_some(a.operations);
                    Ok(Body::new()
                        .opt("KeyId", a.key_id)
                        .opt("GranteePrincipal", a.grantee_principal)
                        .opt("RetiringPrincipal", a.retiring_principal)
                        .opt("Operations", operations)
                        .opt("Constraints", shaped_arg::<Value>("--constraints", a.constraints.as_deref())?)
                        .opt("Name", a.name)
                        .tokens(a.grant_tokens))
                })(),
            ),
            C::ListGrants(a) => (
                "ListGrants",
                &["KeyId"],
                Ok(Body::new()
                    .opt("KeyId", a.key_id)
                    .opt("GrantId", a.grant_id)
                    .opt("GranteePrincipal", a.grantee_principal)
                    .opt("Limit", a.limit)
                    .opt("Marker", a.marker)),
            ),
            C::RetireGrant(a) => (
                "RetireGrant",
                &[],
                Ok(Body::new()
                    .opt("GrantToken", a.grant_token)
                    .opt("KeyId", a.key_id)
                    .opt("GrantId", a.grant_id)),
            ),
            C::RevokeGrant(a) => (
                "RevokeGrant",
                &["KeyId", "GrantId"],
                Ok(Body::new().opt("KeyId", a.key_id).opt("GrantId", a.grant_id)),
            ),
        };
    let call = Call { globals: g, operation, required };
    finish(
        operation,
        (|| {
            let request = call.request(body?.done())?;
            let kms = Backend::kms(g)?;
            let paging = match operation {
                "ListKeys" => Some(&PAGES_KEYS),
                "ListAliases" => Some(&PAGES_ALIASES),
                "ListGrants" => Some(&PAGES_GRANTS),
                _ => None,
            };
            match paging {
                Some(paging) => paginate(g, Api::Kms, operation, paging, request, |page| {
                    kms.call_kms(operation, page.clone())
                }),
                None => print(g, Api::Kms, operation, kms.call_kms(operation, request)?),
            }
        })(),
    )
}

fn data_key_body(a: DataKeyArgs) -> Result<Body, Failure> {
    Ok(Body::new()
        .opt("KeyId", a.key_id)
        .opt("KeySpec", a.key_spec)
        .opt("NumberOfBytes", a.number_of_bytes)
        .opt("EncryptionContext", context_arg("--encryption-context", a.encryption_context.as_deref())?)
        .tokens(a.grant_tokens))
}

/// A blob parameter as the AWS CLI v2 takes it: `fileb://PATH` for the file's bytes, otherwise base64
/// (or, with `--cli-binary-format raw-in-base64-out`, the text itself). Returns the base64 for the
/// request body.
fn blob_arg(
    flag: &'static str,
    value: Option<&str>,
    format: BinaryFormat,
) -> Result<Option<String>, Failure> {
    let Some(value) = value else { return Ok(None) };
    if let Some(bytes) = param_fileb(flag, value)? {
        return Ok(Some(Base64::encode_string(&bytes)));
    }
    let value = param_file(flag, value)?;
    if format == BinaryFormat::RawInBase64Out {
        return Ok(Some(Base64::encode_string(value.as_bytes())));
    }
    Base64::decode_vec(&value)
        .map_err(|_| Failure::Parameter { flag, message: format!("Invalid base64: \"{value}\"") })?;
    Ok(Some(value))
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
    json_arg(flag, value)
}
