//! A SQL script as `paycrypt-sql` and `paycrypt-ballista sql` run it: statements in order, result
//! tables on standard output (or the last statement's result in a file), one progress line per
//! statement on standard error.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::datatypes::UInt64Type;
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;

use crate::results;

/// The arguments both `paycrypt-sql` and `paycrypt-ballista sql` take: the script and where its result goes.
#[derive(Debug, clap::Args)]
pub struct ScriptArgs {
    /// SQL to run: one or more statements separated by `;`.
    #[arg(
        short = 'c',
        long = "command",
        value_name = "SQL",
        conflicts_with = "file",
        required_unless_present = "file"
    )]
    pub command: Option<String>,
    /// A file of SQL statements separated by `;`.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Write the last statement's result to this file (.parquet or .csv), all or nothing, instead of
    /// printing it.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl ScriptArgs {
    /// The script's text, once the output file's format is known to be one [`run`] writes: both
    /// checked before any statement runs (or a scheduler is reached).
    ///
    /// # Errors
    /// An output name that is neither `.parquet` nor `.csv`, or [`read`]'s.
    pub fn sql(&self) -> Result<String, String> {
        if let Some(path) = &self.output {
            results::Format::of(path).map_err(|e| e.to_string())?;
        }
        read(self.command.as_deref(), self.file.as_deref())
    }
}

/// The script given as `-c SQL` or `-f FILE`.
///
/// # Errors
/// A file that cannot be read, or neither given.
pub fn read(command: Option<&str>, file: Option<&Path>) -> Result<String, String> {
    match (command, file) {
        (Some(sql), _) => Ok(sql.to_owned()),
        (None, Some(path)) => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        }
        (None, None) => Err("give -c SQL or -f FILE".into()),
    }
}

/// Runs each statement of `sql` in `ctx`. Results are printed as tables, except the last statement's
/// when `output` names a file: it goes there, all or nothing ([`results::write_atomically`]).
///
/// # Errors
/// The first failing statement's error, as `statement N of M: …`; the statements after it do not run.
///
/// Check `output`'s format first ([`ScriptArgs::sql`]): here an unknown one fails only at the last
/// statement.
pub async fn run(ctx: &SessionContext, sql: &str, output: Option<&PathBuf>) -> Result<(), String> {
    let statements = DFParser::parse_sql(sql).map_err(|e| e.to_string())?;
    let total = statements.len();
    for (n, statement) in statements.into_iter().enumerate() {
        let started = Instant::now();
        let last = n + 1 == total;
        let (rows, what) = async {
            let plan = ctx.state().statement_to_plan(statement).await?;
            // COPY answers with one row holding the count of rows it wrote: report that count.
            let copy = matches!(plan, LogicalPlan::Copy(_));
            let frame = ctx.execute_logical_plan(plan).await?;
            match output.filter(|_| last) {
                Some(path) => {
                    let schema = Arc::clone(frame.schema().inner());
                    let stream = frame.execute_stream().await?;
                    Ok((results::write_atomically(path, schema, stream).await?, "written to the output file"))
                }
                None => {
                    let batches = frame.collect().await?;
                    if batches.iter().any(|b| b.num_columns() > 0) {
                        println!("{}", pretty_format_batches(&batches)?);
                    }
                    if copy {
                        return Ok((copied(&batches), "written"));
                    }
                    Ok((batches.iter().map(|b| b.num_rows()).sum(), "in the result"))
                }
            }
        }
        .await
        .map_err(|e: DataFusionError| format!("statement {} of {total}: {e}", n + 1))?;
        let noun = if rows == 1 { "row" } else { "rows" };
        eprintln!(
            "statement {} of {total}: {rows} {noun} {what} in {:.3} s",
            n + 1,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The rows a COPY wrote: the sum of its `count` column (a UInt64 per output batch).
fn copied(batches: &[RecordBatch]) -> usize {
    batches
        .iter()
        .filter_map(|b| b.columns().first().and_then(|c| c.as_primitive_opt::<UInt64Type>()))
        .flat_map(|counts| counts.iter().flatten())
        .map(|c| usize::try_from(c).unwrap_or(usize::MAX))
        .fold(0, usize::saturating_add)
}
