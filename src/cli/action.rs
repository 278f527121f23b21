//! `paycrypt action encrypt-data|decrypt-data`: the flow actions "Encrypt Data" and "Decrypt Data"
//! ([`paycrypt::action`]) on the key store's KMS keys, or an endpoint's with `--endpoint-url`.
//!
//! The result is the action's output on stdout: `{"encryptedData": "…"}` or `{"data": …}` and exit 0;
//! or its failure output `{"errorType": "…", "errorMessage": "…"}` and exit 1. What keeps the action
//! from running at all (an unreadable file, a store that will not open) is an `Error:` line on stderr,
//! exit 1; a usage error exits 2.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use paycrypt::action::{self, ActionError};
use paycrypt::keys::MemoryStore;
use paycrypt::service::Settings;
use paycrypt::service::kms::Kms;

use crate::cli::global::GlobalArgs;
use crate::cli::kms_client::{CliKms, setup_error};
use crate::cli::{CliError, print_json};

/// The `action` subcommands.
#[derive(Subcommand)]
pub(crate) enum ActionCommand {
    /// Encrypt a JSON value to a string under a KMS key, for an organization (Encrypt Data).
    EncryptData(EncryptDataArgs),
    /// Decrypt a string made by encrypt-data back to its JSON value (Decrypt Data).
    DecryptData(DecryptDataArgs),
}

/// The customer key and the organization.
#[derive(Args)]
pub(crate) struct CustomerArgs {
    /// The customer's KMS key: alias ARN (as the flow configures it), key ARN, key id or alias name
    #[arg(long, value_name = "ARN")]
    key_arn: Option<String>,
    /// The organization id, bound as the encryption context genesys-cloud-organization-id
    #[arg(long, value_name = "ID")]
    organization_id: String,
}

/// `action encrypt-data`.
#[derive(Args)]
pub(crate) struct EncryptDataArgs {
    #[command(flatten)]
    customer: CustomerArgs,
    /// The JSON value to encrypt, or file://PATH holding it [default: standard input]; null is NOT_SET
    #[arg(long, value_name = "JSON", conflicts_with = "data_file")]
    data: Option<String>,
    /// A file holding the JSON value to encrypt
    #[arg(long, value_name = "FILE")]
    data_file: Option<PathBuf>,
}

/// `action decrypt-data`.
#[derive(Args)]
pub(crate) struct DecryptDataArgs {
    #[command(flatten)]
    customer: CustomerArgs,
    /// The encrypted string, or file://PATH holding it [default: standard input]
    #[arg(long, value_name = "STRING")]
    encrypted_data: Option<String>,
}

/// Runs an `action` command: `Ok(true)` when the action succeeded, `Ok(false)` when it took its
/// Failure path (its failure output printed).
pub(crate) fn run(cmd: ActionCommand, g: &GlobalArgs) -> Result<bool, CliError> {
    let outcome = match cmd {
        ActionCommand::EncryptData(args) => {
            let text = match (&args.data, &args.data_file) {
                (Some(text), _) => Some(param_file("--data", text)?),
                (None, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| {
                    CliError::new(format!("cannot read --data-file {}: {e}", path.display()))
                })?),
                (None, None) => read_stdin()?,
            };
            let data = match text.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(text) => Some(serde_json::from_str::<Value>(text).map_err(|e| {
                    CliError::new(format!("the data is not JSON: {e}"))
                        .hint("give a JSON value, e.g. --data '{\"pan\":\"4111111111111111\"}' or --data '\"text\"'")
                })?),
            };
            let kms = open(g, args.customer.key_arn.as_deref())?;
            action::encrypt_data(
                &kms,
                args.customer.key_arn.as_deref(),
                &args.customer.organization_id,
                data.as_ref(),
            )
            .map(|encrypted| json!({ "encryptedData": encrypted }))
        }
        ActionCommand::DecryptData(args) => {
            let encrypted = match args.encrypted_data {
                Some(text) => Some(param_file("--encrypted-data", &text)?),
                None => read_stdin()?,
            };
            // A file or a pipe ends with a newline: surrounding whitespace is not part of the string.
            let encrypted = encrypted.map(|text| text.trim().to_owned());
            let kms = open(g, args.customer.key_arn.as_deref())?;
            action::decrypt_data(
                &kms,
                args.customer.key_arn.as_deref(),
                &args.customer.organization_id,
                encrypted.as_deref(),
            )
            .map(|data| json!({ "data": data }))
        }
    };
    match outcome {
        Ok(out) => print_json(&out).map(|()| true),
        Err(e) => print_failure(&e).map(|()| false),
    }
}

fn print_failure(e: &ActionError) -> Result<(), CliError> {
    print_json(e)
}

/// The KMS the global options name; a store or endpoint that cannot be used stops the command.
/// Without a key the action fails with CustomerKeyNotConfigured before any KMS call: an empty
/// in-memory KMS stands in, so that no store is opened (or created) for nothing.
fn open(g: &GlobalArgs, key_arn: Option<&str>) -> Result<CliKms, CliError> {
    if key_arn.is_none_or(|k| k.trim().is_empty()) {
        return Ok(CliKms::Memory(Box::new(Kms::new(MemoryStore::new(), Settings::default()))));
    }
    CliKms::open(g).map_err(setup_error)
}

/// A flag's value, or the text of the file it names as `file://PATH` (as the AWS CLI reads parameters).
fn param_file(flag: &str, value: &str) -> Result<String, CliError> {
    match value.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("cannot read {flag} {value}: {e}"))),
        None => Ok(value.to_owned()),
    }
}

/// Standard input as text, `None` when it is empty (a terminal is not read).
fn read_stdin() -> Result<Option<String>, CliError> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| CliError::new(format!("cannot read standard input: {e}")))?;
    Ok(if text.trim().is_empty() { None } else { Some(text) })
}
