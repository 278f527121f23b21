//! `paycrypt load`: a SigV4-signing load generator for AWS Payment Cryptography and KMS endpoints.
//! The engine is `paycrypt::perf::load`; this file parses flags and prints.

use std::io::{IsTerminal, Write};

use base64ct::{Base64, Encoding};
use clap::Args;
use serde_json::Value;

use paycrypt::perf::load::{self, Endpoint, LoadOptions, Operation, Progress, Workload};
use paycrypt::perf::model::LoadRun;
use paycrypt::perf::report;

use crate::cli::failure::Failure;
use crate::cli::global::GlobalArgs;
use crate::cli::remote::credentials;
use crate::cli::{CliError, hex_arg, print_json, report_file};

/// `paycrypt load`.
#[derive(Args)]
#[command(
    after_help = "Operations: encrypt-data, decrypt-data, re-encrypt-data, get-key, list-keys, kms-encrypt, \
kms-decrypt, kms-generate-data-key. Decrypt kinds without a ciphertext make one with one encrypt call first.\n\
Exit status 1 when any request failed (after printing the results). See docs/load.md."
)]
pub(crate) struct LoadArgs {
    /// The operation to repeat
    #[arg(long, value_name = "OPERATION", default_value = "encrypt-data", value_parser = parse_operation)]
    operation: Operation,
    /// The payment-cryptography key (incoming key of re-encrypt-data) [default: alias/zone]
    #[arg(long, value_name = "ID")]
    key_identifier: Option<String>,
    /// The KMS key (kms-* operations)
    #[arg(long, value_name = "ID")]
    key_id: Option<String>,
    /// Hex plaintext of encrypt-data [default: a different 32-byte plaintext in each request]
    #[arg(long, value_name = "HEX")]
    plain_text: Option<String>,
    /// Base64 plaintext of kms-encrypt [default: a different 256-byte plaintext in each request]
    #[arg(long, value_name = "BASE64")]
    plaintext: Option<String>,
    /// Hex ciphertext of decrypt-data and re-encrypt-data [default: made by one encrypt-data call]
    #[arg(long, value_name = "HEX")]
    cipher_text: Option<String>,
    /// Base64 ciphertext blob of kms-decrypt [default: made by one kms-encrypt call]
    #[arg(long, value_name = "BASE64")]
    ciphertext_blob: Option<String>,
    /// JSON EncryptionAttributes [default: {"Symmetric":{"Mode":"CBC","InitializationVector":"000102…0F"}}]
    #[arg(long, value_name = "JSON")]
    encryption_attributes: Option<String>,
    /// JSON DecryptionAttributes of decrypt-data [default: as --encryption-attributes]
    #[arg(long, value_name = "JSON")]
    decryption_attributes: Option<String>,
    /// JSON IncomingEncryptionAttributes of re-encrypt-data [default: as --encryption-attributes]
    #[arg(long, value_name = "JSON")]
    incoming_encryption_attributes: Option<String>,
    /// The OutgoingKeyIdentifier of re-encrypt-data [default: the incoming key]
    #[arg(long, value_name = "ID")]
    outgoing_key_identifier: Option<String>,
    /// JSON OutgoingEncryptionAttributes of re-encrypt-data [default: AES CBC as above]
    #[arg(long, value_name = "JSON")]
    outgoing_encryption_attributes: Option<String>,
    /// Connections, each with one request in flight [default: 16, or 64 with --rate]
    #[arg(long, value_name = "C", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    connections: Option<u32>,
    /// Open loop: requests a second, latency measured from each request's due time [default: closed loop]
    #[arg(long, value_name = "R", value_parser = parse_positive)]
    rate: Option<f64>,
    /// Seconds measured (warm-up plus duration at most 240: requests are signed once)
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_positive)]
    duration: f64,
    /// Seconds of warm-up before measuring, not counted
    #[arg(long, value_name = "SECONDS", default_value = "1", value_parser = parse_not_negative)]
    warmup: f64,
    /// Distinct requests signed before the run and cycled
    #[arg(long, value_name = "N", default_value = "4096", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pool: u32,
    /// Print the results as JSON (a LoadRun) instead of a table
    #[arg(long)]
    json: bool,
    /// A status line on stderr once a second even when stderr is not a terminal
    #[arg(long)]
    progress: bool,
    /// Also draw the run (throughput over time, the latency percentile curve) into FILE: a
    /// self-contained HTML page, or an SVG document if FILE ends in .svg
    #[arg(long, value_name = "FILE")]
    report: Option<std::path::PathBuf>,
}

/// Runs `paycrypt load`.
pub(crate) fn run(args: LoadArgs, g: &GlobalArgs) -> Result<(), CliError> {
    let Some(url) = g.endpoint_url.as_deref() else {
        return Err(CliError::new("paycrypt load needs --endpoint-url")
            .hint("give the endpoint to load, e.g. --endpoint-url http://127.0.0.1:8080 (paycrypt serve)"));
    };
    let endpoint = Endpoint::parse(url).map_err(|e| CliError::new(e.to_string()))?;
    let workload = workload(&args)?;
    let credentials = credentials(g.profile.as_deref()).map_err(|f| match f {
        Failure::Local(e) => e,
        Failure::Config(m) => CliError::new(m),
        _ => CliError::new("cannot find credentials to sign with"),
    })?;
    let options = LoadOptions {
        endpoint,
        workload,
        credentials,
        region: g.region.clone(),
        connections: args.connections.map_or(if args.rate.is_some() { 64 } else { 16 }, |c| c as usize),
        rate: args.rate,
        warmup: args.warmup,
        duration: args.duration,
        pool: args.pool as usize,
    };
    let live = args.progress || std::io::stderr().is_terminal();
    let mut last = 0u64;
    let mut status = |p: &Progress| {
        if live {
            let phase = if p.measuring { "" } else { " (warm-up)" };
            let rate = p.requests.saturating_sub(last);
            last = p.requests;
            eprint!(
                "\r{:>4} s{phase}: {} requests, {rate} req/s, {} errors      ",
                p.elapsed.as_secs(),
                p.requests,
                p.errors
            );
            let _ = std::io::stderr().flush();
        }
    };
    let result = load::run(&options, &mut status);
    if live {
        eprintln!();
    }
    let run = result.map_err(|e| {
        let message = e.to_string();
        match e {
            load::LoadError::Connect { .. } => {
                CliError::new(message).hint("is the server running? start one with: paycrypt serve")
            }
            _ => CliError::new(message),
        }
    })?;
    if args.json {
        print_json(&run)?;
    } else {
        print!("{}", table(&run));
    }
    if let Some(path) = &args.report {
        report_file::write_report(path, || report::load_html(&run), || report::load_svg(&run))?;
    }
    let failed: u64 = run.errors.values().chain(run.warmup_errors.values()).sum();
    if failed > 0 {
        let first = run.error_messages.iter().next().map(|(n, m)| format!("{n}: {m}")).unwrap_or_default();
        return Err(CliError::new(format!("{failed} requests failed")).hint(format!("first: {first}")));
    }
    Ok(())
}

/// The workload the flags describe.
fn workload(args: &LoadArgs) -> Result<Workload, CliError> {
    let op = args.operation;
    let key = if op.is_kms() {
        args.key_id.clone().ok_or_else(|| {
            CliError::new(format!("--operation {} needs --key-id", op.name()))
                .hint("a KMS key id, ARN or alias, e.g. from: paycrypt kms create-key --endpoint-url URL")
        })?
    } else {
        args.key_identifier.clone().unwrap_or_else(|| "alias/zone".to_owned())
    };
    let mut w = Workload::new(op, key);
    if let Some(p) = &args.plain_text {
        w.plain_text = Some(hex_arg("--plain-text", p)?);
    }
    if let Some(p) = &args.plaintext {
        w.plain_text = Some(
            Base64::decode_vec(p).map_err(|e| CliError::new(format!("--plaintext is not base64: {e}")))?,
        );
    }
    w.cipher_text = if op.is_kms() { args.ciphertext_blob.clone() } else { args.cipher_text.clone() };
    let own = match op {
        Operation::DecryptData => ("--decryption-attributes", args.decryption_attributes.as_deref()),
        Operation::ReEncryptData => {
            ("--incoming-encryption-attributes", args.incoming_encryption_attributes.as_deref())
        }
        _ => ("--encryption-attributes", None),
    };
    if let Some(a) = own.1.or(args.encryption_attributes.as_deref()) {
        w.attributes = json_arg(own.0, a)?;
    }
    if let Some(a) = &args.outgoing_encryption_attributes {
        w.outgoing_attributes = json_arg("--outgoing-encryption-attributes", a)?;
    }
    w.outgoing_key.clone_from(&args.outgoing_key_identifier);
    Ok(w)
}

/// The final table: requests, errors by exception, throughput, latency.
fn table(run: &LoadRun) -> String {
    let mode = match run.rate {
        Some(rate) => format!("open loop at {rate} req/s"),
        None => "closed loop".to_owned(),
    };
    let l = &run.latency;
    let mut out = format!(
        "{} against {}: {mode}, {} connections, {:.1} s measured after {} s warm-up\n",
        run.operation, run.endpoint, run.connections, run.duration_seconds, run.warmup_seconds
    );
    out += &format!("  Requests      {:>12}\n", run.requests);
    out += &format!("  Errors        {:>12}\n", run.errors.values().sum::<u64>());
    for (name, n) in &run.errors {
        out += &format!("    {name:<30} {n:>9}\n");
    }
    for (name, n) in &run.warmup_errors {
        out += &format!("    {name:<30} {n:>9} (warm-up)\n");
    }
    out += &format!("  Throughput    {:>12.1} req/s\n", run.throughput);
    let from = if run.rate.is_some() { " (from due time)" } else { "" };
    out += &format!("  Latency, ms{from}\n");
    out += "           mean        p50        p90        p99      p99.9        max\n";
    out += &format!(
        "    {:>11.3}{:>11.3}{:>11.3}{:>11.3}{:>11.3}{:>11.3}\n",
        l.mean, l.p50, l.p90, l.p99, l.p999, l.max
    );
    out
}

fn json_arg(flag: &str, text: &str) -> Result<Value, CliError> {
    serde_json::from_str(text).map_err(|e| CliError::new(format!("{flag} is not JSON: {e}")))
}

fn parse_operation(s: &str) -> Result<Operation, String> {
    Operation::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
        format!("unknown operation; one of: {}", names.join(", "))
    })
}

fn parse_positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err("must be a positive number".to_owned()),
    }
}

fn parse_not_negative(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err("must be a number, 0 or more".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use paycrypt::perf::model::LatencySummary;

    use super::*;

    #[test]
    fn table_shape() {
        let run = LoadRun {
            endpoint: "http://127.0.0.1:8080".to_owned(),
            operation: "encrypt-data".to_owned(),
            connections: 16,
            rate: Some(500.0),
            warmup_seconds: 1.0,
            duration_seconds: 3.0,
            requests: 1500,
            errors: BTreeMap::from([("ThrottlingException".to_owned(), 150)]),
            warmup_errors: BTreeMap::from([("ThrottlingException".to_owned(), 50)]),
            throughput: 500.0,
            latency: LatencySummary { mean: 0.5, p50: 0.4, p90: 0.8, p99: 1.5, p999: 3.0, max: 4.25 },
            ..LoadRun::default()
        };
        assert_eq!(
            table(&run),
            "encrypt-data against http://127.0.0.1:8080: open loop at 500 req/s, 16 connections, 3.0 s measured after 1 s warm-up
  Requests              1500
  Errors                 150
    ThrottlingException                  150
    ThrottlingException                   50 (warm-up)
  Throughput           500.0 req/s
  Latency, ms (from due time)
           mean        p50        p90        p99      p99.9        max
          0.500      0.400      0.800      1.500      3.000      4.250
"
        );
    }
}
