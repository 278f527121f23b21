//! The documentation's command-line examples run, so README.md and `docs/` cannot drift from the
//! binary:
//! - every ```` ```console ```` block of the files in [`SESSIONS`] is a trycmd session: each `$ paycrypt …`
//!   line (continued on `> ` lines) runs, and its stdout and stderr together must be what the block
//!   shows, with the exit status of a `? N` line (0 when there is none); `[..]` matches the rest of a
//!   line, `...` any lines;
//! - each file runs on a fresh key store of its own (`PAYCRYPT_DATA_DIR`), its commands in order;
//! - a Markdown file with `console` blocks must be in [`SESSIONS`], so no block goes untested;
//! - the `paycrypt serve` banner in `docs/server.md` is what the server prints.
//!
//! Update a block after an intended change with `TRYCMD=overwrite cargo test --test docs_examples`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

/// The Markdown files whose `console` blocks run as trycmd sessions.
const SESSIONS: &[&str] = &[
    "README.md",
    "docs/cli.md",
    "docs/dukpt.md",
    "docs/payment-cryptography.md",
    "docs/kms.md",
    "docs/esdk.md",
    "docs/key-exchange.md",
    "docs/tr31.md",
];

/// Markdown files whose `console` blocks run elsewhere, on a seeded store: `docs/aws-cli.md` in
/// `tests/cli_service.rs`.
const SEEDED_SESSIONS: &[&str] = &["docs/aws-cli.md"];

/// Markdown files whose sessions write files: they run in a scratch directory of their own.
const SCRATCH_SESSIONS: &[&str] = &["docs/batch.md"];

/// Runs the `console` blocks of `doc` on a fresh, empty key store.
fn run_sessions(doc: &str) {
    let store = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docs-store-{}", doc.replace('/', "-")));
    let _ = std::fs::remove_dir_all(&store);
    trycmd::TestCases::new()
        .env("PAYCRYPT_DATA_DIR", store.display().to_string())
        .env("PAYCRYPT_REGION", "us-east-1")
        .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
        .case(doc);
}

/// Runs the `console` blocks of `doc` on a fresh key store, in a fresh directory: a copy of `doc`
/// beside an empty `<name>.in/`, which trycmd makes the commands' working directory. (To update the
/// blocks, run with `TRYCMD=overwrite` and copy the scratch copy back over `doc`.)
fn run_sessions_in_scratch(doc: &str) {
    let name = doc.replace('/', "-");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docs-scratch-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    let stem = name.trim_end_matches(".md");
    std::fs::create_dir_all(dir.join(format!("{stem}.in"))).expect("create the scratch directory");
    let copy = dir.join(&name);
    std::fs::copy(doc, &copy).expect("copy the Markdown file");
    trycmd::TestCases::new()
        .env("PAYCRYPT_DATA_DIR", dir.join("store").display().to_string())
        .env("PAYCRYPT_REGION", "us-east-1")
        .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
        .case(copy);
}

#[test]
fn batch() {
    run_sessions_in_scratch("docs/batch.md");
}

#[test]
fn readme() {
    run_sessions("README.md");
}

#[test]
fn cli() {
    run_sessions("docs/cli.md");
}

#[test]
fn dukpt() {
    run_sessions("docs/dukpt.md");
}

#[test]
fn payment_cryptography() {
    run_sessions("docs/payment-cryptography.md");
}

#[test]
fn kms() {
    run_sessions("docs/kms.md");
}

#[test]
fn esdk() {
    run_sessions("docs/esdk.md");
}

#[test]
fn key_exchange() {
    run_sessions("docs/key-exchange.md");
}

#[test]
fn tr31() {
    run_sessions("docs/tr31.md");
}

/// The Markdown files of the documentation: README.md and `docs/*.md`.
fn markdown_files() -> Vec<String> {
    let mut files = vec!["README.md".to_owned()];
    let mut docs: Vec<String> = std::fs::read_dir("docs")
        .expect("read docs/")
        .map(|entry| entry.expect("read a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .map(|path| path.display().to_string())
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Whether `text` has a fenced block that trycmd runs: ```` ```console ```` without `ignore`.
fn has_console_block(text: &str) -> bool {
    text.lines().any(|line| {
        let info = line.trim_start().strip_prefix("```").map(str::trim);
        info.is_some_and(|info| {
            let mut parts = info.split(',');
            parts.next() == Some("console") && !parts.any(|part| part == "ignore")
        })
    })
}

#[test]
fn every_console_block_runs() {
    let files = markdown_files();
    assert!(files.iter().any(|f| f == "docs/cli.md"), "docs/*.md not found: {files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a Markdown file");
        if has_console_block(&text) {
            assert!(
                SESSIONS.iter().chain(SEEDED_SESSIONS).chain(SCRATCH_SESSIONS).any(|s| s == file),
                "{file} has ```console blocks but is not in SESSIONS in tests/docs_examples.rs"
            );
        }
    }
    for session in SESSIONS.iter().chain(SEEDED_SESSIONS).chain(SCRATCH_SESSIONS) {
        let text = std::fs::read_to_string(session).expect("read a session file");
        assert!(has_console_block(&text), "{session} is in SESSIONS but has no ```console block");
    }
}

#[test]
fn console_block_detection() {
    assert!(has_console_block("a\n```console\n$ paycrypt\n```\n"));
    assert!(!has_console_block("a\n```console,ignore\n$ paycrypt\n```\n"));
    assert!(!has_console_block("a\n```sh\n$ paycrypt\n```\n"));
}

/// The lines of the first fenced block in `text` that starts with `first_line`.
fn block_starting_with<'a>(text: &'a str, first_line: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|line| *line != first_line);
    let mut block: Vec<&str> = Vec::new();
    for line in lines.by_ref() {
        if line.starts_with("```") {
            break;
        }
        block.push(line);
    }
    block
}

#[test]
fn serve_banner_is_as_documented() {
    const COMMAND: &str = "$ paycrypt serve --ephemeral --seed tests/cmd/pc/fixtures/seed.json";
    let doc = std::fs::read_to_string("docs/server.md").expect("read docs/server.md");
    let documented = block_starting_with(&doc, COMMAND);
    assert!(documented.len() > 1, "docs/server.md has no block starting with {COMMAND:?}");

    // The documented command, on a free port instead of 8080, with no credentials configured.
    let mut child = Command::new(env!("CARGO_BIN_EXE_paycrypt"))
        .args([
            "serve",
            "--ephemeral",
            "--seed",
            "tests/cmd/pc/fixtures/seed.json",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("PAYCRYPT_ACCESS_KEY_ID")
        .env_remove("PAYCRYPT_SECRET_ACCESS_KEY")
        .env_remove("PAYCRYPT_CREDENTIALS")
        .env_remove("PAYCRYPT_LISTEN")
        .env("PAYCRYPT_REGION", "us-east-1")
        .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start paycrypt serve");
    let stdout = child.stdout.take().expect("the server's stdout");
    let mut printed = vec![COMMAND.to_owned()];
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("read the server's stdout");
        let ready = line.starts_with("paycrypt serve: ready on ");
        printed.push(if ready { "paycrypt serve: ready on http://127.0.0.1:8080".to_owned() } else { line });
        if ready {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(printed, documented, "the banner of paycrypt serve differs from docs/server.md");
}

#[test]
fn every_rust_block_is_a_doctest() {
    let lib = std::fs::read_to_string("src/lib.rs").expect("read src/lib.rs");
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).expect("read a Markdown file");
        if text.lines().any(|line| line.trim_start() == "```rust") {
            let include = format!("#[doc = include_str!(\"../{file}\")]");
            assert!(lib.contains(&include), "{file} has ```rust blocks but src/lib.rs has no {include}");
        }
    }
}
