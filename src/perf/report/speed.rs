//! The report of a `paycrypt speed` run.

use super::chart::{self, Axis, Bar, BarChart, LineChart, Point, Series};
use super::text::{bytes, bytes_per_second, si};
use super::{Cell, machine_rows, page, table};
use crate::perf::model::{SpeedResult, SpeedRun};

/// Bytes in a megabyte, as throughput is drawn (MB/s, decimal like `openssl speed`'s).
const MB: f64 = 1e6;

/// A whole HTML5 document picturing a speed run: throughput against message size, operations a
/// second of the workloads without a size, the figures as tables and the run's conditions.
///
/// Self-contained (inline SVG and CSS, no scripts, nothing fetched); text from the run is escaped.
///
/// # Examples
///
/// ```
/// use paycrypt::perf::model::{SpeedResult, SpeedRun};
///
/// let row = |bytes: u64, mb_per_s: f64| SpeedResult {
///     family: "aes".into(),
///     workload: "AES-128-CBC encrypt".into(),
///     bytes: Some(bytes),
///     bytes_per_second: Some(mb_per_s * 1e6),
///     ..SpeedResult::default()
/// };
/// let run = SpeedRun { results: vec![row(16, 610.0), row(4096, 1360.0)], ..SpeedRun::default() };
/// let html = paycrypt::perf::report::speed_html(&run);
/// assert!(html.contains(r#"<g class="series" data-series="AES-128-CBC encrypt""#));
/// assert!(html.contains(r#"data-x="4096" data-y="1360""#));
/// ```
pub fn speed_html(run: &SpeedRun) -> String {
    let mut body = String::new();
    body.push_str(&table("conditions", "Conditions", &[], &conditions(run)));
    let pictures = pictures(run);
    if pictures.is_empty() {
        body.push_str("<p class=\"note\">Nothing to draw: the run has no results.</p>\n");
    }
    for (_, svg) in &pictures {
        body.push_str(svg);
        body.push('\n');
    }
    let sized: Vec<&SpeedResult> = run.results.iter().filter(|r| r.bytes.is_some()).collect();
    if !sized.is_empty() {
        let rows: Vec<Vec<Cell>> = sized.iter().map(|r| sized_row(r)).collect();
        body.push_str(&table(
            "throughput",
            "Throughput by message size",
            &["Family", "Workload", "Size", "Operations/s", "Throughput", "Peer", "Peer throughput", "Ratio"],
            &rows,
        ));
    }
    let sizeless: Vec<&SpeedResult> = run.results.iter().filter(|r| r.bytes.is_none()).collect();
    if !sizeless.is_empty() {
        let rows: Vec<Vec<Cell>> = sizeless
            .iter()
            .map(|r| {
                vec![
                    Cell::text(&r.family),
                    Cell::text(&r.workload),
                    Cell::num(r.operations.to_string()),
                    Cell::num(format!("{:.3}", r.seconds)),
                    Cell::num(si(r.operations_per_second)),
                ]
            })
            .collect();
        body.push_str(&table(
            "operations",
            "Operations a second",
            &["Family", "Workload", "Operations", "Seconds", "Operations/s"],
            &rows,
        ));
    }
    page(&title(run), &body)
}

/// The charts of [`speed_html`] alone, one under another, as a standalone SVG document.
pub fn speed_svg(run: &SpeedRun) -> String {
    let desc = format!(
        "{} results; machine: {}, {} logical CPUs, {}; paycrypt {}.",
        run.results.len(),
        run.machine.cpu,
        run.machine.cores,
        run.machine.os,
        run.machine.paycrypt_version
    );
    chart::document(&title(run), &desc, &pictures(run))
}

fn title(run: &SpeedRun) -> String {
    if run.started.is_empty() {
        "paycrypt speed".to_owned()
    } else {
        format!("paycrypt speed, {}", run.started)
    }
}

fn conditions(run: &SpeedRun) -> Vec<Vec<Cell>> {
    let mut rows = machine_rows(&run.machine);
    rows.push(vec![Cell::text("Started"), Cell::text(&run.started)]);
    rows.push(vec![Cell::text("Seconds per measurement"), Cell::num(format!("{}", run.seconds))]);
    rows.push(vec![Cell::text("Threads"), Cell::num(run.threads.to_string())]);
    rows
}

fn sized_row(r: &SpeedResult) -> Vec<Cell> {
    let size = r.bytes.map_or(0.0, |b| b as f64);
    let (peer, peer_bps, ratio) = match &r.peer {
        Some(p) => (p.name.clone(), bytes_per_second(p.bytes_per_second), format!("{:.2}x", p.ratio)),
        None => (String::new(), String::new(), String::new()),
    };
    vec![
        Cell::text(&r.family),
        Cell::text(&r.workload),
        Cell::num(bytes(size)),
        Cell::num(si(r.operations_per_second)),
        Cell::num(bytes_per_second(throughput(r))),
        Cell::text(peer),
        Cell::num(peer_bps),
        Cell::num(ratio),
    ]
}

/// Bytes a second of a sized result, from the operations when the run left the figure out.
fn throughput(r: &SpeedResult) -> f64 {
    r.bytes_per_second.unwrap_or_else(|| r.bytes.map_or(f64::NAN, |b| b as f64 * r.operations_per_second))
}

/// Each chart as (height, svg): the throughput lines, then one bar chart per family without sizes.
fn pictures(run: &SpeedRun) -> Vec<(f64, String)> {
    let mut out = Vec::new();
    let mut top = 0.0;
    if let Some(lines) = throughput_chart(run) {
        let h = lines.height();
        out.push((h, lines.svg(top)));
        top += h;
    }
    for bars in family_bars(run) {
        let h = bars.height();
        out.push((h, bars.svg(top)));
        top += h;
    }
    out
}

fn throughput_chart(run: &SpeedRun) -> Option<LineChart> {
    let mut workloads: Vec<(&str, Vec<&SpeedResult>)> = Vec::new();
    for r in run.results.iter().filter(|r| r.bytes.is_some()) {
        match workloads.iter_mut().find(|(w, _)| *w == r.workload) {
            Some((_, rows)) => rows.push(r),
            None => workloads.push((&r.workload, vec![r])),
        }
    }
    if workloads.is_empty() {
        return None;
    }
    let mut series = Vec::new();
    for (color, (workload, rows)) in workloads.iter().enumerate() {
        let points = rows
            .iter()
            .map(|r| {
                let size = r.bytes.map_or(f64::NAN, |b| b as f64);
                let y = throughput(r) / MB;
                let tip = format!(
                    "{workload}, {}: {} ({} operations/s)",
                    bytes(size),
                    bytes_per_second(throughput(r)),
                    si(r.operations_per_second)
                );
                Point { x: size, y, tip }
            })
            .collect();
        series.push(Series {
            name: (*workload).to_owned(),
            legend: (*workload).to_owned(),
            color,
            dashed: false,
            points,
        });
        let with_peer: Vec<&&SpeedResult> = rows.iter().filter(|r| r.peer.is_some()).collect();
        if let Some(peer) = with_peer.first().and_then(|r| r.peer.as_ref()) {
            let points = with_peer
                .iter()
                .filter_map(|r| {
                    let p = r.peer.as_ref()?;
                    let size = r.bytes.map_or(f64::NAN, |b| b as f64);
                    let tip = format!(
                        "{}, {workload}, {}: {} (paycrypt/peer {:.2}x)",
                        p.name,
                        bytes(size),
                        bytes_per_second(p.bytes_per_second),
                        p.ratio
                    );
                    Some(Point { x: size, y: p.bytes_per_second / MB, tip })
                })
                .collect();
            series.push(Series {
                name: format!("{workload} [peer]"),
                legend: format!("{workload}: {}", peer.name),
                color,
                dashed: true,
                points,
            });
        }
    }
    let xs: Vec<f64> =
        series.iter().flat_map(|s| s.points.iter().map(|p| p.x)).filter(|x| *x > 0.0).collect();
    let ys: Vec<f64> =
        series.iter().flat_map(|s| s.points.iter().map(|p| p.y)).filter(|y| *y > 0.0).collect();
    let x = Axis::sizes("Message size", &xs, bytes);
    let y = Axis::values("Throughput (MB/s)", &ys, si);
    let mut notes = Vec::new();
    LineChart::drop_unshowable(&mut series, x.scale(), y.scale(), &mut notes);
    let paycrypt = workloads.len();
    let peer_count = series.len() - paycrypt;
    let mut desc = format!(
        "Throughput in MB/s (10^6 bytes a second) against message size on a logarithmic axis: {paycrypt} paycrypt workload(s), solid"
    );
    if peer_count > 0 {
        desc.push_str(&format!(
            ", and {peer_count} peer measurement(s) from the same run, dashed in the same colour"
        ));
    }
    desc.push('.');
    Some(LineChart {
        id: "speed-throughput",
        title: "Throughput by message size".to_owned(),
        desc,
        x,
        y,
        series,
        bands: Vec::new(),
        notes,
    })
}

fn family_bars(run: &SpeedRun) -> Vec<BarChart> {
    let mut families: Vec<(&str, Vec<&SpeedResult>)> = Vec::new();
    for r in run.results.iter().filter(|r| r.bytes.is_none()) {
        match families.iter_mut().find(|(f, _)| *f == r.family) {
            Some((_, rows)) => rows.push(r),
            None => families.push((&r.family, vec![r])),
        }
    }
    families
        .into_iter()
        .enumerate()
        .map(|(i, (family, rows))| BarChart {
            id: format!("speed-ops-{i}"),
            title: format!("{family}: operations a second"),
            desc: format!(
                "Operations a second of the {} {family} workload(s) without a message size.",
                rows.len()
            ),
            axis_label: "Operations a second".to_owned(),
            bars: rows
                .iter()
                .map(|r| Bar {
                    name: r.workload.clone(),
                    value: r.operations_per_second,
                    tip: format!("{}: {} operations/s", r.workload, si(r.operations_per_second)),
                })
                .collect(),
        })
        .collect()
}
