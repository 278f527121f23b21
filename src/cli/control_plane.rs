//! `aws payment-cryptography`'s key and alias commands (same flags, same JSON), `import-key` with
//! clear key material, and `seed`.

use std::process::ExitCode;

use clap::{ArgGroup, Args};
use serde::de::DeserializeOwned;

use paycrypt::keys::{KeyCheckValueAlgorithm, KeyState};
use paycrypt::service::{
    CreateAliasInput, CreateKeyInput, DeleteKeyInput, GetAliasInput, ImportKeyInput, KeyIdentifierInput,
    ListAliasesInput, ListAliasesOutput, ListKeysInput, ListKeysOutput, SeedFile,
};

use crate::cli::aws::{Failure, StoreArgs, backend, finish, json_arg, print};

/// `create-key`.
#[derive(Args)]
#[command(group(ArgGroup::new("export").required(true).args(["exportable", "no_exportable"])))]
pub(crate) struct CreateKeyArgs {
    /// JSON KeyAttributes: {"KeyAlgorithm":…,"KeyClass":…,"KeyUsage":…,"KeyModesOfUse":{…}}
    #[arg(long)]
    key_attributes: String,
    /// The key may be exported
    #[arg(long)]
    exportable: bool,
    /// The key may not be exported
    #[arg(long)]
    no_exportable: bool,
    /// ANSI_X9_24 or CMAC [default: ANSI_X9_24 for TDES, CMAC for AES]
    #[arg(long)]
    key_check_value_algorithm: Option<String>,
    #[command(flatten)]
    enabled: EnabledArgs,
    /// JSON Tags (accepted, not stored)
    #[arg(long)]
    tags: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `--enabled` / `--no-enabled`.
#[derive(Args)]
pub(crate) struct EnabledArgs {
    /// Create the key enabled (the default)
    #[arg(long, conflicts_with = "no_enabled")]
    enabled: bool,
    /// Create the key disabled
    #[arg(long)]
    no_enabled: bool,
}

impl EnabledArgs {
    fn value(&self) -> Option<bool> {
        match (self.enabled, self.no_enabled) {
            (_, true) => Some(false),
            (true, false) => Some(true),
            (false, false) => None,
        }
    }
}

/// `import-key`.
#[derive(Args)]
pub(crate) struct ImportKeyArgs {
    /// JSON ImportKeyMaterial; paycrypt takes {"ClearKey":{"KeyAttributes":{…},"KeyMaterial":"<hex or PEM>"}}
    #[arg(long)]
    key_material: String,
    /// ANSI_X9_24 or CMAC [default: ANSI_X9_24 for TDES, CMAC for AES]
    #[arg(long)]
    key_check_value_algorithm: Option<String>,
    #[command(flatten)]
    enabled: EnabledArgs,
    /// Also create this alias for the key (paycrypt's own)
    #[arg(long, value_name = "ALIAS_NAME")]
    alias: Option<String>,
    /// JSON Tags (accepted, not stored)
    #[arg(long)]
    tags: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// A command that names one key: `get-key`, `restore-key`, `start-key-usage`, `stop-key-usage`.
#[derive(Args)]
pub(crate) struct KeyArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long)]
    key_identifier: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// `delete-key`.
#[derive(Args)]
pub(crate) struct DeleteKeyArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long)]
    key_identifier: String,
    /// Days until deletion, 3 to 180 [default: 7]
    #[arg(long, allow_negative_numbers = true)]
    delete_key_in_days: Option<i64>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `list-keys`.
#[derive(Args)]
pub(crate) struct ListKeysArgs {
    /// Only keys in this state: CREATE_COMPLETE, DELETE_PENDING, DELETE_COMPLETE
    #[arg(long)]
    key_state: Option<String>,
    /// One page of at most this many keys (1-100); without it, every page
    #[arg(long, allow_negative_numbers = true)]
    max_results: Option<i64>,
    /// The NextToken of the previous page
    #[arg(long)]
    next_token: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `create-alias` and `update-alias`.
#[derive(Args)]
pub(crate) struct AliasArgs {
    /// The alias: alias/NAME
    #[arg(long)]
    alias_name: String,
    /// The key ARN it points to
    #[arg(long)]
    key_arn: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `get-alias` and `delete-alias`.
#[derive(Args)]
pub(crate) struct AliasNameArgs {
    /// The alias: alias/NAME
    #[arg(long)]
    alias_name: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// `list-aliases`.
#[derive(Args)]
pub(crate) struct ListAliasesArgs {
    /// Only aliases of this key ARN
    #[arg(long)]
    key_arn: Option<String>,
    /// One page of at most this many aliases (1-100); without it, every page
    #[arg(long, allow_negative_numbers = true)]
    max_results: Option<i64>,
    /// The NextToken of the previous page
    #[arg(long)]
    next_token: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// `seed`.
#[derive(Args)]
pub(crate) struct SeedArgs {
    /// The seed file (JSON: {"Keys":[…],"Aliases":[…]}); - reads standard input
    file: String,
    #[command(flatten)]
    store: StoreArgs,
}

/// An enum flag, parsed as AWS's JSON spelling.
fn enum_arg<T: DeserializeOwned>(flag: &'static str, value: Option<&str>) -> Result<Option<T>, Failure> {
    value
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v.to_owned()))
                .map_err(|e| Failure::Parameter { flag, message: e.to_string() })
        })
        .transpose()
}

pub(crate) fn create_key(args: CreateKeyArgs) -> ExitCode {
    finish(
        "CreateKey",
        (|| {
            let input = CreateKeyInput {
                key_attributes: json_arg("--key-attributes", &args.key_attributes)?,
                exportable: args.exportable && !args.no_exportable,
                key_check_value_algorithm: enum_arg::<KeyCheckValueAlgorithm>(
                    "--key-check-value-algorithm",
                    args.key_check_value_algorithm.as_deref(),
                )?,
                enabled: args.enabled.value(),
                tags: args.tags.as_deref().map(|t| json_arg("--tags", t)).transpose()?,
            };
            print(&backend(&args.store)?.call("CreateKey", &input)?)
        })(),
    )
}

pub(crate) fn import_key(args: ImportKeyArgs) -> ExitCode {
    let mut operation = "ImportKey";
    let result = (|| {
        let input = ImportKeyInput {
            key_material: json_arg("--key-material", &args.key_material)?,
            key_check_value_algorithm: enum_arg(
                "--key-check-value-algorithm",
                args.key_check_value_algorithm.as_deref(),
            )?,
            enabled: args.enabled.value(),
            tags: args.tags.as_deref().map(|t| json_arg("--tags", t)).transpose()?,
        };
        let svc = backend(&args.store)?;
        if let Some(alias) = &args.alias {
            // Check the alias first, so a bad or taken name leaves no orphan key behind.
            operation = "CreateAlias";
            paycrypt::keys::AliasName::parse(alias)
                .map_err(|e| paycrypt::service::ServiceError::field("AliasName", e.to_string()))?;
            match svc.call("GetAlias", &GetAliasInput { alias_name: alias.clone() }) {
                Ok(_) => {
                    return Err(paycrypt::service::ServiceError::Conflict(format!(
                        "{alias} already exists."
                    ))
                    .into());
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
            operation = "ImportKey";
        }
        // Clear key material is paycrypt's own extension: a server takes it on its own route.
        let out = if input.key_material.clear_key.is_some() {
            svc.extension("import-key", &input, |local| Ok(local.import_key(input.clone())?))?
        } else {
            svc.call("ImportKey", &input)?
        };
        if let Some(alias) = &args.alias {
            operation = "CreateAlias";
            let key_arn =
                out.get("Key").and_then(|k| k.get("KeyArn")).and_then(|a| a.as_str()).map(str::to_owned);
            svc.call("CreateAlias", &CreateAliasInput { alias_name: alias.clone(), key_arn })?;
        }
        print(&out)
    })();
    finish(operation, result)
}

fn key_op(operation: &str, args: KeyArgs) -> ExitCode {
    finish(
        operation,
        (|| {
            let input = KeyIdentifierInput { key_identifier: args.key_identifier };
            print(&backend(&args.store)?.call(operation, &input)?)
        })(),
    )
}

pub(crate) fn get_key(args: KeyArgs) -> ExitCode {
    key_op("GetKey", args)
}

pub(crate) fn restore_key(args: KeyArgs) -> ExitCode {
    key_op("RestoreKey", args)
}

pub(crate) fn start_key_usage(args: KeyArgs) -> ExitCode {
    key_op("StartKeyUsage", args)
}

pub(crate) fn stop_key_usage(args: KeyArgs) -> ExitCode {
    key_op("StopKeyUsage", args)
}

pub(crate) fn delete_key(args: DeleteKeyArgs) -> ExitCode {
    finish(
        "DeleteKey",
        (|| {
            let input = DeleteKeyInput {
                key_identifier: args.key_identifier,
                delete_key_in_days: args.delete_key_in_days,
            };
            print(&backend(&args.store)?.call("DeleteKey", &input)?)
        })(),
    )
}

pub(crate) fn list_keys(args: ListKeysArgs) -> ExitCode {
    finish(
        "ListKeys",
        (|| {
            let key_state = enum_arg::<KeyState>("--key-state", args.key_state.as_deref())?;
            let svc = backend(&args.store)?;
            let mut input =
                ListKeysInput { key_state, next_token: args.next_token, max_results: args.max_results };
            let single_page = input.max_results.is_some() || input.next_token.is_some();
            let mut all = ListKeysOutput { keys: Vec::new(), next_token: None };
            loop {
                let page: ListKeysOutput = parse_output(svc.call("ListKeys", &input)?)?;
                all.keys.extend(page.keys);
                match page.next_token {
                    Some(token) if !single_page => input.next_token = Some(token),
                    token => {
                        all.next_token = token;
                        return print(&all);
                    }
                }
            }
        })(),
    )
}

pub(crate) fn create_alias(args: AliasArgs) -> ExitCode {
    finish(
        "CreateAlias",
        (|| {
            let input = CreateAliasInput { alias_name: args.alias_name, key_arn: args.key_arn };
            print(&backend(&args.store)?.call("CreateAlias", &input)?)
        })(),
    )
}

pub(crate) fn update_alias(args: AliasArgs) -> ExitCode {
    finish(
        "UpdateAlias",
        (|| {
            let input = CreateAliasInput { alias_name: args.alias_name, key_arn: args.key_arn };
            print(&backend(&args.store)?.call("UpdateAlias", &input)?)
        })(),
    )
}

pub(crate) fn get_alias(args: AliasNameArgs) -> ExitCode {
    finish(
        "GetAlias",
        (|| print(&backend(&args.store)?.call("GetAlias", &GetAliasInput { alias_name: args.alias_name })?))(
        ),
    )
}

pub(crate) fn delete_alias(args: AliasNameArgs) -> ExitCode {
    finish(
        "DeleteAlias",
        (|| {
            backend(&args.store)?.call("DeleteAlias", &GetAliasInput { alias_name: args.alias_name })?;
            Ok(())
        })(),
    )
}

pub(crate) fn list_aliases(args: ListAliasesArgs) -> ExitCode {
    finish(
        "ListAliases",
        (|| {
            let svc = backend(&args.store)?;
            let mut input = ListAliasesInput {
                key_arn: args.key_arn,
                next_token: args.next_token,
                max_results: args.max_results,
            };
            let single_page = input.max_results.is_some() || input.next_token.is_some();
            let mut all = ListAliasesOutput { aliases: Vec::new(), next_token: None };
            loop {
                let page: ListAliasesOutput = parse_output(svc.call("ListAliases", &input)?)?;
                all.aliases.extend(page.aliases);
                match page.next_token {
                    Some(token) if !single_page => input.next_token = Some(token),
                    token => {
                        all.next_token = token;
                        return print(&all);
                    }
                }
            }
        })(),
    )
}

pub(crate) fn seed(args: SeedArgs) -> ExitCode {
    finish(
        "Seed",
        (|| {
            let text = if args.file == "-" {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
                    crate::cli::CliError::new(format!("cannot read the seed file from standard input: {e}"))
                })?;
                text
            } else {
                std::fs::read_to_string(&args.file)
                    .map_err(|e| crate::cli::CliError::new(format!("cannot read {}: {e}", args.file)))?
            };
            let file: SeedFile = serde_json::from_str(&text).map_err(|e| Failure::Parameter {
                flag: "FILE",
                message: format!("Invalid seed file: {e}"),
            })?;
            let out = backend(&args.store)?.extension("seed", &file, |local| Ok(local.seed(&file)?))?;
            print(&out)
        })(),
    )
}

/// Reads an operation's JSON output back into its shape (for the paginating commands).
fn parse_output<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Failure> {
    serde_json::from_value(value)
        .map_err(|e| Failure::Local(crate::cli::CliError::new(format!("unexpected response: {e}"))))
}
