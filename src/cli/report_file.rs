//! `--report FILE` of `paycrypt speed` and `paycrypt load`: the run drawn as a self-contained HTML
//! page, or as an SVG document when FILE ends in `.svg`, written whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::CliError;

/// Writes the report of a run to `path`: `svg()` for a `.svg` file, else `html()`. The text goes to a
/// temporary file beside `path` that is then renamed over it, so a reader never sees half a report.
pub(crate) fn write_report(
    path: &Path,
    html: impl FnOnce() -> String,
    svg: impl FnOnce() -> String,
) -> Result<(), CliError> {
    let is_svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let text = if is_svg { svg() } else { html() };
    let name = path
        .file_name()
        .ok_or_else(|| CliError::new(format!("--report {}: not a file name", path.display())))?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp: PathBuf = path.with_file_name(tmp_name);
    let fail = |e: std::io::Error| CliError::new(format!("cannot write the report {}: {e}", path.display()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    eprintln!("report written to {}", path.display());
    Ok(())
}
