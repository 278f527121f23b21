//! `paycrypt::batch` on bad and unusual input, through the library: every record is either written or
//! rejected (with its line, exception and message), never dropped; a job that cannot run is an error
//! before any output; nothing panics. Also: a generated file end to end, KMS Encrypt, Decrypt and
//! ReEncrypt round trips with base64 columns, and the files `batch::run` leaves (and removes).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use paycrypt::batch::generate::{self, Kind, Spec};
use paycrypt::batch::{
    self, BatchError, Format, Job, MAX_RECORD, Operation, Options, Paths, ResultColumn, Services, Summary,
    Template,
};
use paycrypt::keys::MemoryStore;
use paycrypt::service::kms::Kms;
use paycrypt::service::{
    CreateAliasInput, DecryptDataInput, EncryptDataInput, ImportKeyInput, PaymentCryptography, SeedFile,
    Settings,
};

/// FIPS 197 / SP 800-38A's AES-128 key and its first ECB block.
const KEY: &str = "2B7E151628AED2A6ABF7158809CF4F3C";
const PLAIN: &str = "6BC1BEE22E409F96E93D7E117393172A";
const CIPHER: &str = "3AD77BB40D7A3660A89ECAF32466EF97";
/// `alias/aes` in ECB: PlainText from the `pan` column.
const ECB_REQUEST: &str = r#"{"KeyIdentifier":"alias/aes","PlainText":"{pan}","EncryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}"#;

struct Env {
    payment: PaymentCryptography<Arc<MemoryStore>>,
    kms: Kms<Arc<MemoryStore>>,
}

impl Env {
    /// A memory store holding `alias/aes` (the AES-128 key above).
    fn new() -> Env {
        let store = Arc::new(MemoryStore::new());
        let payment = PaymentCryptography::new(Arc::clone(&store), Settings::default());
        let kms = Kms::new(store, Settings::default());
        let input: ImportKeyInput = serde_json::from_value(json!({"KeyMaterial": {"ClearKey": {
            "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
                "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}},
            "KeyMaterial": KEY}}}))
        .expect("import json");
        let arn = payment.import_key(input).expect("import").key.key_arn.to_string();
        payment
            .create_alias(CreateAliasInput { alias_name: "alias/aes".into(), key_arn: Some(arn) })
            .expect("alias");
        Env { payment, kms }
    }

    fn services(&self) -> Services<'_, Arc<MemoryStore>> {
        Services { payment: &self.payment, kms: &self.kms }
    }

    /// Runs `job` over `input` with `threads` and chunks of 2 records: the summary, the output, and the
    /// rejects as JSON values.
    fn run(
        &self,
        job: &Job,
        input: &[u8],
        threads: usize,
    ) -> Result<(Summary, Vec<u8>, Vec<Value>), BatchError> {
        let options = Options { threads, chunk_records: 2, ..Options::default() };
        let (mut out, mut rejects) = (Vec::new(), Vec::new());
        let summary = batch::run_streams(job, self.services(), input, &mut out, &mut rejects, &options)?;
        let rejects = String::from_utf8(rejects)
            .expect("rejects are UTF-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a reject is one JSON line"))
            .collect::<Vec<Value>>();
        assert_eq!(summary.records, summary.succeeded + summary.rejected, "records in = out + rejected");
        assert_eq!(summary.rejected, rejects.len() as u64);
        Ok((summary, out, rejects))
    }
}

fn job(operation: Operation, request: &str, results: &[&str], format: Format) -> Job {
    let results = results.iter().map(|r| r.parse::<ResultColumn>().expect("result")).collect();
    Job::new(operation, Template::parse(request).expect("template"), results, format).expect("job")
}

fn ecb_job() -> Job {
    job(Operation::EncryptData, ECB_REQUEST, &["pan=CipherText"], Format::Csv)
}

/// A reject's `(Line, Exception, Message)`.
fn reject(r: &Value) -> (u64, &str, &str) {
    (
        r["Line"].as_u64().expect("Line"),
        r["Exception"].as_str().expect("Exception"),
        r["Message"].as_str().expect("Message"),
    )
}

#[test]
fn a_record_missing_a_field_or_with_one_too_many_is_rejected_with_its_line() {
    let env = Env::new();
    let input = format!("id,pan,note\n1,{PLAIN},a\n2,{PLAIN}\n3,\"x\ny\",{PLAIN},b\n4,{PLAIN},\n");
    for threads in [1, 2] {
        let (summary, out, rejects) = env.run(&ecb_job(), input.as_bytes(), threads).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), format!("id,pan,note\n1,{CIPHER},a\n4,{CIPHER},\n"));
        assert_eq!((summary.records, summary.succeeded, summary.rejected), (4, 2, 2));
        assert_eq!(reject(&rejects[0]), (3, "MalformedRecord", "the record has 2 fields; the header has 3"));
        assert_eq!(rejects[0]["Record"], format!("2,{PLAIN}"));
        // The record starts on line 4 and spans two lines.
        assert_eq!(reject(&rejects[1]), (4, "MalformedRecord", "the record has 4 fields; the header has 3"));
        assert_eq!(rejects[1]["Record"], format!("3,\"x\ny\",{PLAIN},b"));
    }
}

#[test]
fn a_placeholder_naming_no_column_is_a_job_error_before_any_output() {
    let env = Env::new();
    let input = format!("id,card\n1,{PLAIN}\n");
    let options = Options::default();
    let (mut out, mut rejects) = (Vec::new(), Vec::new());
    let e =
        batch::run_streams(&ecb_job(), env.services(), input.as_bytes(), &mut out, &mut rejects, &options)
            .unwrap_err();
    assert!(matches!(e, BatchError::Job(_)), "{e:?}");
    assert_eq!(e.to_string(), "--request placeholder {pan} names no column; the header has: id, card.");
    assert!(out.is_empty() && rejects.is_empty());
}

#[test]
fn a_quote_inside_an_unquoted_field_rejects_that_record_alone() {
    let env = Env::new();
    let input = format!(
        "id,pan,note\n1,{PLAIN},ab\"c\n2,{PLAIN},ok\n3,{PLAIN},\"closed\"text\n4,{PLAIN},\"x\"\"y\"\n5,{PLAIN},\n"
    );
    for threads in [1, 2] {
        let (summary, out, rejects) = env.run(&ecb_job(), input.as_bytes(), threads).unwrap();
        assert_eq!((summary.records, summary.succeeded, summary.rejected), (5, 3, 2), "{rejects:?}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("id,pan,note\n2,{CIPHER},ok\n4,{CIPHER},\"x\"\"y\"\n5,{CIPHER},\n")
        );
        assert_eq!(
            reject(&rejects[0]),
            (2, "MalformedRecord", "field 3 has a quote but does not start with one")
        );
        assert_eq!(reject(&rejects[1]), (4, "MalformedRecord", "field 3 has text after its closing quote"));
    }
}

#[test]
fn a_last_line_without_a_line_end_is_a_record_and_one_cut_mid_field_is_rejected() {
    let env = Env::new();
    let whole = format!("id,pan\r\n1,{PLAIN}\r\n2,{PLAIN}");
    let (summary, out, _) = env.run(&ecb_job(), whole.as_bytes(), 2).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), format!("id,pan\r\n1,{CIPHER}\r\n2,{CIPHER}"));
    assert_eq!(summary.succeeded, 2);

    for (last, exception, message) in [
        (format!("2,\"{}", &PLAIN[..10]), "MalformedRecord", "field 2 opens a quote that never closes"),
        (
            format!("2,{}", &PLAIN[..10]),
            "ValidationException",
            "PlainText (5 bytes) must be a multiple of 16 bytes for AES_128 keys.",
        ),
        ("2,\"6BC1\nBEE2".to_owned(), "MalformedRecord", "field 2 opens a quote that never closes"),
    ] {
        let input = format!("id,pan\n1,{PLAIN}\n{last}");
        let (summary, out, rejects) = env.run(&ecb_job(), input.as_bytes(), 1).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), format!("id,pan\n1,{CIPHER}\n"), "{last}");
        assert_eq!((summary.records, summary.rejected), (2, 1), "{last}");
        assert_eq!(reject(&rejects[0]), (3, exception, message), "{last}");
        assert_eq!(rejects[0]["Record"], last);
    }
}

#[test]
fn non_utf8_bytes_pass_through_and_reject_only_in_a_placeholder_column() {
    let env = Env::new();
    let mut input = b"id,pan,note\n".to_vec();
    let mut expected = input.clone();
    for note in [&b"caf\xE9\xFF"[..], b"\"\xE9,\xFF\"\"\x80\r\n\"", b"\xC3"] {
        for (buf, pan) in [(&mut input, PLAIN), (&mut expected, CIPHER)] {
            buf.extend_from_slice(format!("1,{pan},").as_bytes());
            buf.extend_from_slice(note);
            buf.push(b'\n');
        }
    }
    input.extend_from_slice(b"2,6BC1\xFF,x\n");
    let (summary, out, rejects) = env.run(&ecb_job(), &input, 1).unwrap();
    assert_eq!((summary.records, summary.succeeded, summary.rejected), (4, 3, 1));
    assert_eq!(out, expected, "{:?}", String::from_utf8_lossy(&out));
    assert_eq!(reject(&rejects[0]), (6, "MalformedRecord", "column pan is not UTF-8"));
    assert!(rejects[0].get("Record").is_none());
    // base64 of the record's bytes: "2,6BC1\xFF,x".
    assert_eq!(rejects[0]["RecordBase64"], "Miw2QkMx/yx4");
}

#[test]
fn an_unknown_key_rejects_each_record_with_resource_not_found() {
    let env = Env::new();
    let request = ECB_REQUEST.replace("alias/aes", "{key}");
    let job = job(Operation::EncryptData, &request, &["pan=CipherText"], Format::Csv);
    let input = format!("key,pan\nalias/nope,{PLAIN}\nalias/aes,{PLAIN}\nalias/nope,{PLAIN}\n");
    let (summary, out, rejects) = env.run(&job, input.as_bytes(), 2).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), format!("key,pan\nalias/aes,{CIPHER}\n"));
    assert_eq!(summary.rejected, 2);
    for (r, line) in rejects.iter().zip([2, 4]) {
        assert_eq!(reject(r), (line, "ResourceNotFoundException", "alias/nope was not found."));
    }
}

#[test]
fn an_unknown_request_member_is_a_job_error_and_a_bad_value_rejects_records() {
    let bad = ECB_REQUEST.replace("PlainText", "PlainTxt");
    let e = Job::new(
        Operation::EncryptData,
        Template::parse(&bad).unwrap(),
        vec!["pan=CipherText".parse().unwrap()],
        Format::Csv,
    )
    .unwrap_err();
    assert!(matches!(e, BatchError::Job(_)));
    assert!(
        e.to_string().starts_with("--request is not a valid EncryptData request: unknown field `PlainTxt`"),
        "{e}"
    );

    for (results, says) in [
        (
            vec![],
            "give at least one --result COLUMN=Member (members of EncryptData: CipherText, KeyArn, KeyCheckValue).",
        ),
        (
            vec!["pan=PlainText"],
            "--result pan=PlainText: PlainText is not a member of the EncryptData response (CipherText, KeyArn, KeyCheckValue).",
        ),
        (vec!["a=CipherText", "a=KeyArn"], "--result writes column a twice."),
    ] {
        let results = results.iter().map(|r: &&str| r.parse().unwrap()).collect();
        let e = Job::new(Operation::EncryptData, Template::parse(ECB_REQUEST).unwrap(), results, Format::Csv)
            .unwrap_err();
        assert_eq!(e.to_string(), says);
    }

    let env = Env::new();
    let job = job(
        Operation::EncryptData,
        &ECB_REQUEST.replace("\"ECB\"", "\"XTS\""),
        &["pan=CipherText"],
        Format::Csv,
    );
    let input = format!("pan\n{PLAIN}\n{PLAIN}\n");
    let (summary, out, rejects) = env.run(&job, input.as_bytes(), 1).unwrap();
    assert_eq!(out, b"pan\n");
    assert_eq!((summary.records, summary.rejected), (2, 2));
    let (line, exception, message) = reject(&rejects[1]);
    assert_eq!((line, exception), (3, "ValidationException"));
    assert!(message.starts_with("Invalid request: unknown variant `XTS`"), "{message}");
}

#[test]
fn an_unbalanced_quote_swallowing_over_a_mebibyte_is_a_job_error() {
    let env = Env::new();
    let mut input = format!("id,pan\n1,{PLAIN}\n2,\"{PLAIN}\n").into_bytes();
    while input.len() < MAX_RECORD + 4096 {
        input.extend_from_slice(format!("3,{PLAIN}\n").as_bytes());
    }
    let (mut out, mut rejects) = (Vec::new(), Vec::new());
    let e = batch::run_streams(
        &ecb_job(),
        env.services(),
        &input[..],
        &mut out,
        &mut rejects,
        &Options::default(),
    )
    .unwrap_err();
    assert!(matches!(e, BatchError::Input(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("the record at byte {} is longer than 1048576 bytes (a quote that never closes?)", 7 + 35)
    );
    // The record before it was done; none after it was written.
    assert_eq!(String::from_utf8(out).unwrap(), format!("id,pan\n1,{CIPHER}\n"));

    let mut lines = b"{\"pan\":\"".to_vec();
    lines.resize(MAX_RECORD + 10, b'A');
    let job = job(Operation::EncryptData, ECB_REQUEST, &["pan=CipherText"], Format::JsonLines);
    let e = env.run(&job, &lines, 1).unwrap_err();
    assert_eq!(e.to_string(), "the record at byte 0 is longer than 1048576 bytes");
}

#[test]
fn empty_input_header_only_and_blank_lines() {
    let env = Env::new();
    let e = env.run(&ecb_job(), b"", 1).unwrap_err();
    assert!(matches!(e, BatchError::Input(_)));
    assert_eq!(e.to_string(), "the input is empty: a CSV file starts with its header row");

    let jsonl = job(Operation::EncryptData, ECB_REQUEST, &["pan=CipherText"], Format::JsonLines);
    let (summary, out, _) = env.run(&jsonl, b"", 2).unwrap();
    assert_eq!((summary.records, out.len()), (0, 0));

    let (summary, out, _) = env.run(&ecb_job(), b"pan", 1).unwrap();
    assert_eq!((summary.records, out), (0, b"pan\n".to_vec()));

    // Blank lines pass through as they are, are not records, and count as lines.
    let input = format!("id,pan\n\n1,{PLAIN}\r\n  \n\r\n2,x\n\n");
    let (summary, out, rejects) = env.run(&ecb_job(), input.as_bytes(), 2).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), format!("id,pan\n\n1,{CIPHER}\r\n  \n\r\n\n"));
    assert_eq!((summary.records, summary.succeeded, summary.rejected), (2, 1, 1));
    assert_eq!(reject(&rejects[0]).0, 6);
    let input = format!("\n{{\"pan\":\"{PLAIN}\"}}\n \n{{\"pan\":1}}\n");
    let (summary, out, rejects) = env.run(&jsonl, input.as_bytes(), 1).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), format!("\n{{\"pan\":\"{CIPHER}\"}}\n \n"));
    assert_eq!((summary.records, summary.rejected), (2, 1));
    assert_eq!(
        reject(&rejects[0]),
        (4, "ValidationException", "PlainText (1 characters) must be between 2 and 4096 hex characters.")
    );
}

#[test]
fn json_lines_that_are_not_objects_or_lack_a_member_are_rejected() {
    let env = Env::new();
    let job = job(Operation::EncryptData, ECB_REQUEST, &["out=CipherText"], Format::JsonLines);
    let input = format!(
        "[1]\n{{\"pan\":null}}\n{{\"card\":\"{PLAIN}\"}}\n{{\"pan\":\"{PLAIN}\"\n{{\"pan\":\"{PLAIN}\",\"x\":{{\"y\":[1.0]}}}}\n"
    );
    let (summary, out, rejects) = env.run(&job, input.as_bytes(), 2).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{{\"pan\":\"{PLAIN}\",\"x\":{{\"y\":[1.0]}},\"out\":\"{CIPHER}\"}}\n")
    );
    assert_eq!((summary.records, summary.rejected), (5, 4));
    let got: Vec<(u64, &str, &str)> = rejects.iter().map(reject).collect();
    assert_eq!(got[0], (1, "MalformedRecord", "the line is not a JSON object"));
    assert_eq!(got[1], (2, "MalformedRecord", "member pan is not a string or a number"));
    assert_eq!(got[2], (3, "MalformedRecord", "the record has no member pan"));
    assert_eq!((got[3].0, got[3].1), (4, "MalformedRecord"));
}

fn kms_key(env: &Env) -> String {
    let out =
        env.kms.call("CreateKey", json!({"KeySpec": "SYMMETRIC_DEFAULT"})).expect("operation").expect("key");
    out["KeyMetadata"]["Arn"].as_str().expect("arn").to_owned()
}

#[test]
fn kms_encrypt_decrypt_and_re_encrypt_round_trip_base64_columns() {
    use base64ct::{Base64, Encoding};
    let env = Env::new();
    let arn = kms_key(&env);
    let plains: Vec<Vec<u8>> = (0..40u8).map(|i| (0..=i).map(|j| j.wrapping_mul(37) ^ i).collect()).collect();
    let mut input = b"id,secret\n".to_vec();
    for (i, p) in plains.iter().enumerate() {
        input.extend_from_slice(format!("{i},{}\n", Base64::encode_string(p)).as_bytes());
    }
    input.extend_from_slice(b"40,not base64!\n");
    let encrypt = job(
        Operation::KmsEncrypt,
        &format!(r#"{{"KeyId":"{arn}","Plaintext":"{{secret}}","EncryptionContext":{{"row":"{{id}}"}}}}"#),
        &["blob=CiphertextBlob", "key=KeyId"],
        Format::Csv,
    );
    let (summary, sealed, rejects) = env.run(&encrypt, &input, 2).unwrap();
    assert_eq!((summary.records, summary.succeeded, summary.rejected), (41, 40, 1));
    assert_eq!(reject(&rejects[0]).0, 42);
    assert_eq!(reject(&rejects[0]).1, "ValidationException");
    let text = String::from_utf8(sealed.clone()).unwrap();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[3], arn);
        assert!(Base64::decode_vec(fields[2]).is_ok_and(|b| b.len() > 40), "{line}");
    }

    // Decrypt under the same context; row 7's context is changed, so that record fails.
    let sealed = String::from_utf8(sealed).unwrap().replacen("\n7,", "\n77,", 1);
    let decrypt = job(
        Operation::KmsDecrypt,
        r#"{"CiphertextBlob":"{blob}","EncryptionContext":{"row":"{id}"}}"#,
        &["back=Plaintext"],
        Format::Csv,
    );
    let (summary, opened, rejects) = env.run(&decrypt, sealed.as_bytes(), 2).unwrap();
    assert_eq!((summary.succeeded, summary.rejected), (39, 1));
    assert_eq!(reject(&rejects[0]).1, "InvalidCiphertextException");
    let text = String::from_utf8(opened).unwrap();
    assert!(text.starts_with("id,secret,blob,key,back\n"));
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[1], fields[4], "{line}");
    }

    // ReEncrypt to a second key (the blob replaced in place), then Decrypt under it.
    let second = kms_key(&env);
    let re_encrypt = job(
        Operation::KmsReEncrypt,
        &format!(
            r#"{{"CiphertextBlob":"{{blob}}","SourceEncryptionContext":{{"row":"{{id}}"}},"DestinationKeyId":"{second}"}}"#
        ),
        &["blob=CiphertextBlob", "key=KeyId", "from=SourceKeyId"],
        Format::Csv,
    );
    let (summary, moved, _) = env.run(&re_encrypt, sealed.as_bytes(), 2).unwrap();
    assert_eq!((summary.succeeded, summary.rejected), (39, 1));
    let moved = String::from_utf8(moved).unwrap();
    assert!(moved.lines().skip(1).all(|l| l.ends_with(&format!(",{second},{arn}"))), "{moved}");
    let decrypt =
        job(Operation::KmsDecrypt, r#"{"CiphertextBlob":"{blob}"}"#, &["back=Plaintext"], Format::Csv);
    let (summary, opened, rejects) = env.run(&decrypt, moved.as_bytes(), 1).unwrap();
    // The blobs were re-encrypted with no destination context: decrypting without one works.
    assert_eq!((summary.succeeded, summary.rejected), (39, 0), "{rejects:?}");
    for line in String::from_utf8(opened).unwrap().lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[1], fields[5], "{line}");
    }
}

/// A fresh directory under the target's temporary directory, removed when the test passes (kept to
/// look at when it fails).
struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn temp_dir(name: &str) -> TempDir {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("batch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run_files(env: &Env, job: &Job, paths: &Paths) -> Result<Summary, BatchError> {
    let options = Options { threads: 2, chunk_records: 3, ..Options::default() };
    batch::run(job, env.services(), paths, &options, &mut |_| {})
}

#[test]
fn a_job_error_leaves_no_files_behind() {
    let env = Env::new();
    let dir = temp_dir("job-error");
    let input = dir.join("in.csv");
    std::fs::write(&input, format!("id,card\n1,{PLAIN}\n")).unwrap();
    let paths = Paths { input: Some(input.clone()), output: Some(dir.join("out.csv")), rejects: None };
    let e = run_files(&env, &ecb_job(), &paths).unwrap_err();
    assert!(matches!(e, BatchError::Job(_)), "{e:?}");
    assert_eq!(listing(&dir), ["in.csv"]);
    std::fs::write(&input, "").unwrap();
    let e = run_files(&env, &ecb_job(), &paths).unwrap_err();
    assert!(matches!(e, BatchError::Input(_)), "{e:?}");
    assert_eq!(listing(&dir), ["in.csv"]);
}

#[test]
fn the_default_rejects_file_is_written_only_when_there_are_rejects() {
    let env = Env::new();
    let dir = temp_dir("rejects");
    let input = dir.join("in.csv");
    let paths = Paths { input: Some(input.clone()), output: Some(dir.join("out.csv")), rejects: None };
    std::fs::write(&input, format!("id,pan\n1,{PLAIN}\n2,zz\n")).unwrap();
    let summary = run_files(&env, &ecb_job(), &paths).unwrap();
    assert_eq!(summary.rejects, Some(dir.join("out.csv.rejects.jsonl")));
    assert_eq!(summary.output, Some(dir.join("out.csv")));
    assert_eq!(listing(&dir), ["in.csv", "out.csv", "out.csv.rejects.jsonl"]);
    let rejects = std::fs::read_to_string(dir.join("out.csv.rejects.jsonl")).unwrap();
    assert!(rejects.starts_with(r#"{"Line":3,"Record":"2,zz","Exception":"ValidationException","Message":"#));

    // A clean run over the same output: its (empty) rejects file is not left, nor the last run's.
    std::fs::write(&input, format!("id,pan\n1,{PLAIN}\n")).unwrap();
    let summary = run_files(&env, &ecb_job(), &paths).unwrap();
    assert_eq!(summary.rejects, None);
    assert_eq!(listing(&dir), ["in.csv", "out.csv"]);
    assert_eq!(std::fs::read_to_string(dir.join("out.csv")).unwrap(), format!("id,pan\n1,{CIPHER}\n"));

    // A rejects file named by the caller is written even when empty.
    let named = Paths { rejects: Some(dir.join("bad.jsonl")), ..paths };
    let summary = run_files(&env, &ecb_job(), &named).unwrap();
    assert_eq!(summary.rejects, Some(dir.join("bad.jsonl")));
    assert_eq!(std::fs::read(dir.join("bad.jsonl")).unwrap(), b"");
    assert_eq!(listing(&dir), ["bad.jsonl", "in.csv", "out.csv"]);
}

/// A generated file (known plaintexts under known keys), some records broken, through `batch::run`
/// with 2 threads: every good record's output decrypts to its plaintext, every broken one is rejected
/// with its line, and nothing else.
#[test]
fn generated_files_re_encrypt_to_their_known_plaintexts() {
    for kind in Kind::ALL {
        let env = Env::new();
        let mut file = Vec::new();
        let spec = Spec { kind, records: 300, terminals: 7, seed: 42 };
        let generated = generate::generate(&spec, &mut file).unwrap();
        let seed: SeedFile = serde_json::from_value(generated.seed_file).unwrap();
        env.payment.seed(&seed).unwrap();
        let text = String::from_utf8(file).unwrap();
        let mut broken = Vec::new();
        let lines: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                if i > 0 && i % 37 == 0 {
                    broken.push(i as u64 + 1);
                    // Cut the last field in half: a ciphertext that is not whole blocks.
                    line[..line.len() - 3].to_owned()
                } else {
                    line.to_owned()
                }
            })
            .collect();
        let dir = temp_dir(&format!("generated-{kind}"));
        let input = dir.join("in.csv");
        std::fs::write(&input, lines.join("\n") + "\n").unwrap();
        let job =
            job(Operation::ReEncryptData, &generated.request.to_string(), &[generated.result], Format::Csv);
        let paths = Paths { input: Some(input), output: Some(dir.join("out.csv")), rejects: None };
        let summary = run_files(&env, &job, &paths).unwrap();
        assert_eq!((summary.records, summary.rejected), (300, broken.len() as u64), "{kind}");

        let out = std::fs::read_to_string(dir.join("out.csv")).unwrap();
        let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
        let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
        let (iv, plain, data) = (column("iv"), column("plain"), column("data"));
        for line in out.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            let input: DecryptDataInput = serde_json::from_value(json!({"KeyIdentifier": "alias/batch-out",
                "CipherText": f[data], "DecryptionAttributes": {"Symmetric": {"Mode": "CBC",
                "InitializationVector": f[iv]}}}))
            .unwrap();
            assert_eq!(env.payment.decrypt_data(input).unwrap().plain_text, f[plain], "{kind}: {line}");
            assert_ne!(f[data], f[plain]);
        }
        let rejects = std::fs::read_to_string(dir.join("out.csv.rejects.jsonl")).unwrap();
        let lines: Vec<u64> = rejects
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["Line"].as_u64().unwrap())
            .collect();
        assert_eq!(lines, broken, "{kind}");
    }
}

/// EncryptData through the batch equals EncryptData called once per record, for a CBC job whose IV
/// and key come from columns (the session caches keys by identifier).
#[test]
fn a_cbc_job_with_key_and_iv_columns_equals_single_calls() {
    let env = Env::new();
    let request = r#"{"KeyIdentifier":"{key}","PlainText":"{pan}","EncryptionAttributes":{"Symmetric":{"Mode":"CBC","InitializationVector":"{iv}"}}}"#;
    let job = job(Operation::EncryptData, request, &["ct=CipherText", "kcv=KeyCheckValue"], Format::Csv);
    let mut input = b"key,iv,pan\n".to_vec();
    let mut rows = Vec::new();
    for i in 0..50u32 {
        let key = if i % 9 == 4 { "alias/gone" } else { "alias/aes" };
        let iv = format!("{:032X}", u128::from(i) * 0x0101_0101_0101);
        let pan = format!("{:064X}", u128::from(i) << 70 | 0xABCD);
        input.extend_from_slice(format!("{key},{iv},{pan}\n").as_bytes());
        rows.push((key, iv, pan));
    }
    let (summary, out, rejects) = env.run(&job, &input, 2).unwrap();
    let mut expected = "key,iv,pan,ct,kcv\n".to_owned();
    let mut expected_rejects = Vec::new();
    for (i, (key, iv, pan)) in rows.iter().enumerate() {
        let one = EncryptDataInput::symmetric(key, pan, paycrypt::Mode::Cbc, Some(iv));
        match env.payment.encrypt_data(one) {
            Ok(o) => {
                expected.push_str(&format!("{key},{iv},{pan},{},{}\n", o.cipher_text, o.key_check_value))
            }
            Err(e) => expected_rejects.push((i as u64 + 2, e.to_string())),
        }
    }
    assert_eq!(String::from_utf8(out).unwrap(), expected);
    let got: Vec<(u64, String)> = rejects.iter().map(|r| (reject(r).0, reject(r).2.to_owned())).collect();
    assert_eq!(got, expected_rejects);
    assert_eq!((summary.records, summary.rejected), (50, 6));
}

/// A placeholder in a member that is not a string (the mode, an enum) takes the path that renders each
/// record's request as JSON text: the same results and errors as single calls.
#[test]
fn a_mode_column_equals_single_calls() {
    let env = Env::new();
    let request = r#"{"KeyIdentifier":"alias/aes","PlainText":"{pan}","EncryptionAttributes":{"Symmetric":{"Mode":"{mode}"}}}"#;
    let job = job(Operation::EncryptData, request, &["pan=CipherText"], Format::Csv);
    let input = format!("mode,pan\nECB,{PLAIN}\nCBC,{PLAIN}\nXTS,{PLAIN}\nECB,zz\n");
    let (summary, out, rejects) = env.run(&job, input.as_bytes(), 2).unwrap();
    let cbc =
        env.payment.encrypt_data(EncryptDataInput::symmetric("alias/aes", PLAIN, paycrypt::Mode::Cbc, None));
    let cbc = cbc.unwrap().cipher_text;
    assert_eq!(String::from_utf8(out).unwrap(), format!("mode,pan\nECB,{CIPHER}\nCBC,{cbc}\n"));
    let got: Vec<(u64, &str)> = rejects.iter().map(|r| (reject(r).0, reject(r).1)).collect();
    assert_eq!(got, [(4, "ValidationException"), (5, "ValidationException")]);
    assert!(
        reject(&rejects[0]).2.starts_with("Invalid request: unknown variant `XTS`"),
        "{}",
        reject(&rejects[0]).2
    );
    assert!(!reject(&rejects[0]).2.contains(" at line "), "the rendered request's position is not shown");
    assert_eq!((summary.records, summary.rejected), (4, 2));
}

/// A kill after the output was renamed into place but before the checkpoint was removed (the last
/// steps of a run) leaves a checkpoint and no partial output: `--resume` finishes those steps.
#[test]
fn resume_after_a_kill_between_the_last_rename_and_the_checkpoint_removal() {
    let env = Env::new();
    let dir = temp_dir("last-steps");
    let input = dir.join("in.csv");
    std::fs::write(&input, format!("id,pan\n1,{PLAIN}\n2,{PLAIN}\n3,zz\n")).unwrap();
    let paths = Paths { input: Some(input), output: Some(dir.join("out.csv")), rejects: None };
    let options = |max_rejects, resume| Options { threads: 1, max_rejects, resume, ..Options::default() };
    let run = |options: &Options| batch::run(&ecb_job(), env.services(), &paths, options, &mut |_| {});
    let expected_out = format!("id,pan\n1,{CIPHER}\n2,{CIPHER}\n");

    for rejects_renamed in [true, false] {
        for f in listing(&dir).iter().filter(|f| *f != "in.csv") {
            std::fs::remove_file(dir.join(f)).unwrap();
        }
        // Stopped by --max-rejects after its one chunk: every record done, the checkpoint at the end.
        let stopped = run(&options(Some(0), false)).unwrap();
        assert!(stopped.stopped);
        let checkpoint = std::fs::read(dir.join("out.csv.paycrypt-checkpoint")).unwrap();
        let done = run(&options(None, true)).unwrap();
        assert_eq!((done.records, done.rejected), (3, 1));
        let rejects = std::fs::read(dir.join("out.csv.rejects.jsonl")).unwrap();
        // As a kill would leave it.
        std::fs::write(dir.join("out.csv.paycrypt-checkpoint"), &checkpoint).unwrap();
        if !rejects_renamed {
            std::fs::rename(
                dir.join("out.csv.rejects.jsonl"),
                dir.join("out.csv.rejects.jsonl.paycrypt-partial"),
            )
            .unwrap();
        }
        let resumed = run(&options(None, true)).unwrap_or_else(|e| panic!("renamed {rejects_renamed}: {e}"));
        assert_eq!((resumed.records, resumed.succeeded, resumed.rejected), (3, 2, 1));
        assert_eq!(resumed.rejects, Some(dir.join("out.csv.rejects.jsonl")));
        assert_eq!(std::fs::read_to_string(dir.join("out.csv")).unwrap(), expected_out);
        assert_eq!(std::fs::read(dir.join("out.csv.rejects.jsonl")).unwrap(), rejects);
        assert_eq!(listing(&dir), ["in.csv", "out.csv", "out.csv.rejects.jsonl"]);
    }
}

/// `--max-rejects 0` with one-record chunks stops after every record once a record is rejected, so
/// `--resume` restarts at every record boundary: CSV with a header field spanning lines, CRLF, blank
/// lines and quoted line breaks, and JSON Lines. The files equal an uninterrupted run's.
#[test]
fn resuming_at_every_record_gives_the_uninterrupted_files() {
    let env = Env::new();
    let csv = format!(
        "\"i\r\nd\",pan,note\r\n1,{PLAIN},a\r\n2,zz,\"b\r\n\"\"c\"\"\"\r\n\r\n3,{PLAIN},\n  \n4,{PLAIN},\"x,y\"\n5,1,\n6,{PLAIN},z"
    );
    let jsonl = format!(
        "{{\"pan\":\"{PLAIN}\",\"n\":1}}\n{{\"pan\":\"zz\"}}\r\n\n{{\"pan\":\"{PLAIN}\",\"n\":[2]}}\n[]\n{{\"pan\":\"{PLAIN}\"}}"
    );
    for (input, format, records, lines) in
        [(csv, Format::Csv, 6, [4, 10]), (jsonl, Format::JsonLines, 5, [2, 5])]
    {
        let dir = temp_dir(&format!("every-record-{format}"));
        let name = format!("in.{format}");
        std::fs::write(dir.join(&name), &input).unwrap();
        let job = job(Operation::EncryptData, ECB_REQUEST, &["pan=CipherText"], format);
        let paths =
            |out: &str| Paths { input: Some(dir.join(&name)), output: Some(dir.join(out)), rejects: None };
        let options = |max_rejects, resume| Options {
            threads: 2,
            chunk_records: 1,
            checkpoint_records: 1,
            checkpoint_interval: std::time::Duration::ZERO,
            max_rejects,
            resume,
        };
        let clean =
            batch::run(&job, env.services(), &paths("clean"), &options(None, false), &mut |_| {}).unwrap();
        assert_eq!((clean.records, clean.rejected), (records, 2), "{format}");

        let mut runs = 0;
        let mut summary =
            batch::run(&job, env.services(), &paths("out"), &options(Some(0), false), &mut |_| {}).unwrap();
        while summary.stopped {
            runs += 1;
            assert!(runs <= 10, "{format}: no progress");
            summary = batch::run(&job, env.services(), &paths("out"), &options(Some(0), true), &mut |_| {})
                .unwrap_or_else(|e| panic!("{format} run {runs}: {e}"));
        }
        assert!(runs >= 3, "{format}: {runs} resumed runs");
        assert_eq!(
            (summary.records, summary.succeeded, summary.rejected),
            (clean.records, clean.succeeded, 2)
        );
        assert_eq!(
            std::fs::read(dir.join("out")).unwrap(),
            std::fs::read(dir.join("clean")).unwrap(),
            "{format}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("out.rejects.jsonl")).unwrap(),
            std::fs::read_to_string(dir.join("clean.rejects.jsonl")).unwrap(),
            "{format}"
        );
        let rejects = std::fs::read_to_string(dir.join("out.rejects.jsonl")).unwrap();
        let got: Vec<u64> = rejects
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["Line"].as_u64().unwrap())
            .collect();
        assert_eq!(got, lines, "{format}");
        assert_eq!(
            listing(&dir),
            ["clean", "clean.rejects.jsonl", name.as_str(), "out", "out.rejects.jsonl"]
        );
    }
}
