//! The files and streams of `paycrypt esdk`: the input, the output written through
//! `FILE.paycrypt-partial` and renamed only on success, the base64 encoder, and the copy of the
//! message's first bytes that `--metadata-output` reads the header from.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};

use crate::cli::CliError;

/// The name of an input for messages: its path, or "standard input".
pub(crate) fn input_name(input: &str) -> String {
    if input == "-" { "standard input".to_owned() } else { input.to_owned() }
}

/// Opens `--input`: standard input for `-`, else the file (buffered).
pub(crate) fn open_input(input: &str) -> Result<Box<dyn Read>, CliError> {
    if input == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = File::open(input).map_err(|e| {
        CliError::new(format!("cannot open {input}: {e}")).hint("check --input (- reads standard input)")
    })?;
    Ok(Box::new(BufReader::with_capacity(64 * 1024, file)))
}

/// The error for a failed read of `--input`.
pub(crate) fn read_error(input: &str, e: &std::io::Error) -> CliError {
    CliError::new(format!("cannot read {}: {e}", input_name(input)))
}

/// The error for a failed write of an output (`-`: standard output).
pub(crate) fn write_error(output: &str, e: &std::io::Error) -> CliError {
    let name = if output == "-" { "standard output" } else { output };
    CliError::new(format!("cannot write {name}: {e}"))
}

/// Writes `bytes` to standard output and flushes.
pub(crate) fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes).and_then(|()| out.flush()).map_err(|e| write_error("-", &e))
}

/// Where a result goes: standard output, or `FILE.paycrypt-partial`, renamed to FILE by
/// [`Output::commit`] and removed if the command fails first.
pub(crate) struct Output {
    writer: BufWriter<Box<dyn Write>>,
    file: Option<(PathBuf, PathBuf)>,
    committed: bool,
}

impl Output {
    /// Standard output for `-`, else the partial file beside `path` (readable by its owner only when
    /// `secret`).
    pub(crate) fn create(path: &str, secret: bool) -> Result<Self, CliError> {
        if path == "-" {
            let stdout: Box<dyn Write> = Box::new(std::io::stdout());
            return Ok(Output {
                writer: BufWriter::with_capacity(64 * 1024, stdout),
                file: None,
                committed: false,
            });
        }
        let target = PathBuf::from(path);
        let partial = partial_path(&target);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if secret {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = secret;
        let file = options.open(&partial).map_err(|e| {
            CliError::new(format!("cannot create {}: {e}", partial.display()))
                .hint("check that the directory exists and is writable")
        })?;
        let file: Box<dyn Write> = Box::new(file);
        Ok(Output {
            writer: BufWriter::with_capacity(64 * 1024, file),
            file: Some((partial, target)),
            committed: false,
        })
    }

    pub(crate) fn writer(&mut self) -> &mut BufWriter<Box<dyn Write>> {
        &mut self.writer
    }

    /// Flushes, and renames the partial file into place.
    pub(crate) fn commit(mut self) -> Result<(), CliError> {
        let shown = self.file.as_ref().map_or_else(|| "-".to_owned(), |(_, t)| t.display().to_string());
        self.writer.flush().map_err(|e| write_error(&shown, &e))?;
        if let Some((partial, target)) = &self.file {
            std::fs::rename(partial, target)
                .map_err(|e| CliError::new(format!("cannot rename {} to {shown}: {e}", partial.display())))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if !self.committed
            && let Some((partial, _)) = &self.file
        {
            let _ = std::fs::remove_file(partial);
        }
    }
}

/// `FILE.paycrypt-partial`.
fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.as_os_str().to_owned();
    name.push(".paycrypt-partial");
    PathBuf::from(name)
}

/// A writer that keeps the first bytes written through it (up to 1 MiB): the message's header, for
/// `--metadata-output`.
pub(crate) struct HeadTee<'a> {
    inner: &'a mut dyn Write,
    head: Vec<u8>,
}

impl<'a> HeadTee<'a> {
    const LIMIT: usize = 1 << 20;

    pub(crate) fn new(inner: &'a mut dyn Write) -> Self {
        HeadTee { inner, head: Vec::new() }
    }

    pub(crate) fn head(&self) -> &[u8] {
        &self.head
    }
}

impl Write for HeadTee<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let room = Self::LIMIT.saturating_sub(self.head.len());
        self.head.extend_from_slice(&buf[..n.min(room)]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A writer that base64-encodes what it is given, in whole 3-byte groups, onto another writer;
/// [`Base64Writer::finish`] writes the last group with its padding, and a newline.
pub(crate) struct Base64Writer<'a> {
    inner: &'a mut dyn Write,
    pending: Vec<u8>,
}

impl<'a> Base64Writer<'a> {
    /// Encoded in chunks of at least this many bytes.
    const CHUNK: usize = 48 * 1024;

    pub(crate) fn new(inner: &'a mut dyn Write) -> Self {
        Base64Writer { inner, pending: Vec::new() }
    }

    pub(crate) fn finish(self) -> std::io::Result<()> {
        let mut text = Base64::encode_string(&self.pending);
        text.push('\n');
        self.inner.write_all(text.as_bytes())?;
        self.inner.flush()
    }
}

impl Write for Base64Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= Self::CHUNK {
            let whole = self.pending.len() / 3 * 3;
            let text = Base64::encode_string(&self.pending[..whole]);
            self.inner.write_all(text.as_bytes())?;
            self.pending.drain(..whole);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_in_pieces_is_base64_of_the_whole() {
        let data: Vec<u8> = (0..200_000u32).map(|i| u8::try_from(i % 251).unwrap()).collect();
        for piece in [1, 2, 3, 7, 4096, 65_537] {
            let mut out = Vec::new();
            let mut b64 = Base64Writer::new(&mut out);
            for chunk in data.chunks(piece) {
                b64.write_all(chunk).unwrap();
            }
            b64.finish().unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), Base64::encode_string(&data) + "\n", "{piece}");
        }
    }

    #[test]
    fn the_tee_keeps_the_first_bytes() {
        let mut out = Vec::new();
        let mut tee = HeadTee::new(&mut out);
        tee.write_all(b"header").unwrap();
        tee.write_all(b" and body").unwrap();
        assert_eq!(tee.head(), b"header and body");
    }

    #[test]
    fn the_partial_file_is_beside_the_output() {
        assert_eq!(partial_path(Path::new("dir/out.bin")), PathBuf::from("dir/out.bin.paycrypt-partial"));
    }
}
