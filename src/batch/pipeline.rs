//! The pipeline: a reader framing records into chunks, a pool of workers, and an ordered writer that
//! checkpoints, joined by bounded queues; and the files around it (partial output, rejects, rename).

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::batch::checkpoint::{self, Checkpoint, InputId};
use crate::batch::format::{Format, MAX_RECORD};
use crate::batch::job::{Job, Layout, Outcome, Services, Worker};
use crate::batch::{BatchError, Options, Paths, Progress, Summary};
use crate::keys::KeyStore;

/// Bytes read from the input at a time.
const READ_SIZE: usize = 256 * 1024;
/// A chunk closes at this many bytes of records (or at `Options::chunk_records` records).
const CHUNK_BYTES: usize = 256 * 1024;

/// Runs `job` over files (or standard input and output): see the [module](crate::batch) docs.
///
/// # Errors
/// [`BatchError::Job`] for a job that does not fit the input (a placeholder naming no column);
/// [`BatchError::Resume`] when `--resume` cannot continue, or when an interrupted run's checkpoint is
/// there and `resume` is not set; [`BatchError::Input`] for input that cannot be framed;
/// [`BatchError::Io`]. A failing record is not an error: it is rejected.
pub fn run<S: KeyStore>(
    job: &Job,
    services: Services<'_, S>,
    paths: &Paths,
    options: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Summary, BatchError> {
    if options.resume && (paths.input.is_none() || paths.output.is_none()) {
        return Err(BatchError::Resume(
            "--resume needs an input file and an output file, not - (a stream)".into(),
        ));
    }
    let input_id = match &paths.input {
        Some(p) => Some(InputId::of(p).map_err(|e| BatchError::io(p, e))?),
        None => None,
    };
    let total_bytes = input_id.as_ref().map(|id| id.length);
    let Some(out_path) = &paths.output else {
        // Standard output: no partial file, no checkpoint.
        let reader = open_input(paths.input.as_deref())?;
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
        let mut rejects_file = match &paths.rejects {
            Some(p) => Some(create(p)?),
            None => None,
        };
        let mut stderr;
        let rejects: &mut dyn Write = match &mut rejects_file {
            Some(f) => f,
            None => {
                stderr = io::stderr();
                &mut stderr
            }
        };
        let mut sink = StreamSink { out: &mut out, rejects };
        let mut summary = engine(job, services, reader, None, &mut sink, options, total_bytes, progress)?;
        out.flush().map_err(|e| BatchError::io(Path::new("-"), e))?;
        if let (Some(f), Some(p)) = (rejects_file, &paths.rejects) {
            finish_file(f, p)?;
            summary.rejects = Some(p.clone());
        }
        return Ok(summary);
    };

    let partial = checkpoint::with_suffix(out_path, ".paycrypt-partial");
    let ckpt_path = checkpoint::with_suffix(out_path, ".paycrypt-checkpoint");
    let (rejects_path, rejects_default) = match &paths.rejects {
        Some(p) => (p.clone(), false),
        None => (checkpoint::with_suffix(out_path, ".rejects.jsonl"), true),
    };
    let rejects_partial = checkpoint::with_suffix(&rejects_path, ".paycrypt-partial");
    let fingerprint = job.fingerprint();

    let (resume, out_file, rejects_file, mut reader) = if options.resume {
        let (Some(input), Some(id)) = (&paths.input, &input_id) else {
            return Err(BatchError::Resume("--resume needs an input file".into()));
        };
        let ckpt = Checkpoint::read(&ckpt_path)?.ok_or_else(|| {
            BatchError::Resume(format!("no checkpoint at {}: nothing to resume", ckpt_path.display()))
        })?;
        ckpt.check(&fingerprint, id, input)?;
        if !partial.exists() && ckpt.input_offset == id.length {
            // Killed after the output was renamed into place: only the last steps are left.
            let started = Instant::now();
            let length = fs::metadata(out_path).map_err(|e| BatchError::io(out_path, e))?.len();
            if length != ckpt.output_length {
                return Err(BatchError::Resume(format!(
                    "{} holds {length} bytes, not the checkpoint's {}: it was changed",
                    out_path.display(),
                    ckpt.output_length
                )));
            }
            let rejects =
                finish_in_place(out_path, &rejects_partial, &rejects_path, rejects_default, &ckpt_path)?;
            return Ok(Summary {
                records: ckpt.records,
                succeeded: ckpt.succeeded,
                rejected: ckpt.rejected,
                seconds: started.elapsed().as_secs_f64(),
                records_per_second: 0.0,
                output: Some(out_path.clone()),
                rejects,
                stopped: false,
                resumed_after: Some(ckpt.records),
            });
        }
        let out_file = reopen(&partial, ckpt.output_length)?;
        let rejects_file = reopen(&rejects_partial, ckpt.rejects_length)?;
        let mut file = File::open(input).map_err(|e| BatchError::io(input, e))?;
        file.seek(SeekFrom::Start(ckpt.input_offset)).map_err(|e| BatchError::io(input, e))?;
        let reader: Box<dyn Read + Send> = Box::new(file);
        (Some(ckpt), out_file, rejects_file, reader)
    } else {
        if ckpt_path.exists() {
            return Err(BatchError::Resume(format!(
                "an interrupted run left {}: add --resume to continue it, or delete it and {} to start over",
                ckpt_path.display(),
                partial.display()
            )));
        }
        let reader = open_input(paths.input.as_deref())?;
        (None, create(&partial)?, create(&rejects_partial)?, reader)
    };
    if resume.is_some() && job.format == Format::Csv {
        // The header comes from the start of the file; the reader is already past it.
        if let Some(input) = &paths.input {
            let file = File::open(input).map_err(|e| BatchError::io(input, e))?;
            let mut framer = Framer::new(Box::new(file), job.format, 0);
            let header = framer.next_record()?.unwrap_or_default();
            reader = Box::new(Prefixed { header: Some(header), rest: reader });
        }
    }
    let mut sink = FileSink {
        out: BufWriter::with_capacity(1 << 20, out_file),
        rejects: BufWriter::with_capacity(1 << 16, rejects_file),
        out_path: partial.clone(),
        rejects_path: rejects_partial.clone(),
        checkpoint: match (&paths.input, &input_id) {
            (Some(input), Some(id)) => Some((ckpt_path.clone(), input.clone(), id.clone(), fingerprint)),
            _ => None,
        },
    };
    let mut summary =
        match engine(job, services, reader, resume.as_ref(), &mut sink, options, total_bytes, progress) {
            Ok(summary) => summary,
            Err(e) => {
                if resume.is_none() && !ckpt_path.exists() {
                    // Failed before its first checkpoint (a placeholder naming no column, an empty
                    // input): nothing to resume, so no partial files are left.
                    let _ = fs::remove_file(&partial);
                    let _ = fs::remove_file(&rejects_partial);
                }
                return Err(e);
            }
        };
    let FileSink { out, rejects, .. } = sink;
    if summary.stopped {
        return Ok(summary);
    }
    let out = out.into_inner().map_err(|e| BatchError::io(&partial, e.into_error()))?;
    let rejects = rejects.into_inner().map_err(|e| BatchError::io(&rejects_partial, e.into_error()))?;
    finish_file(out, &partial)?;
    finish_file(rejects, &rejects_partial)?;
    fs::rename(&partial, out_path).map_err(|e| BatchError::io(out_path, e))?;
    summary.rejects =
        finish_in_place(out_path, &rejects_partial, &rejects_path, rejects_default, &ckpt_path)?;
    summary.output = Some(out_path.clone());
    Ok(summary)
}

/// The last steps of a run, once the output is renamed into place: the rejects renamed into place (the
/// default rejects file removed instead when empty, an earlier run's too), the directory synced, the
/// checkpoint removed. A run killed among them is finished by `--resume` calling this again. Returns
/// the rejects file kept.
fn finish_in_place(
    out_path: &Path,
    rejects_partial: &Path,
    rejects_path: &Path,
    rejects_default: bool,
    ckpt_path: &Path,
) -> Result<Option<PathBuf>, BatchError> {
    let remove = |path: &Path| match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(BatchError::io(path, e)),
    };
    match fs::metadata(rejects_partial) {
        Ok(m) if rejects_default && m.len() == 0 => {
            remove(rejects_partial)?;
            // An earlier run's rejects beside the output would read as this run's.
            remove(rejects_path)?;
        }
        Ok(_) => fs::rename(rejects_partial, rejects_path).map_err(|e| BatchError::io(rejects_path, e))?,
        // Already renamed or removed (a resumed run finishing a killed one's last steps).
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(BatchError::io(rejects_partial, e)),
    }
    checkpoint::sync_dir(out_path)?;
    remove(ckpt_path)?;
    Ok(rejects_path.exists().then(|| rejects_path.to_owned()))
}

/// Runs `job` from `input` to `output` and `rejects`, with no files of its own and no checkpoints: for
/// library users with their own streams.
///
/// # Errors
/// As [`run`], less the checkpoint's.
pub fn run_streams<S: KeyStore>(
    job: &Job,
    services: Services<'_, S>,
    input: impl Read + Send,
    output: &mut dyn Write,
    rejects: &mut dyn Write,
    options: &Options,
) -> Result<Summary, BatchError> {
    let mut sink = StreamSink { out: output, rejects };
    engine(job, services, Box::new(input), None, &mut sink, options, None, &mut |_| {})
}

/// The header record, then the rest of the input (a resumed CSV run).
struct Prefixed<'r> {
    header: Option<Vec<u8>>,
    rest: Box<dyn Read + Send + 'r>,
}

impl Read for Prefixed<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.header.take() {
            Some(mut h) => {
                let n = out.len().min(h.len());
                out[..n].copy_from_slice(&h[..n]);
                if n < h.len() {
                    self.header = Some(h.split_off(n));
                }
                Ok(n)
            }
            None => self.rest.read(out),
        }
    }
}

/// Where the writer puts what the workers made.
trait Sink {
    fn write(&mut self, out: &[u8], rejects: &[u8]) -> Result<(), BatchError>;
    /// Makes everything written so far durable and records `state`.
    fn checkpoint(&mut self, state: &State) -> Result<(), BatchError>;
    fn can_checkpoint(&self) -> bool;
}

struct StreamSink<'w> {
    out: &'w mut dyn Write,
    rejects: &'w mut dyn Write,
}

impl Sink for StreamSink<'_> {
    fn write(&mut self, out: &[u8], rejects: &[u8]) -> Result<(), BatchError> {
        self.out.write_all(out).map_err(|e| BatchError::io(Path::new("-"), e))?;
        self.rejects.write_all(rejects).map_err(|e| BatchError::io(Path::new("rejects"), e))
    }

    fn checkpoint(&mut self, _state: &State) -> Result<(), BatchError> {
        self.out.flush().map_err(|e| BatchError::io(Path::new("-"), e))?;
        self.rejects.flush().map_err(|e| BatchError::io(Path::new("rejects"), e))
    }

    fn can_checkpoint(&self) -> bool {
        false
    }
}

struct FileSink {
    out: BufWriter<File>,
    rejects: BufWriter<File>,
    out_path: PathBuf,
    rejects_path: PathBuf,
    /// Checkpoint file, input file, input id, job fingerprint; `None` when reading a stream.
    checkpoint: Option<(PathBuf, PathBuf, InputId, String)>,
}

impl Sink for FileSink {
    fn write(&mut self, out: &[u8], rejects: &[u8]) -> Result<(), BatchError> {
        self.out.write_all(out).map_err(|e| BatchError::io(&self.out_path, e))?;
        self.rejects.write_all(rejects).map_err(|e| BatchError::io(&self.rejects_path, e))
    }

    fn checkpoint(&mut self, state: &State) -> Result<(), BatchError> {
        let Some((ckpt_path, input, id, job)) = &self.checkpoint else { return Ok(()) };
        let sync = |w: &mut BufWriter<File>, path: &Path| -> Result<u64, BatchError> {
            w.flush().map_err(|e| BatchError::io(path, e))?;
            w.get_ref().sync_data().map_err(|e| BatchError::io(path, e))?;
            w.get_ref().metadata().map(|m| m.len()).map_err(|e| BatchError::io(path, e))
        };
        let out_len = sync(&mut self.out, &self.out_path)?;
        let rejects_len = sync(&mut self.rejects, &self.rejects_path)?;
        let ckpt = Checkpoint::new(
            job.clone(),
            id.clone(),
            input,
            state.offset,
            state.line,
            (out_len, rejects_len),
            (state.records, state.succeeded, state.rejected),
        )
        .map_err(|e| BatchError::io(input, e))?;
        ckpt.write(ckpt_path)
    }

    fn can_checkpoint(&self) -> bool {
        self.checkpoint.is_some()
    }
}

/// The writer's count of what is done, in input order.
#[derive(Clone, Copy, Debug, Default)]
struct State {
    offset: u64,
    line: u64,
    records: u64,
    succeeded: u64,
    rejected: u64,
}

/// A run of whole records for one worker.
struct Chunk {
    seq: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
    /// The line each record starts on.
    lines: Vec<u64>,
    end_offset: u64,
    end_line: u64,
}

/// What a worker made of a chunk.
struct Done {
    seq: u64,
    out: Vec<u8>,
    rejects: Vec<u8>,
    records: u64,
    succeeded: u64,
    rejected: u64,
    end_offset: u64,
    end_line: u64,
}

/// Reader, workers and writer. `resume` gives where the input's reader starts (its offset and line,
/// the counts so far); a new run writes the header.
#[allow(clippy::too_many_arguments)]
fn engine<'r, S: KeyStore>(
    job: &Job,
    services: Services<'_, S>,
    reader: Box<dyn Read + Send + 'r>,
    resume: Option<&Checkpoint>,
    sink: &mut dyn Sink,
    options: &Options,
    total_bytes: Option<u64>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Summary, BatchError> {
    let started = Instant::now();
    let mut state = match resume {
        Some(c) => State {
            offset: c.input_offset,
            line: c.line,
            records: c.records,
            succeeded: c.succeeded,
            rejected: c.rejected,
        },
        None => State { line: 1, ..State::default() },
    };
    let before = state.records;
    let mut framer = Framer::new(reader, job.format, state.offset);
    let layout = match job.format {
        Format::JsonLines => Layout::Json,
        Format::Csv => {
            let header = framer.next_record()?.ok_or_else(|| {
                BatchError::Input("the input is empty: a CSV file starts with its header row".into())
            })?;
            let (layout, header_out) = Layout::csv(job, &header)?;
            if resume.is_none() {
                sink.write(&header_out, &[])?;
                state.offset = framer.offset;
                state.line += newlines(&header);
            } else {
                // The resumed reader replays the header from the start of the file.
                framer.offset = state.offset;
            }
            layout
        }
    };

    let threads = options.threads.max(1);
    let in_flight = threads * 4;
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = sync_channel::<Result<Chunk, (u64, BatchError)>>(threads * 2);
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = sync_channel::<Result<Done, (u64, BatchError)>>(threads * 2);
    let (permit_tx, permit_rx) = sync_channel::<()>(in_flight);
    for _ in 0..in_flight {
        let _ = permit_tx.send(());
    }
    let chunk_records = options.chunk_records.max(1);
    let first_line = state.line;

    std::thread::scope(|scope| -> Result<Summary, BatchError> {
        // Every channel end is owned here, so that leaving early (an I/O error) closes the channels
        // and the reader and workers stop instead of waiting for ever.
        let (permit_tx, done_rx, work_rx) = (permit_tx, done_rx, work_rx);
        let stop = &stop;
        let layout = &layout;
        scope.spawn(move || {
            let mut seq = 0;
            let mut line = first_line;
            while !stop.load(Ordering::Relaxed) {
                if permit_rx.recv().is_err() {
                    return;
                }
                let chunk = framer.next_chunk(seq, line, chunk_records);
                let last = !matches!(chunk, Ok(Some(_)));
                let item = match chunk {
                    Ok(Some(c)) => {
                        line = c.end_line;
                        Ok(c)
                    }
                    Ok(None) => return,
                    Err(e) => Err((seq, e)),
                };
                if work_tx.send(item).is_err() || last {
                    return;
                }
                seq += 1;
            }
        });
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let work_rx = Arc::clone(&work_rx);
            scope.spawn(move || {
                let mut worker = Worker::new(job, layout, services);
                loop {
                    let item = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(item) = item else { return };
                    let done = item.map(|chunk| work(&mut worker, chunk));
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        drop(work_rx);

        let mut pending: BTreeMap<u64, Result<Done, BatchError>> = BTreeMap::new();
        let mut next = 0u64;
        let mut last_checkpoint = (Instant::now(), state.records);
        let mut last_progress = Instant::now();
        let mut stopped = false;
        let mut failure = None;
        'receive: for item in done_rx.iter() {
            let (seq, item) = match item {
                Ok(d) => (d.seq, Ok(d)),
                Err((seq, e)) => (seq, Err(e)),
            };
            pending.insert(seq, item);
            while let Some(item) = pending.remove(&next) {
                next += 1;
                let done = match item {
                    Ok(d) => d,
                    Err(e) => {
                        failure = Some(e);
                        break 'receive;
                    }
                };
                sink.write(&done.out, &done.rejects)?;
                state.offset = done.end_offset;
                state.line = done.end_line;
                state.records += done.records;
                state.succeeded += done.succeeded;
                state.rejected += done.rejected;
                let _ = permit_tx.send(());
                if options.max_rejects.is_some_and(|max| state.rejected > max) {
                    stopped = true;
                    break 'receive;
                }
                let due = state.records - last_checkpoint.1 >= options.checkpoint_records
                    && last_checkpoint.0.elapsed() >= options.checkpoint_interval;
                if due && sink.can_checkpoint() {
                    sink.checkpoint(&state)?;
                    last_checkpoint = (Instant::now(), state.records);
                }
                if last_progress.elapsed() >= Duration::from_millis(100) {
                    last_progress = Instant::now();
                    progress(&Progress {
                        records: state.records,
                        rejected: state.rejected,
                        bytes: state.offset,
                        total_bytes,
                    });
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        drop(done_rx);
        drop(permit_tx);
        // What is written is kept: a stop or an input error leaves a checkpoint to resume from.
        sink.checkpoint(&state)?;
        if let Some(e) = failure {
            return Err(e);
        }
        progress(&Progress {
            records: state.records,
            rejected: state.rejected,
            bytes: state.offset,
            total_bytes,
        });
        let seconds = started.elapsed().as_secs_f64();
        let this_run = state.records - before;
        Ok(Summary {
            records: state.records,
            succeeded: state.succeeded,
            rejected: state.rejected,
            seconds,
            records_per_second: if seconds > 0.0 { this_run as f64 / seconds } else { 0.0 },
            output: None,
            rejects: None,
            stopped,
            resumed_after: resume.map(|c| c.records),
        })
    })
}

/// One chunk through one worker.
fn work<S: KeyStore>(worker: &mut Worker<'_, S>, chunk: Chunk) -> Done {
    let mut out = Vec::with_capacity(chunk.data.len() + chunk.data.len() / 2);
    let mut rejects = Vec::new();
    let (mut records, mut succeeded, mut rejected) = (0, 0, 0);
    let mut start = 0;
    for (&end, &line) in chunk.ends.iter().zip(&chunk.lines) {
        let record = &chunk.data[start..end];
        match worker.record(record, line, &mut out, &mut rejects) {
            Outcome::Done => {
                records += 1;
                succeeded += 1;
            }
            Outcome::Rejected => {
                records += 1;
                rejected += 1;
            }
            Outcome::Blank => {}
        }
        start = end;
    }
    Done {
        seq: chunk.seq,
        out,
        rejects,
        records,
        succeeded,
        rejected,
        end_offset: chunk.end_offset,
        end_line: chunk.end_line,
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Frames the input into records.
struct Framer<'r> {
    reader: Box<dyn Read + Send + 'r>,
    format: Format,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// The input offset of `buf[pos]`.
    offset: u64,
    /// An error met while filling a chunk, reported after that chunk's records.
    failed: Option<BatchError>,
}

impl<'r> Framer<'r> {
    fn new(reader: Box<dyn Read + Send + 'r>, format: Format, offset: u64) -> Self {
        Framer { reader, format, buf: Vec::new(), pos: 0, eof: false, offset, failed: None }
    }

    /// The next record's length in `buf[pos..]` and its line ends, reading more as needed; `None` at
    /// the end.
    fn next_len(&mut self) -> Result<Option<(usize, u64)>, BatchError> {
        loop {
            if let Some(found) = self.format.record_len(&self.buf[self.pos..], self.eof) {
                return Ok(Some(found));
            }
            if self.eof {
                return Ok(None);
            }
            if self.buf.len() - self.pos > MAX_RECORD {
                return Err(BatchError::Input(format!(
                    "the record at byte {} is longer than {} bytes{}",
                    self.offset,
                    MAX_RECORD,
                    if self.format == Format::Csv { " (a quote that never closes?)" } else { "" }
                )));
            }
            self.buf.drain(..self.pos);
            self.pos = 0;
            let have = self.buf.len();
            self.buf.resize(have + READ_SIZE, 0);
            let n = loop {
                match self.reader.read(&mut self.buf[have..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(BatchError::io(Path::new("input"), e)),
                }
            };
            self.buf.truncate(have + n);
            if n == 0 {
                self.eof = true;
            }
        }
    }

    fn next_record(&mut self) -> Result<Option<Vec<u8>>, BatchError> {
        let Some((n, _)) = self.next_len()? else { return Ok(None) };
        let record = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        self.offset += n as u64;
        Ok(Some(record))
    }

    fn next_chunk(
        &mut self,
        seq: u64,
        first_line: u64,
        max_records: usize,
    ) -> Result<Option<Chunk>, BatchError> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let mut data = Vec::new();
        let mut ends = Vec::new();
        let mut lines = Vec::new();
        let mut line = first_line;
        while ends.len() < max_records && data.len() < CHUNK_BYTES {
            let (n, newlines) = match self.next_len() {
                Ok(Some(found)) => found,
                Ok(None) => break,
                // The records before the one that cannot be framed are done first.
                Err(e) if !ends.is_empty() => {
                    self.failed = Some(e);
                    break;
                }
                Err(e) => return Err(e),
            };
            data.extend_from_slice(&self.buf[self.pos..self.pos + n]);
            ends.push(data.len());
            lines.push(line);
            line += newlines;
            self.pos += n;
            self.offset += n as u64;
        }
        if ends.is_empty() {
            return Ok(None);
        }
        Ok(Some(Chunk { seq, data, ends, lines, end_offset: self.offset, end_line: line }))
    }
}

fn open_input(path: Option<&Path>) -> Result<Box<dyn Read + Send>, BatchError> {
    match path {
        Some(p) => Ok(Box::new(File::open(p).map_err(|e| BatchError::io(p, e))?)),
        None => Ok(Box::new(io::stdin())),
    }
}

fn create(path: &Path) -> Result<File, BatchError> {
    OpenOptions::new().write(true).create(true).truncate(true).open(path).map_err(|e| BatchError::io(path, e))
}

/// Opens a partial file of an interrupted run and cuts it back to the checkpoint's length.
fn reopen(path: &Path, length: u64) -> Result<File, BatchError> {
    let mut file = OpenOptions::new().write(true).open(path).map_err(|e| BatchError::io(path, e))?;
    let have = file.metadata().map_err(|e| BatchError::io(path, e))?.len();
    if have < length {
        return Err(BatchError::Resume(format!(
            "{} holds {have} bytes, fewer than the checkpoint's {length}: it was changed or truncated",
            path.display()
        )));
    }
    file.set_len(length).map_err(|e| BatchError::io(path, e))?;
    file.seek(SeekFrom::Start(length)).map_err(|e| BatchError::io(path, e))?;
    Ok(file)
}

fn finish_file(file: File, path: &Path) -> Result<(), BatchError> {
    file.sync_all().map_err(|e| BatchError::io(path, e))
}
