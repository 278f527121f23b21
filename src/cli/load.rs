//! `paycrypt load`: a SigV4-signing load generator for AWS Payment Cryptography and KMS endpoints.

use clap::Args;

use crate::cli::CliError;
use crate::cli::global::GlobalArgs;

/// `paycrypt load`.
#[derive(Args)]
pub(crate) struct LoadArgs {}

/// Runs `paycrypt load`.
pub(crate) fn run(_args: LoadArgs, _g: &GlobalArgs) -> Result<(), CliError> {
    Err(CliError::new("paycrypt load is not built yet"))
}
