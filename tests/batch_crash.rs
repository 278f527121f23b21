//! Crash safety of `paycrypt batch`: a job over a generated file with bad records, checkpointing every
//! few records, is killed with SIGKILL at random points (also while a checkpoint is being written) and
//! resumed with `--resume`, killed again, resumed, until it finishes. Over at least 200 kills, the
//! finished output and rejects are byte-identical to an uninterrupted run's, every checkpoint a kill
//! leaves counts only whole records that agree with that run, and no `.paycrypt-*` file is left.
//!
//! The kill delays come from a seed that changes each run; a failure prints it, and
//! `BATCH_CRASH_SEED=<seed>` replays the same delays.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "common/cli.rs"]
mod cli;

/// Kills to reach.
const KILLS: u32 = 200;
const RECORDS: u64 = 1500;

/// SplitMix64: the kill delays, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// Prints the seed when the test fails, so the run can be replayed.
struct SeedOnFailure(u64);

impl Drop for SeedOnFailure {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("batch crash trials failed: replay with BATCH_CRASH_SEED={}", self.0);
        }
    }
}

fn seed() -> u64 {
    match std::env::var("BATCH_CRASH_SEED") {
        Ok(s) => s.parse().expect("BATCH_CRASH_SEED is a number"),
        Err(_) => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).expect("random");
            u64::from_le_bytes(b)
        }
    }
}

fn paycrypt(dir: &Path, args: &[&str]) -> Command {
    cli::paycrypt_in(dir, args)
}

fn ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The job's command line, writing `output`.
fn job_args(output: &str, resume: bool) -> Vec<String> {
    let mut args: Vec<String> = [
        "batch",
        "re-encrypt-data",
        "--input",
        "bad.csv",
        "--output",
        output,
        "--request",
        "file://job.json",
        "--result",
        "data=CipherText",
        "--quiet",
        "--threads",
        "2",
        "--checkpoint-every",
        "15",
        "--checkpoint-seconds",
        "0",
    ]
    .map(String::from)
    .to_vec();
    if resume {
        args.push("--resume".into());
    }
    args
}

/// `dir` with a seeded store, `bad.csv` (generated TDES DUKPT records, every 61st cut short so it is
/// rejected, some with a quoted note holding a comma and a line break) and `job.json`.
fn fixture(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("dir");
    let records = RECORDS.to_string();
    let generate = [
        "batch",
        "generate",
        "--kind",
        "tdes-dukpt",
        "--records",
        &records,
        "--terminals",
        "50",
        "--output",
        "gen.csv",
        "--seed-file",
        "seed.json",
        "--request-file",
        "job.json",
    ];
    ok(&paycrypt(dir, &generate).output().expect("generate"), "generate");
    ok(&paycrypt(dir, &["seed", "seed.json"]).output().expect("seed"), "seed");
    let text = std::fs::read_to_string(dir.join("gen.csv")).expect("gen.csv");
    let mut bad = String::new();
    for (i, line) in text.lines().enumerate() {
        match i {
            0 => bad.push_str(&format!("{line},note\n")),
            i if i % 61 == 0 => bad.push_str(&format!("{},\n", &line[..line.len() - 3])),
            i if i % 7 == 0 => bad.push_str(&format!("{line},\"a, \"\"b\"\"\r\nc\"\n")),
            _ => bad.push_str(&format!("{line},x\n")),
        }
    }
    std::fs::write(dir.join("bad.csv"), bad).expect("bad.csv");
}

/// The names in `dir` containing `.paycrypt-`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".paycrypt-"))
        .collect()
}

/// A checkpoint left by a kill promises whole records: the partial output and rejects (or the finished
/// files, when the kill came after their renaming), cut to its lengths, are the start of the
/// uninterrupted run's files and end at a line end. Returns whether there was a checkpoint.
fn check_checkpoint(dir: &Path, output: &str, clean: &(Vec<u8>, Vec<u8>)) -> bool {
    let Ok(text) = std::fs::read(dir.join(format!("{output}.paycrypt-checkpoint"))) else { return false };
    let ckpt: Value = serde_json::from_slice(&text).expect("a checkpoint is whole JSON");
    for (file, length, whole) in [
        (output.to_owned(), "OutputLength", &clean.0),
        (format!("{output}.rejects.jsonl"), "RejectsLength", &clean.1),
    ] {
        let length = usize::try_from(ckpt[length].as_u64().expect("length")).expect("usize");
        let partial = format!("{file}.paycrypt-partial");
        let bytes = std::fs::read(dir.join(&partial))
            .or_else(|_| std::fs::read(dir.join(&file)))
            .unwrap_or_else(|e| panic!("neither {partial} nor {file}: {e}"));
        assert!(bytes.len() >= length, "{partial}: {} bytes, the checkpoint counts {length}", bytes.len());
        assert!(
            length <= whole.len(),
            "{partial}: the checkpoint counts {length} bytes, more than a whole run's"
        );
        let differs = bytes[..length].iter().zip(&whole[..length]).position(|(a, b)| a != b);
        assert!(differs.is_none(), "{partial} differs from the uninterrupted run's at byte {differs:?}");
        assert!(length == 0 || whole[length - 1] == b'\n', "{partial}: the checkpoint cuts a record");
    }
    true
}

/// What the kills met.
#[derive(Default)]
struct Tally {
    kills: u32,
    /// Kills that left a checkpoint to resume from.
    checkpointed: u32,
    /// Kills before a first checkpoint: the job started over.
    restarts: u32,
}

/// Runs the job, killing each run after a random delay below `window` (unless it finished first) and
/// resuming it, until a run finishes.
fn killed_job(
    dir: &Path,
    output: &str,
    rng: &mut Rng,
    window: Duration,
    clean: &(Vec<u8>, Vec<u8>),
    tally: &mut Tally,
) {
    let mut resume = false;
    for _ in 0..500 {
        let mut child =
            paycrypt(dir, &job_args(output, resume).iter().map(String::as_str).collect::<Vec<_>>())
                .spawn()
                .expect("spawn");
        let delay = Duration::from_micros(rng.below(u64::try_from(window.as_micros()).expect("window")));
        let started = Instant::now();
        let finished = loop {
            if child.try_wait().expect("wait").is_some() {
                break true;
            }
            let elapsed = started.elapsed();
            if elapsed >= delay {
                break false;
            }
            std::thread::sleep((delay - elapsed).min(Duration::from_millis(2)));
        };
        if !finished {
            // SIGKILL.
            child.kill().expect("kill");
            tally.kills += 1;
        }
        let out = child.wait_with_output().expect("output");
        if !finished {
            tally.checkpointed += u32::from(check_checkpoint(dir, output, clean));
            resume = true;
            continue;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        match out.status.code() {
            Some(3) => return,
            // Killed before its first checkpoint: nothing to resume, start over.
            Some(1) if resume && stderr.contains("nothing to resume") => {
                tally.restarts += 1;
                resume = false;
            }
            other => panic!("exit {other:?} (resume {resume}): {stderr}"),
        }
    }
    panic!("{output}: 500 runs and not finished");
}

#[test]
fn sigkill_at_random_points_then_resume_gives_the_uninterrupted_files() {
    let seed = seed();
    let _report = SeedOnFailure(seed);
    let mut rng = Rng(seed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("batch-crash-{}", std::process::id()));
    fixture(&dir);

    let started = Instant::now();
    let clean = paycrypt(&dir, &job_args("clean.csv", false).iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .expect("clean run");
    assert_eq!(clean.status.code(), Some(3), "{}", String::from_utf8_lossy(&clean.stderr));
    // Each run is killed within a third of a whole run's time (or finishes first): a job is killed a few
    // times, at every stage of its progress, from a process's start to its last rename.
    let window = started.elapsed() / 3;
    let clean_files: (Vec<u8>, Vec<u8>) = (
        std::fs::read(dir.join("clean.csv")).expect("clean.csv"),
        std::fs::read(dir.join("clean.csv.rejects.jsonl")).expect("clean rejects"),
    );
    assert_eq!(
        String::from_utf8_lossy(&clean_files.1).lines().count(),
        usize::try_from(RECORDS / 61).expect("n")
    );

    let (mut tally, mut jobs) = (Tally::default(), 0);
    while tally.kills < KILLS {
        let output = format!("out{jobs}.csv");
        killed_job(&dir, &output, &mut rng, window, &clean_files, &mut tally);
        jobs += 1;
        let out = std::fs::read(dir.join(&output)).expect("output");
        assert!(out == clean_files.0, "{output} differs from the uninterrupted run's");
        let rejects = std::fs::read(dir.join(format!("{output}.rejects.jsonl"))).expect("rejects");
        assert!(rejects == clean_files.1, "{output}'s rejects differ from the uninterrupted run's");
        assert_eq!(leftovers(&dir), Vec::<String>::new(), "{output}");
        std::fs::remove_file(dir.join(&output)).expect("remove");
        std::fs::remove_file(dir.join(format!("{output}.rejects.jsonl"))).expect("remove");
    }
    println!(
        "batch crash trials: {} kills over {jobs} jobs ({} left a checkpoint, {} before the first one), \
         window {window:?}, {:?}, seed {seed}",
        tally.kills,
        tally.checkpointed,
        tally.restarts,
        started.elapsed()
    );
    // Most kills land mid-job, with a checkpoint to resume from.
    assert!(
        tally.checkpointed >= KILLS / 2,
        "only {} of {} kills left a checkpoint",
        tally.checkpointed,
        tally.kills
    );
    let _ = std::fs::remove_dir_all(&dir);
}
