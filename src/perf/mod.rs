//! Benchmark runs: the workloads `paycrypt speed` and the criterion benches share, the speed runner,
//! the load generator behind `paycrypt load`, and the self-contained HTML/SVG reports of both.
//!
//! - [`model`]: what a run produces (`SpeedRun`, `LoadRun`), serialized as the commands' `--json`
//!   output and read by the reports.
//! - [`report`]: a run as a self-contained HTML page or SVG document.
//! - [`load`] (feature `cli`): the load generator of `paycrypt load` and `benches/server_load.rs`.
//! - [`workload`]: one definition of each measured operation, for `paycrypt speed` and `benches/`.
//! - [`speed`]: the runner behind `paycrypt speed`, and `--compare openssl`.

#[cfg(feature = "cli")]
pub mod load;
pub mod model;
pub mod report;
pub mod speed;
pub mod workload;
