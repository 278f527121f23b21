//! The closed and open loops over keep-alive connections, on one thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::Progress;
use super::client::{Connection, Endpoint, Outcome, Signed};
use super::record::Recorder;

/// The error name of a connection that failed or could not be made.
const CONNECTION_ERROR: &str = "ConnectionError";
/// Requests released by the pacer and not yet taken by a connection, at most.
const QUEUE: usize = 65_536;
/// The error name of a request with no answer in time.
const TIMEOUT: &str = "Timeout";

/// What all connections share.
pub(crate) struct Shared {
    pub(crate) pool: Vec<Signed>,
    pub(crate) endpoint: Endpoint,
    next: AtomicUsize,
    /// Closed loop: requests sent from now on are counted.
    measuring: AtomicBool,
    stop: AtomicBool,
    /// All requests and errors so far, warm-up included (for the status line).
    sent: AtomicU64,
    failed: AtomicU64,
    pub(crate) recorder: Mutex<Recorder>,
    /// Errors in the warm-up, by name: not in the measured counts, never hidden.
    pub(crate) warmup_errors: Mutex<BTreeMap<String, u64>>,
    /// The first message of each error name.
    pub(crate) messages: Mutex<BTreeMap<String, String>>,
}

impl Shared {
    pub(crate) fn new(pool: Vec<Signed>, endpoint: Endpoint, recorder: Recorder) -> Self {
        Shared {
            pool,
            endpoint,
            next: AtomicUsize::new(0),
            measuring: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            sent: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            recorder: Mutex::new(recorder),
            warmup_errors: Mutex::new(BTreeMap::new()),
            messages: Mutex::new(BTreeMap::new()),
        }
    }

    fn signed(&self, i: usize) -> &Signed {
        &self.pool[i % self.pool.len()]
    }

    /// Counts one request: in the recorder when `measured`, else only its error.
    fn count(&self, measured: bool, done: Instant, latency: Duration, error: Option<(&str, String)>) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        if let Some((name, message)) = &error {
            self.failed.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut m) = self.messages.lock() {
                m.entry((*name).to_owned()).or_insert_with(|| message.clone());
            }
        }
        let name = error.as_ref().map(|(n, _)| *n);
        if measured {
            if let Ok(mut r) = self.recorder.lock() {
                r.record(done, latency, name);
            }
        } else if let (Some(name), Ok(mut w)) = (name, self.warmup_errors.lock()) {
            *w.entry(name.to_owned()).or_insert(0) += 1;
        }
    }

    fn progress(&self, elapsed: Duration, measuring: bool) -> Progress {
        Progress {
            elapsed,
            measuring,
            requests: self.sent.load(Ordering::Relaxed),
            errors: self.failed.load(Ordering::Relaxed),
        }
    }
}

/// Sends `signed` on `conn`, connecting first when there is none; the error's name and message.
async fn send(conn: &mut Option<Connection>, shared: &Shared, signed: &Signed) -> Option<(String, String)> {
    if conn.is_none() {
        match Connection::open(&shared.endpoint).await {
            Ok(c) => *conn = Some(c),
            Err(e) => {
                // Don't spin on a server that went away.
                tokio::time::sleep(Duration::from_millis(10)).await;
                return Some((CONNECTION_ERROR.to_owned(), e.to_string()));
            }
        }
    }
    let c = conn.as_mut()?;
    match c.send(signed).await {
        Outcome::Ok { keep_alive, .. } => {
            if !keep_alive {
                *conn = None;
            }
            None
        }
        Outcome::Exception { name, message } => Some((name, message)),
        Outcome::Broken(reason) => {
            *conn = None;
            Some((CONNECTION_ERROR.to_owned(), reason))
        }
        Outcome::Timeout => {
            *conn = None;
            Some((TIMEOUT.to_owned(), "no answer within 10 s".to_owned()))
        }
    }
}

/// Closed loop: every connection sends its next request as soon as the last is answered. Returns
/// the measured part's start and end.
pub(crate) async fn closed_loop(
    shared: Arc<Shared>,
    connections: usize,
    warmup: Duration,
    duration: Duration,
    progress: &mut dyn FnMut(&Progress),
) -> (Instant, Instant) {
    let workers: Vec<JoinHandle<()>> =
        (0..connections).map(|_| tokio::spawn(closed_worker(Arc::clone(&shared)))).collect();
    let began = Instant::now();
    tick_until(&shared, began, began + warmup, false, progress).await;
    let start = Instant::now();
    if let Ok(mut r) = shared.recorder.lock() {
        r.restart(start);
    }
    shared.measuring.store(true, Ordering::Relaxed);
    tick_until(&shared, began, start + duration, true, progress).await;
    shared.stop.store(true, Ordering::Relaxed);
    let end = Instant::now();
    for w in workers {
        let _ = w.await;
    }
    (start, end)
}

async fn closed_worker(shared: Arc<Shared>) {
    let mut conn = None;
    while !shared.stop.load(Ordering::Relaxed) {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        let measured = shared.measuring.load(Ordering::Relaxed);
        let sent = Instant::now();
        let error = send(&mut conn, &shared, shared.signed(i)).await;
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        let done = Instant::now();
        shared.count(measured, done, done - sent, error.as_ref().map(|(n, m)| (n.as_str(), m.clone())));
    }
}

/// Open loop: request i is due at start + i/rate whatever happened before, and its latency runs
/// from that due time (no coordinated omission). Returns the measured part's start and end.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "request counts: rate × seconds, both checked positive and bounded"
)]
pub(crate) async fn open_loop(
    shared: Arc<Shared>,
    connections: usize,
    rate: f64,
    warmup: Duration,
    duration: Duration,
    progress: &mut dyn FnMut(&Progress),
) -> (Instant, Instant) {
    // Bounded, so a server that falls behind cannot make the queue grow without end: the pacer then
    // waits, and the requests it releases late still carry their due times.
    let (tx, rx) = mpsc::channel::<(usize, Instant, bool)>(QUEUE);
    let queue = Arc::new(tokio::sync::Mutex::new(rx));
    let workers: Vec<JoinHandle<()>> = (0..connections)
        .map(|_| tokio::spawn(open_worker(Arc::clone(&shared), Arc::clone(&queue))))
        .collect();
    let warm = (warmup.as_secs_f64() * rate) as usize;
    let total = warm + (duration.as_secs_f64() * rate) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let began = Instant::now() + Duration::from_millis(20);
    let start = began + warmup;
    if let Ok(mut r) = shared.recorder.lock() {
        r.restart(start);
    }
    // The pacer: a plain thread with precise sleeps (Tokio's timer ticks in milliseconds), releasing
    // each request when it is due, with that due time attached.
    let stop = Arc::new(AtomicBool::new(false));
    let pacer_stop = Arc::clone(&stop);
    let pacer = std::thread::spawn(move || {
        let mut i = 0usize;
        while i < total && !pacer_stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            while i < total {
                let due = began + interval.mul_f64(i as f64);
                if due > now {
                    break;
                }
                if tx.blocking_send((i, due, i >= warm)).is_err() {
                    return;
                }
                i += 1;
            }
            let due = began + interval.mul_f64(i as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    });
    let mut next_tick = began + Duration::from_secs(1);
    while !workers.iter().all(JoinHandle::is_finished) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = Instant::now();
        if now >= next_tick {
            progress(&shared.progress(now - began, now >= start));
            next_tick += Duration::from_secs(1);
        }
    }
    // The run ends with its last answer, not with the next look at the workers.
    let end = shared.recorder.lock().ok().and_then(|r| r.last).unwrap_or_else(Instant::now);
    stop.store(true, Ordering::Relaxed);
    let _ = pacer.join();
    for w in workers {
        let _ = w.await;
    }
    (start, end.max(start))
}

async fn open_worker(
    shared: Arc<Shared>,
    queue: Arc<tokio::sync::Mutex<mpsc::Receiver<(usize, Instant, bool)>>>,
) {
    let mut conn = None;
    loop {
        let Some((i, due, measured)) = queue.lock().await.recv().await else { break };
        let error = send(&mut conn, &shared, shared.signed(i)).await;
        let done = Instant::now();
        shared.count(measured, done, done - due, error.as_ref().map(|(n, m)| (n.as_str(), m.clone())));
    }
}

/// Calls `progress` once a second until `deadline`.
async fn tick_until(
    shared: &Shared,
    began: Instant,
    deadline: Instant,
    measuring: bool,
    progress: &mut dyn FnMut(&Progress),
) {
    loop {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        let elapsed = now - began;
        let next = began + Duration::from_secs(elapsed.as_secs() + 1);
        if next >= deadline {
            tokio::time::sleep_until(deadline.into()).await;
            return;
        }
        tokio::time::sleep_until(next.into()).await;
        progress(&shared.progress(next - began, measuring));
    }
}
