//! `paycrypt batch`: a whole file through a data-plane or KMS operation (the library's `batch`), with a
//! progress bar and a JSON summary; and `paycrypt batch generate`, test files with known answers.
//!
//! Exit codes: 0 every record done; 3 done, with records rejected; 4 stopped by `--max-rejects`
//! (output so far and a checkpoint kept for `--resume`); 1 the job could not run (a bad request, a
//! placeholder naming no column, an unreadable file, a refused `--resume`); 2 a usage error.

use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use paycrypt::batch::generate::{self, Kind, Spec};
use paycrypt::batch::{
    self, Format, Job, Operation, Options, Paths, Progress, ResultColumn, Services, Template,
};
use paycrypt::service::PaymentCryptography;
use paycrypt::service::kms::Kms;

use crate::cli::global::GlobalArgs;
use crate::cli::{CliError, aws, print_json};

/// Exit code: the job finished and some records were rejected.
pub(crate) const EXIT_REJECTED: u8 = 3;
/// Exit code: the job stopped at `--max-rejects`.
pub(crate) const EXIT_STOPPED: u8 = 4;

/// The batch commands.
#[derive(Subcommand)]
pub(crate) enum BatchCommand {
    /// EncryptData once per record.
    EncryptData(JobArgs),
    /// DecryptData once per record.
    DecryptData(JobArgs),
    /// ReEncryptData once per record.
    ReEncryptData(JobArgs),
    /// KMS Encrypt once per record (blobs in base64).
    KmsEncrypt(JobArgs),
    /// KMS Decrypt once per record (blobs in base64).
    KmsDecrypt(JobArgs),
    /// KMS ReEncrypt once per record (blobs in base64).
    KmsReEncrypt(JobArgs),
    /// Write a test file with known plaintexts, its seed file of keys, and the ReEncryptData job for it.
    Generate(GenerateArgs),
}

/// A batch job's flags.
#[derive(Args)]
pub(crate) struct JobArgs {
    /// The input file: CSV with a header row, or JSON Lines; - for standard input
    #[arg(long, value_name = "FILE")]
    input: String,
    /// The output file (written beside as FILE.paycrypt-partial, renamed when done); - for standard
    /// output. `--output FILE` works too: a value other than json, text or table names the file
    #[arg(long = "output-file", value_name = "FILE")]
    output_file: String,
    /// The operation's AWS request as JSON, or file://PATH, with {column} placeholders in its strings
    /// ({{ and }} for literal braces)
    #[arg(long, value_name = "JSON")]
    request: String,
    /// Write a response member into a column (replaced, or added at the end): COLUMN=Member, repeatable
    #[arg(long = "result", value_name = "COLUMN=Member", required = true)]
    results: Vec<String>,
    /// Where rejected records go, as JSON Lines [default: OUTPUT.rejects.jsonl, or standard error when
    /// the output is standard output]
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// The record format [default: from the input's extension, .csv or .jsonl]
    #[arg(long, value_name = "csv|jsonl")]
    format: Option<String>,
    /// Worker threads [default: every core]
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Stop (exit 4) once more than N records have been rejected
    #[arg(long, value_name = "N")]
    max_rejects: Option<u64>,
    /// Continue an interrupted run from its checkpoint
    #[arg(long)]
    resume: bool,
    /// Records between two checkpoints
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    checkpoint_every: u64,
    /// At least this many seconds between two checkpoints
    #[arg(long, value_name = "SECONDS", default_value_t = 0.1)]
    checkpoint_seconds: f64,
    /// No progress bar
    #[arg(long, short)]
    quiet: bool,
}

/// `paycrypt batch generate`'s flags.
#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// aes (AES-128-CBC to AES-256-CBC), tdes (TDES 2-key to 3-key CBC), aes-dukpt or tdes-dukpt
    #[arg(long, value_name = "KIND")]
    kind: String,
    /// How many records
    #[arg(long, value_name = "N")]
    records: u64,
    /// DUKPT kinds: how many terminals, their counters interleaved
    #[arg(long, value_name = "N", default_value_t = 1000)]
    terminals: u64,
    /// The seed of keys and data: the same seed writes the same file
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
    /// The CSV file to write; - for standard output
    #[arg(long = "output-file", value_name = "FILE")]
    output_file: String,
    /// Where to write the keys, as a seed file for `paycrypt seed`
    #[arg(long, value_name = "FILE")]
    seed_file: PathBuf,
    /// Where to write the job's request, for `--request file://FILE`
    #[arg(long, value_name = "FILE")]
    request_file: Option<PathBuf>,
}

/// Runs a batch command and maps its outcome to the exit code.
pub(crate) fn run(cmd: BatchCommand, g: &GlobalArgs) -> ExitCode {
    let (operation, args) = match cmd {
        BatchCommand::Generate(args) => return finish(generate(&args).map(|()| ExitCode::SUCCESS)),
        BatchCommand::EncryptData(a) => (Operation::EncryptData, a),
        BatchCommand::DecryptData(a) => (Operation::DecryptData, a),
        BatchCommand::ReEncryptData(a) => (Operation::ReEncryptData, a),
        BatchCommand::KmsEncrypt(a) => (Operation::KmsEncrypt, a),
        BatchCommand::KmsDecrypt(a) => (Operation::KmsDecrypt, a),
        BatchCommand::KmsReEncrypt(a) => (Operation::KmsReEncrypt, a),
    };
    finish(run_job(operation, &args, g))
}

fn finish(result: Result<ExitCode, CliError>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(err) => {
            eprint!("{err}");
            ExitCode::FAILURE
        }
    }
}

fn run_job(operation: Operation, args: &JobArgs, g: &GlobalArgs) -> Result<ExitCode, CliError> {
    if g.endpoint_url.is_some() {
        return Err(CliError::new("paycrypt batch runs on the local key store, not over --endpoint-url")
            .hint("drop --endpoint-url; --data-dir chooses the store"));
    }
    let path = |s: &str| if s == "-" { None } else { Some(PathBuf::from(s)) };
    let paths =
        Paths { input: path(&args.input), output: path(&args.output_file), rejects: args.rejects.clone() };
    let format = match (&args.format, &paths.input) {
        (Some(f), _) => f.parse::<Format>().map_err(|e| CliError::new(format!("--format: {e}")))?,
        (None, Some(p)) => Format::from_path(p).ok_or_else(|| {
            CliError::new(format!("cannot tell the format of {} from its name", p.display()))
                .hint("pass --format csv or --format jsonl")
        })?,
        (None, None) => {
            return Err(CliError::new("standard input has no name to tell its format by")
                .hint("pass --format csv or --format jsonl"));
        }
    };
    let request = aws::param_file("--request", &args.request)
        .map_err(|_| CliError::new(format!("cannot read --request {}", args.request)))?;
    let template = Template::parse(&request).map_err(job_error)?;
    let results = args
        .results
        .iter()
        .map(|r| r.parse::<ResultColumn>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(job_error)?;
    let job = Job::new(operation, template, results, format).map_err(job_error)?;

    let (store, settings) = aws::open_store(g).map_err(|_| CliError::new("cannot open the key store"))?;
    let store = Arc::new(store);
    let payment = PaymentCryptography::new(Arc::clone(&store), settings.clone());
    let kms = Kms::new(store, settings);
    let mut options = Options {
        max_rejects: args.max_rejects,
        resume: args.resume,
        checkpoint_records: args.checkpoint_every.max(1),
        checkpoint_interval: Duration::try_from_secs_f64(args.checkpoint_seconds).unwrap_or_default(),
        ..Options::default()
    };
    // Checkpoints fall between chunks: no chunk longer than --checkpoint-every records.
    let every = usize::try_from(options.checkpoint_records).unwrap_or(usize::MAX);
    options.chunk_records = options.chunk_records.min(every);
    if let Some(n) = args.threads {
        if n == 0 {
            return Err(CliError::new("--threads must be at least 1"));
        }
        options.threads = n;
    }

    let bar = progress_bar(args.quiet);
    let mut update = |p: &Progress| {
        if let Some(bar) = &bar {
            if let Some(total) = p.total_bytes {
                bar.set_length(total);
            }
            bar.set_position(p.bytes);
            bar.set_message(format!("{} records, {} rejected", p.records, p.rejected));
        }
    };
    let summary = batch::run(&job, Services { payment: &payment, kms: &kms }, &paths, &options, &mut update);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = summary.map_err(job_error)?;
    if paths.output.is_none() {
        // The records went to standard output: the summary goes to standard error.
        let text = serde_json::to_string_pretty(&summary).unwrap_or_default();
        eprintln!("{text}");
    } else {
        print_json(&summary)?;
    }
    if summary.stopped {
        eprintln!(
            "Error: stopped: {} records rejected, more than --max-rejects {}; the output so far is kept.",
            summary.rejected,
            args.max_rejects.unwrap_or(0)
        );
        eprintln!(
            "hint: fix the cause, then run the same command with --resume and a higher --max-rejects (or none)"
        );
        return Ok(ExitCode::from(EXIT_STOPPED));
    }
    Ok(if summary.rejected > 0 { ExitCode::from(EXIT_REJECTED) } else { ExitCode::SUCCESS })
}

fn job_error(e: batch::BatchError) -> CliError {
    let hint = match &e {
        batch::BatchError::Resume(m) if m.contains("--resume") => None,
        batch::BatchError::Resume(_) => {
            Some("run without --resume to start over (delete the .paycrypt-* files)")
        }
        _ => None,
    };
    let err = CliError::new(e.to_string());
    match hint {
        Some(h) => err.hint(h),
        None => err,
    }
}

fn progress_bar(quiet: bool) -> Option<ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, ETA {eta}) {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(200));
    Some(bar)
}

fn generate(args: &GenerateArgs) -> Result<(), CliError> {
    let kind: Kind = args.kind.parse().map_err(job_error)?;
    let spec = Spec { kind, records: args.records, terminals: args.terminals, seed: args.seed };
    let generated = if args.output_file == "-" {
        let stdout = std::io::stdout();
        generate::generate(&spec, &mut BufWriter::new(stdout.lock())).map_err(job_error)?
    } else {
        let file = File::create(&args.output_file)
            .map_err(|e| CliError::new(format!("cannot create {}: {e}", args.output_file)))?;
        generate::generate(&spec, &mut BufWriter::with_capacity(1 << 20, file)).map_err(job_error)?
    };
    let write = |path: &PathBuf, value: &serde_json::Value| {
        let text = serde_json::to_string_pretty(value).unwrap_or_default() + "\n";
        std::fs::write(path, text).map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))
    };
    write(&args.seed_file, &generated.seed_file)?;
    if let Some(path) = &args.request_file {
        write(path, &generated.request)?;
    }
    let summary = json!({
        "Records": args.records,
        "Kind": kind.name(),
        "Output": args.output_file,
        "SeedFile": args.seed_file,
        "Request": generated.request,
        "Result": generated.result,
    });
    if args.output_file == "-" {
        eprintln!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
        Ok(())
    } else {
        print_json(&summary)
    }
}

/// The global options that take a value, so that a value is not taken for the command's name.
const GLOBAL_VALUES: &[&str] = &[
    "--data-dir",
    "--region",
    "--account-id",
    "--account",
    "--endpoint-url",
    "--ca-bundle",
    "--client-cert",
    "--client-key",
    "--profile",
    "--output",
    "--query",
    "--page-size",
    "--cli-input-json",
    "--cli-binary-format",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--color",
];

/// `paycrypt batch … --output FILE` and `paycrypt esdk … --output FILE`: `--output` is the global
/// json|text|table option everywhere else; in these commands a value other than those names the
/// output file (`--output-file`).
pub(crate) fn output_file_args(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let command = args.iter().enumerate().skip(1).find(|(i, a)| {
        let a = a.to_string_lossy();
        !a.starts_with('-') && !GLOBAL_VALUES.contains(&args[i - 1].to_string_lossy().as_ref())
    });
    if !matches!(command, Some((_, a)) if a == "batch" || a == "esdk") {
        return args;
    }
    let is_format = |v: &str| matches!(v, "json" | "text" | "table");
    let mut out = Vec::with_capacity(args.len());
    let mut iter = args.into_iter().peekable();
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy().into_owned();
        if text == "--output" {
            match iter.peek().map(|v| v.to_string_lossy().into_owned()) {
                Some(v) if !is_format(&v) => out.push("--output-file".into()),
                _ => out.push(arg),
            }
        } else if let Some(v) = text.strip_prefix("--output=").filter(|v| !is_format(v)) {
            out.push(format!("--output-file={v}").into());
        } else if text == "--" {
            out.push(arg);
            out.extend(iter);
            break;
        } else {
            out.push(arg);
        }
    }
    out
}
