//! What a benchmark run produces: the results of `paycrypt speed` ([`SpeedRun`]) and of `paycrypt
//! load` ([`LoadRun`]). Their JSON (serde, PascalCase as AWS's shapes are) is the commands' `--json`
//! output, and the HTML/SVG reports are drawn from them alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The machine a run was made on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Machine {
    /// The CPU model (from /proc/cpuinfo where there is one).
    pub cpu: String,
    /// Logical CPUs available to the process.
    pub cores: usize,
    /// The operating system and architecture, e.g. `linux x86_64`.
    pub os: String,
    /// paycrypt's version.
    pub paycrypt_version: String,
}

impl Machine {
    /// This machine: CPU model (the first `model name` of /proc/cpuinfo, else `unknown`), logical
    /// CPUs, OS and architecture, paycrypt's version.
    pub fn this() -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| {
                        l.starts_with("model name") || l.starts_with("Model") || l.starts_with("cpu model")
                    })
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".to_owned());
        Machine {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            paycrypt_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// A `paycrypt speed` run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SpeedRun {
    /// Where it ran.
    pub machine: Machine,
    /// When it started, RFC 3339 UTC.
    pub started: String,
    /// Seconds each measurement ran (after its warm-up).
    pub seconds: f64,
    /// Threads each measurement ran on.
    pub threads: usize,
    /// One entry per workload and message size, in the order run.
    pub results: Vec<SpeedResult>,
}

/// One measured workload at one message size.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SpeedResult {
    /// The family it belongs to, what `WHAT` filters on: `aes`, `tdes`, `kcv`, `dukpt`, `rsa`, `jwe`,
    /// `service`, `kms`, `esdk`, `tr31`.
    pub family: String,
    /// The workload's name without the size, e.g. `AES-128-CBC encrypt`, `TDES DUKPT derive (one-shot)`,
    /// `RSA-2048 OAEP-SHA256 decrypt`, `EncryptData AES-128-CBC`.
    pub workload: String,
    /// The message size in bytes, for workloads that take one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Operations done in the measured time (all threads).
    pub operations: u64,
    /// The measured time, seconds.
    pub seconds: f64,
    /// Operations a second.
    pub operations_per_second: f64,
    /// Bytes a second (`bytes` × operations a second), for workloads with a size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_per_second: Option<f64>,
    /// A peer's figure for the same workload from the same run (`--compare openssl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<PeerFigure>,
}

/// A peer's figure for a workload, measured in the same run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PeerFigure {
    /// The peer, e.g. `openssl speed -evp aes-128-cbc` with its version.
    pub name: String,
    /// The peer's bytes a second.
    pub bytes_per_second: f64,
    /// paycrypt's figure divided by the peer's (above 1: paycrypt is faster).
    pub ratio: f64,
}

/// A `paycrypt load` run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadRun {
    /// Where the load generator ran.
    pub machine: Machine,
    /// When the measured part started, RFC 3339 UTC.
    pub started: String,
    /// The endpoint, e.g. `http://127.0.0.1:8080`.
    pub endpoint: String,
    /// The operation, as `--operation` names it, e.g. `encrypt-data`, `kms-encrypt`.
    pub operation: String,
    /// Connections used.
    pub connections: usize,
    /// The open-loop rate asked for (requests a second); absent for a closed loop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Seconds of warm-up (not counted).
    pub warmup_seconds: f64,
    /// Seconds measured.
    pub duration_seconds: f64,
    /// Requests completed in the measured time, errors included.
    pub requests: u64,
    /// Requests that failed, by AWS exception name (or `ConnectionError`, `Timeout`, `HTTP <status>`).
    pub errors: BTreeMap<String, u64>,
    /// Completed requests a second.
    pub throughput: f64,
    /// Latency summary, milliseconds; in an open loop measured from each request's due time.
    pub latency: LatencySummary,
    /// The latency percentile curve: (percentile, milliseconds) pairs, e.g. (50.0, 0.21) … (99.99, 3.2).
    pub percentiles: Vec<(f64, f64)>,
    /// One entry per second of the measured time.
    pub timeline: Vec<LoadInterval>,
    /// Requests that failed in the warm-up (not in `requests`), by the same names as `errors`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub warmup_errors: BTreeMap<String, u64>,
    /// The first message of each error name, warm-up included.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub error_messages: BTreeMap<String, String>,
}

/// Latency percentiles, milliseconds, from an HDR histogram.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LatencySummary {
    /// The mean.
    pub mean: f64,
    /// The median.
    pub p50: f64,
    /// The 90th percentile.
    pub p90: f64,
    /// The 99th percentile.
    pub p99: f64,
    /// The 99.9th percentile.
    #[serde(rename = "P99.9")]
    pub p999: f64,
    /// The largest.
    pub max: f64,
}

/// One second of a load run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadInterval {
    /// Seconds since the measured part started, at the interval's end.
    pub second: f64,
    /// Requests completed in the interval.
    pub requests: u64,
    /// Of those, errors.
    pub errors: u64,
    /// The interval's 99th-percentile latency, milliseconds.
    pub p99: f64,
}
