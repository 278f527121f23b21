//! Checkpoints: how far a job got, written atomically beside the output so that `--resume` continues
//! after a kill or a power loss, and refuses when the input or the job changed.
//!
//! A checkpoint is written only after the output and rejects it counts are on disk (`fsync`), to a
//! temporary file that is synced and then renamed over the last one, and the directory is synced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::batch::BatchError;

/// The checkpoint format's version.
const VERSION: u32 = 1;

/// How much of the input the fingerprint hashes at its start, and before the checkpoint's offset.
const WINDOW: u64 = 64 * 1024;

/// What identifies the input file: its length, modification time and first bytes.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InputId {
    pub length: u64,
    pub modified_ns: u128,
    pub head: String,
}

impl InputId {
    /// The id of the file at `path`.
    pub(crate) fn of(path: &Path) -> io::Result<InputId> {
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        let modified_ns = meta.modified()?.duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let head = hash_range(&mut file, 0, WINDOW.min(meta.len()))?;
        Ok(InputId { length: meta.len(), modified_ns, head })
    }
}

/// How far a job got.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Checkpoint {
    pub version: u32,
    /// The job's fingerprint ([`crate::batch::Job::fingerprint`]).
    pub job: String,
    pub input: InputId,
    /// The input consumed: every record before this byte is in the output or the rejects.
    pub input_offset: u64,
    /// SHA-256 of the input's bytes just before `input_offset` (up to 64 KiB).
    pub tail: String,
    /// The next record's line number.
    pub line: u64,
    pub output_length: u64,
    pub rejects_length: u64,
    pub records: u64,
    pub succeeded: u64,
    pub rejected: u64,
}

impl Checkpoint {
    /// A checkpoint at `input_offset`, the tail hashed from `input`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        job: String,
        input: InputId,
        input_path: &Path,
        input_offset: u64,
        line: u64,
        lengths: (u64, u64),
        counts: (u64, u64, u64),
    ) -> io::Result<Self> {
        let tail = tail_hash(input_path, input_offset)?;
        Ok(Checkpoint {
            version: VERSION,
            job,
            input,
            input_offset,
            tail,
            line,
            output_length: lengths.0,
            rejects_length: lengths.1,
            records: counts.0,
            succeeded: counts.1,
            rejected: counts.2,
        })
    }

    /// Reads the checkpoint at `path`; `None` when there is none.
    ///
    /// # Errors
    /// [`BatchError::Resume`] for a file that is not a checkpoint of this version.
    pub(crate) fn read(path: &Path) -> Result<Option<Checkpoint>, BatchError> {
        let text = match fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(BatchError::io(path, e)),
        };
        let checkpoint: Checkpoint = serde_json::from_slice(&text).map_err(|e| {
            BatchError::Resume(format!("{} is not a paycrypt batch checkpoint: {e}", path.display()))
        })?;
        if checkpoint.version != VERSION {
            return Err(BatchError::Resume(format!(
                "{} is a version {} checkpoint; this paycrypt writes version {VERSION}",
                path.display(),
                checkpoint.version
            )));
        }
        Ok(Some(checkpoint))
    }

    /// Checks that the job and input are those the checkpoint was written for.
    ///
    /// # Errors
    /// [`BatchError::Resume`] naming what changed.
    pub(crate) fn check(&self, job: &str, input: &InputId, input_path: &Path) -> Result<(), BatchError> {
        if self.job != job {
            return Err(BatchError::Resume(
                "the job differs from the interrupted run's (operation, --request, --result or format)"
                    .into(),
            ));
        }
        if self.input != *input {
            return Err(BatchError::Resume(format!(
                "the input {} changed since the interrupted run (length, time or content)",
                input_path.display()
            )));
        }
        let tail = tail_hash(input_path, self.input_offset).map_err(|e| BatchError::io(input_path, e))?;
        if tail != self.tail {
            return Err(BatchError::Resume(format!(
                "the input {} changed since the interrupted run (content before byte {})",
                input_path.display(),
                self.input_offset
            )));
        }
        Ok(())
    }

    /// Writes the checkpoint atomically: a temporary file, synced, renamed over `path`, the
    /// directory synced.
    ///
    /// # Errors
    /// [`BatchError::Io`].
    pub(crate) fn write(&self, path: &Path) -> Result<(), BatchError> {
        let tmp = with_suffix(path, ".tmp");
        let text = serde_json::to_vec(self)
            .map_err(|e| BatchError::Io { path: path.to_owned(), source: io::Error::other(e) })?;
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(|e| BatchError::io(&tmp, e))?;
        file.write_all(&text).and_then(|()| file.sync_all()).map_err(|e| BatchError::io(&tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| BatchError::io(path, e))?;
        sync_dir(path)
    }
}

/// `path` with `suffix` added to its file name.
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Syncs the directory holding `path`, so a rename in it survives a power loss.
pub(crate) fn sync_dir(path: &Path) -> Result<(), BatchError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| BatchError::io(dir, e))
}

/// SHA-256 of `data`, lowercase hex.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn tail_hash(path: &Path, offset: u64) -> io::Result<String> {
    let mut file = File::open(path)?;
    let start = offset.saturating_sub(WINDOW);
    hash_range(&mut file, start, offset - start)
}

fn hash_range(file: &mut File, start: u64, len: u64) -> io::Result<String> {
    file.seek(SeekFrom::Start(start))?;
    let mut buf = Vec::new();
    file.take(len).read_to_end(&mut buf)?;
    if buf.len() as u64 != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "the input is shorter than the checkpoint says",
        ));
    }
    Ok(sha256_hex(&buf))
}
