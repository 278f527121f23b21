//! `paycrypt-sql`: SQL over Parquet, CSV and JSON files with paycrypt's functions, like datafusion-cli.
//! Results on standard output, progress and errors on standard error.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use datafusion::prelude::SessionContext;
use paycrypt_datafusion::script;

/// SQL over Parquet, CSV and JSON files, with paycrypt's operations as functions (encrypt_data,
/// decrypt_data, re_encrypt_data, kms_encrypt, kms_decrypt, kms_re_encrypt and their try_ forms, kcv,
/// dukpt_derive_key).
#[derive(Debug, Parser)]
#[command(name = "paycrypt-sql", version)]
struct Args {
    /// The key store's directory [default: $PAYCRYPT_DATA_DIR, else $XDG_DATA_HOME/paycrypt, else
    /// ~/.local/share/paycrypt].
    #[arg(long, env = "PAYCRYPT_DATA_DIR", value_name = "DIR", hide_env_values = true)]
    data_dir: Option<PathBuf>,
    #[command(flatten)]
    script: script::ScriptArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let sql = args.script.sql()?;
    let services = paycrypt_datafusion::open_services(args.data_dir.as_deref())
        .map_err(|e| format!("cannot open the key store: {e}"))?;
    // Files in FROM (`SELECT * FROM 'cards.parquet'`), as in datafusion-cli.
    let ctx = SessionContext::new().enable_url_table();
    paycrypt_datafusion::register_all(&ctx, &services);
    script::run(&ctx, &sql, args.script.output.as_ref()).await
}
