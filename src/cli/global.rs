//! The global options: accepted before or after any command, as the AWS CLI accepts its own.
//!
//! Used: `--data-dir`, `--region`, `--account-id`, `--endpoint-url`, `--ca-bundle`, `--client-cert`,
//! `--client-key`, `--profile`, `--output`, `--query`, `--no-paginate`, `--page-size`, `--cli-input-json`,
//! `--cli-binary-format`. Accepted and ignored, so AWS CLI scripts run unchanged (hidden from help, listed
//! in docs/aws-cli.md): `--no-cli-pager`, `--cli-read-timeout`, `--cli-connect-timeout`, `--debug`,
//! `--color`, `--no-verify-ssl`, `--cli-auto-prompt`, `--no-cli-auto-prompt`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use paycrypt::service::Settings;

/// How a response is printed (`--output`), as the AWS CLI prints it.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, ValueEnum)]
pub(crate) enum OutputFormat {
    // JSON indented by four spaces.
    #[default]
    Json,
    // Tab-separated values, one line per object.
    Text,
    // A boxed table titled with the operation's name.
    Table,
}

/// How the AWS CLI v2 reads blob parameters (`--cli-binary-format`).
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, ValueEnum)]
pub(crate) enum BinaryFormat {
    // A blob parameter is base64 (version 2's default).
    #[default]
    Base64,
    // A blob parameter is raw text, sent base64-encoded (version 1's behaviour).
    RawInBase64Out,
}

/// The options every command takes, before or after its name.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// The key store directory [default: $XDG_DATA_HOME/paycrypt or ~/.local/share/paycrypt]
    #[arg(long, global = true, env = "PAYCRYPT_DATA_DIR", value_name = "DIR", hide_env_values = true)]
    pub(crate) data_dir: Option<PathBuf>,
    /// The region of key ARNs (and of SigV4 signatures)
    #[arg(
        long,
        global = true,
        env = "PAYCRYPT_REGION",
        default_value = Settings::DEFAULT_REGION,
        hide_env_values = true
    )]
    pub(crate) region: String,
    /// The 12-digit account id in key ARNs
    #[arg(
        long,
        global = true,
        alias = "account",
        env = "PAYCRYPT_ACCOUNT_ID",
        default_value = Settings::DEFAULT_ACCOUNT,
        hide_env_values = true
    )]
    pub(crate) account_id: String,
    /// Send AWS commands to a running `paycrypt serve` (or another endpoint of these AWS APIs), signed
    /// with SigV4, instead of opening the key store
    #[arg(long, global = true, env = "PAYCRYPT_ENDPOINT_URL", value_name = "URL", hide_env_values = true)]
    pub(crate) endpoint_url: Option<String>,
    /// With --endpoint-url https://…: the CA certificates (PEM) that the server's certificate chains to
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) ca_bundle: Option<PathBuf>,
    /// With --endpoint-url: a client certificate (PEM) for mutual TLS
    #[arg(long, global = true, value_name = "FILE", requires = "client_key")]
    pub(crate) client_cert: Option<PathBuf>,
    /// With --client-cert: its private key (PEM)
    #[arg(long, global = true, value_name = "FILE", requires = "client_cert")]
    pub(crate) client_key: Option<PathBuf>,
    /// With --endpoint-url: the profile of the shared credentials file to sign with
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// How AWS commands print their response: json, text or table
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = OutputFormat::Json,
        value_name = "FORMAT",
        hide_possible_values = true
    )]
    pub(crate) output: OutputFormat,
    /// A JMESPath query applied to the response before --output formats it
    #[arg(long, global = true, value_name = "JMESPATH", value_parser = parse_query)]
    pub(crate) query: Option<String>,
    /// One page of a list command's results, with its NextToken, instead of every page
    #[arg(long, global = true)]
    pub(crate) no_paginate: bool,
    /// How many results a list command asks for in each page (it still reads every page)
    #[arg(long, global = true, value_name = "N", value_parser = parse_page_size)]
    pub(crate) page_size: Option<u32>,
    /// The request as JSON (or file://PATH holding it); flags given as well take precedence
    #[arg(long, global = true, value_name = "JSON")]
    pub(crate) cli_input_json: Option<String>,
    /// How `kms` blob parameters are read: base64, or raw-in-base64-out (raw text)
    #[arg(long, global = true, value_enum, default_value_t = BinaryFormat::Base64, value_name = "FORMAT", hide_possible_values = true)]
    pub(crate) cli_binary_format: BinaryFormat,
    #[command(flatten)]
    ignored: IgnoredArgs,
}

/// The AWS CLI's global options that change nothing here: accepted so scripts run, then ignored.
#[derive(Args, Clone, Debug)]
struct IgnoredArgs {
    /// Ignored: paycrypt never pages its output
    #[arg(long, global = true, hide = true)]
    no_cli_pager: bool,
    /// Ignored
    #[arg(long, global = true, hide = true, value_name = "SECONDS")]
    cli_read_timeout: Option<String>,
    /// Ignored
    #[arg(long, global = true, hide = true, value_name = "SECONDS")]
    cli_connect_timeout: Option<String>,
    /// Ignored: certificates are always verified (give --ca-bundle)
    #[arg(long, global = true, hide = true)]
    no_verify_ssl: bool,
    /// Ignored
    #[arg(long, global = true, hide = true)]
    debug: bool,
    /// Ignored: output is never coloured
    #[arg(long, global = true, hide = true, value_parser = ["on", "off", "auto"])]
    color: Option<String>,
    /// Ignored
    #[arg(long, global = true, hide = true)]
    cli_auto_prompt: bool,
    /// Ignored
    #[arg(long, global = true, hide = true)]
    no_cli_auto_prompt: bool,
}

/// A page size: a whole number from 1.
fn parse_page_size(value: &str) -> Result<u32, String> {
    value.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| "give a whole number of 1 or more".to_owned())
}

/// Checks that `--query` is a JMESPath expression, so a bad one is a usage error before anything runs.
fn parse_query(value: &str) -> Result<String, String> {
    crate::cli::output::compile(value)
        .map(|_| value.to_owned())
        .map_err(|e| format!("Bad value for --query {value}: {e}"))
}
