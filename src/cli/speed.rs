//! `paycrypt speed`: throughput of paycrypt's cores on this machine, as `openssl speed` measures
//! OpenSSL's. The library does the measuring ([`paycrypt::perf::speed`]); this file parses the flags
//! and prints: a plain table on stdout, the `SpeedRun` JSON with `--json`, progress on stderr.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use clap::{Args, ValueEnum};

use paycrypt::perf::model::SpeedRun;
use paycrypt::perf::report;
use paycrypt::perf::speed::{self, Options};
use paycrypt::perf::workload::{self, DEFAULT_SIZES, FAMILIES, Workload};

use crate::cli::global::{GlobalArgs, OutputFormat};
use crate::cli::{CliError, print_json, report_file};

/// The longest `--seconds`.
const MAX_SECONDS: f64 = 600.0;
/// The most `--threads`.
const MAX_THREADS: usize = 256;
/// The largest `--bytes` size: 64 MiB.
const MAX_BYTES: usize = 64 << 20;

/// `paycrypt speed`.
#[derive(Args)]
pub(crate) struct SpeedArgs {
    /// What to measure: a family (aes, tdes, kcv, dukpt, rsa, jwe, service, kms, esdk, tr31), the start
    /// of workload names (aes-128-cbc, rsa-2048), or else part of them (cached, oaep-sha256);
    /// case-insensitive. Default: everything
    #[arg(value_name = "WHAT")]
    what: Vec<String>,
    /// Seconds to measure each workload at each size, after a warm-up (a third of it, at most 0.5 s);
    /// above 0, at most 600
    #[arg(long, default_value = "3", value_name = "N", value_parser = parse_seconds)]
    seconds: f64,
    /// Threads to run each workload on, each with its own instance (1 to 256)
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = parse_threads)]
    threads: usize,
    /// Message sizes in bytes, comma-separated, each a multiple of 16 up to 64 MiB
    #[arg(long, value_name = "N,N,...", value_delimiter = ',', value_parser = parse_bytes)]
    bytes: Vec<usize>,
    /// Print the run as JSON (the SpeedRun shape), honouring --output and --query, instead of a table
    #[arg(long)]
    json: bool,
    /// Also run this peer on the same ciphers and sizes and print ours/theirs
    #[arg(long, value_name = "PEER")]
    compare: Option<Peer>,
    /// List the workloads (family and name) and exit
    #[arg(long)]
    list: bool,
    /// Also draw the run (throughput against message size per workload, OpenSSL beside it when
    /// compared) into FILE: a self-contained HTML page, or an SVG document if FILE ends in .svg
    #[arg(long, value_name = "FILE")]
    report: Option<std::path::PathBuf>,
}

/// A peer for `--compare`.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Peer {
    /// `openssl speed -evp`, for the AES and TDES modes OpenSSL has.
    Openssl,
}

/// Runs `paycrypt speed`.
pub(crate) fn run(args: SpeedArgs, g: &GlobalArgs) -> Result<(), CliError> {
    let sizes = if args.bytes.is_empty() { DEFAULT_SIZES.to_vec() } else { args.bytes.clone() };
    let workloads = workload::select(workload::all(&sizes), &args.what).map_err(|unknown| {
        CliError::new(format!("no workload matches `{unknown}`")).hint(format!(
            "give a family ({}) or part of a name from paycrypt speed --list",
            FAMILIES.join(", ")
        ))
    })?;
    if args.list {
        print!("{}", list(&workloads));
        return Ok(());
    }
    let options = Options { seconds: args.seconds, threads: args.threads };
    let mut run = speed::run(&workloads, &options, |line| eprintln!("{line}"))
        .map_err(|e| CliError::new(format!("a workload failed: {e}")))?;
    if let Some(Peer::Openssl) = args.compare
        && let Err(why) = speed::compare_openssl(&mut run, &workloads, |line| eprintln!("{line}"))
    {
        eprintln!("note: no OpenSSL figures: {why}.");
    }
    if let Some(path) = &args.report {
        report_file::write_report(path, || report::speed_html(&run), || report::speed_svg(&run))?;
    }
    if args.json || g.query.is_some() || g.output != OutputFormat::Json {
        print_json(&run)
    } else {
        print!("{}", table(&run));
        Ok(())
    }
}

/// `--seconds`: a number above 0 and at most 600.
fn parse_seconds(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(s) if s > 0.0 && s <= MAX_SECONDS => Ok(s),
        _ => Err(format!("`{value}` is not a number of seconds above 0 and at most 600 (e.g. 3 or 0.5)")),
    }
}

/// `--threads`: 1 to 256.
fn parse_threads(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("`{value}` is not a number of threads from 1 to {MAX_THREADS}")),
    }
}

/// One `--bytes` size: a multiple of 16 (whole blocks of every cipher), 16 to 64 MiB.
fn parse_bytes(value: &str) -> Result<usize, String> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 && n % 16 == 0 && n <= MAX_BYTES => Ok(n),
        _ => Err(format!("`{value}` is not a message size: a multiple of 16 from 16 to 67108864 bytes")),
    }
}

/// `--list`: one line a workload name (sizes folded), its family first.
fn list(workloads: &[Workload]) -> String {
    let mut seen = BTreeSet::new();
    let mut out = String::new();
    for w in workloads {
        if seen.insert(&w.name) {
            let sized = if w.bytes.is_some() { "  [each --bytes size]" } else { "" };
            let _ = writeln!(out, "{:<8} {}{sized}", w.family, w.name);
        }
    }
    out
}

/// The plain table: sized workloads in MB/s (one column a size), the others in operations a second;
/// then the peer's figures, if any.
fn table(run: &SpeedRun) -> String {
    let mut out = String::new();
    let threads = if run.threads == 1 { "1 thread".to_owned() } else { format!("{} threads", run.threads) };
    let _ = writeln!(
        out,
        "paycrypt {} on {} ({} CPUs), {} s a measurement, {threads}",
        run.machine.paycrypt_version, run.machine.cpu, run.machine.cores, run.seconds
    );
    let sizes: BTreeSet<u64> = run.results.iter().filter_map(|r| r.bytes).collect();
    let mut rows: Vec<&str> = Vec::new();
    for r in run.results.iter().filter(|r| r.bytes.is_some()) {
        if !rows.contains(&r.workload.as_str()) {
            rows.push(&r.workload);
        }
    }
    let width = run.results.iter().map(|r| r.workload.len()).max().unwrap_or(8).max(8);
    if !rows.is_empty() {
        let _ = write!(out, "\nMB/s (10^6 bytes a second)\n{:<width$}", "workload");
        for size in &sizes {
            let _ = write!(out, " {:>14}", format!("{size} bytes"));
        }
        out.push('\n');
        for row in rows {
            let _ = write!(out, "{row:<width$}");
            for size in &sizes {
                let figure = run
                    .results
                    .iter()
                    .find(|r| r.workload == row && r.bytes == Some(*size))
                    .and_then(|r| r.bytes_per_second)
                    .map_or_else(String::new, |b| format!("{:.2}", b / 1e6));
                let _ = write!(out, " {figure:>14}");
            }
            out.push('\n');
        }
    }
    let per_op: Vec<_> = run.results.iter().filter(|r| r.bytes.is_none()).collect();
    if !per_op.is_empty() {
        let _ = writeln!(out, "\n{:<width$} {:>14} {:>14}", "workload", "ops/s", "µs/op");
        for r in per_op {
            let micros = if r.operations_per_second > 0.0 { 1e6 / r.operations_per_second } else { 0.0 };
            let _ = writeln!(out, "{:<width$} {:>14.1} {micros:>14.3}", r.workload, r.operations_per_second);
        }
    }
    let peers: Vec<_> = run.results.iter().filter_map(|r| r.peer.as_ref().map(|p| (r, p))).collect();
    if !peers.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<width$} {:>10} {:>14} {:>14} {:>7}  peer",
            "compared", "bytes", "paycrypt MB/s", "peer MB/s", "ratio"
        );
        for (r, p) in peers {
            let _ = writeln!(
                out,
                "{:<width$} {:>10} {:>14.2} {:>14.2} {:>7.2}  {}",
                r.workload,
                r.bytes.unwrap_or(0),
                r.bytes_per_second.unwrap_or(0.0) / 1e6,
                p.bytes_per_second / 1e6,
                p.ratio,
                p.name
            );
        }
    }
    out
}
