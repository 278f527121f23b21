//! A query's results into one file, all or nothing: written to a temporary file beside the target and
//! renamed over it only when the last batch is in. A query that fails (an executor lost for good, a
//! function error in some row) leaves no output file, and an earlier file of that name as it was.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use datafusion::arrow::csv;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::SendableRecordBatchStream;
use datafusion::parquet::arrow::ArrowWriter;
use futures::StreamExt;

/// The file formats [`write_atomically`] writes, chosen by the file's extension.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Format {
    /// `.parquet`
    Parquet,
    /// `.csv`, with a header line.
    Csv,
}

impl Format {
    /// The format for `path`'s extension.
    ///
    /// # Errors
    /// A plan error naming the path when its extension is neither `.parquet` nor `.csv`.
    pub fn of(path: &Path) -> Result<Format> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("parquet") => Ok(Format::Parquet),
            Some("csv") => Ok(Format::Csv),
            _ => Err(DataFusionError::Plan(format!(
                "cannot tell the output format of {}: name it .parquet or .csv",
                path.display()
            ))),
        }
    }
}

enum Sink {
    Parquet(ArrowWriter<BufWriter<File>>),
    Csv(csv::Writer<BufWriter<File>>),
}

impl Sink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            Sink::Parquet(w) => w.write(batch)?,
            Sink::Csv(w) => w.write(batch)?,
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        let mut file = match self {
            Sink::Parquet(w) => w.into_inner()?,
            Sink::Csv(w) => w.into_inner(),
        };
        file.flush()?;
        file.into_inner().map_err(|e| DataFusionError::IoError(e.into_error()))?.sync_all()?;
        Ok(())
    }
}

/// The temporary file beside `path`: same directory (so the rename is atomic), a name that cannot be
/// mistaken for output.
fn temporary(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// Writes every batch of `stream` to `path` (format by extension), atomically; returns the row count.
///
/// # Errors
/// The stream's first error (the query's), or an I/O error; in both cases no file is left at `path`
/// (nor the temporary one).
pub async fn write_atomically(
    path: &Path,
    schema: SchemaRef,
    mut stream: SendableRecordBatchStream,
) -> Result<usize> {
    let format = Format::of(path)?;
    let partial = temporary(path);
    let result = async {
        let file = BufWriter::new(File::create(&partial)?);
        let mut sink = match format {
            Format::Parquet => Sink::Parquet(ArrowWriter::try_new(file, schema, None)?),
            Format::Csv => Sink::Csv(csv::WriterBuilder::new().with_header(true).build(file)),
        };
        let mut rows = 0;
        while let Some(batch) = stream.next().await {
            let batch = batch?;
            rows += batch.num_rows();
            sink.write(&batch)?;
        }
        sink.finish()?;
        std::fs::rename(&partial, path)?;
        Ok(rows)
    }
    .await;
    if result.is_err() {
        // Best effort: the error being returned matters more than a failed clean-up.
        let _ = std::fs::remove_file(&partial);
    }
    result
}
