//! `paycrypt batch` through the built binary: exit codes 0, 1, 2, 3 and 4; `--output FILE` and
//! `--output-file FILE` for the records while `--output json|text|table` formats the summary; the
//! summary's members; `-` for standard input and output; the default rejects file; checkpoints that
//! refuse a new run, `--resume` refused when the input or the job changed, and `--max-rejects` then
//! `--resume` ending with the same files as one uninterrupted run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

#[path = "common/cli.rs"]
mod cli;

const BIN: &str = env!("CARGO_BIN_EXE_paycrypt");

/// A directory with a store seeded with `paycrypt batch generate`'s keys, the generated file `gen.csv`
/// (AES-128-CBC to AES-256-CBC), `bad.csv` (the same with every 97th record's ciphertext cut short) and
/// the job's request `job.json`.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(name: &str, records: u64) -> Fixture {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("batch-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let f = Fixture { dir };
        let records = records.to_string();
        let generated = f.run(&[
            "batch",
            "generate",
            "--kind",
            "aes",
            "--records",
            &records,
            "--output",
            "gen.csv",
            "--seed-file",
            "seed.json",
            "--request-file",
            "job.json",
        ]);
        assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));
        let seeded = f.run(&["seed", "seed.json"]);
        assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
        let text = f.read("gen.csv");
        let bad: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, l)| if i > 0 && i % 97 == 0 { l[..l.len() - 5].to_owned() } else { l.to_owned() })
            .collect();
        std::fs::write(f.dir.join("bad.csv"), bad.join("\n") + "\n").expect("bad.csv");
        f
    }

    /// `paycrypt --data-dir store ARGS` in the fixture's directory.
    fn command(&self, args: &[&str]) -> Command {
        cli::paycrypt_in(&self.dir, args)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run paycrypt")
    }

    /// `paycrypt batch re-encrypt-data --request file://job.json --result data=CipherText --quiet`, then
    /// `args`.
    fn job(&self, args: &[&str]) -> Output {
        let mut all = vec![
            "batch",
            "re-encrypt-data",
            "--request",
            "file://job.json",
            "--result",
            "data=CipherText",
            "-q",
        ];
        all.extend_from_slice(args);
        self.run(&all)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn exists(&self, name: &str) -> bool {
        self.dir.join(name).exists()
    }

    /// The files whose names start with `prefix`, sorted.
    fn files(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(prefix))
            .collect();
        names.sort();
        names
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Kept to look at when the test fails.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn summary(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("summary: {e}: {}", stderr(out)))
}

#[test]
fn exit_codes_and_the_summary() {
    let f = Fixture::new("codes", 500);
    let ok = f.job(&["--input", "gen.csv", "--output", "ok.csv"]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    let s = summary(&ok);
    let members: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        members,
        ["Records", "Succeeded", "Rejected", "Seconds", "RecordsPerSecond", "Output", "Stopped"]
    );
    assert_eq!(
        (s["Records"].as_u64(), s["Succeeded"].as_u64(), s["Rejected"].as_u64()),
        (Some(500), Some(500), Some(0))
    );
    assert!(s["Seconds"].as_f64().unwrap() > 0.0 && s["RecordsPerSecond"].as_f64().unwrap() > 0.0);
    assert_eq!((s["Output"].as_str(), s["Stopped"].as_bool()), (Some("ok.csv"), Some(false)));
    assert_eq!(f.files("ok.csv"), ["ok.csv"], "no rejects file, no partial files");
    assert_eq!(f.read("ok.csv").lines().count(), 501);

    let rejected = f.job(&["--input", "bad.csv", "--output-file", "bad-out.csv"]);
    assert_eq!(code(&rejected), 3, "{}", stderr(&rejected));
    let s = summary(&rejected);
    assert_eq!((s["Succeeded"].as_u64(), s["Rejected"].as_u64()), (Some(495), Some(5)));
    assert_eq!(s["Rejects"], "bad-out.csv.rejects.jsonl");
    let rejects = f.read("bad-out.csv.rejects.jsonl");
    let lines: Vec<u64> = rejects
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["Line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [98, 195, 292, 389, 486]);
    for l in rejects.lines() {
        let r: Value = serde_json::from_str(l).unwrap();
        let members: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(members, ["Line", "Record", "Exception", "Message"]);
    }

    // The first bad record is the 97th: the stop comes at the end of its chunk, no longer than
    // --checkpoint-every records.
    let stopped = f.job(&[
        "--input",
        "bad.csv",
        "--output",
        "stop.csv",
        "--max-rejects",
        "0",
        "--threads",
        "1",
        "--checkpoint-every",
        "10",
    ]);
    assert_eq!(code(&stopped), 4, "{}", stderr(&stopped));
    let s = summary(&stopped);
    assert_eq!(
        (s["Records"].as_u64(), s["Rejected"].as_u64(), s["Stopped"].as_bool()),
        (Some(100), Some(1), Some(true))
    );
    let says = "Error: stopped: 1 records rejected, more than --max-rejects 0; the output so far is kept.\n";
    assert!(stderr(&stopped).starts_with(says), "{}", stderr(&stopped));
    assert!(f.exists("stop.csv.paycrypt-checkpoint") && !f.exists("stop.csv"));
    assert!(stderr(&stopped).contains("\nhint: "));

    let job_error = f.run(&["batch", "re-encrypt-data", "--input", "gen.csv", "--output", "x.csv", "--request",
        r#"{"IncomingKeyIdentifier":"alias/batch-in","OutgoingKeyIdentifier":"alias/batch-out","CipherText":"{pan}","IncomingEncryptionAttributes":{"Symmetric":{"Mode":"CBC"}},"OutgoingEncryptionAttributes":{"Symmetric":{"Mode":"CBC"}}}"#,
        "--result", "data=CipherText"]);
    assert_eq!(code(&job_error), 1);
    assert_eq!(
        stderr(&job_error),
        "Error: --request placeholder {pan} names no column; the header has: id, iv, plain, data.\n"
    );
    assert!(job_error.stdout.is_empty());
    assert!(f.files("x.csv").is_empty(), "{:?}", f.files("x.csv"));

    let bad_member = f.run(&["batch", "encrypt-data", "--input", "gen.csv", "--output", "y.csv", "--request",
        r#"{"KeyIdentifier":"alias/batch-in","PlainText":"{plain}","EncryptionAttributes":{"Symmetric":{"Mode":"CBC"}},"Colour":"red"}"#,
        "--result", "data=CipherText"]);
    assert_eq!(code(&bad_member), 1);
    assert!(
        stderr(&bad_member)
            .starts_with("Error: --request is not a valid EncryptData request: unknown field `Colour`"),
        "{}",
        stderr(&bad_member)
    );

    let usage =
        f.run(&["batch", "re-encrypt-data", "--input", "gen.csv", "--output", "z.csv", "--request", "{}"]);
    assert_eq!(code(&usage), 2, "no --result: {}", stderr(&usage));
    let threads = f.job(&["--input", "gen.csv", "--output", "z.csv", "--threads", "0"]);
    assert_eq!(code(&threads), 1);
    assert_eq!(stderr(&threads), "Error: --threads must be at least 1.\n");
}

#[test]
fn output_names_the_file_or_formats_the_summary() {
    let f = Fixture::new("output", 200);
    let by_output = f.job(&["--input", "gen.csv", "--output", "a.csv"]);
    let by_output_file = f.job(&["--input", "gen.csv", "--output-file", "b.csv"]);
    let by_equals = f.job(&["--input", "gen.csv", "--output=c.csv"]);
    for out in [&by_output, &by_output_file, &by_equals] {
        assert_eq!(code(out), 0, "{}", stderr(out));
    }
    assert_eq!(f.read("a.csv"), f.read("b.csv"));
    assert_eq!(f.read("a.csv"), f.read("c.csv"));
    assert_ne!(f.read("a.csv"), f.read("gen.csv"));

    // --output text|table|json (before or after the command) formats the summary; the file is --output FILE.
    let text = f.run(&[
        "--output",
        "text",
        "batch",
        "re-encrypt-data",
        "--input",
        "gen.csv",
        "--output",
        "d.csv",
        "--request",
        "file://job.json",
        "--result",
        "data=CipherText",
    ]);
    assert_eq!(code(&text), 0, "{}", stderr(&text));
    let line = String::from_utf8(text.stdout).unwrap();
    assert!(line.starts_with("d.csv\t200\t") && line.ends_with("\tFalse\t200\n"), "{line}");
    let table = f.job(&["--input", "gen.csv", "--output", "e.csv", "--output", "table"]);
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("|  Records          |  200") && table.contains("|  Output           |  e.csv"),
        "{table}"
    );
    let json =
        f.job(&["--output", "json", "--input", "gen.csv", "--output-file", "g.csv", "--query", "Succeeded"]);
    assert_eq!(String::from_utf8(json.stdout).unwrap(), "200\n");
    for name in ["d.csv", "e.csv", "g.csv"] {
        assert_eq!(f.read(name), f.read("a.csv"), "{name}");
    }
    // The data dir after the command.
    let after = Command::new(BIN)
        .current_dir(&f.dir)
        .args([
            "batch",
            "re-encrypt-data",
            "--input",
            "gen.csv",
            "--output",
            "h.csv",
            "--request",
            "file://job.json",
            "--result",
            "data=CipherText",
            "--data-dir",
            "store",
        ])
        .env_remove("PAYCRYPT_DATA_DIR")
        .output()
        .unwrap();
    assert_eq!(code(&after), 0, "{}", stderr(&after));
    assert_eq!(f.read("h.csv"), f.read("a.csv"));
}

#[test]
fn dash_reads_standard_input_and_writes_standard_output() {
    let f = Fixture::new("stdio", 300);
    let clean = f.job(&["--input", "bad.csv", "--output", "clean.csv"]);
    assert_eq!(code(&clean), 3);
    let mut child = f
        .command(&[
            "batch",
            "re-encrypt-data",
            "--request",
            "file://job.json",
            "--result",
            "data=CipherText",
            "--input",
            "-",
            "--format",
            "csv",
            "--output",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = f.read("bad.csv");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(String::from_utf8(out.stdout.clone()).unwrap(), f.read("clean.csv"));
    // Standard error: the rejects (JSON Lines), then the summary.
    let err = stderr(&out);
    let rejects = f.read("clean.csv.rejects.jsonl");
    assert!(err.starts_with(&rejects), "{err}");
    let s: Value = serde_json::from_str(&err[rejects.len()..]).unwrap();
    assert_eq!((s["Records"].as_u64(), s["Rejected"].as_u64()), (Some(300), Some(3)));
    assert!(s.get("Output").is_none());
    assert!(f.files(".paycrypt").is_empty() && f.files("-").is_empty());

    // Without --format, standard input has no name to tell the format by.
    let no_format = f.job(&["--input", "-", "--output", "-"]);
    assert_eq!(code(&no_format), 1);
    assert!(stderr(&no_format).starts_with("Error: standard input has no name to tell its format by"));
    // --resume needs files.
    let resume = f.job(&["--input", "-", "--format", "csv", "--output", "-", "--resume"]);
    assert_eq!(code(&resume), 1);
    assert!(
        stderr(&resume).contains("--resume needs an input file and an output file"),
        "{}",
        stderr(&resume)
    );
}

#[test]
fn the_default_rejects_file_goes_when_a_later_run_has_none() {
    let f = Fixture::new("rejects", 200);
    assert_eq!(code(&f.job(&["--input", "bad.csv", "--output", "out.csv"])), 3);
    assert_eq!(f.files("out.csv"), ["out.csv", "out.csv.rejects.jsonl"]);
    assert_eq!(code(&f.job(&["--input", "gen.csv", "--output", "out.csv"])), 0);
    assert_eq!(f.files("out.csv"), ["out.csv"]);
    let named = f.job(&["--input", "gen.csv", "--output", "out.csv", "--rejects", "mine.jsonl"]);
    assert_eq!(code(&named), 0);
    assert_eq!(summary(&named)["Rejects"], "mine.jsonl");
    assert_eq!(f.read("mine.jsonl"), "");
}

#[test]
fn a_checkpoint_refuses_a_new_run_and_resume_refuses_a_changed_input_or_job() {
    let f = Fixture::new("resume", 3000);
    let args = ["--input", "bad.csv", "--output", "out.csv", "--threads", "1", "--checkpoint-every", "100"];
    let stopped = f.job(&[&args[..], &["--max-rejects", "4"]].concat());
    assert_eq!(code(&stopped), 4, "{}", stderr(&stopped));
    let done_before = summary(&stopped)["Records"].as_u64().unwrap();
    assert!(done_before < 3000, "stopped early: {done_before}");
    assert!(f.exists("out.csv.paycrypt-checkpoint") && f.exists("out.csv.paycrypt-partial"));
    assert!(!f.exists("out.csv"));

    let again = f.job(&args);
    assert_eq!(code(&again), 1);
    assert_eq!(
        stderr(&again),
        "Error: cannot resume: an interrupted run left out.csv.paycrypt-checkpoint: add --resume to continue it, or \
         delete it and out.csv.paycrypt-partial to start over.\n"
    );
    let other_job = f.run(
        &[
            &[
                "batch",
                "re-encrypt-data",
                "--request",
                "file://job.json",
                "--result",
                "data=KeyArn",
                "-q",
                "--resume",
            ][..],
            &args,
        ]
        .concat(),
    );
    assert_eq!(code(&other_job), 1);
    assert!(
        stderr(&other_job).starts_with("Error: cannot resume: the job differs from the interrupted run's"),
        "{}",
        stderr(&other_job)
    );
    let other_format = f.job(&[&args[..], &["--resume", "--format", "jsonl"]].concat());
    assert_eq!(code(&other_format), 1);
    assert!(stderr(&other_format).contains("the job differs"), "{}", stderr(&other_format));

    // The same length and modification time, one byte changed: still refused.
    let path = f.dir.join("bad.csv");
    let original = std::fs::read(&path).unwrap();
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    let rewrite = |bytes: &[u8]| {
        std::fs::write(&path, bytes).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
    };
    let mut changed = original.clone();
    changed[30] ^= 1;
    rewrite(&changed);
    let changed_input = f.job(&[&args[..], &["--resume"]].concat());
    assert_eq!(code(&changed_input), 1);
    assert!(
        stderr(&changed_input)
            .starts_with("Error: cannot resume: the input bad.csv changed since the interrupted run"),
        "{}",
        stderr(&changed_input)
    );
    assert!(stderr(&changed_input).contains("\nhint: run without --resume to start over"));

    // The input back as it was: --resume goes on from the checkpoint, and the files equal one
    // uninterrupted run's.
    rewrite(&original);
    let resumed = f.job(&[&args[..], &["--resume"]].concat());
    assert_eq!(code(&resumed), 3, "{}", stderr(&resumed));
    let s = summary(&resumed);
    assert_eq!(s["ResumedAfter"].as_u64(), Some(done_before));
    assert_eq!((s["Records"].as_u64(), s["Rejected"].as_u64()), (Some(3000), Some(30)));
    let clean = f.job(&["--input", "bad.csv", "--output", "clean.csv"]);
    assert_eq!(code(&clean), 3);
    assert_eq!(f.read("out.csv"), f.read("clean.csv"));
    assert_eq!(f.read("out.csv.rejects.jsonl"), f.read("clean.csv.rejects.jsonl"));
    assert_eq!(f.files("out.csv"), ["out.csv", "out.csv.rejects.jsonl"]);
}

#[test]
fn max_rejects_stops_and_resume_goes_on_until_done() {
    let f = Fixture::new("max-rejects", 2000);
    let args = [
        "--input",
        "bad.csv",
        "--output",
        "out.csv",
        "--checkpoint-every",
        "50",
        "--checkpoint-seconds",
        "0",
    ];
    // Stop after 3 rejects, resume and stop after 11, resume to the end. A chunk is 50 records and a bad
    // record comes every 97: each stop is within 50 records of its reject.
    let mut done = 0;
    for (run, max, expected) in [(0, Some("2"), 4), (1, Some("10"), 4), (2, None, 3)] {
        let mut all = args.to_vec();
        all.extend(["--threads", "2"]);
        if let Some(max) = max {
            all.extend(["--max-rejects", max]);
        }
        if run > 0 {
            all.push("--resume");
        }
        let out = f.job(&all);
        assert_eq!(code(&out), expected, "run {run}: {}", stderr(&out));
        let s = summary(&out);
        let records = s["Records"].as_u64().unwrap();
        assert!(records > done, "run {run} made progress");
        if run > 0 {
            assert_eq!(s["ResumedAfter"].as_u64(), Some(done));
        }
        done = records;
        let rejected = s["Rejected"].as_u64().unwrap();
        match max {
            Some(max) => {
                assert_eq!(rejected, max.parse::<u64>().unwrap() + 1);
                assert!(records >= rejected * 97 && records < rejected * 97 + 50, "{records}");
            }
            None => assert_eq!((records, rejected), (2000, 20)),
        }
    }
    let clean = f.job(&["--input", "bad.csv", "--output", "clean.csv"]);
    assert_eq!(code(&clean), 3);
    assert_eq!(f.read("out.csv"), f.read("clean.csv"));
    assert_eq!(f.read("out.csv.rejects.jsonl"), f.read("clean.csv.rejects.jsonl"));
    assert_eq!(f.read("out.csv.rejects.jsonl").lines().count(), 20);
    assert_eq!(f.files("out.csv"), ["out.csv", "out.csv.rejects.jsonl"]);
}
