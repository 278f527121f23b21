//! Batch jobs: a whole CSV or JSON Lines file through a data-plane or KMS operation, once per record,
//! on every core, resumable after a crash.
//!
//! A [`Job`] is the operation's AWS request with `{column}` placeholders ([`Template`]) and the response
//! members to write back ([`ResultColumn`]). [`run`] streams the input through a reader, a pool of
//! workers (each with its own [`DataSession`](crate::service::DataSession): keys resolved once, DUKPT
//! derivations cached per terminal) and an ordered writer, with bounded queues, so memory stays flat
//! whatever the file's size. Every record goes through the same `service` code as a single call: its
//! output equals what `paycrypt re-encrypt-data` (or its sibling) prints for the same request. A record
//! that fails goes to the rejects file with its line, the AWS exception and message; input records =
//! output records + rejected records, always.
//!
//! Output goes to `<output>.paycrypt-partial` with a checkpoint `<output>.paycrypt-checkpoint`; after a
//! kill, [`Options::resume`] continues from the checkpoint and the finished file is byte-identical to an
//! uninterrupted run's (for deterministic operations). The finished output is renamed into place.
//!
//! # Examples
//! ```
//! use std::sync::Arc;
//! use paycrypt::batch::{self, Format, Job, Operation, Options, Template, Services};
//! use paycrypt::keys::MemoryStore;
//! use paycrypt::service::{ImportKeyInput, PaymentCryptography, Settings};
//! use paycrypt::service::kms::Kms;
//!
//! let store = Arc::new(MemoryStore::new());
//! let payment = PaymentCryptography::new(Arc::clone(&store), Settings::default());
//! let kms = Kms::new(store, Settings::default());
//! let import: ImportKeyInput = serde_json::from_str(r#"{"KeyMaterial":{"ClearKey":{
//!     "KeyAttributes":{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY",
//!         "KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}},
//!     "KeyMaterial":"2B7E151628AED2A6ABF7158809CF4F3C"}}}"#)?;
//! let arn = payment.import_key(import)?.key.key_arn;
//!
//! let request = Template::parse(&format!(
//!     r#"{{"KeyIdentifier":"{arn}","PlainText":"{{pan}}","EncryptionAttributes":{{"Symmetric":{{"Mode":"ECB"}}}}}}"#
//! ))?;
//! let job = Job::new(Operation::EncryptData, request, vec!["pan=CipherText".parse()?], Format::Csv)?;
//! let input = b"id,pan\n1,6BC1BEE22E409F96E93D7E117393172A\n2,not hex\n";
//! let mut output = Vec::new();
//! let mut rejects = Vec::new();
//! let summary = batch::run_streams(&job, Services { payment: &payment, kms: &kms }, &input[..], &mut output,
//!     &mut rejects, &Options::default())?;
//! assert_eq!(String::from_utf8(output)?, "id,pan\n1,3AD77BB40D7A3660A89ECAF32466EF97\n");
//! assert_eq!((summary.records, summary.succeeded, summary.rejected), (2, 1, 1));
//! assert!(String::from_utf8(rejects)?.starts_with(r#"{"Line":3,"Record":"2,not hex","Exception":"ValidationException""#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checkpoint;
mod format;
pub mod generate;
mod job;
mod pipeline;
mod template;

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use thiserror::Error;

pub use format::{Format, MAX_RECORD};
pub use job::{Job, Operation, ResultColumn, Services};
pub use pipeline::{run, run_streams};
pub use template::Template;

/// Why a batch job could not start, or stopped.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The job is not valid: the request, a `--result`, a placeholder naming no column.
    #[error("{0}")]
    Job(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// The input cannot be framed into records (a record over [`MAX_RECORD`] bytes, a header missing).
    #[error("{0}")]
    Input(String),
    /// `--resume` cannot continue: no checkpoint, or the input or the job changed.
    #[error("cannot resume: {0}")]
    Resume(String),
}

impl BatchError {
    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        BatchError::Io { path: path.to_owned(), source }
    }
}

/// How a job runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker threads (at least 1); the default is every core.
    pub threads: usize,
    /// Records between checkpoints (at least this many)...
    pub checkpoint_records: u64,
    /// ...and at least this long between two checkpoints.
    pub checkpoint_interval: Duration,
    /// Stop once more records than this have been rejected.
    pub max_rejects: Option<u64>,
    /// Continue an interrupted run from its checkpoint.
    pub resume: bool,
    /// Records per unit of work handed to a worker.
    pub chunk_records: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism().map(usize::from).unwrap_or(1),
            checkpoint_records: 10_000,
            checkpoint_interval: Duration::from_millis(100),
            max_rejects: None,
            resume: false,
            chunk_records: 1024,
        }
    }
}

/// Where a job reads and writes.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The input file; `None` for standard input.
    pub input: Option<PathBuf>,
    /// The output file; `None` for standard output.
    pub output: Option<PathBuf>,
    /// The rejects file (JSON Lines). `None`: `<output>.rejects.jsonl` beside a file output (removed
    /// at the end when empty), standard error for standard output.
    pub rejects: Option<PathBuf>,
}

/// How far a job is, for a progress display.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    /// Records done (written or rejected).
    pub records: u64,
    /// Records rejected so far.
    pub rejected: u64,
    /// Input bytes consumed.
    pub bytes: u64,
    /// The input's size, when it is a file.
    pub total_bytes: Option<u64>,
}

/// What a job did.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Summary {
    /// Records read (blank lines are not records).
    pub records: u64,
    /// Records written to the output.
    pub succeeded: u64,
    /// Records written to the rejects.
    pub rejected: u64,
    /// Wall time of this run.
    pub seconds: f64,
    /// Records of this run per second.
    pub records_per_second: f64,
    /// The output file, if not standard output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<PathBuf>,
    /// The rejects file, if one was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejects: Option<PathBuf>,
    /// Whether the job stopped at `max_rejects` (partial output and checkpoint kept for `--resume`).
    pub stopped: bool,
    /// Records done before this run, when it resumed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed_after: Option<u64>,
}
