//! A load generator for `paycrypt serve` (and any endpoint of the same AWS wire protocols, e.g.
//! `moto_server`'s KMS): SigV4-signed requests over HTTP/1.1 keep-alive connections.
//!
//! ```text
//! cargo bench --bench server_load -- --url http://127.0.0.1:8080 --kind encrypt-data --connections 64 --duration 10
//! cargo bench --bench server_load -- --url http://127.0.0.1:8080 --kind encrypt-data --rate 5000 --duration 10
//! cargo bench --bench server_load -- --url http://127.0.0.1:5000 --kind kms-encrypt --key-id <uuid> --connections 16
//! ```
//!
//! - Closed loop (`--connections C`, no `--rate`): C connections, each sending its next request as
//!   soon as the previous answer is read, for `--duration` seconds: requests/s.
//! - Open loop (`--rate R`): request i is due at start + i/R, whatever happened before; a pacer
//!   thread releases requests when due to `--connections` (default 64) connections, and latency is
//!   measured from the time a request was *due*, not from when it went out, so a stall is counted
//!   for every request it delayed (no coordinated omission): p50/p90/p99/max.
//!
//! The engine and the requests are `paycrypt::perf::load`, the same as `paycrypt load`'s (one
//! definition of each workload); this file keeps the bench's flags and its `RESULT` lines, which
//! benches/server_load.sh reads. Requests are signed once at start (a pool of `--pool` distinct
//! requests, each with its own plaintext) and cycled; SigV4 signatures are accepted for 5 minutes,
//! so a run is limited to 240 seconds.
//!
//! Every response must be 200; anything else (or a connection error) is counted, and a run with
//! errors says so in capitals and exits 1.
//!
//! Kinds: any `paycrypt load --operation` name; `encrypt-data` (AES CBC of `--plaintext-bytes`,
//! default 32, under `--key-id`, default `alias/zone`, with an IV) and `kms-encrypt`
//! (`--plaintext-bytes`, default 256, under `--key-id`) as before.
#![forbid(unsafe_code)]

use paycrypt::perf::load::{self, Endpoint, LoadOptions, Operation, Workload};
use paycrypt::sigv4::Credentials;

const USAGE: &str = "usage: server_load --url URL [--kind encrypt-data|kms-encrypt|…] [--key-id ID] \
[--plaintext-bytes N] [--connections C] [--rate R] [--duration SECONDS] [--warmup SECONDS] \
[--pool N] [--access-key ID] [--secret-key KEY] [--region REGION] [--label TEXT]";

fn parse() -> Result<(LoadOptions, String), String> {
    let mut url = None;
    let mut kind = Operation::EncryptData;
    let mut key_id = None;
    let mut plaintext_bytes = None;
    let mut connections = None;
    let mut rate = None;
    let mut duration = 10.0;
    let mut warmup = 1.0;
    let mut pool = 4096;
    let mut access_key = "test".to_owned();
    let mut secret_key = "test".to_owned();
    let mut region = "us-east-1".to_owned();
    let mut label = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        // `cargo bench` passes `--bench` to every bench binary.
        if flag == "--bench" {
            continue;
        }
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|e| format!("{flag} {v}: {e}"));
        let count = |v: String| v.parse::<usize>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--url" => url = Some(value()?),
            "--kind" => {
                let v = value()?;
                kind = Operation::from_name(&v).ok_or_else(|| format!("unknown --kind {v}"))?;
            }
            "--key-id" => key_id = Some(value()?),
            "--plaintext-bytes" => plaintext_bytes = Some(count(value()?)?),
            "--connections" => connections = Some(count(value()?)?),
            "--rate" => rate = Some(number(value()?)?),
            "--duration" => duration = number(value()?)?,
            "--warmup" => warmup = number(value()?)?,
            "--pool" => pool = count(value()?)?,
            "--access-key" => access_key = value()?,
            "--secret-key" => secret_key = value()?,
            "--region" => region = value()?,
            "--label" => label = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    let url = url.ok_or_else(|| format!("--url is required\n{USAGE}"))?;
    let endpoint = Endpoint::parse(&url).map_err(|e| e.to_string())?;
    let key = match (kind.is_kms(), key_id) {
        (_, Some(k)) => k,
        (false, None) => "alias/zone".to_owned(),
        (true, None) => return Err(format!("--kind {} needs --key-id", kind.name())),
    };
    let mut workload = Workload::new(kind, key);
    if let Some(n) = plaintext_bytes {
        if !kind.is_kms() && n % 16 != 0 {
            return Err("--plaintext-bytes must be a multiple of 16 for AES CBC".into());
        }
        workload.plain_text_bytes = n;
    }
    let options = LoadOptions {
        endpoint,
        workload,
        credentials: Credentials::new(access_key, secret_key, None),
        region,
        connections: connections.unwrap_or(if rate.is_some() { 64 } else { 16 }).max(1),
        rate,
        warmup,
        duration,
        pool,
    };
    options.check().map_err(|e| e.to_string())?;
    Ok((options, label.unwrap_or_else(|| kind.name().to_owned())))
}

fn main() {
    let (options, label) = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let run = match load::run(&options, &mut |_| {}) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("server_load: {e}");
            std::process::exit(1);
        }
    };
    let errors: u64 = run.errors.values().sum();
    let ok = run.requests - errors;
    #[allow(clippy::cast_precision_loss, reason = "request counts far below 2^53")]
    let ok_rps = ok as f64 / run.duration_seconds;
    let l = &run.latency;
    let (mode, target) = match run.rate {
        Some(rate) => ("open", format!(" rate={rate:.0}")),
        None => ("closed", String::new()),
    };
    println!(
        "{label:<24} | {mode:<6} | {:>5} conns | {:>6.1} s | {ok:>9} ok | {errors:>6} errors | {ok_rps:>10.0} req/s | p50 {:>7.3} ms | p90 {:>7.3} ms | p99 {:>7.3} ms | max {:>7.3} ms{}",
        run.connections,
        run.duration_seconds,
        l.p50,
        l.p90,
        l.p99,
        l.max,
        if run.rate.is_some() { " (from due time)" } else { "" },
    );
    println!(
        "RESULT label={label} mode={mode} connections={}{target} seconds={:.2} ok={ok} errors={errors} rps={ok_rps:.0} achieved_rps={ok_rps:.0} p50_ms={:.3} p90_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        run.connections, run.duration_seconds, l.p50, l.p90, l.p99, l.max,
    );
    let all = errors + run.warmup_errors.values().sum::<u64>();
    if all > 0 {
        let first = run.error_messages.iter().next().map(|(n, m)| format!("{n}: {m}")).unwrap_or_default();
        eprintln!("!!!!!!!! ERRORS: {all} requests failed (warm-up included), first: {first} !!!!!!!!");
        std::process::exit(1);
    }
}
