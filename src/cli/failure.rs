//! Why an AWS-mirroring command failed, and how the AWS CLI reports it: the error line on stderr and
//! the exit code.
//!
//! Exit codes, as AWS CLI version 2 has them: 0 ok; 252 a parameter that does not parse or a usage
//! error; 254 an error from the service (printed as `An error occurred (<Exception>) when calling the
//! <Operation> operation: <message>`); 253 a configuration error (a credentials profile that does not
//! exist); and paycrypt's own 1 when the key store cannot be opened or the endpoint cannot be reached.

use std::process::ExitCode;

use paycrypt::service::kms::KmsError;
use paycrypt::service::{Plane, ServiceError};

use crate::cli::CliError;

/// The exit code for a parameter that does not parse, or a usage error (as AWS CLI version 2).
pub(crate) const EXIT_PARAMETER: u8 = 252;
/// The exit code for a configuration error (as AWS CLI version 2).
pub(crate) const EXIT_CONFIG: u8 = 253;
/// The exit code for a service error (as AWS CLI version 2).
pub(crate) const EXIT_SERVICE: u8 = 254;

/// Why an AWS-mirroring command failed; each kind has its exit code.
pub(crate) enum Failure {
    /// A flag's value did not parse (exit 252).
    Parameter {
        /// The flag, e.g. `--key-attributes`.
        flag: &'static str,
        /// What is wrong with its value.
        message: String,
    },
    /// The request is missing a required member (exit 252), as the AWS CLI's parameter validation.
    Missing {
        /// The AWS member names that are missing.
        members: Vec<&'static str>,
    },
    /// The configuration is wrong, e.g. a named credentials profile does not exist (exit 253).
    Config(String),
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

/// Prints a failure of `operation` as the AWS CLI does and returns its exit code.
pub(crate) fn finish(operation: &str, result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Parameter { flag, message }) => {
            eprintln!("\nError parsing parameter '{flag}': {message}");
            ExitCode::from(EXIT_PARAMETER)
        }
        Err(Failure::Missing { members }) => {
            eprintln!();
            eprintln!("Parameter validation failed:");
            for member in members {
                eprintln!("Missing required parameter in input: \"{member}\"");
            }
            ExitCode::from(EXIT_PARAMETER)
        }
        Err(Failure::Config(message)) => {
            eprintln!("\n{message}");
            ExitCode::from(EXIT_CONFIG)
        }
        Err(Failure::Service(e)) => {
            let plane = if is_data_plane(operation) { Plane::Data } else { Plane::Control };
            let exception = e.exception(plane);
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

/// Whether `operation` is one of the payment-cryptography data plane's.
pub(crate) fn is_data_plane(operation: &str) -> bool {
    operation.parse::<paycrypt::service::DataOperation>().is_ok()
}
