//! Benchmark runs: the workloads `paycrypt speed` and the criterion benches share, the speed runner,
//! the load generator behind `paycrypt load`, and the self-contained HTML/SVG reports of both.
//!
//! - [`model`]: what a run produces (`SpeedRun`, `LoadRun`), serialized as the commands' `--json`
//!   output and read by the reports.
//! - [`workload`]: one definition of each measured operation, for `paycrypt speed` and `benches/`.
//! - [`speed`]: the runner behind `paycrypt speed`, and `--compare openssl`.

pub mod model;
pub mod speed;
pub mod workload;
