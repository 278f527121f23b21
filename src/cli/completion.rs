//! `paycrypt completion bash|zsh|fish`: a shell completion script on stdout.

use std::io::Write;

use clap::{Args, ValueEnum};
use clap_complete::Shell;

use crate::cli::CliError;

/// The shells paycrypt writes completions for.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum CompletionShell {
    // Bash: `source <(paycrypt completion bash)`.
    Bash,
    // Zsh: `paycrypt completion zsh > "${fpath[1]}/_paycrypt"`.
    Zsh,
    // Fish: `paycrypt completion fish > ~/.config/fish/completions/paycrypt.fish`.
    Fish,
}

/// `completion`.
#[derive(Args)]
pub(crate) struct CompletionArgs {
    /// The shell: bash, zsh or fish
    #[arg(value_enum)]
    shell: CompletionShell,
}

/// Writes the completion script for `command` to stdout.
pub(crate) fn run(args: &CompletionArgs, mut command: clap::Command) -> Result<(), CliError> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "paycrypt", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::new(format!("cannot write to stdout: {e}")))
}
