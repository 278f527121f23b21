//! The load generator behind `paycrypt load` and `benches/server_load.rs`: SigV4-signed requests
//! to an endpoint of the AWS Payment Cryptography or KMS APIs (`paycrypt serve`, or anything that
//! speaks them) over keep-alive HTTP/1.1 connections, in a closed or an open loop.
//!
//! - Closed loop (no rate): each of `connections` connections sends its next request as soon as the
//!   last is answered; latency runs from sending to the whole answer read.
//! - Open loop (`rate`): request i is due at start + i/rate whatever happened before; a pacer thread
//!   releases each request when due to the connections, and latency runs from the *due* time, so a
//!   stall counts against every request it delayed (no coordinated omission).
//!
//! Requests are signed once before the run (a pool of distinct plaintexts, cycled), so signing does
//! not compete with the server for the CPU. SigV4 signatures are accepted for 5 minutes, so warm-up
//! plus duration is limited to [`MAX_SECONDS`]. The generator runs on one thread, leaving the other
//! cores to the server when both share a machine.
//!
//! Every request that is not a 200 is counted under its AWS exception name (`x-amzn-ErrorType`, else
//! `__type`), `HTTP <status>` without one, `ConnectionError` or `Timeout` (no answer within 10 s).
//! Latency is recorded for every request of the measured part, answered or failed, in an HDR
//! histogram (nanoseconds, 3 significant digits).

mod client;
mod engine;
mod record;
mod workload;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub use client::Endpoint;
pub use workload::{Call, Operation, Workload};

use self::client::{Connection, Outcome, Signed};
use self::engine::Shared;
use self::record::Recorder;
use crate::perf::model::{LoadRun, Machine};
use crate::sigv4::Credentials;

/// The longest warm-up plus duration: a signature made at start must still be inside the server's
/// 5-minute window at the end.
pub const MAX_SECONDS: f64 = 240.0;

/// How a load run goes.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Where to send.
    pub endpoint: Endpoint,
    /// What to send.
    pub workload: Workload,
    /// Whom to sign as.
    pub credentials: Credentials,
    /// The region signatures name.
    pub region: String,
    /// Connections (at least 1).
    pub connections: usize,
    /// Requests a second for an open loop; `None` for a closed loop.
    pub rate: Option<f64>,
    /// Seconds of warm-up, not counted.
    pub warmup: f64,
    /// Seconds measured.
    pub duration: f64,
    /// Distinct requests signed before the run and cycled.
    pub pool: usize,
}

impl LoadOptions {
    /// Checks the numbers: a positive duration, rate and pool, a warm-up not negative, both within
    /// [`MAX_SECONDS`], at least one connection.
    ///
    /// # Errors
    /// [`LoadError::Options`] naming the value.
    pub fn check(&self) -> Result<(), LoadError> {
        let bad = |m: String| Err(LoadError::Options(m));
        if !(self.duration.is_finite() && self.duration > 0.0) {
            return bad(format!("--duration must be a positive number of seconds, not {}", self.duration));
        }
        if !(self.warmup.is_finite() && self.warmup >= 0.0) {
            return bad(format!("--warmup must be 0 or more seconds, not {}", self.warmup));
        }
        if self.warmup + self.duration > MAX_SECONDS {
            return bad(format!(
                "--warmup plus --duration must stay within {MAX_SECONDS} seconds: requests are signed once, and SigV4 signatures expire after 5 minutes"
            ));
        }
        if let Some(rate) = self.rate
            && !(rate.is_finite() && rate > 0.0 && rate <= 10_000_000.0)
        {
            return bad(format!("--rate must be a positive number of requests a second, not {rate}"));
        }
        if self.connections == 0 || self.pool == 0 {
            return bad("--connections and the pool must be at least 1".to_owned());
        }
        Ok(())
    }
}

/// The state of a run, once a second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Since the run (warm-up included) started.
    pub elapsed: Duration,
    /// Whether the measured part has started.
    pub measuring: bool,
    /// Requests completed so far, warm-up included.
    pub requests: u64,
    /// Of those, errors.
    pub errors: u64,
}

/// A load run that could not start or go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The endpoint URL is not one the generator can use.
    #[error("{url} is not a usable endpoint: {reason}")]
    Endpoint {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The first connection could not be made: nothing to load.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The endpoint.
        url: String,
        /// Why, e.g. `connection refused`.
        reason: String,
    },
    /// The encrypt call that makes a decrypt run's ciphertext failed.
    #[error("the encrypt call that makes the ciphertext failed: {exception}: {message}")]
    Setup {
        /// The AWS exception name.
        exception: String,
        /// Its message.
        message: String,
    },
    /// An option out of range or a parameter missing.
    #[error("{0}")]
    Options(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Runs `options` and returns what it measured; `progress` is called once a second.
///
/// Errors of requests are counted in [`LoadRun::errors`] (and [`LoadRun::warmup_errors`]), not
/// returned.
///
/// # Errors
/// [`LoadError`] when the options are out of range, the endpoint refuses the first connection, or
/// a decrypt run's setup call fails.
pub fn run(options: &LoadOptions, progress: &mut dyn FnMut(&Progress)) -> Result<LoadRun, LoadError> {
    options.check()?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(run_async(options, progress))
}

async fn run_async(options: &LoadOptions, progress: &mut dyn FnMut(&Progress)) -> Result<LoadRun, LoadError> {
    let endpoint = &options.endpoint;
    // One connection first: a refused endpoint fails here, fast, not as a run of errors.
    let mut first = Connection::open(endpoint).await?;
    let mut workload = options.workload.clone();
    if let Some(setup) = workload.setup() {
        let signed = Signed::new(&setup.call(0)?, endpoint, &options.credentials, &options.region)?;
        let failed =
            |exception: &str, message: String| LoadError::Setup { exception: exception.to_owned(), message };
        match first.send(&signed).await {
            Outcome::Ok { body, .. } => {
                let answer =
                    serde_json::from_slice(&body).map_err(|e| failed("InvalidJson", e.to_string()))?;
                workload.set_cipher_text(&answer)?;
            }
            Outcome::Exception { name, message } => return Err(failed(&name, message)),
            Outcome::Broken(reason) => {
                return Err(LoadError::Connect { url: endpoint.url().to_owned(), reason });
            }
            Outcome::Timeout => return Err(failed("Timeout", "no answer within 10 s".to_owned())),
        }
    }
    drop(first);
    let size = if workload.varies() { options.pool } else { 1 };
    let pool = (0..size)
        .map(|i| Signed::new(&workload.call(i)?, endpoint, &options.credentials, &options.region))
        .collect::<Result<Vec<_>, _>>()?;
    let shared = Arc::new(Shared::new(pool, endpoint.clone(), Recorder::new(Instant::now())?));
    let warmup = Duration::from_secs_f64(options.warmup);
    let duration = Duration::from_secs_f64(options.duration);
    let wall = SystemTime::now();
    let (start, end) = match options.rate {
        None => {
            engine::closed_loop(Arc::clone(&shared), options.connections, warmup, duration, progress).await
        }
        Some(rate) => {
            engine::open_loop(Arc::clone(&shared), options.connections, rate, warmup, duration, progress)
                .await
        }
    };
    let seconds = (end - start).as_secs_f64();
    let started = wall + warmup;
    let mut recorder =
        shared.recorder.lock().map_err(|_| LoadError::Options("a worker failed".to_owned()))?;
    let warmup_errors = shared.warmup_errors.lock().map(|w| w.clone()).unwrap_or_default();
    let error_messages = shared.messages.lock().map(|m| m.clone()).unwrap_or_default();
    recorder.finish(seconds);
    #[allow(clippy::cast_precision_loss, reason = "request counts far below 2^53")]
    let throughput = if seconds > 0.0 { recorder.requests as f64 / seconds } else { 0.0 };
    Ok(LoadRun {
        machine: Machine::this(),
        started: rfc3339(started),
        endpoint: endpoint.url().to_owned(),
        operation: workload.operation.name().to_owned(),
        connections: options.connections,
        rate: options.rate,
        warmup_seconds: options.warmup,
        duration_seconds: seconds,
        requests: recorder.requests,
        errors: recorder.errors.clone(),
        throughput,
        latency: recorder.summary(),
        percentiles: recorder.percentiles(),
        timeline: recorder.timeline.clone(),
        warmup_errors,
        error_messages,
    })
}

/// `time` as RFC 3339 UTC, to the second.
fn rfc3339(time: SystemTime) -> String {
    let unix = time.duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let t = crate::time::UtcTime::from_unix(unix);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.date.year, t.date.month, t.date.day, t.hour, t.minute, t.second
    )
}
