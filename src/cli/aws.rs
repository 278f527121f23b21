//! What the AWS-mirroring commands share: the store flags, JSON parameters, AWS-CLI-style output and
//! errors, and their exit codes.
//!
//! Exit codes, as the AWS CLI has them: 0 ok; 252 a parameter that does not parse; 254 an error from
//! the service (printed as `An error occurred (<Exception>) when calling the <Operation> operation:
//! <message>`); and ours: 1 the key store cannot be opened; 2 a usage error (from clap).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use paycrypt::keys::{AccountId, FileStore, OpenOptions, Region, default_data_dir};
use paycrypt::service::kms::{Kms, KmsError};
use paycrypt::service::{PaymentCryptography, ServiceError, Settings};

use crate::cli::CliError;
use crate::cli::remote::{EndpointOptions, Remote, Wire};

/// The exit code for a parameter that does not parse (as the AWS CLI).
const EXIT_PARAMETER: u8 = 252;
/// The exit code for a service error (as the AWS CLI).
const EXIT_SERVICE: u8 = 254;

/// Where the keys are, and the region and account of new key ARNs.
#[derive(Args, Clone, Debug)]
pub(crate) struct StoreArgs {
    /// The key store directory [default: $XDG_DATA_HOME/paycrypt or ~/.local/share/paycrypt]
    #[arg(long, env = "PAYCRYPT_DATA_DIR", value_name = "DIR", hide_env_values = true)]
    data_dir: Option<PathBuf>,
    /// The region in key ARNs
    #[arg(long, env = "PAYCRYPT_REGION", default_value = Settings::DEFAULT_REGION, hide_env_values = true)]
    region: String,
    /// The 12-digit account id in key ARNs
    #[arg(long, env = "PAYCRYPT_ACCOUNT_ID", default_value = Settings::DEFAULT_ACCOUNT, hide_env_values = true)]
    account_id: String,
    /// Send the command to a running `paycrypt serve` (or another endpoint of these AWS APIs), signed
    /// with SigV4, instead of opening the key store
    #[arg(long, env = "PAYCRYPT_ENDPOINT_URL", value_name = "URL", hide_env_values = true)]
    endpoint_url: Option<String>,
    /// With --endpoint-url https://…: the CA certificates (PEM) that the server's certificate chains to
    #[arg(long, value_name = "FILE")]
    ca_bundle: Option<PathBuf>,
    /// With --endpoint-url: a client certificate (PEM) for mutual TLS
    #[arg(long, value_name = "FILE", requires = "client_key")]
    client_cert: Option<PathBuf>,
    /// With --client-cert: its private key (PEM)
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    client_key: Option<PathBuf>,
    /// With --endpoint-url: the profile of the shared credentials file to sign with
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
}

/// Why an AWS-mirroring command failed; each kind has its exit code.
pub(crate) enum Failure {
    /// A flag's value did not parse (exit 252).
    Parameter { flag: &'static str, message: String },
    /// The service refused (exit 254).
    Service(ServiceError),
    /// A remote endpoint refused (exit 254).
    Remote {
        /// The AWS exception name.
        exception: String,
        /// Its message.
        message: String,
    },
    /// KMS refused (exit 254).
    Kms(KmsError),
    /// Anything else, e.g. the store would not open (exit 1).
    Local(CliError),
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Failure::Service(e)
    }
}

impl From<KmsError> for Failure {
    fn from(e: KmsError) -> Self {
        Failure::Kms(e)
    }
}

impl From<CliError> for Failure {
    fn from(e: CliError) -> Self {
        Failure::Local(e)
    }
}

/// Where an AWS-mirroring command runs: on the key store, or at a remote endpoint.
pub(crate) enum Backend {
    /// The key store on this machine.
    Local(Box<PaymentCryptography<FileStore>>),
    /// A running server.
    Remote(Box<Remote>),
}

impl Backend {
    /// Runs the AWS operation `operation` with `input`, returning its JSON output.
    pub(crate) fn call<I: Serialize>(&self, operation: &str, input: &I) -> Result<Value, Failure> {
        let body =
            serde_json::to_value(input).map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
        match self {
            Backend::Local(svc) => match svc.call(operation, body) {
                Some(result) => Ok(result?),
                None => Err(Failure::Local(CliError::new(format!("{operation} is not an operation")))),
            },
            Backend::Remote(remote) => {
                let wire = if operation_is_data_plane(operation) { Wire::Data } else { Wire::Control };
                remote.call(wire, operation, body)
            }
        }
    }

    /// Runs one of paycrypt's own operations (`import-key` with clear material, `seed`): locally
    /// through `local`, remotely on `POST /_paycrypt/<route>`.
    pub(crate) fn extension<I: Serialize, O: Serialize>(
        &self,
        route: &str,
        input: &I,
        local: impl FnOnce(&PaymentCryptography<FileStore>) -> Result<O, Failure>,
    ) -> Result<Value, Failure> {
        match self {
            Backend::Local(svc) => Ok(serde_json::to_value(local(svc)?)
                .map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?),
            Backend::Remote(remote) => {
                let body = serde_json::to_value(input)
                    .map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
                remote.call(Wire::Extension, route, body)
            }
        }
    }
}

impl Failure {
    /// Whether this is the service saying that a key or alias does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        match self {
            Failure::Service(ServiceError::ResourceNotFound { .. }) => true,
            Failure::Remote { exception, .. } => exception == "ResourceNotFoundException",
            _ => false,
        }
    }
}

/// The backend that `args` names: the endpoint of `--endpoint-url`, else the key store.
pub(crate) fn backend(args: &StoreArgs) -> Result<Backend, Failure> {
    match remote(args)? {
        Some(remote) => Ok(Backend::Remote(Box::new(remote))),
        None => Ok(Backend::Local(Box::new(open(args)?))),
    }
}

/// The endpoint of `--endpoint-url`, if given.
pub(crate) fn remote(args: &StoreArgs) -> Result<Option<Remote>, Failure> {
    args.endpoint_url
        .as_ref()
        .map(|url| {
            Remote::new(&EndpointOptions {
                url: url.clone(),
                ca_bundle: args.ca_bundle.clone(),
                client_cert: args.client_cert.clone(),
                client_key: args.client_key.clone(),
                profile: args.profile.clone(),
                region: args.region.clone(),
            })
        })
        .transpose()
}

/// Opens the service over the store that `args` names.
pub(crate) fn open(args: &StoreArgs) -> Result<PaymentCryptography<FileStore>, Failure> {
    let (store, settings) = open_store(args)?;
    Ok(PaymentCryptography::new(store, settings))
}

/// Opens KMS over the store that `args` names.
pub(crate) fn open_kms(args: &StoreArgs) -> Result<Kms<FileStore>, Failure> {
    let (store, settings) = open_store(args)?;
    Ok(Kms::new(store, settings))
}

fn open_store(args: &StoreArgs) -> Result<(FileStore, Settings), Failure> {
    let region = Region::parse(&args.region)
        .map_err(|e| Failure::Parameter { flag: "--region", message: e.to_string() })?;
    let account = AccountId::parse(&args.account_id)
        .map_err(|e| Failure::Parameter { flag: "--account-id", message: e.to_string() })?;
    let dir = args.data_dir.clone().unwrap_or_else(default_data_dir);
    let mut options = OpenOptions::default();
    if let Some(secs) = std::env::var("PAYCRYPT_LOCK_TIMEOUT").ok().and_then(|s| s.parse::<f64>().ok()) {
        options.wait = std::time::Duration::try_from_secs_f64(secs).unwrap_or(options.wait);
    }
    let store = FileStore::open(&dir, &options).map_err(|e| {
        let hint = if matches!(e, paycrypt::keys::StoreError::Locked { .. }) {
            "if `paycrypt serve` holds this store, send the command to it instead: \
             --endpoint-url http://127.0.0.1:8080 (its ready line gives the address)"
        } else {
            "choose another store with --data-dir or PAYCRYPT_DATA_DIR"
        };
        Failure::Local(
            CliError::new(format!("cannot open the key store in {}: {e}", dir.display())).hint(hint),
        )
    })?;
    Ok((store, Settings { region, account }))
}

/// Parses a structure parameter given as JSON, or as `file://PATH` holding JSON (as the AWS CLI).
pub(crate) fn json_arg<T: DeserializeOwned>(flag: &'static str, value: &str) -> Result<T, Failure> {
    let text = match value.strip_prefix("file://") {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Failure::Parameter {
            flag,
            message: format!("Unable to load paramfile {value}: {e}"),
        })?,
        None => value.to_owned(),
    };
    serde_json::from_str(&text)
        .map_err(|e| Failure::Parameter { flag, message: format!("Invalid JSON: {e}") })
}

/// Prints a response as the AWS CLI does: 4-space JSON, timestamps as ISO 8601.
pub(crate) fn print<T: Serialize>(value: &T) -> Result<(), Failure> {
    let mut json =
        serde_json::to_value(value).map_err(|e| CliError::new(format!("cannot write JSON: {e}")))?;
    iso_timestamps(&mut json);
    crate::cli::print_json(&json).map_err(Failure::Local)
}

/// Rewrites every number member named `…Timestamp` or `…Date` as the AWS CLI prints timestamps.
pub(crate) fn iso_timestamps(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                match v.as_f64() {
                    Some(secs) if name.ends_with("Timestamp") || name.ends_with("Date") => {
                        #[allow(clippy::cast_possible_truncation)]
                        let millis = (secs * 1000.0).round() as i64;
                        *v = Value::String(paycrypt::keys::Timestamp(millis).to_iso8601());
                    }
                    _ => iso_timestamps(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(iso_timestamps),
        _ => {}
    }
}

/// Prints a failure of `operation` and returns its exit code.
pub(crate) fn finish(operation: &str, result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Parameter { flag, message }) => {
            eprintln!("\nError parsing parameter '{flag}': {message}");
            ExitCode::from(EXIT_PARAMETER)
        }
        Err(Failure::Service(e)) => {
            let exception = e.exception(paycrypt::service::Plane::Control);
            let exception = if operation_is_data_plane(operation) {
                e.exception(paycrypt::service::Plane::Data)
            } else {
                exception
            };
            eprintln!("\nAn error occurred ({exception}) when calling the {operation} operation: {e}");
            ExitCode::from(EXIT_SERVICE)
        }
        Err(Failure::Remote { exception, message }) => {
            eprintln!("\nAn error occurred ({exception}) when calling the {operation} operation: {message}");
            ExitCode::from(EXIT_SERVICE)
        }
        Err(Failure::Kms(e)) => {
            eprintln!("\nAn error occurred ({}) when calling the {operation} operation: {e}", e.exception());
            ExitCode::from(EXIT_SERVICE)
        }
        Err(Failure::Local(e)) => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn operation_is_data_plane(operation: &str) -> bool {
    operation.parse::<paycrypt::service::DataOperation>().is_ok()
}
