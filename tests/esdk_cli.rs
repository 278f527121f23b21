//! `paycrypt esdk encrypt|decrypt` and `paycrypt action encrypt-data|decrypt-data` through the built
//! binary, on a store seeded from `tests/cmd/kms/fixtures/seed.json` (`alias/app`, a disabled key
//! behind `alias/disabled`): round trips through files and pipes, base64, the metadata output, raw AES
//! keys, and what a failed decryption leaves behind (nothing).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const APP_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/11111111-1111-4111-8111-111111111111";
const RAW: &str = "namespace=tests,name=raw-1,key=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A scratch directory with a seeded store, removed when the test passes.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("esdk-cli-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        let s = Scratch { dir };
        let out = s.run(&["seed", "tests/cmd/kms/fixtures/seed.json"], None);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        s
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_paycrypt"))
            .args(args)
            .env("PAYCRYPT_DATA_DIR", self.dir.join("store"))
            .env("PAYCRYPT_REGION", "us-east-1")
            .env("PAYCRYPT_ACCOUNT_ID", "111122223333")
            .env_remove("PAYCRYPT_ENDPOINT_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start paycrypt");
        let mut pipe = child.stdin.take().expect("stdin");
        let input = stdin.unwrap_or_default().to_vec();
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let out = child.wait_with_output().expect("wait for paycrypt");
        writer.join().expect("the stdin writer");
        out
    }

    fn ok(&self, args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn plaintext(size: usize) -> Vec<u8> {
    (0..size).map(|i| u8::try_from((i * 7 + size) % 251).unwrap_or(0)).collect()
}

#[test]
fn file_round_trips_with_context_and_metadata() {
    let s = Scratch::new("files");
    for (size, frame, suite) in [(0, "4096", "0x0578"), (5000, "512", "0x0478"), (70_000, "4096", "0x0578")] {
        let (plain, enc, dec, meta) = (s.path("p"), s.path("p.enc"), s.path("p.dec"), s.path("meta.json"));
        std::fs::write(&plain, plaintext(size)).unwrap();
        s.ok(
            &[
                "esdk",
                "encrypt",
                "--key-id",
                "alias/app",
                "--input",
                &plain,
                "--output",
                &enc,
                "--frame-length",
                frame,
                "--algorithm",
                suite,
                "--encryption-context",
                "purpose=test",
                "team=payments",
                "--metadata-output",
                &meta,
            ],
            None,
        );
        let encrypted: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        s.ok(
            &[
                "esdk",
                "decrypt",
                "--key-id",
                APP_ARN,
                "--input",
                &enc,
                "--output",
                &dec,
                "--encryption-context",
                "purpose=test",
                "--metadata-output",
                &meta,
            ],
            None,
        );
        assert_eq!(std::fs::read(&dec).unwrap(), plaintext(size), "{size}");
        let info: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
        assert_eq!(info, encrypted, "the header read back is the header written");
        assert_eq!(info["algorithmId"], suite);
        assert_eq!(info["frameLength"], json!(frame.parse::<u32>().unwrap()));
        assert_eq!(info["encryptionContext"]["purpose"], "test");
        assert_eq!(info["encryptionContext"]["team"], "payments");
        assert_eq!(info["wrappingKeys"], json!([{"providerId": "aws-kms", "providerInfo": APP_ARN}]));
        assert_eq!(info["messageId"].as_str().unwrap().len(), 44, "32 bytes in base64");
        assert!(!Path::new(&format!("{dec}.paycrypt-partial")).exists());
    }
}

#[test]
fn pipes_and_base64() {
    let s = Scratch::new("pipes");
    let data = plaintext(10_000);
    let message = s.ok(&["esdk", "encrypt", "--key-id", "alias/app"], Some(&data));
    assert_eq!(s.ok(&["esdk", "decrypt", "--key-id", "alias/app"], Some(&message)), data);
    // `--output -` is standard output, as for the other commands' files.
    assert_eq!(s.ok(&["esdk", "decrypt", "--key-id", APP_ARN, "--output", "-"], Some(&message)), data);

    let text = s.ok(&["esdk", "encrypt", "--key-id", "alias/app", "--base64"], Some(&data));
    let text = String::from_utf8(text).unwrap();
    assert!(text.ends_with('\n') && !text.trim_end().contains('\n'));
    // Line breaks and spaces in the input are ignored.
    let wrapped: String = text
        .trim()
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap().to_owned() + "\n  ")
        .collect();
    assert_eq!(s.ok(&["esdk", "decrypt", "--key-id", APP_ARN, "--base64"], Some(wrapped.as_bytes())), data);

    let out = s.run(&["esdk", "decrypt", "--key-id", APP_ARN, "--base64"], Some(b"not base64!"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("Error: standard input is not valid base64."));
}

#[test]
fn raw_aes_keys_alone_and_with_kms() {
    let s = Scratch::new("raw");
    let data = plaintext(3000);
    let message = s.ok(&["esdk", "encrypt", "--raw-aes-key", RAW], Some(&data));
    assert_eq!(s.ok(&["esdk", "decrypt", "--raw-aes-key", RAW], Some(&message)), data);
    let key_file = s.path("raw.key");
    std::fs::write(&key_file, (0u8..32).collect::<Vec<u8>>()).unwrap();
    let from_file = format!("namespace=tests,name=raw-1,key-file={key_file}");
    assert_eq!(s.ok(&["esdk", "decrypt", "--raw-aes-key", &from_file], Some(&message)), data);

    let meta = s.path("two.json");
    let both = s.ok(
        &["esdk", "encrypt", "--key-id", "alias/app", "--raw-aes-key", RAW, "--metadata-output", &meta],
        Some(&data),
    );
    let info: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    assert_eq!(info["wrappingKeys"][0], json!({"providerId": "aws-kms", "providerInfo": APP_ARN}));
    assert_eq!(info["wrappingKeys"][1]["providerId"], "tests");
    assert!(info["wrappingKeys"][1]["providerInfoBase64"].is_string());
    assert_eq!(s.ok(&["esdk", "decrypt", "--raw-aes-key", RAW], Some(&both)), data);
    assert_eq!(s.ok(&["esdk", "decrypt", "--key-id", "alias/app"], Some(&both)), data);
    let out =
        s.run(&["esdk", "decrypt", "--raw-aes-key", RAW, "--max-encrypted-data-keys", "1"], Some(&both));
    assert_eq!(out.status.code(), Some(1), "two wrapped keys, at most one allowed");
    assert!(out.stdout.is_empty());

    let other = RAW.replace("raw-1", "raw-2");
    let out = s.run(&["esdk", "decrypt", "--raw-aes-key", &other], Some(&message));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_failed_decryption_leaves_no_file() {
    let s = Scratch::new("tamper");
    let data = plaintext(20_000);
    let message = s.ok(&["esdk", "encrypt", "--key-id", "alias/app", "--frame-length", "1024"], Some(&data));
    let out_file = s.path("out.bin");
    // A change in the last frame: the first frames verify and are written, then the partial file goes.
    for at in [40, message.len() / 2, message.len() - 120, message.len() - 1] {
        let mut bad = message.clone();
        bad[at] ^= 0x80;
        let out = s.run(&["esdk", "decrypt", "--key-id", "alias/app", "--output", &out_file], Some(&bad));
        assert_eq!(out.status.code(), Some(1), "byte {at}");
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("Error: "));
        assert!(!Path::new(&out_file).exists(), "byte {at}");
        assert!(!Path::new(&format!("{out_file}.paycrypt-partial")).exists(), "byte {at}");
        // To standard output: nothing is printed.
        let out = s.run(&["esdk", "decrypt", "--key-id", "alias/app"], Some(&bad));
        assert_eq!(out.status.code(), Some(1));
        assert!(out.stdout.is_empty(), "byte {at}");
    }
    let out = s.run(
        &["esdk", "decrypt", "--key-id", "alias/app", "--output", &out_file],
        Some(&message[..message.len() - 10]),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!Path::new(&out_file).exists());
    // A required context pair that is not in the message.
    let out = s.run(
        &["esdk", "decrypt", "--key-id", "alias/app", "--output", &out_file, "--encryption-context", "a=b"],
        Some(&message),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!Path::new(&out_file).exists());
}

#[test]
fn kms_errors_keep_their_exception() {
    let s = Scratch::new("kms-errors");
    let out = s.run(&["esdk", "encrypt", "--key-id", "alias/disabled"], Some(b"x"));
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DisabledException"), "{stderr}");
    let out = s.run(&["esdk", "encrypt", "--key-id", "alias/nope"], Some(b"x"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NotFoundException"));
}

#[test]
fn the_action_on_the_command_line() {
    let s = Scratch::new("action");
    let alias = "arn:aws:kms:us-east-1:111122223333:alias/app";
    let data = r#"{"pan":"4111111111111111","expiry":"12/29"}"#;
    let out = s.ok(
        &["action", "encrypt-data", "--key-arn", alias, "--organization-id", "org-1", "--data", data],
        None,
    );
    let out: Value = serde_json::from_slice(&out).unwrap();
    let encrypted = out["encryptedData"].as_str().unwrap().to_owned();
    let back = s.ok(
        &[
            "action",
            "decrypt-data",
            "--key-arn",
            alias,
            "--organization-id",
            "org-1",
            "--encrypted-data",
            &encrypted,
        ],
        None,
    );
    assert_eq!(
        serde_json::from_slice::<Value>(&back).unwrap(),
        json!({"data": serde_json::from_str::<Value>(data).unwrap()})
    );
    // Standard input, and --data-file.
    let back = s.ok(
        &["action", "decrypt-data", "--key-arn", alias, "--organization-id", "org-1"],
        Some(encrypted.as_bytes()),
    );
    assert_eq!(serde_json::from_slice::<Value>(&back).unwrap()["data"]["expiry"], "12/29");
    let file = s.path("data.json");
    std::fs::write(&file, "[1, 2, 3]\n").unwrap();
    let out = s.ok(
        &["action", "encrypt-data", "--key-arn", "alias/app", "--organization-id", "o", "--data-file", &file],
        None,
    );
    let list: Value = serde_json::from_slice(&out).unwrap();
    let back = s.ok(
        &["action", "decrypt-data", "--key-arn", "alias/app", "--organization-id", "o"],
        Some(list["encryptedData"].as_str().unwrap().as_bytes()),
    );
    assert_eq!(serde_json::from_slice::<Value>(&back).unwrap(), json!({"data": [1, 2, 3]}));

    let failure = |args: &[&str], stdin: Option<&[u8]>, expected: &str| {
        let out = s.run(args, stdin);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["errorType"], expected, "{args:?}");
        assert!(v["errorMessage"].is_string());
    };
    failure(
        &["action", "encrypt-data", "--key-arn", alias, "--organization-id", "o", "--data", "null"],
        None,
        "NoDataSupplied",
    );
    failure(
        &["action", "encrypt-data", "--key-arn", alias, "--organization-id", "o"],
        None,
        "NoDataSupplied",
    );
    failure(
        &["action", "encrypt-data", "--organization-id", "o", "--data", "1"],
        None,
        "CustomerKeyNotConfigured",
    );
    failure(
        &["action", "encrypt-data", "--key-arn", "alias/disabled", "--organization-id", "o", "--data", "1"],
        None,
        "CustomerKeyNotFound",
    );
    failure(
        &["action", "decrypt-data", "--key-arn", alias, "--organization-id", "o", "--encrypted-data", "%%%"],
        None,
        "GeneralError",
    );
    failure(
        &[
            "action",
            "decrypt-data",
            "--key-arn",
            alias,
            "--organization-id",
            "org-2",
            "--encrypted-data",
            &encrypted,
        ],
        None,
        "GeneralError",
    );
    let long = "A".repeat(32_001);
    failure(
        &["action", "decrypt-data", "--key-arn", alias, "--organization-id", "o"],
        Some(long.as_bytes()),
        "MaximumDataSizeExceeded",
    );
}
