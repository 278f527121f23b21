//! Reports of benchmark runs as pictures: a self-contained HTML page (inline SVG and CSS, no scripts,
//! nothing fetched) or the charts alone as one SVG document.
//!
//! - [`speed_html`], [`speed_svg`]: throughput against message size, one line per workload (cipher,
//!   mode, direction) and a dashed line for the peer (OpenSSL) where the run compared; workloads
//!   without a size (DUKPT, RSA, service operations) as bars of operations a second per family.
//! - [`load_html`], [`load_svg`]: requests a second over time with the intervals that had errors
//!   shaded, and the latency percentile curve on the "nines" axis (50, 90, 99, 99.9, ...).
//!
//! Every series is an SVG group `data-series="NAME"` and every point carries `data-x`/`data-y`, so
//! tests (and anyone scripting a browser) can read the figures back. All text from the run is
//! escaped; values a chart cannot show (NaN, infinities, zero on a logarithmic axis) are left out
//! and a note under the chart says how many.

mod chart;
mod load;
mod speed;
mod text;

use std::fmt::Write as _;

pub use load::{load_html, load_svg};
pub use speed::{speed_html, speed_svg};

use text::escape;

use crate::perf::model::Machine;

/// The page's CSS: no fonts, images or imports, so opening it needs no network.
const CSS: &str = "body{font-family:sans-serif;margin:2em auto;max-width:1140px;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}\
td.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:bold;padding:.3em 0}\
svg.chart{display:block;max-width:100%;height:auto;margin:1em 0}p.note{color:#a00}";

/// A whole HTML5 document around `body` (already escaped markup).
///
/// The Content-Security-Policy forbids every fetch (scripts, images, fonts, frames, connections), so a
/// report stays offline whatever a browser makes of it.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{0}</title>\n\
<style>{CSS}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// A table cell: text, and whether it is a number (right-aligned).
struct Cell {
    text: String,
    numeric: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), numeric: false }
    }

    fn num(s: impl Into<String>) -> Cell {
        Cell { text: s.into(), numeric: true }
    }
}

/// An HTML table; `key` names it (`data-table`); no header row when `headers` is empty.
fn table(key: &str, caption: &str, headers: &[&str], rows: &[Vec<Cell>]) -> String {
    let mut out = format!("<table data-table=\"{}\">\n<caption>{}</caption>\n", escape(key), escape(caption));
    if !headers.is_empty() {
        out.push_str("<thead><tr>");
        for h in headers {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if cell.numeric { " class=\"num\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(&cell.text));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The rows describing a machine, for a conditions table.
fn machine_rows(machine: &Machine) -> Vec<Vec<Cell>> {
    vec![
        vec![Cell::text("CPU"), Cell::text(&machine.cpu)],
        vec![Cell::text("Logical CPUs"), Cell::num(machine.cores.to_string())],
        vec![Cell::text("Operating system"), Cell::text(&machine.os)],
        vec![Cell::text("paycrypt"), Cell::text(&machine.paycrypt_version)],
    ]
}
