//! The report of a `paycrypt load` run.

use super::chart::{self, Axis, Band, LineChart, Point, Scale, Series};
use super::text::si;
use super::{Cell, machine_rows, page, table};
use crate::perf::model::LoadRun;

/// Palette slots: throughput blue, errors red, latency green.
const BLUE: usize = 0;
const RED: usize = 1;
const GREEN: usize = 2;

/// A whole HTML5 document picturing a load run: throughput over time (intervals with errors
/// shaded), the latency percentile curve, a summary table and the run's conditions.
///
/// Self-contained (inline SVG and CSS, no scripts, nothing fetched); text from the run is escaped.
///
/// # Examples
///
/// ```
/// use paycrypt::perf::model::{LoadInterval, LoadRun};
///
/// let run = LoadRun {
///     percentiles: vec![(50.0, 0.21), (99.0, 1.96), (99.9, 6.85)],
///     timeline: vec![LoadInterval { second: 1.0, requests: 4012, errors: 0, p99: 1.9 }],
///     ..LoadRun::default()
/// };
/// let html = paycrypt::perf::report::load_html(&run);
/// assert!(html.contains(r#"<circle class="point" data-x="99.9" data-y="6.85""#));
/// ```
pub fn load_html(run: &LoadRun) -> String {
    let mut body = String::new();
    body.push_str(&table("summary", "Summary", &[], &summary(run)));
    for (_, svg) in pictures(run) {
        body.push_str(&svg);
        body.push('\n');
    }
    body.push_str(&table("conditions", "Conditions", &[], &conditions(run)));
    page(&title(run), &body)
}

/// The charts of [`load_html`] alone, one under another, as a standalone SVG document.
pub fn load_svg(run: &LoadRun) -> String {
    let desc = format!(
        "{} requests to {} over {} s on {} connection(s): {} requests/s, p50 {} ms, p99 {} ms, max {} ms, {} error(s).",
        run.requests,
        run.operation,
        run.duration_seconds,
        run.connections,
        si(run.throughput),
        si(run.latency.p50),
        si(run.latency.p99),
        si(run.latency.max),
        run.errors.values().sum::<u64>()
    );
    chart::document(&title(run), &desc, &pictures(run))
}

fn title(run: &LoadRun) -> String {
    let mut t = "paycrypt load".to_owned();
    if !run.operation.is_empty() {
        t.push_str(&format!(": {}", run.operation));
    }
    if !run.started.is_empty() {
        t.push_str(&format!(", {}", run.started));
    }
    t
}

fn summary(run: &LoadRun) -> Vec<Vec<Cell>> {
    let errors: u64 = run.errors.values().sum();
    let mut rows = vec![
        vec![Cell::text("Requests"), Cell::num(run.requests.to_string())],
        vec![Cell::text("Errors"), Cell::num(errors.to_string())],
    ];
    for (name, n) in &run.errors {
        rows.push(vec![Cell::text(format!("Errors: {name}")), Cell::num(n.to_string())]);
    }
    let l = &run.latency;
    rows.extend([
        vec![Cell::text("Throughput (requests/s)"), Cell::num(si(run.throughput))],
        vec![Cell::text("Latency mean (ms)"), Cell::num(si(l.mean))],
        vec![Cell::text("Latency p50 (ms)"), Cell::num(si(l.p50))],
        vec![Cell::text("Latency p90 (ms)"), Cell::num(si(l.p90))],
        vec![Cell::text("Latency p99 (ms)"), Cell::num(si(l.p99))],
        vec![Cell::text("Latency p99.9 (ms)"), Cell::num(si(l.p999))],
        vec![Cell::text("Latency max (ms)"), Cell::num(si(l.max))],
    ]);
    rows
}

fn conditions(run: &LoadRun) -> Vec<Vec<Cell>> {
    let mut rows = machine_rows(&run.machine);
    let rate =
        run.rate.map_or_else(|| "closed loop".to_owned(), |r| format!("{} requests/s (open loop)", si(r)));
    rows.extend([
        vec![Cell::text("Started"), Cell::text(&run.started)],
        vec![Cell::text("Endpoint"), Cell::text(&run.endpoint)],
        vec![Cell::text("Operation"), Cell::text(&run.operation)],
        vec![Cell::text("Connections"), Cell::num(run.connections.to_string())],
        vec![Cell::text("Rate"), Cell::text(rate)],
        vec![Cell::text("Warm-up (s)"), Cell::num(format!("{}", run.warmup_seconds))],
        vec![Cell::text("Duration (s)"), Cell::num(format!("{}", run.duration_seconds))],
    ]);
    rows
}

/// Each chart as (height, svg): throughput over time, then the latency curve.
fn pictures(run: &LoadRun) -> Vec<(f64, String)> {
    let timeline = timeline_chart(run);
    let first = timeline.height();
    let latency = latency_chart(run);
    vec![(first, timeline.svg(0.0)), (latency.height(), latency.svg(first))]
}

fn timeline_chart(run: &LoadRun) -> LineChart {
    let mut requests = Vec::new();
    let mut errors = Vec::new();
    let mut bands = Vec::new();
    let mut previous = 0.0;
    for interval in &run.timeline {
        let length = interval.second - previous;
        // One entry a second is the contract; a gap or a step back counts as one second.
        let length = if length.is_finite() && length > 0.0 { length } else { 1.0 };
        let start = interval.second - length;
        let (n, e) = (interval.requests as f64, interval.errors as f64);
        let tip = format!(
            "second {}: {} requests, {} errors, p99 {} ms",
            interval.second,
            interval.requests,
            interval.errors,
            si(interval.p99)
        );
        requests.push(Point { x: interval.second, y: n / length, tip: tip.clone() });
        errors.push(Point { x: interval.second, y: e / length, tip: tip.clone() });
        if interval.errors > 0 && interval.second.is_finite() {
            bands.push(Band { from: start, to: interval.second, tip });
        }
        if interval.second.is_finite() {
            previous = interval.second;
        }
    }
    let mut series = vec![
        Series {
            name: "throughput".to_owned(),
            legend: "Requests/s".to_owned(),
            color: BLUE,
            dashed: false,
            points: requests,
        },
        Series {
            name: "errors".to_owned(),
            legend: "Errors/s (shaded: intervals with errors)".to_owned(),
            color: RED,
            dashed: false,
            points: errors,
        },
    ];
    let finite = |v: &f64| v.is_finite();
    let xs: Vec<f64> = series[0].points.iter().map(|p| p.x).filter(finite).collect();
    let ys: Vec<f64> = series.iter().flat_map(|s| s.points.iter().map(|p| p.y)).filter(finite).collect();
    let x_max = xs.iter().copied().fold(0.0, f64::max);
    let y_max = ys.iter().copied().fold(0.0, f64::max);
    let x = Axis::linear("Seconds since the start", 0.0, x_max.max(1.0), si);
    let y = Axis::linear("Requests a second", 0.0, y_max.max(1.0), si);
    let mut notes = Vec::new();
    LineChart::drop_unshowable(&mut series, x.scale(), y.scale(), &mut notes);
    if run.timeline.is_empty() {
        notes.push("The run has no timeline.".to_owned());
    }
    let error_intervals = bands.len();
    LineChart {
        id: "load-timeline",
        title: "Throughput over time".to_owned(),
        desc: format!(
            "Requests and errors a second in each of {} interval(s); {error_intervals} interval(s) with errors are shaded.",
            run.timeline.len()
        ),
        x,
        y,
        series,
        bands,
        notes,
    }
}

fn latency_chart(run: &LoadRun) -> LineChart {
    let points: Vec<Point> = run
        .percentiles
        .iter()
        .map(|&(p, ms)| Point { x: p, y: ms, tip: format!("p{p}: {} ms", si(ms)) })
        .collect();
    let mut notes = Vec::new();
    let at_top = points.iter().filter(|p| p.x >= 100.0).count();
    let ps: Vec<f64> = points.iter().map(|p| p.x).collect();
    let ms: Vec<f64> =
        points.iter().filter(|p| Scale::Nines.accepts(p.x)).map(|p| p.y).filter(|y| y.is_finite()).collect();
    let positive: Vec<f64> = ms.iter().copied().filter(|y| *y > 0.0).collect();
    let y = if positive.len() == ms.len() {
        Axis::values("Latency (ms)", &ms, si)
    } else {
        Axis::linear("Latency (ms)", 0.0, ms.iter().copied().fold(0.0, f64::max).max(0.001), si)
    };
    let x = Axis::nines("Percentile", &ps);
    // The 100th percentile (the maximum) has no place on the nines axis; it gets its own note.
    let points = points.into_iter().filter(|p| p.x < 100.0).collect();
    let mut series = vec![Series {
        name: "latency".to_owned(),
        legend: "Latency at percentile".to_owned(),
        color: GREEN,
        dashed: false,
        points,
    }];
    LineChart::drop_unshowable(&mut series, x.scale(), y.scale(), &mut notes);
    if at_top > 0 {
        notes.push(format!(
            "The 100th percentile (the maximum, {} ms) cannot sit on this axis.",
            si(run.latency.max)
        ));
    }
    if run.percentiles.is_empty() {
        notes.push("The run has no percentile curve.".to_owned());
    }
    LineChart {
        id: "load-latency",
        title: "Latency by percentile".to_owned(),
        desc: format!(
            "Latency in milliseconds at {} percentile(s), on an axis where 90, 99, 99.9 and 99.99 are evenly spaced (-log10(1 - p/100)).",
            run.percentiles.len()
        ),
        x,
        y,
        series,
        bands: Vec::new(),
        notes,
    }
}
