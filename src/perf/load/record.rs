//! What a load run counts: an HDR histogram of latencies, errors by exception, one interval a second.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use super::LoadError;
use crate::perf::model::{LatencySummary, LoadInterval};

/// The counts of a run's measured part.
pub(crate) struct Recorder {
    /// When the measured part started.
    start: Instant,
    total: Histogram<u64>,
    second: Histogram<u64>,
    /// The interval being filled: seconds since `start`, rounded down.
    current: u64,
    current_requests: u64,
    current_errors: u64,
    pub(crate) requests: u64,
    pub(crate) errors: BTreeMap<String, u64>,
    pub(crate) timeline: Vec<LoadInterval>,
    /// When the last counted request completed.
    pub(crate) last: Option<Instant>,
}

impl Recorder {
    pub(crate) fn new(start: Instant) -> Result<Self, LoadError> {
        Ok(Recorder {
            start,
            total: histogram()?,
            second: histogram()?,
            current: 0,
            current_requests: 0,
            current_errors: 0,
            requests: 0,
            errors: BTreeMap::new(),
            timeline: Vec::new(),
            last: None,
        })
    }

    /// Moves the start of the measured part (nothing recorded yet).
    pub(crate) fn restart(&mut self, start: Instant) {
        self.start = start;
    }

    /// Counts a request that completed at `done` after `latency`, failed with `error` if any.
    pub(crate) fn record(&mut self, done: Instant, latency: Duration, error: Option<&str>) {
        self.last = Some(self.last.map_or(done, |last| last.max(done)));
        let second = done.saturating_duration_since(self.start).as_secs();
        while self.current < second {
            self.close(secs_f64(self.current + 1));
        }
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX).max(1);
        // An auto-resizing histogram takes any value; saturate rather than fail on a clock oddity.
        let _ = self.total.record(nanos);
        let _ = self.second.record(nanos);
        self.requests += 1;
        self.current_requests += 1;
        if let Some(name) = error {
            self.current_errors += 1;
            *self.errors.entry(name.to_owned()).or_insert(0) += 1;
        }
    }

    /// Closes the intervals up to `end` seconds (the last one partial, when it has requests).
    pub(crate) fn finish(&mut self, end: f64) {
        while secs_f64(self.current + 1) < end {
            self.close(secs_f64(self.current + 1));
        }
        if self.current_requests > 0 || self.timeline.is_empty() {
            self.close(end);
        }
    }

    /// The latency summary, milliseconds.
    pub(crate) fn summary(&self) -> LatencySummary {
        let h = &self.total;
        if h.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            mean: h.mean() / 1e6,
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            p999: ms(h.value_at_quantile(0.999)),
            max: ms(h.max()),
        }
    }

    /// The percentile curve: (percentile, milliseconds), from the histogram's own quantile steps.
    pub(crate) fn percentiles(&self) -> Vec<(f64, f64)> {
        if self.total.is_empty() {
            return Vec::new();
        }
        let mut curve: Vec<(f64, f64)> = self
            .total
            .iter_quantiles(2)
            .map(|v| (v.quantile_iterated_to() * 100.0, ms(v.value_iterated_to())))
            .collect();
        curve.dedup_by(|a, b| a.0 == b.0);
        curve
    }

    fn close(&mut self, second: f64) {
        let p99 = if self.second.is_empty() { 0.0 } else { ms(self.second.value_at_quantile(0.99)) };
        self.timeline.push(LoadInterval {
            second,
            requests: self.current_requests,
            errors: self.current_errors,
            p99,
        });
        self.current += 1;
        self.current_requests = 0;
        self.current_errors = 0;
        self.second.reset();
    }
}

/// Nanoseconds, 3 significant digits, growing as needed.
fn histogram() -> Result<Histogram<u64>, LoadError> {
    Histogram::new(3).map_err(|e| LoadError::Options(format!("a latency histogram: {e}")))
}

fn ms(nanos: u64) -> f64 {
    // Nanoseconds below 2^53 are exact in an f64: latencies of up to 104 days.
    #[allow(clippy::cast_precision_loss)]
    let n = nanos as f64;
    n / 1e6
}

fn secs_f64(s: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let s = s as f64;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_adds_up() {
        let start = Instant::now();
        let mut r = Recorder::new(start).unwrap();
        r.record(start + Duration::from_millis(100), Duration::from_millis(1), None);
        r.record(start + Duration::from_millis(2100), Duration::from_millis(2), Some("ThrottlingException"));
        r.finish(2.5);
        let seconds: Vec<f64> = r.timeline.iter().map(|i| i.second).collect();
        assert_eq!(seconds, [1.0, 2.0, 2.5]);
        assert_eq!(r.timeline.iter().map(|i| i.requests).sum::<u64>(), 2);
        assert_eq!(r.errors["ThrottlingException"], 1);
        let s = r.summary();
        assert!((s.p50 - 1.0).abs() < 0.01 && (s.max - 2.0).abs() < 0.01, "{s:?}");
        assert_eq!(r.percentiles().last().unwrap().0, 100.0);
    }
}
