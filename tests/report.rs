//! The HTML/SVG reports of speed and load runs: what the documents hold, that text from a run is
//! escaped, that nothing is fetched, that odd figures don't break them, and what a real browser
//! (headless Chromium) makes of them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use paycrypt::perf::model::{LoadInterval, LoadRun, PeerFigure, SpeedResult, SpeedRun};
use paycrypt::perf::report::{load_html, load_svg, speed_html, speed_svg};

const SVG_NAMESPACE: &str = "http://www.w3.org/2000/svg";

fn speed_fixture() -> SpeedRun {
    let text = std::fs::read_to_string("tests/fixtures/perf/speed.json").expect("read speed.json");
    serde_json::from_str(&text).expect("speed.json is a SpeedRun")
}

fn load_fixture() -> LoadRun {
    let text = std::fs::read_to_string("tests/fixtures/perf/load.json").expect("read load.json");
    serde_json::from_str(&text).expect("load.json is a LoadRun")
}

/// `s` escaped as the reports escape text (enough of it for the names in these tests).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The points drawn in each group `data-series="NAME"` of `doc`, one entry per group.
fn series_points(doc: &str, name: &str) -> Vec<usize> {
    let needle = format!("data-series=\"{}\"", escaped(name));
    doc.match_indices(&needle)
        .map(|(at, _)| {
            let group = &doc[at..];
            let end = group.find("</g>").expect("series group closes");
            group[..end].matches("class=\"point\"").count()
        })
        .collect()
}

/// The distinct workloads of `run`, in order, with their rows.
fn workloads(run: &SpeedRun) -> Vec<(String, Vec<&SpeedResult>)> {
    let mut out: Vec<(String, Vec<&SpeedResult>)> = Vec::new();
    for r in &run.results {
        match out.iter_mut().find(|(w, _)| *w == r.workload) {
            Some((_, rows)) => rows.push(r),
            None => out.push((r.workload.clone(), vec![r])),
        }
    }
    out
}

/// Every workload is one series with one point per row; a peer is one more series.
fn assert_speed_series(doc: &str, run: &SpeedRun) {
    for (workload, rows) in workloads(run) {
        assert_eq!(series_points(doc, &workload), vec![rows.len()], "{workload}");
        let peers = rows.iter().filter(|r| r.peer.is_some()).count();
        let expected = if peers > 0 { vec![peers] } else { vec![] };
        assert_eq!(series_points(doc, &format!("{workload} [peer]")), expected, "{workload} peer");
    }
}

/// Tags balance (void `<meta>` aside) and every `&` starts an entity: the document parses as XML.
fn assert_well_formed(doc: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = doc;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').expect("tag closes") + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if tag.starts_with('?') || tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let name = tag.trim_start_matches('/').split([' ', '\n']).next().unwrap_or_default();
        assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()), "tag <{tag}>");
        if name == "meta" {
            continue;
        }
        if tag.starts_with('/') {
            assert_eq!(stack.pop(), Some(name), "closing </{name}>");
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    for (at, _) in doc.match_indices('&') {
        let entity = &doc[at + 1..];
        let end = entity.find(';').expect("entity ends");
        assert!(
            end <= 6 && entity[..end].chars().all(|c| c.is_ascii_alphanumeric() || c == '#'),
            "bad entity at {}",
            &doc[at..at + 12.min(doc.len() - at)]
        );
    }
}

/// No geometry attribute holds NaN or infinity.
fn assert_finite_geometry(doc: &str) {
    for attr in [
        " x=\"",
        " y=\"",
        " cx=\"",
        " cy=\"",
        " x1=\"",
        " x2=\"",
        " y1=\"",
        " y2=\"",
        " width=\"",
        " height=\"",
        " points=\"",
    ] {
        for (at, _) in doc.match_indices(attr) {
            let value = &doc[at + attr.len()..];
            let value = &value[..value.find('"').expect("attribute closes")];
            assert!(!value.contains("NaN") && !value.contains("inf"), "{attr}{value}");
        }
    }
}

/// Nothing to fetch: no URL but the SVG namespace name, no script, no external reference.
fn assert_offline(doc: &str) {
    let without_namespace = doc.replace(SVG_NAMESPACE, "");
    assert!(!without_namespace.contains("://"), "a URL in the output");
    let lower = doc.to_ascii_lowercase();
    for bad in ["<script", "href=", "src=", "url(", "@import", "<link", "<img", "<iframe"] {
        assert!(!lower.contains(bad), "{bad} in the output");
    }
}

fn assert_sound(doc: &str) {
    assert_well_formed(doc);
    assert_finite_geometry(doc);
    assert_offline(doc);
}

#[test]
fn fixtures_deserialize() {
    let speed = speed_fixture();
    assert_eq!(speed.results.len(), 28);
    assert_eq!(speed.results.iter().filter(|r| r.bytes.is_none()).count(), 4);
    assert_eq!(speed.results.iter().filter(|r| r.peer.is_some()).count(), 16);
    let load = load_fixture();
    assert_eq!(load.timeline.len(), 10);
    assert_eq!(load.errors.get("ThrottlingException"), Some(&41));
    assert_eq!(load.requests, load.timeline.iter().map(|i| i.requests).sum::<u64>());
    assert!(load.percentiles.len() > 10);
}

#[test]
fn speed_html_has_a_series_per_workload() {
    let run = speed_fixture();
    let html = speed_html(&run);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_speed_series(&html, &run);
    for text in [
        "Message size",
        "Throughput (MB/s)",
        "16 B",
        "1 MiB",
        "OpenSSL 3.0.19 speed -evp",
        "dukpt: operations a second",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(
        html.contains("<title id=\"speed-throughput-title\">")
            && html.contains("<desc id=\"speed-throughput-desc\">")
    );
    assert!(html.contains("data-x=\"1048576\" data-y=\"22100\""), "AES-128-CBC decrypt at 1 MiB");
    assert_sound(&html);
}

#[test]
fn speed_svg_is_a_standalone_document() {
    let run = speed_fixture();
    let svg = speed_svg(&run);
    assert!(svg.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""
    ));
    assert!(svg.contains("<title id=\"doc-title\">") && svg.contains("<desc id=\"doc-desc\">"));
    assert_speed_series(&svg, &run);
    assert_sound(&svg);
}

#[test]
fn load_html_has_timeline_curve_and_summary() {
    let run = load_fixture();
    let html = load_html(&run);
    assert_eq!(series_points(&html, "throughput"), vec![10]);
    assert_eq!(series_points(&html, "errors"), vec![10]);
    // 13 percentiles; the 100th cannot sit on the nines axis and is said to be in the summary.
    assert_eq!(series_points(&html, "latency"), vec![12]);
    assert!(html.contains("The 100th percentile (the maximum, 15.7 ms) cannot sit on this axis."));
    assert_eq!(html.matches("class=\"band\"").count(), 3, "three intervals had errors");
    for text in [
        "Seconds since the start",
        "Requests a second",
        "Percentile",
        ">99.9<",
        ">99.99<",
        "Latency (ms)",
        "ThrottlingException",
        "40600",
        "4.06 k",
        "encrypt-data",
        "4.1 k requests/s (open loop)",
    ] {
        assert!(html.contains(text), "{text}");
    }
    assert!(html.contains("http&#58;//127.0.0.1:8080"), "the endpoint, shown without a literal URL");
    assert_sound(&html);
    let svg = load_svg(&run);
    assert_eq!(series_points(&svg, "latency"), vec![12]);
    assert_sound(&svg);
}

#[test]
fn text_from_the_run_is_escaped() {
    let evil = "<script>alert(1)</script>";
    let mut speed = speed_fixture();
    speed.results[0].workload = evil.to_owned();
    speed.results[1].workload = evil.to_owned();
    speed.results[0].family = "a&b\"c'".to_owned();
    speed.results[24].workload = format!("{evil} derive");
    speed.results[24].family = "<b>".to_owned();
    if let Some(peer) = speed.results[0].peer.as_mut() {
        peer.name = "</svg><p>".to_owned();
    }
    speed.machine.cpu = "x\u{0}y".to_owned();
    let mut load = load_fixture();
    load.errors.insert("<Throttling&Exception>".to_owned(), 2);
    load.endpoint = "https://<host>/".to_owned();
    load.operation = evil.to_owned();
    for doc in [speed_html(&speed), speed_svg(&speed), load_html(&load), load_svg(&load)] {
        assert!(!doc.to_ascii_lowercase().contains("<script"));
        assert!(!doc.contains("</svg><p>") && !doc.contains("<b>") && !doc.contains('\u{0}'));
        assert!(doc.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_sound(&doc);
    }
    let html = speed_html(&speed);
    assert_eq!(series_points(&html, evil), vec![2]);
    assert!(html.contains("a&amp;b&quot;c&#39;"));
    assert!(load_html(&load).contains("&lt;Throttling&amp;Exception&gt;"));
}

fn sized(workload: &str, bytes: u64, bytes_per_second: f64) -> SpeedResult {
    SpeedResult {
        family: "aes".to_owned(),
        workload: workload.to_owned(),
        bytes: Some(bytes),
        operations: 1,
        seconds: 1.0,
        operations_per_second: bytes_per_second / 1e6,
        bytes_per_second: Some(bytes_per_second),
        peer: None,
    }
}

#[test]
fn empty_runs_give_valid_documents() {
    let speed = SpeedRun::default();
    let html = speed_html(&speed);
    assert!(html.contains("Nothing to draw"));
    assert_sound(&html);
    let svg = speed_svg(&speed);
    assert!(svg.contains("Nothing to draw"));
    assert_sound(&svg);
    let load = LoadRun::default();
    for doc in [load_html(&load), load_svg(&load)] {
        assert!(doc.contains("The run has no timeline.") && doc.contains("The run has no percentile curve."));
        assert_eq!(series_points(&doc, "throughput"), vec![0]);
        assert_sound(&doc);
    }
}

#[test]
fn one_point_runs() {
    let speed = SpeedRun { results: vec![sized("AES-128-CBC encrypt", 4096, 1.36e9)], ..SpeedRun::default() };
    for doc in [speed_html(&speed), speed_svg(&speed)] {
        assert_eq!(series_points(&doc, "AES-128-CBC encrypt"), vec![1]);
        assert_sound(&doc);
    }
    let load = LoadRun {
        percentiles: vec![(50.0, 0.2)],
        timeline: vec![LoadInterval { second: 1.0, requests: 5, errors: 5, p99: 0.3 }],
        ..LoadRun::default()
    };
    for doc in [load_html(&load), load_svg(&load)] {
        assert_eq!(series_points(&doc, "latency"), vec![1]);
        assert_eq!(series_points(&doc, "errors"), vec![1]);
        assert_sound(&doc);
    }
}

#[test]
fn odd_figures_are_left_out_and_said_so() {
    let mut nan_peer = sized("AES-128-CBC encrypt", 256, 1.0e9);
    nan_peer.peer =
        Some(PeerFigure { name: "openssl".to_owned(), bytes_per_second: f64::NAN, ratio: f64::INFINITY });
    let mut no_figure = sized("AES-128-CBC encrypt", 16, 0.0);
    no_figure.bytes_per_second = None;
    no_figure.operations_per_second = f64::INFINITY;
    let mut sizeless = sized("RSA-2048 decrypt", 0, 0.0);
    sizeless.bytes = None;
    sizeless.operations_per_second = f64::NAN;
    let speed = SpeedRun {
        seconds: f64::NAN,
        results: vec![
            sized("AES-128-CBC encrypt", 4096, 1.36e9),
            sized("AES-128-CBC encrypt", 1 << 20, f64::NAN),
            sized("AES-128-CBC encrypt", 0, 1.0e9),
            sized("AES-128-CBC encrypt", u64::MAX, 1e300),
            sized("AES-128-CBC encrypt", 64, 0.0),
            no_figure,
            nan_peer,
            sizeless,
        ],
        ..SpeedRun::default()
    };
    for doc in [speed_html(&speed), speed_svg(&speed)] {
        // 4096 B, 256 B and the huge one are drawn; NaN, zero size, zero and infinite throughput not.
        assert_eq!(series_points(&doc, "AES-128-CBC encrypt"), vec![3]);
        assert_eq!(series_points(&doc, "AES-128-CBC encrypt [peer]"), vec![0]);
        assert_eq!(series_points(&doc, "RSA-2048 decrypt"), vec![0]);
        assert!(doc.contains("5 point(s) left out") && doc.contains("1 bar(s) left out"));
        assert_sound(&doc);
    }
    let load = LoadRun {
        percentiles: vec![
            (50.0, 0.2),
            (f64::NAN, 1.0),
            (99.0, f64::INFINITY),
            (100.0, 9.0),
            (-1.0, 0.1),
            (99.9, 1e12),
        ],
        timeline: vec![
            LoadInterval { second: 1.0, requests: u64::MAX, errors: 0, p99: f64::NAN },
            LoadInterval { second: f64::NAN, requests: 10, errors: 1, p99: 1.0 },
            LoadInterval { second: 0.5, requests: 10, errors: 0, p99: 1.0 },
        ],
        throughput: f64::NAN,
        ..LoadRun::default()
    };
    for doc in [load_html(&load), load_svg(&load)] {
        assert_eq!(series_points(&doc, "latency"), vec![2]);
        assert_eq!(series_points(&doc, "throughput"), vec![2]);
        assert!(doc.contains("left out"));
        assert_sound(&doc);
    }
}

// Headless Chromium: the pictures as a browser sees them.

/// The Chromium binary on PATH, or None (then the test is skipped unless PAYCRYPT_REQUIRE_CHROMIUM=1).
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var("PAYCRYPT_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "PAYCRYPT_REQUIRE_CHROMIUM=1 but no chromium or chromium-browser on PATH"
        );
        eprintln!("SKIPPED: no chromium or chromium-browser on PATH (apt-get install chromium)");
    }
    found
}

/// A fresh scratch directory for one test (kept afterwards, to look at the pictures).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("report-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Runs Chromium headless on `file` with `args`, its own profile, and a minute's limit; stdout.
fn run_chromium(binary: &Path, dir: &Path, file: &Path, args: &[&str]) -> String {
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", file.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout piped");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).map(|_| out)
    });
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            assert!(status.success(), "chromium exited with {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium took over 60 s on {}", file.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = reader.join().expect("reader thread").expect("chromium stdout is UTF-8");
    eprintln!("chromium {args:?} on {}: {:.1} s", file.display(), started.elapsed().as_secs_f64());
    out
}

fn assert_screenshot(binary: &Path, dir: &Path, file: &Path) {
    let name = file.file_name().and_then(|s| s.to_str()).unwrap_or("shot");
    let png = dir.join(format!("{name}.png"));
    let shot = format!("--screenshot={}", png.display());
    run_chromium(binary, dir, file, &[&shot, "--window-size=1200,900", "--hide-scrollbars"]);
    let bytes = std::fs::read(&png).expect("the screenshot exists");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(bytes.len() > 20_000, "a picture, not a blank page: {} bytes", bytes.len());
}

#[test]
fn chromium_renders_the_speed_report() {
    let Some(binary) = chromium() else { return };
    let run = speed_fixture();
    let dir = scratch("speed");
    let html = dir.join("speed.html");
    std::fs::write(&html, speed_html(&run)).expect("write html");
    let dom = run_chromium(&binary, &dir, &html, &["--dump-dom"]);
    assert!(dom.contains("<svg"), "the browser built the SVG elements");
    assert_speed_series(&dom, &run);
    for text in [
        "Message size",
        "Throughput (MB/s)",
        "16 B",
        "4 KiB",
        "1 MiB",
        "RSA-2048 OAEP-SHA256 decrypt",
        "1.14 k",
        "1.36 GB/s",
        "0.98x",
    ] {
        assert!(dom.contains(text), "{text} in the DOM");
    }
    assert_screenshot(&binary, &dir, &html);
    // The standalone SVG parses as XML (Chromium shows an error page when it doesn't).
    let svg = dir.join("speed.svg");
    std::fs::write(&svg, speed_svg(&run)).expect("write svg");
    let dom = run_chromium(&binary, &dir, &svg, &["--dump-dom"]);
    assert!(!dom.contains("error on line"), "the SVG is well-formed XML");
    assert_speed_series(&dom, &run);
    assert_screenshot(&binary, &dir, &svg);
}

#[test]
fn chromium_renders_the_load_report() {
    let Some(binary) = chromium() else { return };
    let run = load_fixture();
    let dir = scratch("load");
    let html = dir.join("load.html");
    std::fs::write(&html, load_html(&run)).expect("write html");
    let dom = run_chromium(&binary, &dir, &html, &["--dump-dom"]);
    assert_eq!(series_points(&dom, "throughput"), vec![10]);
    assert_eq!(series_points(&dom, "errors"), vec![10]);
    assert_eq!(series_points(&dom, "latency"), vec![12]);
    for text in [
        "Throughput over time",
        "Latency by percentile",
        ">99.9<",
        ">99.99<",
        "ThrottlingException",
        "40600",
        "4.06 k",
        "http://127.0.0.1:8080",
        "Latency p99.9 (ms)",
        "6.85",
    ] {
        assert!(dom.contains(text), "{text} in the DOM");
    }
    assert_screenshot(&binary, &dir, &html);
    let svg = dir.join("load.svg");
    std::fs::write(&svg, load_svg(&run)).expect("write svg");
    let dom = run_chromium(&binary, &dir, &svg, &["--dump-dom"]);
    assert!(!dom.contains("error on line"), "the SVG is well-formed XML");
    assert_eq!(series_points(&dom, "latency"), vec![12]);
}
