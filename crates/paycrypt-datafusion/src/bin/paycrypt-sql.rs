//! `paycrypt-sql`: SQL over Parquet, CSV and JSON files with paycrypt's functions, like datafusion-cli.
//! Results on standard output, progress and errors on standard error.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;

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
    /// SQL to run: one or more statements separated by `;`.
    #[arg(
        short = 'c',
        long = "command",
        value_name = "SQL",
        conflicts_with = "file",
        required_unless_present = "file"
    )]
    command: Option<String>,
    /// A file of SQL statements separated by `;`.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: Option<PathBuf>,
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
    let sql = match (&args.command, &args.file) {
        (Some(sql), _) => sql.clone(),
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        (None, None) => return Err("give -c SQL or -f FILE".into()),
    };
    let services = paycrypt_datafusion::open_services(args.data_dir.as_deref())
        .map_err(|e| format!("cannot open the key store: {e}"))?;
    // Files in FROM (`SELECT * FROM 'cards.parquet'`), as in datafusion-cli.
    let ctx = SessionContext::new().enable_url_table();
    paycrypt_datafusion::register_all(&ctx, &services);
    let statements = DFParser::parse_sql(&sql).map_err(|e| e.to_string())?;
    let total = statements.len();
    for (n, statement) in statements.into_iter().enumerate() {
        let started = Instant::now();
        let batches = async {
            let plan = ctx.state().statement_to_plan(statement).await?;
            ctx.execute_logical_plan(plan).await?.collect().await
        }
        .await
        .map_err(|e: DataFusionError| format!("statement {} of {total}: {e}", n + 1))?;
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        if batches.iter().any(|b| b.num_columns() > 0) {
            let table = pretty_format_batches(&batches).map_err(|e| e.to_string())?;
            println!("{table}");
        }
        eprintln!("statement {} of {total}: {rows} rows in {:.3} s", n + 1, started.elapsed().as_secs_f64());
    }
    Ok(())
}
