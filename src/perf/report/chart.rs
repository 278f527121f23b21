//! The charts, as hand-written SVG: a line chart over two numeric axes (each linear, logarithmic or
//! on the "nines" scale of latency percentiles) and a horizontal bar chart.
//!
//! Every series is a `<g data-series="NAME">` and every drawn point carries its model values as
//! `data-x`/`data-y`, so a test can read the picture back from the DOM. Values an axis cannot show
//! (NaN, infinities, zero or less on a logarithmic axis, 100% and beyond on the nines axis) are left
//! out and counted in a note under the chart, never drawn somewhere wrong.

use std::fmt::Write as _;

use super::text::{escape, shorten, si};

/// Series colours; a peer's series takes its workload's colour, dashed.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22",
];
const WIDTH: f64 = 1100.0;
const LEFT: f64 = 80.0;
const TOP: f64 = 50.0;
const PLOT_WIDTH: f64 = 660.0;
const PLOT_HEIGHT: f64 = 340.0;
const LEGEND_X: f64 = LEFT + PLOT_WIDTH + 30.0;
const LEGEND_ROW: f64 = 18.0;
const NOTE_ROW: f64 = 18.0;

/// How an axis maps values to positions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scale {
    Linear,
    /// Logarithmic, ticks at powers of ten.
    Log10,
    /// Logarithmic, ticks at powers of two (message sizes).
    Log2,
    /// Percentiles on -log10(1 - p/100): 90, 99, 99.9 evenly spaced.
    Nines,
}

impl Scale {
    pub(crate) fn accepts(self, v: f64) -> bool {
        match self {
            Scale::Linear => v.is_finite(),
            Scale::Log10 | Scale::Log2 => v.is_finite() && v > 0.0,
            Scale::Nines => v.is_finite() && (0.0..100.0).contains(&v),
        }
    }

    fn transform(self, v: f64) -> f64 {
        match self {
            Scale::Linear => v,
            Scale::Log10 => v.log10(),
            Scale::Log2 => v.log2(),
            Scale::Nines => -(1.0 - v / 100.0).log10(),
        }
    }
}

/// One axis: its label, scale, domain (in model units) and ticks.
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    label: String,
    scale: Scale,
    min: f64,
    max: f64,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// A logarithmic axis of message sizes spanning at least 16 B to 1 MiB, ticks at powers of four.
    pub(crate) fn sizes(label: &str, values: &[f64], tick_label: fn(f64) -> String) -> Axis {
        let (lo, hi) = extent(values).unwrap_or((16.0, 1_048_576.0));
        let lo = lo.min(16.0).log2().floor();
        let hi = hi.max(1_048_576.0).log2().ceil();
        let step = ((hi - lo) / 10.0).ceil().max(1.0);
        let step = if step > 1.0 && step % 2.0 == 1.0 { step + 1.0 } else { step.max(2.0) };
        let mut ticks = Vec::new();
        let mut e = lo;
        while e <= hi && ticks.len() < 64 {
            let v = e.exp2();
            ticks.push((v, tick_label(v)));
            e += step;
        }
        Axis { label: label.to_owned(), scale: Scale::Log2, min: lo.exp2(), max: hi.exp2(), ticks }
    }

    /// A value axis: logarithmic when the values span more than two decades, else linear from zero.
    pub(crate) fn values(label: &str, values: &[f64], tick_label: fn(f64) -> String) -> Axis {
        match extent(values) {
            Some((lo, hi)) if lo > 0.0 && hi / lo > 100.0 => Axis::log10(label, lo, hi, tick_label),
            Some((lo, hi)) => Axis::linear(label, lo.min(0.0), hi, tick_label),
            None => Axis::linear(label, 0.0, 1.0, tick_label),
        }
    }

    /// A linear axis over `lo..=hi` (widened when empty), ticks at 1, 2 or 5 times a power of ten.
    pub(crate) fn linear(label: &str, lo: f64, hi: f64, tick_label: fn(f64) -> String) -> Axis {
        let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 1.0, lo + 1.0) };
        let raw = (hi - lo) / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let min = (lo / step).floor() * step;
        let max = (hi / step).ceil() * step;
        let mut ticks = Vec::new();
        let mut v = min;
        while v <= max + step / 2.0 && ticks.len() < 64 {
            // Round away the float noise of repeated addition (0.30000000000000004).
            let t = (v / step).round() * step;
            ticks.push((t, tick_label(t)));
            v += step;
        }
        Axis { label: label.to_owned(), scale: Scale::Linear, min, max, ticks }
    }

    fn log10(label: &str, lo: f64, hi: f64, tick_label: fn(f64) -> String) -> Axis {
        let lo = lo.log10().floor();
        let hi = hi.log10().ceil().max(lo + 1.0);
        let step = ((hi - lo) / 8.0).ceil().max(1.0);
        let mut ticks = Vec::new();
        let mut e = lo;
        while e <= hi && ticks.len() < 64 {
            let v = 10f64.powf(e);
            ticks.push((v, tick_label(v)));
            e += step;
        }
        Axis { label: label.to_owned(), scale: Scale::Log10, min: 10f64.powf(lo), max: 10f64.powf(hi), ticks }
    }

    /// The nines axis of a latency curve, from the median (or the lowest percentile) to the highest.
    pub(crate) fn nines(label: &str, percentiles: &[f64]) -> Axis {
        let valid: Vec<f64> = percentiles.iter().copied().filter(|p| Scale::Nines.accepts(*p)).collect();
        let top = extent(&valid).map_or(99.9, |(_, hi)| hi);
        let nines = Scale::Nines.transform(top).ceil().clamp(2.0, 15.0);
        let mut ticks = vec![(0.0, "0".to_owned()), (50.0, "50".to_owned())];
        let mut p = 90.0;
        let mut n = 1.0;
        while n <= nines {
            ticks.push((p, trim_percent(p)));
            p = 100.0 - (100.0 - p) / 10.0;
            n += 1.0;
        }
        let max = 100.0 - 100.0 * 10f64.powf(-nines);
        Axis { label: label.to_owned(), scale: Scale::Nines, min: 0.0, max, ticks }
    }

    /// How the axis maps values to positions.
    pub(crate) fn scale(&self) -> Scale {
        self.scale
    }

    /// The position of `v` between 0 (the domain's start) and 1 (its end).
    fn fraction(&self, v: f64) -> f64 {
        let (a, b) = (self.scale.transform(self.min), self.scale.transform(self.max));
        let span = b - a;
        let f = (self.scale.transform(v) - a) / span;
        if span.is_finite() && span > 0.0 && !f.is_nan() { f.clamp(-0.05, 1.05) } else { 0.5 }
    }
}

/// One point of a line series, in model units, with the text its tooltip shows.
#[derive(Clone, Debug)]
pub(crate) struct Point {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) tip: String,
}

/// A line series.
#[derive(Clone, Debug)]
pub(crate) struct Series {
    /// The stable name, the `data-series` attribute.
    pub(crate) name: String,
    /// What the legend says.
    pub(crate) legend: String,
    pub(crate) color: usize,
    pub(crate) dashed: bool,
    pub(crate) points: Vec<Point>,
}

/// A shaded stretch of the x axis, e.g. an interval with errors.
#[derive(Clone, Debug)]
pub(crate) struct Band {
    pub(crate) from: f64,
    pub(crate) to: f64,
    pub(crate) tip: String,
}

/// A line chart, ready to draw.
#[derive(Clone, Debug)]
pub(crate) struct LineChart {
    /// The chart's id, unique in the document (`data-chart` and the ids of its title and desc).
    pub(crate) id: &'static str,
    pub(crate) title: String,
    pub(crate) desc: String,
    pub(crate) x: Axis,
    pub(crate) y: Axis,
    pub(crate) series: Vec<Series>,
    pub(crate) bands: Vec<Band>,
    /// Lines of text under the chart.
    pub(crate) notes: Vec<String>,
}

impl LineChart {
    /// Drops the points the axes cannot show, adding a note that says how many.
    pub(crate) fn drop_unshowable(series: &mut [Series], x: Scale, y: Scale, notes: &mut Vec<String>) {
        let mut dropped = 0usize;
        for s in series.iter_mut() {
            let before = s.points.len();
            s.points.retain(|p| x.accepts(p.x) && y.accepts(p.y));
            dropped += before - s.points.len();
        }
        if dropped > 0 {
            notes.push(format!(
                "{dropped} point(s) left out: not a finite number, or not positive on a logarithmic axis."
            ));
        }
    }

    /// The chart's height in pixels.
    pub(crate) fn height(&self) -> f64 {
        let legend = LEGEND_ROW * count(self.series.len()) + TOP + 20.0;
        (TOP + PLOT_HEIGHT + 60.0).max(legend) + NOTE_ROW * count(self.notes.len())
    }

    /// The chart as an `<svg>` element placed at `top` (which only matters when nested).
    pub(crate) fn svg(&self, top: f64) -> String {
        let height = self.height();
        let mut out = open_svg(self.id, &self.title, &self.desc, top, height);
        let bottom = TOP + PLOT_HEIGHT;
        for band in self.bands.iter().filter(|b| b.from.is_finite() && b.to.is_finite()) {
            let (a, b) = (self.px_x(band.from), self.px_x(band.to));
            let _ = write!(
                out,
                r##"<rect class="band" data-x="{}" x="{:.1}" y="{TOP}" width="{:.1}" height="{PLOT_HEIGHT}" fill="#f8d0d0"><title>{}</title></rect>"##,
                band.to,
                a.min(b),
                (b - a).abs().max(1.0),
                escape(&band.tip)
            );
        }
        self.x_axis(&mut out, bottom);
        self.y_axis(&mut out);
        for s in &self.series {
            let color = PALETTE[s.color % PALETTE.len()];
            let mut sorted: Vec<&Point> = s.points.iter().collect();
            sorted.sort_by(|a, b| a.x.total_cmp(&b.x));
            let _ = write!(
                out,
                r#"<g class="series" data-series="{}" stroke="{color}" fill="{color}">"#,
                escape(&s.name)
            );
            let line: Vec<String> =
                sorted.iter().map(|p| format!("{:.1},{:.1}", self.px_x(p.x), self.px_y(p.y))).collect();
            let dash = if s.dashed { r#" stroke-dasharray="6 4""# } else { "" };
            let _ =
                write!(out, r#"<polyline points="{}" fill="none" stroke-width="2"{dash}/>"#, line.join(" "));
            for p in sorted {
                let _ = write!(
                    out,
                    r#"<circle class="point" data-x="{}" data-y="{}" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}</title></circle>"#,
                    p.x,
                    p.y,
                    self.px_x(p.x),
                    self.px_y(p.y),
                    escape(&p.tip)
                );
            }
            out.push_str("</g>");
        }
        let mut y = TOP + 10.0;
        out.push_str(r#"<g class="legend">"#);
        for s in &self.series {
            let color = PALETTE[s.color % PALETTE.len()];
            let dash = if s.dashed { r#" stroke-dasharray="6 4""# } else { "" };
            let _ = write!(
                out,
                r#"<g data-legend="{}"><title>{}</title><line x1="{LEGEND_X}" y1="{y}" x2="{}" y2="{y}" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="{}" font-size="12">{}</text></g>"#,
                escape(&s.name),
                escape(&s.legend),
                LEGEND_X + 24.0,
                LEGEND_X + 30.0,
                y + 4.0,
                escape(&shorten(&s.legend, 50))
            );
            y += LEGEND_ROW;
        }
        out.push_str("</g>");
        notes(&mut out, &self.notes, height - NOTE_ROW * count(self.notes.len()));
        out.push_str("</svg>");
        out
    }

    fn px_x(&self, v: f64) -> f64 {
        LEFT + self.x.fraction(v) * PLOT_WIDTH
    }

    fn px_y(&self, v: f64) -> f64 {
        TOP + (1.0 - self.y.fraction(v)) * PLOT_HEIGHT
    }

    fn x_axis(&self, out: &mut String, bottom: f64) {
        let _ = write!(
            out,
            r##"<g class="axis" data-axis="x"><line x1="{LEFT}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##,
            LEFT + PLOT_WIDTH
        );
        for (v, label) in &self.x.ticks {
            let x = self.px_x(*v);
            let _ = write!(
                out,
                r##"<g class="tick" data-tick="{0}"><line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}" stroke="#e4e4e4"/><line x1="{x:.1}" y1="{bottom}" x2="{x:.1}" y2="{1}" stroke="#333"/><text x="{x:.1}" y="{2}" font-size="12" text-anchor="middle">{0}</text></g>"##,
                escape(label),
                bottom + 5.0,
                bottom + 20.0
            );
        }
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}" font-size="13" text-anchor="middle">{}</text></g>"#,
            LEFT + PLOT_WIDTH / 2.0,
            bottom + 42.0,
            escape(&self.x.label)
        );
    }

    fn y_axis(&self, out: &mut String) {
        let _ = write!(
            out,
            r##"<g class="axis" data-axis="y"><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{}" stroke="#333"/>"##,
            TOP + PLOT_HEIGHT
        );
        for (v, label) in &self.y.ticks {
            let y = self.px_y(*v);
            let _ = write!(
                out,
                r##"<g class="tick" data-tick="{0}"><line x1="{LEFT}" y1="{y:.1}" x2="{1}" y2="{y:.1}" stroke="#e4e4e4"/><line x1="{2}" y1="{y:.1}" x2="{LEFT}" y2="{y:.1}" stroke="#333"/><text x="{3}" y="{4:.1}" font-size="12" text-anchor="end">{0}</text></g>"##,
                escape(label),
                LEFT + PLOT_WIDTH,
                LEFT - 5.0,
                LEFT - 8.0,
                y + 4.0
            );
        }
        let (x, y) = (18.0, TOP + PLOT_HEIGHT / 2.0);
        let _ = write!(
            out,
            r#"<text class="label" x="{x}" y="{y}" font-size="13" text-anchor="middle" transform="rotate(-90 {x} {y})">{}</text></g>"#,
            escape(&self.y.label)
        );
    }
}

/// One bar.
#[derive(Clone, Debug)]
pub(crate) struct Bar {
    /// The `data-series` name and the label beside the bar.
    pub(crate) name: String,
    pub(crate) value: f64,
    pub(crate) tip: String,
}

/// A horizontal bar chart, one bar per row, values on a linear or logarithmic axis.
#[derive(Clone, Debug)]
pub(crate) struct BarChart {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) desc: String,
    pub(crate) axis_label: String,
    pub(crate) bars: Vec<Bar>,
}

const BAR_LEFT: f64 = 300.0;
const BAR_WIDTH: f64 = 560.0;
const BAR_ROW: f64 = 26.0;

impl BarChart {
    /// The chart's height in pixels.
    pub(crate) fn height(&self) -> f64 {
        TOP + BAR_ROW * count(self.bars.len()) + 70.0
    }

    /// The chart as an `<svg>` element placed at `top` (which only matters when nested).
    pub(crate) fn svg(&self, top: f64) -> String {
        let height = self.height();
        let mut out = open_svg(&self.id, &self.title, &self.desc, top, height);
        let shown: Vec<f64> = self.bars.iter().map(|b| b.value).collect();
        let axis = Axis::values(&self.axis_label, &shown, si);
        let bottom = TOP + BAR_ROW * count(self.bars.len()) + 6.0;
        let px = |v: f64| BAR_LEFT + axis.fraction(v).clamp(0.0, 1.0) * BAR_WIDTH;
        let _ = write!(
            out,
            r##"<g class="axis" data-axis="x"><line x1="{BAR_LEFT}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##,
            BAR_LEFT + BAR_WIDTH
        );
        for (v, label) in &axis.ticks {
            let x = px(*v);
            let _ = write!(
                out,
                r##"<g class="tick" data-tick="{0}"><line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom}" stroke="#e4e4e4"/><text x="{x:.1}" y="{1}" font-size="12" text-anchor="middle">{0}</text></g>"##,
                escape(label),
                bottom + 18.0
            );
        }
        let _ = write!(
            out,
            r#"<text class="label" x="{}" y="{}" font-size="13" text-anchor="middle">{}</text></g>"#,
            BAR_LEFT + BAR_WIDTH / 2.0,
            bottom + 40.0,
            escape(&self.axis_label)
        );
        let mut skipped = 0usize;
        let mut y = TOP;
        for (i, bar) in self.bars.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let _ = write!(
                out,
                r#"<g class="series" data-series="{0}"><text x="{1}" y="{2}" font-size="12" text-anchor="end">{3}</text>"#,
                escape(&bar.name),
                BAR_LEFT - 8.0,
                y + BAR_ROW / 2.0 + 4.0,
                escape(&shorten(&bar.name, 45))
            );
            if axis.scale.accepts(bar.value) {
                let end = px(bar.value);
                let _ = write!(
                    out,
                    r#"<rect class="point" data-x="{}" data-y="{i}" x="{BAR_LEFT}" y="{:.1}" width="{:.1}" height="{}" fill="{color}"><title>{}</title></rect><text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
                    bar.value,
                    y + 4.0,
                    (end - BAR_LEFT).max(1.0),
                    BAR_ROW - 8.0,
                    escape(&bar.tip),
                    end + 4.0,
                    y + BAR_ROW / 2.0 + 4.0,
                    escape(&si(bar.value))
                );
            } else {
                skipped += 1;
            }
            out.push_str("</g>");
            y += BAR_ROW;
        }
        let mut lines = Vec::new();
        if skipped > 0 {
            lines.push(format!(
                "{skipped} bar(s) left out: not a finite number, or not positive on a logarithmic axis."
            ));
        }
        notes(&mut out, &lines, height - NOTE_ROW);
        out.push_str("</svg>");
        out
    }
}

/// A standalone SVG document holding `charts` (each `(height, svg)`) one under another.
pub(crate) fn document(title: &str, desc: &str, charts: &[(f64, String)]) -> String {
    let height: f64 = charts.iter().map(|(h, _)| h).sum::<f64>().max(40.0);
    let mut out = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" role="img" aria-labelledby="doc-title doc-desc"><title id="doc-title">{}</title><desc id="doc-desc">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    if charts.is_empty() {
        out.push_str(r#"<text x="20" y="24" font-size="14">Nothing to draw: the run has no results.</text>"#);
    }
    for (_, svg) in charts {
        out.push_str(svg);
    }
    out.push_str("</svg>\n");
    out
}

fn open_svg(id: &str, title: &str, desc: &str, top: f64, height: f64) -> String {
    let id = escape(id);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{id}" x="0" y="{top}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{0}</title><desc id="{id}-desc">{1}</desc><rect width="{WIDTH}" height="{height}" fill="white"/><text class="title" x="{2}" y="28" font-size="16" font-weight="bold" text-anchor="middle">{0}</text>"#,
        escape(title),
        escape(desc),
        WIDTH / 2.0
    )
}

fn notes(out: &mut String, lines: &[String], top: f64) {
    let mut y = top + 12.0;
    for line in lines {
        let _ = write!(
            out,
            r##"<text class="note" x="{LEFT}" y="{y}" font-size="12" fill="#a00">{}</text>"##,
            escape(line)
        );
        y += NOTE_ROW;
    }
}

/// The smallest and largest finite value, if any.
fn extent(values: &[f64]) -> Option<(f64, f64)> {
    values.iter().copied().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// `n` as a float for layout arithmetic (a count of rows never comes near 2^53).
fn count(n: usize) -> f64 {
    u32::try_from(n).map_or(f64::from(u32::MAX), f64::from)
}

fn trim_percent(p: f64) -> String {
    let s = format!("{p:.10}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
