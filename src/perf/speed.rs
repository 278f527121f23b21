//! The runner behind `paycrypt speed`: each workload for a fixed time on N threads after a warm-up,
//! counted in operations, and `openssl speed -evp` on the same ciphers for `--compare openssl`.
//!
//! Each thread builds its own instance of the workload (its own keys, buffers and caches), then all
//! start together. A thread reads the clock every `k` calls, `k` calibrated during the warm-up so the
//! clock is read about every millisecond: cheap for a 16-byte call, and a run overshoots its time by at
//! most about a millisecond or one call.

use std::process::Command;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::keys::Timestamp;
use crate::perf::model::{Machine, PeerFigure, SpeedResult, SpeedRun};
use crate::perf::workload::{Workload, WorkloadError};

/// The longest warm-up, seconds.
const MAX_WARM_UP: f64 = 0.5;
/// How often a thread reads the clock, once calibrated.
const CHECK_EVERY: Duration = Duration::from_millis(1);

/// How a run measures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Seconds each measurement runs, after its warm-up.
    pub seconds: f64,
    /// Threads each measurement runs on, each with its own instance.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { seconds: 3.0, threads: 1 }
    }
}

impl Options {
    /// The warm-up: a third of the measured time, at most half a second.
    pub fn warm_up(&self) -> f64 {
        (self.seconds / 3.0).min(MAX_WARM_UP)
    }
}

/// Measures each of `workloads` in turn, telling `progress` what it starts (`Doing AES-128-CBC encrypt
/// on 4096 bytes for 3 s on 1 thread`).
///
/// # Errors
/// The first workload whose instance cannot be built or whose operation fails.
pub fn run(
    workloads: &[Workload],
    options: &Options,
    mut progress: impl FnMut(&str),
) -> Result<SpeedRun, WorkloadError> {
    let started = Timestamp::now().to_iso8601();
    let mut results = Vec::with_capacity(workloads.len());
    for workload in workloads {
        let on = workload.bytes.map(|b| format!(" on {b} bytes")).unwrap_or_default();
        let threads = match options.threads {
            1 => "1 thread".to_owned(),
            n => format!("{n} threads"),
        };
        progress(&format!("Doing {}{on} for {} s on {threads}", workload.name, options.seconds));
        results.push(measure(workload, options)?);
    }
    Ok(SpeedRun {
        machine: Machine::this(),
        started,
        seconds: options.seconds,
        threads: options.threads,
        results,
    })
}

/// One workload: warm-up, then the measured time, on every thread.
pub fn measure(workload: &Workload, options: &Options) -> Result<SpeedResult, WorkloadError> {
    let threads = options.threads.max(1);
    let barrier = Barrier::new(threads);
    let failed = AtomicBool::new(false);
    let counts: Vec<Result<(u64, Duration), WorkloadError>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..threads).map(|_| scope.spawn(|| one_thread(workload, options, &barrier, &failed))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(WorkloadError::new("a measuring thread panicked"))))
            .collect()
    });
    let mut calls = 0u64;
    let mut longest = Duration::ZERO;
    for count in counts {
        let (n, elapsed) = count?;
        calls += n;
        longest = longest.max(elapsed);
    }
    let operations = calls.saturating_mul(workload.per_call);
    let seconds = longest.as_secs_f64();
    let operations_per_second = if seconds > 0.0 { operations as f64 / seconds } else { 0.0 };
    Ok(SpeedResult {
        family: workload.family.to_owned(),
        workload: workload.name.clone(),
        bytes: workload.bytes.map(|b| b as u64),
        operations,
        seconds,
        operations_per_second,
        bytes_per_second: workload.bytes.map(|b| b as f64 * operations_per_second),
        peer: None,
    })
}

/// One thread's calls and time. Every thread reaches both barriers, failed or not, so none waits
/// forever for one that gave up.
fn one_thread(
    workload: &Workload,
    options: &Options,
    barrier: &Barrier,
    failed: &AtomicBool,
) -> Result<(u64, Duration), WorkloadError> {
    let built = workload.instance();
    if built.is_err() {
        failed.store(true, Ordering::Relaxed);
    }
    barrier.wait();
    let mut op = built?;
    if failed.load(Ordering::Relaxed) {
        return Err(WorkloadError::new("another thread could not build its instance"));
    }
    // Warm-up: at least one call, which also times a call for the calibration.
    let warm_up = Duration::from_secs_f64(options.warm_up());
    let start = Instant::now();
    let mut warm_calls = 0u64;
    loop {
        op()?;
        warm_calls += 1;
        if start.elapsed() >= warm_up {
            break;
        }
    }
    let per_call = (start.elapsed().as_nanos() / u128::from(warm_calls)).max(1);
    let every = u64::try_from((CHECK_EVERY.as_nanos() / per_call).clamp(1, 1_000_000)).unwrap_or(1);
    barrier.wait();
    let measured = Duration::from_secs_f64(options.seconds);
    let start = Instant::now();
    let mut calls = 0u64;
    loop {
        for _ in 0..every {
            op()?;
        }
        calls += every;
        let elapsed = start.elapsed();
        if elapsed >= measured {
            return Ok((calls, elapsed));
        }
    }
}

/// `openssl speed -evp` on the ciphers of `run`'s results that OpenSSL has, `seconds` each (whole
/// seconds, at least one: OpenSSL's unit), single-threaded as OpenSSL's default is; each figure goes
/// to its result's `peer`, with the ratio ours / theirs. `progress` hears each command.
///
/// # Errors
/// When `openssl` cannot be run (not installed): the run is left as it was.
pub fn compare_openssl(
    run: &mut SpeedRun,
    workloads: &[Workload],
    mut progress: impl FnMut(&str),
) -> Result<(), String> {
    let version =
        Command::new("openssl").arg("version").output().map_err(|e| format!("cannot run openssl ({e})"))?;
    let version =
        String::from_utf8_lossy(&version.stdout).split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let seconds = run.seconds.ceil().max(1.0).to_string();
    for result in &mut run.results {
        let (Some(bytes), Some(ours)) = (result.bytes, result.bytes_per_second) else { continue };
        let Some(cipher) = workloads
            .iter()
            .find(|w| w.name == result.workload && w.bytes.map(|b| b as u64) == Some(bytes))
            .and_then(|w| w.openssl)
        else {
            continue;
        };
        let bytes = bytes.to_string();
        let mut args = vec!["speed", "-mr", "-elapsed", "-seconds", &seconds, "-bytes", &bytes];
        if cipher.decrypt {
            args.push("-decrypt");
        }
        args.extend(["-evp", cipher.name]);
        progress(&format!("Doing openssl {}", args.join(" ")));
        let Ok(out) = Command::new("openssl").args(&args).output() else { continue };
        let Some(theirs) = parse_mr(&String::from_utf8_lossy(&out.stdout)) else {
            progress(&format!("openssl gave no figure for {}", cipher.name));
            continue;
        };
        let flag = if cipher.decrypt { " -decrypt" } else { "" };
        result.peer = Some(PeerFigure {
            name: format!("{version} speed -evp {}{flag}", cipher.name),
            bytes_per_second: theirs,
            ratio: ours / theirs,
        });
    }
    Ok(())
}

/// The bytes a second of `openssl speed -mr` output's `+F:<index>:<name>:<bytes/s>` line (one size).
pub fn parse_mr(output: &str) -> Option<f64> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("+F:"))
        .filter_map(|l| l.rsplit(':').next())
        .filter_map(|v| v.trim().parse::<f64>().ok())
        .find(|v| *v > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_openssl_machine_readable_output() {
        let out = "+DT:AES-128-CBC:1:4096\n+R:328503:AES-128-CBC:1.000000\n+H:4096\n+F:25:AES-128-CBC:1345548288.00\n";
        assert_eq!(parse_mr(out), Some(1_345_548_288.0));
        assert_eq!(parse_mr("Error: unknown cipher\n"), None);
    }

    #[test]
    fn warm_up_is_a_third_at_most_half_a_second() {
        assert_eq!(Options { seconds: 3.0, threads: 1 }.warm_up(), 0.5);
        assert!((Options { seconds: 0.3, threads: 1 }.warm_up() - 0.1).abs() < 1e-12);
    }
}
