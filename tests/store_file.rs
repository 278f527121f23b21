//! The persistent store: sealing at rest, the master key file's rules, two processes, and crash
//! safety (a process writing keys killed with SIGKILL at random points, many trials).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::keys::{FileStore, KeyArn, KeyStore, MasterKey, OpenOptions, StoreError};

const MASTER: &str = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
const BIN: &str = env!("CARGO_BIN_EXE_paycrypt");

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn paycrypt(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("PAYCRYPT_DATA_DIR", dir).env("PAYCRYPT_MASTER_KEY", MASTER).env_remove("PAYCRYPT_LOCK_TIMEOUT");
    cmd
}

const CREATE_ARGS: [&str; 4] = [
    "create-key",
    "--exportable",
    "--key-attributes",
    r#"{"KeyAlgorithm":"AES_256","KeyClass":"SYMMETRIC_KEY","KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}}"#,
];

fn master() -> MasterKey {
    MasterKey::from_hex(MASTER).expect("master")
}

#[test]
fn material_is_sealed_at_rest_and_bound_to_the_arn() {
    let dir = temp_dir("sealed");
    let out = paycrypt(&dir)
        .args(["import-key", "--key-material"])
        .arg(r#"{"ClearKey":{"KeyAttributes":{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY","KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY","KeyModesOfUse":{"NoRestrictions":true}},"KeyMaterial":"2B7E151628AED2A6ABF7158809CF4F3C"}}"#)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = std::fs::read(dir.join("keys.redb")).expect("db");
    let key = hex::decode("2B7E151628AED2A6ABF7158809CF4F3C").expect("hex");
    assert!(!db.windows(16).any(|w| w == key.as_slice()), "clear key bytes found in the database");
    assert!(!String::from_utf8_lossy(&db).to_uppercase().contains("2B7E151628AED2A6ABF7158809CF4F3C"));
    let mode = std::fs::metadata(dir.join("keys.redb")).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Another master key cannot open the store.
    let wrong = FileStore::open_with_master(
        &dir,
        MasterKey::from_bytes(&[9; 32]).expect("key"),
        &OpenOptions::default(),
    );
    assert!(matches!(wrong, Err(StoreError::MasterKey(_))), "{wrong:?}");
}

#[test]
fn master_key_file_is_created_private_and_must_stay_so() {
    let dir = temp_dir("masterfile");
    let ok = Command::new(BIN)
        .env("PAYCRYPT_DATA_DIR", &dir)
        .env_remove("PAYCRYPT_MASTER_KEY")
        .args(CREATE_ARGS)
        .output();
    let ok = ok.expect("run");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let path = dir.join("master.key");
    assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).expect("read").len(), 64);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = Command::new(BIN)
        .env("PAYCRYPT_DATA_DIR", &dir)
        .env_remove("PAYCRYPT_MASTER_KEY")
        .args(CREATE_ARGS)
        .output();
    let refused = refused.expect("run");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("has mode 0644; it must be readable by its owner only (chmod 600)"), "{stderr}");
}

#[test]
fn second_process_waits_then_names_the_holder() {
    let dir = temp_dir("locked");
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("open");
    let out = paycrypt(&dir).env("PAYCRYPT_LOCK_TIMEOUT", "0.2").args(["list-keys"]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("is in use by process {}", std::process::id())), "{stderr}");
    // Released within the wait: the second process gets in.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(store);
    });
    let out = paycrypt(&dir).args(["list-keys"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    releaser.join().expect("join");
}

/// A random number below `n`.
fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("random");
    u64::from_le_bytes(b) % n
}

#[test]
fn sigkill_at_random_points_loses_no_acknowledged_key() {
    let dir = temp_dir("crash");
    // Warm up: create the store so every trial exercises a key write, not store creation only.
    assert!(paycrypt(&dir).args(CREATE_ARGS).output().expect("run").status.success());
    let trials = 150;
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    let (mut killed, started) = (0, Instant::now());
    for _ in 0..trials {
        let mut child = paycrypt(&dir)
            .args(CREATE_ARGS)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_micros(random_below(25_000)));
        // SIGKILL (a no-op if it already exited).
        if child.try_wait().expect("wait").is_none() {
            let _ = child.kill();
            killed += 1;
        }
        let out = child.wait_with_output().expect("output");
        if out.status.success() {
            let json: serde_json::Value =
                serde_json::from_slice(&out.stdout).expect("acknowledged output is JSON");
            let arn = json["Key"]["KeyArn"].as_str().expect("arn").to_owned();
            let kcv = json["Key"]["KeyCheckValue"].as_str().expect("kcv").to_owned();
            acknowledged.push((arn, kcv));
        }
    }
    println!(
        "crash safety: {trials} trials, SIGKILL sent to {killed} still running, {} acknowledged, {:?}",
        acknowledged.len(),
        started.elapsed()
    );
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default())
        .expect("store opens after kills");
    for (arn, expected_kcv) in &acknowledged {
        let arn = KeyArn::parse(arn).expect("arn");
        let stored = store.get_key(&arn).expect("readable").expect("acknowledged key present");
        let key = stored.material.symmetric().expect("symmetric");
        assert_eq!(&hex::encode_upper(kcv(key, KcvAlgorithm::Cmac)), expected_kcv, "material intact");
        assert_eq!(&stored.key.key_check_value, expected_kcv);
    }
    // Every key in the store, acknowledged or not, is whole.
    for key in store.list_keys(None, 1000).expect("list") {
        let stored = store.get_key(&key.key_arn).expect("readable").expect("present");
        let material = stored.material.symmetric().expect("symmetric");
        assert_eq!(hex::encode_upper(kcv(material, KcvAlgorithm::Cmac)), key.key_check_value);
    }
    assert!(killed > 0 || acknowledged.len() == trials);
}
