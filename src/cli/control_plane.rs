//! `aws payment-cryptography`'s key and alias commands (same flags, same JSON; also spelled `paycrypt
//! payment-cryptography …`), `import-key` with clear key material, and `seed`.

use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};
use serde::de::DeserializeOwned;
use serde_json::Value;

use paycrypt::keys::{KeyAlgorithm, KeyAttributes, KeyCheckValueAlgorithm, KeyState};
use paycrypt::service::{
    ExportAttributes, ExportKeyMaterial, GetAliasInput, ImportKeyInput, ImportKeyMaterial, KeyMaterialType,
    SeedFile,
};

use crate::cli::aws::{Backend, Body, Call, Paging, paginate, print, shaped_arg};
use crate::cli::failure::{Failure, finish};
use crate::cli::global::GlobalArgs;
use crate::cli::output::Api;

/// The control plane's commands.
#[derive(Subcommand)]
pub(crate) enum ControlCommand {
    /// Create a key with random material (aws payment-cryptography create-key).
    CreateKey(CreateKeyArgs),
    /// Import a key: a TR-31 or TR-34 block, an RSA key cryptogram, a certificate, or paycrypt's clear key (aws payment-cryptography import-key).
    ImportKey(ImportKeyArgs),
    /// Show a key (aws payment-cryptography get-key).
    GetKey(KeyArgs),
    /// List keys (aws payment-cryptography list-keys).
    ListKeys(ListKeysArgs),
    /// Schedule a key for deletion (aws payment-cryptography delete-key).
    DeleteKey(DeleteKeyArgs),
    /// Cancel a scheduled deletion (aws payment-cryptography restore-key).
    RestoreKey(KeyArgs),
    /// Enable a key (aws payment-cryptography start-key-usage).
    StartKeyUsage(KeyArgs),
    /// Disable a key (aws payment-cryptography stop-key-usage).
    StopKeyUsage(KeyArgs),
    /// Create an alias (aws payment-cryptography create-alias).
    CreateAlias(AliasArgs),
    /// Show an alias (aws payment-cryptography get-alias).
    GetAlias(AliasNameArgs),
    /// List aliases (aws payment-cryptography list-aliases).
    ListAliases(ListAliasesArgs),
    /// Point an alias at another key (aws payment-cryptography update-alias).
    UpdateAlias(AliasArgs),
    /// Delete an alias (aws payment-cryptography delete-alias).
    DeleteAlias(AliasNameArgs),
    /// Export a key wrapped: TR-31 under a KEK, TR-34, or an RSA key cryptogram (aws payment-cryptography export-key).
    ExportKey(ExportKeyArgs),
    /// An RSA key pair, certificate and token to import a TR-34 block or key cryptogram with (aws payment-cryptography get-parameters-for-import).
    GetParametersForImport(ParametersForImportArgs),
    /// An RSA signing key pair, certificate and token to export a TR-34 block with (aws payment-cryptography get-parameters-for-export).
    GetParametersForExport(ParametersForExportArgs),
    /// A certificate for an asymmetric key pair's public key (aws payment-cryptography get-public-key-certificate).
    GetPublicKeyCertificate(KeyArgs),
}

/// `export-key`.
#[derive(Args)]
pub(crate) struct ExportKeyArgs {
    /// JSON ExportKeyMaterial: {"Tr31KeyBlock":{"WrappingKeyIdentifier":…}}, {"Tr34KeyBlock":{…}} or {"KeyCryptogram":{…}}
    #[arg(long, required_unless_present = "cli_input_json")]
    key_material: Option<String>,
    /// The key to export: its ARN or an alias
    #[arg(long, required_unless_present = "cli_input_json")]
    export_key_identifier: Option<String>,
    /// JSON ExportAttributes: {"KeyCheckValueAlgorithm":…,"ExportDukptInitialKey":{"KeySerialNumber":…}}
    #[arg(long)]
    export_attributes: Option<String>,
}

/// `get-parameters-for-import`.
#[derive(Args)]
pub(crate) struct ParametersForImportArgs {
    /// TR34_KEY_BLOCK or KEY_CRYPTOGRAM
    #[arg(long, required_unless_present = "cli_input_json")]
    key_material_type: Option<String>,
    /// RSA_2048, RSA_3072 or RSA_4096
    #[arg(long, required_unless_present = "cli_input_json")]
    wrapping_key_algorithm: Option<String>,
    #[command(flatten)]
    reuse: ReuseArgs,
}

/// `get-parameters-for-export`.
#[derive(Args)]
pub(crate) struct ParametersForExportArgs {
    /// TR34_KEY_BLOCK
    #[arg(long, required_unless_present = "cli_input_json")]
    key_material_type: Option<String>,
    /// RSA_2048, RSA_3072 or RSA_4096
    #[arg(long, required_unless_present = "cli_input_json")]
    signing_key_algorithm: Option<String>,
    #[command(flatten)]
    reuse: ReuseArgs,
}

/// `--reuse-last-generated-token` / `--no-reuse-last-generated-token`.
#[derive(Args)]
pub(crate) struct ReuseArgs {
    /// Return the last token made for the same type and algorithm while it is valid
    #[arg(long, conflicts_with = "no_reuse_last_generated_token")]
    reuse_last_generated_token: bool,
    /// Always make a new token (the default)
    #[arg(long)]
    no_reuse_last_generated_token: bool,
}

impl ReuseArgs {
    fn value(&self) -> Option<bool> {
        match (self.reuse_last_generated_token, self.no_reuse_last_generated_token) {
            (_, true) => Some(false),
            (true, false) => Some(true),
            (false, false) => None,
        }
    }
}

/// `create-key`.
#[derive(Args)]
#[command(group(ArgGroup::new("export").args(["exportable", "no_exportable"])))]
pub(crate) struct CreateKeyArgs {
    /// JSON KeyAttributes: {"KeyAlgorithm":…,"KeyClass":…,"KeyUsage":…,"KeyModesOfUse":{…}}
    #[arg(long, required_unless_present = "cli_input_json")]
    key_attributes: Option<String>,
    /// The key may be exported (this or --no-exportable is required)
    #[arg(long)]
    exportable: bool,
    /// The key may not be exported
    #[arg(long)]
    no_exportable: bool,
    #[command(flatten)]
    options: KeyOptions,
}

/// What `create-key` and `import-key` share: the check value's algorithm, enabled or not, tags.
#[derive(Args)]
pub(crate) struct KeyOptions {
    /// ANSI_X9_24 or CMAC [default: ANSI_X9_24 for TDES, CMAC for AES]
    #[arg(long)]
    key_check_value_algorithm: Option<String>,
    #[command(flatten)]
    enabled: EnabledArgs,
    /// JSON Tags (accepted, not stored)
    #[arg(long)]
    tags: Option<String>,
}

impl KeyOptions {
    /// Adds the members these flags give to `body`.
    fn add_to(self, body: Body) -> Result<Body, Failure> {
        Ok(body
            .opt(
                "KeyCheckValueAlgorithm",
                enum_arg::<KeyCheckValueAlgorithm>(
                    "--key-check-value-algorithm",
                    self.key_check_value_algorithm,
                )?,
            )
            .opt("Enabled", self.enabled.value())
            .opt("Tags", shaped_arg::<Value>("--tags", self.tags.as_deref())?))
    }
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
    /// JSON ImportKeyMaterial: {"Tr31KeyBlock":{…}}, {"Tr34KeyBlock":{…}}, {"KeyCryptogram":{…}}, {"RootCertificatePublicKey":{…}}, {"TrustedCertificatePublicKey":{…}}, or paycrypt's {"ClearKey":{"KeyAttributes":{…},"KeyMaterial":"<hex or PEM>"}}
    #[arg(long, required_unless_present = "cli_input_json")]
    key_material: Option<String>,
    #[command(flatten)]
    options: KeyOptions,
    /// Also create this alias for the key (paycrypt's own)
    #[arg(long, value_name = "ALIAS_NAME")]
    alias: Option<String>,
}

/// A command that names one key: `get-key`, `restore-key`, `start-key-usage`, `stop-key-usage`.
#[derive(Args)]
pub(crate) struct KeyArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long, required_unless_present = "cli_input_json")]
    key_identifier: Option<String>,
}

/// `delete-key`.
#[derive(Args)]
pub(crate) struct DeleteKeyArgs {
    /// The key: its ARN or an alias (alias/NAME)
    #[arg(long, required_unless_present = "cli_input_json")]
    key_identifier: Option<String>,
    /// Days until deletion, 3 to 180 [default: 7]
    #[arg(long, allow_negative_numbers = true)]
    delete_key_in_days: Option<i64>,
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
}

/// `create-alias` and `update-alias`.
#[derive(Args)]
pub(crate) struct AliasArgs {
    /// The alias: alias/NAME
    #[arg(long, required_unless_present = "cli_input_json")]
    alias_name: Option<String>,
    /// The key ARN it points to
    #[arg(long)]
    key_arn: Option<String>,
}

/// `get-alias` and `delete-alias` (and `kms delete-alias`).
#[derive(Args)]
pub(crate) struct AliasNameArgs {
    /// The alias: alias/NAME
    #[arg(long, required_unless_present = "cli_input_json")]
    pub(crate) alias_name: Option<String>,
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
}

/// `seed`.
#[derive(Args)]
pub(crate) struct SeedArgs {
    /// The seed file (JSON: {"Keys":[…],"Aliases":[…]}); - reads standard input
    file: String,
}

/// An enum flag, checked against AWS's JSON spelling.
fn enum_arg<T: DeserializeOwned>(
    flag: &'static str,
    value: Option<String>,
) -> Result<Option<Value>, Failure> {
    value
        .map(|v| {
            let value = Value::String(v);
            serde_json::from_value::<T>(value.clone())
                .map(|_| value)
                .map_err(|e| Failure::Parameter { flag, message: e.to_string() })
        })
        .transpose()
}

impl ControlCommand {
    /// Runs the command.
    pub(crate) fn run(self, g: &GlobalArgs) -> ExitCode {
        use ControlCommand as C;
        let call = |operation, required| Call { globals: g, operation, required };
        match self {
            C::CreateKey(a) => call("CreateKey", &["KeyAttributes", "Exportable"]).run(|| {
                let exportable = match (a.exportable, a.no_exportable) {
                    (true, _) => Some(true),
                    (false, true) => Some(false),
                    (false, false) => None,
                };
                let body = Body::new()
                    .opt(
                        "KeyAttributes",
                        shaped_arg::<KeyAttributes>("--key-attributes", a.key_attributes.as_deref())?,
                    )
                    .opt("Exportable", exportable);
                Ok(a.options.add_to(body)?.done())
            }),
            C::ImportKey(a) => import_key(g, a),
            C::GetKey(a) => key_op(call("GetKey", &["KeyIdentifier"]), a),
            C::RestoreKey(a) => key_op(call("RestoreKey", &["KeyIdentifier"]), a),
            C::StartKeyUsage(a) => key_op(call("StartKeyUsage", &["KeyIdentifier"]), a),
            C::StopKeyUsage(a) => key_op(call("StopKeyUsage", &["KeyIdentifier"]), a),
            C::DeleteKey(a) => call("DeleteKey", &["KeyIdentifier"]).run(|| {
                Ok(Body::new()
                    .opt("KeyIdentifier", a.key_identifier)
                    .opt("DeleteKeyInDays", a.delete_key_in_days)
                    .done())
            }),
            C::ListKeys(a) => {
                let call = call("ListKeys", &[]);
                finish(
                    "ListKeys",
                    (|| {
                        let request = call.request(
                            Body::new()
                                .opt("KeyState", enum_arg::<KeyState>("--key-state", a.key_state)?)
                                .opt("NextToken", a.next_token)
                                .opt("MaxResults", a.max_results)
                                .done(),
                        )?;
                        let svc = Backend::payment_cryptography(g)?;
                        paginate(g, Api::PaymentCryptography, "ListKeys", &PAGES_KEYS, request, |page| {
                            svc.call("ListKeys", page)
                        })
                    })(),
                )
            }
            C::CreateAlias(a) => call("CreateAlias", &["AliasName"])
                .run(|| Ok(Body::new().opt("AliasName", a.alias_name).opt("KeyArn", a.key_arn).done())),
            C::UpdateAlias(a) => call("UpdateAlias", &["AliasName"])
                .run(|| Ok(Body::new().opt("AliasName", a.alias_name).opt("KeyArn", a.key_arn).done())),
            C::GetAlias(a) => {
                call("GetAlias", &["AliasName"]).run(|| Ok(Body::new().opt("AliasName", a.alias_name).done()))
            }
            C::DeleteAlias(a) => call("DeleteAlias", &["AliasName"])
                .run(|| Ok(Body::new().opt("AliasName", a.alias_name).done())),
            C::ExportKey(a) => call("ExportKey", &["KeyMaterial", "ExportKeyIdentifier"]).run(|| {
                Ok(Body::new()
                    .opt(
                        "KeyMaterial",
                        shaped_arg::<ExportKeyMaterial>("--key-material", a.key_material.as_deref())?,
                    )
                    .opt("ExportKeyIdentifier", a.export_key_identifier)
                    .opt(
                        "ExportAttributes",
                        shaped_arg::<ExportAttributes>(
                            "--export-attributes",
                            a.export_attributes.as_deref(),
                        )?,
                    )
                    .done())
            }),
            C::GetParametersForImport(a) => {
                call("GetParametersForImport", &["KeyMaterialType", "WrappingKeyAlgorithm"]).run(|| {
                    Ok(Body::new()
                        .opt(
                            "KeyMaterialType",
                            enum_arg::<KeyMaterialType>("--key-material-type", a.key_material_type)?,
                        )
                        .opt(
                            "WrappingKeyAlgorithm",
                            enum_arg::<KeyAlgorithm>("--wrapping-key-algorithm", a.wrapping_key_algorithm)?,
                        )
                        .opt("ReuseLastGeneratedToken", a.reuse.value())
                        .done())
                })
            }
            C::GetParametersForExport(a) => {
                call("GetParametersForExport", &["KeyMaterialType", "SigningKeyAlgorithm"]).run(|| {
                    Ok(Body::new()
                        .opt(
                            "KeyMaterialType",
                            enum_arg::<KeyMaterialType>("--key-material-type", a.key_material_type)?,
                        )
                        .opt(
                            "SigningKeyAlgorithm",
                            enum_arg::<KeyAlgorithm>("--signing-key-algorithm", a.signing_key_algorithm)?,
                        )
                        .opt("ReuseLastGeneratedToken", a.reuse.value())
                        .done())
                })
            }
            C::GetPublicKeyCertificate(a) => key_op(call("GetPublicKeyCertificate", &["KeyIdentifier"]), a),
            C::ListAliases(a) => {
                let call = call("ListAliases", &[]);
                finish(
                    "ListAliases",
                    (|| {
                        let request = call.request(
                            Body::new()
                                .opt("KeyArn", a.key_arn)
                                .opt("NextToken", a.next_token)
                                .opt("MaxResults", a.max_results)
                                .done(),
                        )?;
                        let svc = Backend::payment_cryptography(g)?;
                        paginate(
                            g,
                            Api::PaymentCryptography,
                            "ListAliases",
                            &PAGES_ALIASES,
                            request,
                            |page| svc.call("ListAliases", page),
                        )
                    })(),
                )
            }
        }
    }
}

/// How `ListKeys` pages.
const PAGES_KEYS: Paging =
    Paging { input_token: "NextToken", output_token: "NextToken", limit: "MaxResults", result: "Keys" };
/// How `ListAliases` pages.
const PAGES_ALIASES: Paging =
    Paging { input_token: "NextToken", output_token: "NextToken", limit: "MaxResults", result: "Aliases" };

fn key_op(call: Call<'_>, args: KeyArgs) -> ExitCode {
    call.run(|| Ok(Body::new().opt("KeyIdentifier", args.key_identifier).done()))
}

fn import_key(g: &GlobalArgs, args: ImportKeyArgs) -> ExitCode {
    let call = Call { globals: g, operation: "ImportKey", required: &["KeyMaterial"] };
    let mut operation = "ImportKey";
    let result = (|| {
        let request = call.request(
            args.options
                .add_to(Body::new().opt(
                    "KeyMaterial",
                    shaped_arg::<ImportKeyMaterial>("--key-material", args.key_material.as_deref())?,
                ))?
                .done(),
        )?;
        let input: ImportKeyInput = serde_json::from_value(request).map_err(|e| Failure::Parameter {
            flag: "--cli-input-json",
            message: format!("Invalid ImportKey request: {e}"),
        })?;
        let svc = Backend::payment_cryptography(g)?;
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
            svc.call(
                "CreateAlias",
                &Body::new().set("AliasName", alias.clone()).opt("KeyArn", key_arn).done(),
            )?;
        }
        print(g, Api::PaymentCryptography, "ImportKey", out)
    })();
    finish(operation, result)
}

/// `seed`: paycrypt's own, not an AWS operation.
pub(crate) fn seed(g: &GlobalArgs, args: SeedArgs) -> ExitCode {
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
            let out =
                Backend::payment_cryptography(g)?.extension("seed", &file, |local| Ok(local.seed(&file)?))?;
            print(g, Api::PaymentCryptography, "Seed", out)
        })(),
    )
}
