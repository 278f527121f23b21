//! `paycrypt speed`: throughput of paycrypt's cores on this machine.

use clap::Args;

use crate::cli::CliError;
use crate::cli::global::GlobalArgs;

/// `paycrypt speed`.
#[derive(Args)]
pub(crate) struct SpeedArgs {}

/// Runs `paycrypt speed`.
pub(crate) fn run(_args: SpeedArgs, _g: &GlobalArgs) -> Result<(), CliError> {
    Err(CliError::new("paycrypt speed is not built yet"))
}
