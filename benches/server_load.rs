//! A load generator for `paycrypt serve` (and any endpoint of the same AWS wire protocols, e.g.
//! `moto_server`'s KMS): SigV4-signed requests over HTTP/1.1 keep-alive connections.
//!
//! ```text
//! cargo bench --bench server_load -- --url http://127.0.0.1:8080 --kind encrypt-data --connections 64 --duration 10
//! cargo bench --bench server_load -- --url http://127.0.0.1:8080 --kind encrypt-data --rate 5000 --duration 10
//! cargo bench --bench server_load -- --url http://127.0.0.1:5000 --kind kms-encrypt --key-id <uuid> --connections 16
//! ```
//!
//! - Closed loop (`--connections C`, no `--rate`): C connections, each sending its next request as
//!   soon as the previous answer is read, for `--duration` seconds: requests/s.
//! - Open loop (`--rate R`): request i is due at start + i/R, whatever happened before; a pacer
//!   thread releases requests when due to `--connections` (default 64) connections, and latency is
//!   measured from the time a request was *due*, not from when it went out, so a stall is counted
//!   for every request it delayed (no coordinated omission): p50/p90/p99/max.
//!
//! Requests are signed once at start (a pool of `--pool` distinct requests, each with its own
//! plaintext) and cycled, so that signing does not compete with the server for the CPU. SigV4
//! signatures are accepted for 5 minutes, so a run is limited to 240 seconds.
//!
//! Every response must be 200; anything else (or a connection error) is counted, and a run with
//! errors says so in capitals and exits 1.
//!
//! Kinds: `encrypt-data` (payment-cryptography-data EncryptData, restJson1, AES CBC of
//! `--plaintext-bytes` (default 32) under `--key-id` (default `alias/zone`) with an IV, signed for
//! `payment-cryptography`) and `kms-encrypt` (KMS Encrypt, awsJson1_1, `--plaintext-bytes`
//! (default 256) under `--key-id`, signed for `kms`).
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64ct::{Base64, Encoding};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::{HeaderMap, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

use paycrypt::sigv4::{self, Credentials, Payload};

/// The longest run: a signature made at start must still be inside the server's 5-minute window.
const MAX_SECONDS: f64 = 240.0;

const USAGE: &str = "usage: server_load --url URL [--kind encrypt-data|kms-encrypt] [--key-id ID] \
[--plaintext-bytes N] [--connections C] [--rate R] [--duration SECONDS] [--warmup SECONDS] \
[--pool N] [--access-key ID] [--secret-key KEY] [--region REGION] [--label TEXT]";

/// What to send.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    EncryptData,
    KmsEncrypt,
}

/// The command line.
struct Options {
    host: String,
    kind: Kind,
    key_id: String,
    plaintext_bytes: usize,
    connections: usize,
    rate: Option<f64>,
    duration: f64,
    warmup: f64,
    pool: usize,
    access_key: String,
    secret_key: String,
    region: String,
    label: String,
}

impl Options {
    fn parse() -> Result<Self, String> {
        let mut url = None;
        let mut kind = Kind::EncryptData;
        let mut key_id = None;
        let mut plaintext_bytes = None;
        let mut connections = None;
        let mut rate = None;
        let mut duration = 10.0;
        let mut warmup = 1.0;
        let mut pool = 4096;
        let mut access_key = "test".to_owned();
        let mut secret_key = "test".to_owned();
        let mut region = "us-east-1".to_owned();
        let mut label = None;
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            // `cargo bench` passes `--bench` to every bench binary.
            if flag == "--bench" {
                continue;
            }
            let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
            let number = |v: String| v.parse::<f64>().map_err(|e| format!("{flag} {v}: {e}"));
            let count = |v: String| v.parse::<usize>().map_err(|e| format!("{flag} {v}: {e}"));
            match flag.as_str() {
                "--url" => url = Some(value()?),
                "--kind" => {
                    kind = match value()?.as_str() {
                        "encrypt-data" => Kind::EncryptData,
                        "kms-encrypt" => Kind::KmsEncrypt,
                        other => return Err(format!("unknown --kind {other}")),
                    }
                }
                "--key-id" => key_id = Some(value()?),
                "--plaintext-bytes" => plaintext_bytes = Some(count(value()?)?),
                "--connections" => connections = Some(count(value()?)?),
                "--rate" => rate = Some(number(value()?)?),
                "--duration" => duration = number(value()?)?,
                "--warmup" => warmup = number(value()?)?,
                "--pool" => pool = count(value()?)?,
                "--access-key" => access_key = value()?,
                "--secret-key" => secret_key = value()?,
                "--region" => region = value()?,
                "--label" => label = Some(value()?),
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        let url = url.ok_or_else(|| format!("--url is required\n{USAGE}"))?;
        let host = url
            .strip_prefix("http://")
            .ok_or("only http:// URLs are supported")?
            .trim_end_matches('/')
            .to_owned();
        if host.contains('/') {
            return Err("--url takes scheme and authority only (http://HOST:PORT)".into());
        }
        let key_id = match (kind, key_id) {
            (_, Some(k)) => k,
            (Kind::EncryptData, None) => "alias/zone".to_owned(),
            (Kind::KmsEncrypt, None) => return Err("--kind kms-encrypt needs --key-id".into()),
        };
        let plaintext_bytes = plaintext_bytes.unwrap_or(match kind {
            Kind::EncryptData => 32,
            Kind::KmsEncrypt => 256,
        });
        if kind == Kind::EncryptData && plaintext_bytes % 16 != 0 {
            return Err("--plaintext-bytes must be a multiple of 16 for AES CBC".into());
        }
        if warmup + duration > MAX_SECONDS {
            return Err(format!(
                "warmup + duration must stay under {MAX_SECONDS} s: SigV4 signatures expire"
            ));
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(duration)
            || !warmup.is_finite()
            || warmup < 0.0
            || pool == 0
            || rate.is_some_and(|r| !positive(r))
        {
            return Err("--duration, --pool and --rate must be positive, --warmup not negative".into());
        }
        let connections = connections.unwrap_or(if rate.is_some() { 64 } else { 16 }).max(1);
        let label = label.unwrap_or_else(|| {
            match kind {
                Kind::EncryptData => "encrypt-data",
                Kind::KmsEncrypt => "kms-encrypt",
            }
            .to_owned()
        });
        Ok(Options {
            host,
            kind,
            key_id,
            plaintext_bytes,
            connections,
            rate,
            duration,
            warmup,
            pool,
            access_key,
            secret_key,
            region,
            label,
        })
    }
}

/// One signed request, ready to send again and again.
struct Signed {
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl Signed {
    fn request(&self) -> Request<Full<Bytes>> {
        let mut request = Request::post(self.path.as_str())
            .body(Full::new(self.body.clone()))
            .expect("a request built from a valid path");
        *request.headers_mut() = self.headers.clone();
        request
    }
}

/// Signs `options.pool` distinct requests (plaintext i is i's bytes, repeated).
fn sign_pool(options: &Options) -> Vec<Signed> {
    let credentials = Credentials::new(options.access_key.as_str(), options.secret_key.as_str(), None);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("a clock after 1970").as_secs();
    let iv = "000102030405060708090A0B0C0D0E0F";
    (0..options.pool)
        .map(|i| {
            let plaintext: Vec<u8> =
                (0..options.plaintext_bytes).map(|j| (i.wrapping_mul(31) ^ j.wrapping_mul(7)).to_le_bytes()[0]).collect();
            let (path, service, content_type, target, body) = match options.kind {
                Kind::EncryptData => (
                    format!("/keys/{}/encrypt", percent_encode(&options.key_id)),
                    "payment-cryptography",
                    "application/json",
                    None,
                    serde_json::json!({
                        "PlainText": hex::encode_upper(&plaintext),
                        "EncryptionAttributes": {"Symmetric": {"Mode": "CBC", "InitializationVector": iv}},
                    }),
                ),
                Kind::KmsEncrypt => (
                    "/".to_owned(),
                    "kms",
                    "application/x-amz-json-1.1",
                    Some("TrentService.Encrypt"),
                    serde_json::json!({"KeyId": options.key_id, "Plaintext": Base64::encode_string(&plaintext)}),
                ),
            };
            let body = serde_json::to_vec(&body).expect("a JSON body");
            let mut headers = vec![("Host", options.host.as_str()), ("Content-Type", content_type)];
            if let Some(target) = target {
                headers.push(("X-Amz-Target", target));
            }
            let request = sigv4::Request {
                method: "POST",
                path: &path,
                query: "",
                headers: headers.clone(),
                payload: Payload::Body(&body),
            };
            let added = sigv4::sign(&request, &credentials, &options.region, service, now);
            let mut map = HeaderMap::new();
            for (name, value) in headers.iter().copied().chain(added.iter().map(|(n, v)| (*n, v.as_str()))) {
                let name = hyper::header::HeaderName::from_bytes(name.as_bytes()).expect("a header name");
                map.insert(name, value.parse().expect("a header value"));
            }
            Signed { path, headers: map, body: Bytes::from(body) }
        })
        .collect()
}

/// Percent-encodes a key identifier for the URI path (as botocore does: only unreserved kept).
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What all connections share.
struct Shared {
    pool: Vec<Signed>,
    host: String,
    next: AtomicU64,
    /// Counting starts when set (after the warm-up).
    measuring: AtomicBool,
    stop: AtomicBool,
    errors: AtomicU64,
    /// Connections the server closed after an answer (no keep-alive).
    reconnects: AtomicU64,
    first_error: std::sync::Mutex<Option<String>>,
}

impl Shared {
    /// Counts an error (in the warm-up too) and keeps the first for the report.
    fn error(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self.first_error.lock().expect("the error slot");
        if first.is_none() {
            *first = Some(what);
        }
    }
}

/// One keep-alive HTTP/1.1 connection.
struct Connection {
    sender: http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(host: &str) -> Result<Self, String> {
        let stream = TcpStream::connect(host).await.map_err(|e| format!("connect {host}: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Connection { sender })
    }

    /// Sends one request; `Ok` only for a 200 with its body read, holding whether the connection
    /// may be used again (not after an HTTP/1.0 answer or `Connection: close`).
    async fn send(&mut self, signed: &Signed) -> Result<bool, String> {
        self.sender.ready().await.map_err(|e| format!("connection: {e}"))?;
        let response =
            self.sender.send_request(signed.request()).await.map_err(|e| format!("request: {e}"))?;
        let status = response.status();
        let keep_alive = response.version() == hyper::Version::HTTP_11
            && !response
                .headers()
                .get(hyper::header::CONNECTION)
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let body = response.into_body().collect().await.map_err(|e| format!("body: {e}"))?.to_bytes();
        if status == 200 {
            Ok(keep_alive)
        } else {
            Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])))
        }
    }
}

/// Sends `signed`, reconnecting once after a connection error. Errors are counted in `shared`.
async fn send_counted(conn: &mut Option<Connection>, shared: &Shared, signed: &Signed) -> bool {
    if conn.is_none() {
        match Connection::open(&shared.host).await {
            Ok(c) => *conn = Some(c),
            Err(e) => {
                shared.error(e);
                tokio::time::sleep(Duration::from_millis(10)).await;
                return false;
            }
        }
    }
    let Some(c) = conn.as_mut() else { return false };
    match c.send(signed).await {
        Ok(true) => true,
        Ok(false) => {
            // The server closes after each answer (moto_server speaks HTTP/1.0): connect again.
            *conn = None;
            shared.reconnects.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(e) => {
            if e.starts_with("connection") || e.starts_with("request") || e.starts_with("body") {
                *conn = None;
            }
            shared.error(e);
            false
        }
    }
}

/// Closed loop: each connection sends back to back. Returns the latencies (ns) counted.
async fn closed_worker(shared: Arc<Shared>) -> Vec<u64> {
    let mut conn = None;
    let mut latencies = Vec::with_capacity(1 << 16);
    while !shared.stop.load(Ordering::Relaxed) {
        let i = shared.next.fetch_add(1, Ordering::Relaxed);
        let signed = &shared.pool[usize::try_from(i).unwrap_or(0) % shared.pool.len()];
        let measuring = shared.measuring.load(Ordering::Relaxed);
        let sent = Instant::now();
        let ok = send_counted(&mut conn, &shared, signed).await;
        if ok && measuring && !shared.stop.load(Ordering::Relaxed) {
            latencies.push(u64::try_from(sent.elapsed().as_nanos()).unwrap_or(u64::MAX));
        }
    }
    latencies
}

/// Open loop: take the next released request index, send it, and measure from when it was due.
async fn open_worker(
    shared: Arc<Shared>,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<(u64, Instant, bool)>>>,
) -> (Vec<u64>, Vec<u64>) {
    let mut conn = None;
    let mut latencies = Vec::with_capacity(1 << 16);
    let mut service = Vec::with_capacity(1 << 16);
    loop {
        let Some((i, due, measured)) = queue.lock().await.recv().await else { break };
        let signed = &shared.pool[usize::try_from(i).unwrap_or(0) % shared.pool.len()];
        let sent = Instant::now();
        if send_counted(&mut conn, &shared, signed).await && measured {
            let done = Instant::now();
            latencies.push(u64::try_from((done - due).as_nanos()).unwrap_or(u64::MAX));
            service.push(u64::try_from((done - sent).as_nanos()).unwrap_or(u64::MAX));
        }
    }
    (latencies, service)
}

/// The `p`th percentile of `sorted` nanoseconds, in milliseconds (nearest rank).
#[allow(clippy::cast_possible_truncation, reason = "a rank between 0 and the length, rounded up")]
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1e6
}

fn main() {
    let options = match Options::parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let signing = Instant::now();
    let pool = sign_pool(&options);
    eprintln!(
        "server_load: {} distinct requests pre-signed in {:.0} ms and cycled (SigV4 signatures stay valid 5 min; run <= {MAX_SECONDS} s)",
        pool.len(),
        signing.elapsed().as_secs_f64() * 1000.0
    );
    let shared = Arc::new(Shared {
        pool,
        host: options.host.clone(),
        next: AtomicU64::new(0),
        measuring: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        errors: AtomicU64::new(0),
        reconnects: AtomicU64::new(0),
        first_error: std::sync::Mutex::new(None),
    });
    // One thread: the generator should leave the other core to the server.
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a Tokio runtime");
    let code = runtime.block_on(async {
        match options.rate {
            None => closed_loop(&options, shared).await,
            Some(rate) => open_loop(&options, shared, rate).await,
        }
    });
    std::process::exit(code);
}

async fn closed_loop(options: &Options, shared: Arc<Shared>) -> i32 {
    let workers: Vec<_> =
        (0..options.connections).map(|_| tokio::spawn(closed_worker(Arc::clone(&shared)))).collect();
    tokio::time::sleep(Duration::from_secs_f64(options.warmup)).await;
    shared.measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs_f64(options.duration)).await;
    shared.stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.expect("a worker"));
    }
    latencies.sort_unstable();
    let errors = shared.errors.load(Ordering::Relaxed);
    println!(
        "{:<24} | {:<6} | {:>5} conns | {:>6.1} s | {:>9} ok | {:>6} errors | {:>10.0} req/s | p50 {:>7.3} ms | p99 {:>7.3} ms | max {:>7.3} ms",
        options.label,
        "closed",
        options.connections,
        elapsed,
        latencies.len(),
        errors,
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0),
    );
    println!(
        "RESULT label={} mode=closed connections={} seconds={elapsed:.2} ok={} errors={errors} rps={:.0} p50_ms={:.3} p99_ms={:.3} reconnects={}",
        options.label,
        options.connections,
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        shared.reconnects.load(Ordering::Relaxed),
    );
    report_errors(&shared, errors)
}

#[allow(clippy::cast_possible_truncation, reason = "request counts: rate x seconds, both checked positive")]
async fn open_loop(options: &Options, shared: Arc<Shared>, rate: f64) -> i32 {
    let (tx, rx) = mpsc::unbounded_channel();
    let queue = Arc::new(Mutex::new(rx));
    let workers: Vec<_> = (0..options.connections)
        .map(|_| tokio::spawn(open_worker(Arc::clone(&shared), Arc::clone(&queue))))
        .collect();
    let warmup = (options.warmup * rate) as u64;
    let total = warmup + (options.duration * rate) as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    // The pacer: a plain thread with precise sleeps (Tokio's timer has 1 ms granularity), releasing
    // each request at (or just after) the time it is due, with that due time attached.
    let start = Instant::now() + Duration::from_millis(50);
    let pacer = std::thread::spawn(move || {
        let mut i = 0u64;
        while i < total {
            let now = Instant::now();
            while i < total {
                let due = start + interval.mul_f64(i as f64);
                if due > now {
                    break;
                }
                if tx.send((i, due, i >= warmup)).is_err() {
                    return;
                }
                i += 1;
            }
            let due = start + interval.mul_f64(i as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
    });
    let mut latencies = Vec::new();
    let mut service = Vec::new();
    for w in workers {
        let (l, s) = w.await.expect("a worker");
        latencies.extend(l);
        service.extend(s);
    }
    pacer.join().expect("the pacer thread");
    let elapsed = start.elapsed().as_secs_f64() - options.warmup;
    latencies.sort_unstable();
    service.sort_unstable();
    let errors = shared.errors.load(Ordering::Relaxed);
    println!(
        "{:<24} | {:<6} | {:>5} conns | {:>6.1} s | {:>9} ok | {:>6} errors | target {:>7.0} req/s, achieved {:>7.0} | p50 {:>7.3} ms | p90 {:>7.3} ms | p99 {:>7.3} ms | max {:>7.3} ms (from due time; service time p50 {:.3} p99 {:.3} ms)",
        options.label,
        "open",
        options.connections,
        elapsed,
        latencies.len(),
        errors,
        rate,
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0),
        percentile(&service, 50.0),
        percentile(&service, 99.0),
    );
    println!(
        "RESULT label={} mode=open connections={} rate={rate:.0} seconds={elapsed:.2} ok={} errors={errors} achieved_rps={:.0} p50_ms={:.3} p90_ms={:.3} p99_ms={:.3} max_ms={:.3}",
        options.label,
        options.connections,
        latencies.len(),
        latencies.len() as f64 / elapsed,
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 100.0),
    );
    report_errors(&shared, errors)
}

/// Says loudly that a run had errors; the exit code.
fn report_errors(shared: &Shared, errors: u64) -> i32 {
    let reconnects = shared.reconnects.load(Ordering::Relaxed);
    if reconnects > 0 {
        eprintln!(
            "server_load: NOTE the server closed the connection after {reconnects} answers (no HTTP/1.1 keep-alive): \
             those requests each paid for a new TCP connection"
        );
    }
    let first = shared.first_error.lock().expect("the error slot").clone();
    if errors == 0 {
        return 0;
    }
    eprintln!(
        "!!!!!!!! ERRORS: {errors} requests failed (warm-up included), first: {} !!!!!!!!",
        first.unwrap_or_default()
    );
    1
}
