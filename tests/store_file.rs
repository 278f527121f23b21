//! The persistent store: sealing at rest, the master key file's rules, two processes, and crash
//! safety (a process writing keys killed with SIGKILL at random points, many trials).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use redb::ReadableTable as _;

use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::keys::{
    AliasEntry, AliasName, FileStore, KeyArn, KeyStore, KmsAliasName, KmsKeyArn, KmsKeySpec, KmsKeyState,
    KmsMaterial, MasterKey, OpenOptions, StoreError, StoredKey,
};

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
    let ok = with_key_file(&dir);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let path = dir.join("master.key");
    assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::read_to_string(&path).expect("read").len(), 64);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = with_key_file(&dir);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("has mode 0644; it must be readable by its owner only (chmod 600)"), "{stderr}");
}

/// Runs a key write with the master key from `dir/master.key` (no environment key).
fn with_key_file(dir: &Path) -> std::process::Output {
    Command::new(BIN)
        .env("PAYCRYPT_DATA_DIR", dir)
        .env_remove("PAYCRYPT_MASTER_KEY")
        .env_remove("PAYCRYPT_LOCK_TIMEOUT")
        .args(CREATE_ARGS)
        .output()
        .expect("run")
}

#[test]
fn a_lost_master_key_is_not_replaced_next_to_an_existing_store() {
    let dir = temp_dir("lostkey");
    assert!(with_key_file(&dir).status.success());
    std::fs::remove_file(dir.join("master.key")).expect("lose the key");
    let refused = with_key_file(&dir);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("master.key is missing but") && stderr.contains("keys.redb exists"), "{stderr}");
    assert!(!dir.join("master.key").exists(), "no new key was written");
    // No temporary key file is left behind either.
    let names: Vec<String> = std::fs::read_dir(&dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("master.key.")), "{names:?}");
}

#[test]
fn key_files_and_directories_of_other_users_or_open_to_others_are_refused() {
    use std::os::unix::fs::MetadataExt;
    let dir = temp_dir("owners");
    assert!(with_key_file(&dir).status.success());
    let me = std::fs::metadata("/proc/self").expect("proc").uid();

    // A data directory that group or others can write.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let refused = with_key_file(&dir);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("has mode 0777: group or others can write it (chmod 700)"), "{stderr}");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");

    // A master.key that is a symbolic link.
    let key = dir.join("master.key");
    let moved = dir.join("elsewhere.key");
    std::fs::rename(&key, &moved).expect("move");
    std::os::unix::fs::symlink(&moved, &key).expect("symlink");
    let refused = with_key_file(&dir);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not a regular file"), "{stderr}");
    std::fs::remove_file(&key).expect("unlink");
    std::fs::rename(&moved, &key).expect("move back");
    assert!(with_key_file(&dir).status.success());

    // Owned by another user: only root can arrange that (CI runs as root); skipped otherwise.
    if me == 0 {
        std::process::Command::new("chown").arg("4242").arg(&key).status().expect("chown");
        let refused = with_key_file(&dir);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("belongs to user id 4242, not to the user running paycrypt (0)"), "{stderr}");
    }
}

#[test]
fn a_symbolic_link_at_store_pid_is_not_followed() {
    let dir = temp_dir("pidlink");
    assert!(with_key_file(&dir).status.success());
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "untouched").expect("write");
    let pid = dir.join("store.pid");
    std::fs::remove_file(&pid).expect("remove");
    std::os::unix::fs::symlink(&victim, &pid).expect("symlink");
    assert!(with_key_file(&dir).status.success());
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "untouched");
    assert!(!std::fs::symlink_metadata(&pid).expect("meta").file_type().is_symlink());
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

/// One write a crash trial runs: what it was, for the check after the kills.
enum Write {
    Key,
    Alias { name: String, key: String },
    KmsKey,
}

#[test]
fn sigkill_at_random_points_loses_no_acknowledged_write() {
    let dir = temp_dir("crash");
    // Warm up: create the store so every trial exercises a write, not store creation only.
    assert!(paycrypt(&dir).args(CREATE_ARGS).output().expect("run").status.success());
    // How long one uninterrupted key write takes here, so that the kills land inside the process's
    // life (a fixed window kills nothing on a fast machine and everything on a slow one).
    let run_started = Instant::now();
    assert!(paycrypt(&dir).args(CREATE_ARGS).output().expect("run").status.success());
    let window_us =
        u64::try_from(run_started.elapsed().as_micros()).unwrap_or(u64::MAX).clamp(1_000, 2_000_000);
    // 1,000 by default (about 10-20 s); PAYCRYPT_CRASH_TRIALS for more or fewer.
    let trials: usize =
        std::env::var("PAYCRYPT_CRASH_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(1000);
    let mut keys: Vec<(String, String)> = Vec::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut kms_keys: Vec<String> = Vec::new();
    let (mut killed, started) = (0, Instant::now());
    for trial in 0..trials {
        // Mostly payment keys; aliases on acknowledged keys and KMS keys in between.
        let write = match (random_below(4), keys.is_empty()) {
            (0, false) => {
                let key = keys[usize::try_from(random_below(keys.len() as u64)).expect("index")].0.clone();
                Write::Alias { name: format!("alias/crash-{trial}"), key }
            }
            (1, _) => Write::KmsKey,
            _ => Write::Key,
        };
        let mut command = paycrypt(&dir);
        match &write {
            Write::Key => command.args(CREATE_ARGS),
            Write::Alias { name, key } => {
                command.args(["create-alias", "--alias-name", name, "--key-arn", key])
            }
            Write::KmsKey => command.args(["kms", "create-key"]),
        };
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
        // Up to 1.5x one run: most trials are killed mid-run, some finish and are acknowledged.
        std::thread::sleep(Duration::from_micros(random_below(window_us + window_us / 2)));
        // SIGKILL (a no-op if it already exited).
        if child.try_wait().expect("wait").is_none() {
            let _ = child.kill();
            killed += 1;
        }
        let out = child.wait_with_output().expect("output");
        if !out.status.success() {
            continue;
        }
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("acknowledged output is JSON");
        match write {
            Write::Key => keys.push((
                json["Key"]["KeyArn"].as_str().expect("arn").to_owned(),
                json["Key"]["KeyCheckValue"].as_str().expect("kcv").to_owned(),
            )),
            Write::Alias { name, key } => aliases.push((name, key)),
            Write::KmsKey => kms_keys.push(json["KeyMetadata"]["Arn"].as_str().expect("kms arn").to_owned()),
        }
    }
    println!(
        "crash safety: {trials} trials in a {window_us} us window, SIGKILL sent to {killed} still running; \
         acknowledged {} keys, {} aliases, {} KMS keys; {:?}",
        keys.len(),
        aliases.len(),
        kms_keys.len(),
        started.elapsed()
    );
    // The store opens (no corruption), and every acknowledged write is there, whole.
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default())
        .expect("store opens after kills");
    for (arn, expected_kcv) in &keys {
        let arn = KeyArn::parse(arn).expect("arn");
        let stored = store.get_key(&arn).expect("readable").expect("acknowledged key present");
        let key = stored.material.symmetric().expect("symmetric");
        assert_eq!(&hex::encode_upper(kcv(key, KcvAlgorithm::Cmac)), expected_kcv, "material intact");
        assert_eq!(&stored.key.key_check_value, expected_kcv);
    }
    drop(store);
    for (alias, key) in &aliases {
        let out = paycrypt(&dir).args(["get-alias", "--alias-name", alias]).output().expect("run");
        assert!(out.status.success(), "acknowledged {alias}: {}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(json["Alias"]["KeyArn"].as_str(), Some(key.as_str()), "{alias}");
    }
    for arn in &kms_keys {
        let out = paycrypt(&dir).args(["kms", "describe-key", "--key-id", arn]).output().expect("run");
        assert!(out.status.success(), "acknowledged {arn}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // Every record in the store, acknowledged or not, is whole and passes its MAC.
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("store opens");
    for key in store.list_keys(None, 100_000).expect("list") {
        let stored = store.get_key(&key.key_arn).expect("readable").expect("present");
        let material = stored.material.symmetric().expect("symmetric");
        assert_eq!(hex::encode_upper(kcv(material, KcvAlgorithm::Cmac)), key.key_check_value);
    }
    drop(store);
    for listing in [&["list-aliases"][..], &["kms", "list-keys"][..]] {
        let out = paycrypt(&dir).args(listing).output().expect("run");
        assert!(out.status.success(), "{listing:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    // A trial that killed nothing, or acknowledged nothing, proves nothing about crash safety.
    assert!(killed >= trials / 4, "only {killed} of {trials} trials killed a running process");
    assert!(!keys.is_empty() && !kms_keys.is_empty(), "nothing acknowledged to check");
}

/// Copies the store that commit bde5924 wrote (`tests/fixtures/store_bde5924`, see its
/// `source.txt`) into a fresh directory.
fn store_written_by_bde5924(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store_bde5924/keys.redb");
    std::fs::copy(fixture, dir.join("keys.redb")).expect("copy fixture");
    dir
}

const FIXTURE_KMS_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/0b5e5f5a-1111-4222-8333-444455556666";

#[test]
fn store_written_by_bde5924_opens() {
    let dir = store_written_by_bde5924("bde5924-opens");
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("open");
    let keys = store.list_keys(None, 10).expect("list");
    let arns: Vec<&str> = keys.iter().map(|k| k.key_arn.as_str()).collect();
    assert_eq!(
        arns,
        [
            "arn:aws:payment-cryptography:us-east-1:111122223333:key/aes128dek0000001",
            "arn:aws:payment-cryptography:us-east-1:111122223333:key/tdes2dek00000001"
        ]
    );
    // Stopped after seeding: the update is there.
    assert!(!keys[0].enabled && keys[1].enabled);
    for (key, material, check) in [
        (&keys[0], "2B7E151628AED2A6ABF7158809CF4F3C", "7AD386"),
        (&keys[1], "0123456789ABCDEFFEDCBA9876543210", "08D7B4"),
    ] {
        let stored = store.get_key(&key.key_arn).expect("get").expect("present");
        let bytes = stored.material.symmetric().expect("symmetric").as_bytes().to_vec();
        assert_eq!(hex::encode_upper(bytes), material);
        assert_eq!(stored.key, *key);
        assert_eq!(key.key_check_value, check);
    }
    let aliases = store.list_aliases(None, 10).expect("aliases");
    let aliases: Vec<(&str, Option<&str>)> =
        aliases.iter().map(|a| (a.name.as_str(), a.key_arn.as_ref().map(KeyArn::as_str))).collect();
    assert_eq!(aliases, [("alias/empty", None), ("alias/zone", Some(arns[0]))]);

    let kms_arn = KmsKeyArn::parse(FIXTURE_KMS_KEY).expect("arn");
    let kms = store.get_kms_key(&kms_arn).expect("get").expect("present");
    assert_eq!(kms.key.key_state, KmsKeyState::Disabled);
    assert_eq!(kms.key.description, "fixture");
    assert_eq!(
        kms.material,
        KmsMaterial::from_bytes(
            KmsKeySpec::SymmetricDefault,
            &hex::decode("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f").expect("hex")
        )
        .expect("material")
    );
    assert_eq!(store.list_kms_keys(None, 10).expect("list"), std::slice::from_ref(&kms.key));
    let alias = store.get_kms_alias(&KmsAliasName::parse("alias/app").expect("name")).expect("get");
    assert_eq!(alias.map(|a| a.target_key_id), Some(kms_arn.key_id()));
    let grants = store.list_grants(&kms_arn).expect("grants");
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].grant_id, "a5bd6f2aaf4b2832aefbe549aab73d846c5e1da82f10b1c1847c14e772fbcc59");
    assert_eq!(grants[0].operations, ["Encrypt", "Decrypt"]);

    // And it takes changes: a reopened store sees them.
    let mut changed = keys[1].clone();
    changed.enabled = false;
    store.update_key(&changed).expect("update");
    drop(store);
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("reopen");
    assert_eq!(store.get_key_metadata(&changed.key_arn).expect("get"), Some(changed));
}

#[test]
fn records_keep_the_table_layout_of_bde5924() {
    use redb::{ReadableDatabase, TableDefinition};

    let dir = store_written_by_bde5924("bde5924-layout");
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("open");
    // Write one record of each kind with today's code...
    let mut seeded = store.list_keys(None, 1).expect("list").remove(0);
    let material = store.get_key(&seeded.key_arn).expect("get").expect("present").material;
    seeded.key_arn =
        KeyArn::parse("arn:aws:payment-cryptography:us-east-1:111122223333:key/newkey0000000001")
            .expect("arn");
    store.insert_key(&StoredKey { key: seeded.clone(), material }).expect("insert");
    store
        .put_alias(
            &AliasEntry {
                name: AliasName::parse("alias/new").expect("name"),
                key_arn: Some(seeded.key_arn.clone()),
            },
            true,
        )
        .expect("alias");
    drop(store);
    // ...and read the tables as bde5924 laid them out: JSON `{"Key": …, "SealedMaterial": hex}` under
    // the ARN, and aliases as the bare ARN text.
    let db = redb::Database::open(dir.join("keys.redb")).expect("raw open");
    let read = db.begin_read().expect("read");
    for (table, name) in [("keys", seeded.key_arn.as_str()), ("kms_keys", FIXTURE_KMS_KEY)] {
        let table = read.open_table(TableDefinition::<&str, &[u8]>::new(table)).expect("table");
        let row = table.get(name).expect("get").expect("row");
        let json: serde_json::Value = serde_json::from_slice(row.value()).expect("json");
        let object = json.as_object().expect("object");
        assert_eq!(object.keys().collect::<Vec<_>>(), ["Key", "SealedMaterial"]);
        let sealed = hex::decode(json["SealedMaterial"].as_str().expect("hex")).expect("hex");
        let opened = master().open(name.as_bytes(), &sealed, name).expect("sealed under the ARN");
        assert!(!opened.is_empty());
    }
    let aliases = read.open_table(TableDefinition::<&str, &str>::new("aliases")).expect("aliases");
    assert_eq!(
        aliases.get("alias/new").expect("get").map(|v| v.value().to_owned()).as_deref(),
        Some(seeded.key_arn.as_str())
    );
    assert_eq!(aliases.get("alias/empty").expect("get").map(|v| v.value().to_owned()).as_deref(), Some(""));
}

#[test]
fn store_made_before_the_kms_tables_gains_them() {
    use redb::TableDefinition;

    // The layout before KMS: keys, aliases and the master key check, written here table by table.
    let dir = temp_dir("pre-kms");
    std::fs::create_dir_all(&dir).expect("mkdir");
    {
        let db = redb::Database::create(dir.join("keys.redb")).expect("create");
        let txn = db.begin_write().expect("write");
        txn.open_table(TableDefinition::<&str, &[u8]>::new("keys")).expect("keys");
        let mut aliases = txn.open_table(TableDefinition::<&str, &str>::new("aliases")).expect("aliases");
        aliases.insert("alias/old", "").expect("alias");
        drop(aliases);
        let check = master().seal(b"master-key-check", b"paycrypt key store").expect("seal");
        let mut meta = txn.open_table(TableDefinition::<&str, &[u8]>::new("meta")).expect("meta");
        meta.insert("master-key-check", check.as_slice()).expect("check");
        drop(meta);
        txn.commit().expect("commit");
    }
    let wrong = FileStore::open_with_master(
        &dir,
        MasterKey::from_bytes(&[9; 32]).expect("key"),
        &OpenOptions::default(),
    );
    assert!(matches!(wrong, Err(StoreError::MasterKey(_))), "{wrong:?}");
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("open");
    let aliases = store.list_aliases(None, 10).expect("aliases");
    assert_eq!(aliases, [AliasEntry { name: AliasName::parse("alias/old").expect("name"), key_arn: None }]);
    let arn = KmsKeyArn::parse(FIXTURE_KMS_KEY).expect("arn");
    assert!(store.list_grants(&arn).expect("grants").is_empty());
    assert!(store.list_kms_aliases(None, 10).expect("kms aliases").is_empty());
    assert!(store.get_kms_key(&arn).expect("kms key").is_none());
}

/// Opens `dir/keys.redb` as an attacker would: with redb, without the master key.
fn edit_database(dir: &Path, edit: impl FnOnce(&redb::WriteTransaction)) {
    let db = redb::Database::open(dir.join("keys.redb")).expect("open the database file");
    let txn = db.begin_write().expect("write");
    edit(&txn);
    txn.commit().expect("commit");
}

const KEYS_TABLE: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("keys");
const ALIASES_TABLE: redb::TableDefinition<&str, &str> = redb::TableDefinition::new("aliases");
const MACS_TABLE: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("record_macs");
const META_TABLE: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");

/// A store with a BDK under alias/bdk and a data key under alias/data; their ARNs.
fn store_with_two_keys(name: &str) -> (PathBuf, String, String) {
    let dir = temp_dir(name);
    let create = |usage: &str, alias: &str| {
        let attributes = format!(
            r#"{{"KeyAlgorithm":"AES_128","KeyClass":"SYMMETRIC_KEY","KeyUsage":"{usage}","KeyModesOfUse":{{"DeriveKey":true}}}}"#
        );
        let attributes = if usage.starts_with("TR31_D0") {
            attributes.replace(r#"{"DeriveKey":true}"#, r#"{"NoRestrictions":true}"#)
        } else {
            attributes
        };
        let out = paycrypt(&dir)
            .args(["create-key", "--key-attributes", &attributes, "--exportable"])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let arn = json["Key"]["KeyArn"].as_str().expect("arn").to_owned();
        let out = paycrypt(&dir)
            .args(["create-alias", "--alias-name", alias, "--key-arn", &arn])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        arn
    };
    let bdk = create("TR31_B0_BASE_DERIVATION_KEY", "alias/bdk");
    let data = create("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "alias/data");
    (dir, bdk, data)
}

fn get_key(dir: &Path, id: &str) -> std::process::Output {
    paycrypt(dir).args(["get-key", "--key-identifier", id]).output().expect("run")
}

fn assert_tampered(out: &std::process::Output, name: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a tampered record was used: {}", String::from_utf8_lossy(&out.stdout));
    assert!(stderr.contains(&format!("The stored record for {name} fails its integrity check")), "{stderr}");
}

#[test]
fn metadata_edited_in_the_database_file_is_refused_by_name() {
    let (dir, bdk, _) = store_with_two_keys("tamper-meta");
    assert!(get_key(&dir, "alias/bdk").status.success());
    // Turn the BDK into a data-encryption key by editing its clear metadata.
    edit_database(&dir, |txn| {
        let mut keys = txn.open_table(KEYS_TABLE).expect("keys");
        let row = keys.get(bdk.as_str()).expect("get").expect("row").value().to_vec();
        let edited = String::from_utf8(row)
            .expect("utf8")
            .replace("TR31_B0_BASE_DERIVATION_KEY", "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY");
        keys.insert(bdk.as_str(), edited.as_bytes()).expect("insert");
    });
    assert_tampered(&get_key(&dir, "alias/bdk"), &bdk);
    let out = paycrypt(&dir)
        .args(["encrypt-data", "--key-identifier", &bdk, "--plain-text", "00112233445566778899AABBCCDDEEFF"])
        .args(["--encryption-attributes", r#"{"Symmetric":{"Mode":"ECB"}}"#])
        .output()
        .expect("run");
    assert_tampered(&out, &bdk);
    // Listing refuses too, rather than showing the forged usage.
    assert_tampered(&paycrypt(&dir).args(["list-keys"]).output().expect("run"), &bdk);
}

#[test]
fn a_re_pointed_alias_a_swapped_record_and_a_removed_mac_are_refused() {
    let (dir, bdk, data) = store_with_two_keys("tamper-alias");
    // Re-point alias/data at the BDK.
    edit_database(&dir, |txn| {
        txn.open_table(ALIASES_TABLE).expect("aliases").insert("alias/data", bdk.as_str()).expect("insert");
    });
    assert_tampered(&get_key(&dir, "alias/data"), "alias/data");
    assert!(get_key(&dir, "alias/bdk").status.success(), "the untouched alias still works");

    // Copy the BDK's row and MAC over the data key's (a record moved to another name).
    let (dir, bdk, data_arn) = store_with_two_keys("tamper-swap");
    edit_database(&dir, |txn| {
        let mut keys = txn.open_table(KEYS_TABLE).expect("keys");
        let row = keys.get(bdk.as_str()).expect("get").expect("row").value().to_vec();
        keys.insert(data_arn.as_str(), row.as_slice()).expect("insert");
        let mut macs = txn.open_table(MACS_TABLE).expect("macs");
        let tag = macs.get(format!("keys/{bdk}").as_str()).expect("get").expect("mac").value().to_vec();
        macs.insert(format!("keys/{data_arn}").as_str(), tag.as_slice()).expect("insert");
    });
    assert_tampered(&get_key(&dir, &data_arn), &data_arn);

    // Remove a MAC.
    edit_database(&dir, |txn| {
        txn.open_table(MACS_TABLE).expect("macs").remove(format!("keys/{bdk}").as_str()).expect("remove");
    });
    assert_tampered(&get_key(&dir, &bdk), &bdk);
    let _ = data;
}

#[test]
fn removing_the_check_record_does_not_turn_the_macs_off() {
    let (dir, bdk, _) = store_with_two_keys("tamper-check");
    edit_database(&dir, |txn| {
        let mut meta = txn.open_table(META_TABLE).expect("meta");
        meta.remove("master-key-check-v2").expect("remove");
        let mut keys = txn.open_table(KEYS_TABLE).expect("keys");
        let row = keys.get(bdk.as_str()).expect("get").expect("row").value().to_vec();
        let edited = String::from_utf8(row).expect("utf8").replace("\"Enabled\":true", "\"Enabled\":false");
        keys.insert(bdk.as_str(), edited.as_bytes()).expect("insert");
    });
    let out = get_key(&dir, "alias/bdk");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("The stored record for the master key check fails its integrity check"),
        "{stderr}"
    );
}
