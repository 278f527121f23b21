//! The tables every store offers keep one contract: the same calls give the same results and errors on
//! the in-memory store and on the persistent one (which also survives a reopen).

use serde_json::json;

use paycrypt::keys::{
    AliasEntry, AliasName, FileStore, Grant, Key, KeyMaterial, KeyStore, KmsKey, KmsKeyArn, KmsKeySpec,
    KmsKeyState, KmsMaterial, MasterKey, MemoryStore, OpenOptions, Put, StoreError, StoredKey, StoredKmsKey,
    Timestamp,
};
use paycrypt::{Algorithm, SymmetricKey};

const ARN: &str = "arn:aws:payment-cryptography:us-east-1:111122223333:key/";
const KMS_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/";

fn payment_key(id: &str, byte: u8) -> StoredKey {
    let key: Key = serde_json::from_value(json!({
        "CreateTimestamp": 1_700_000_000.0,
        "Enabled": true,
        "Exportable": true,
        "KeyArn": format!("{ARN}{id}"),
        "KeyAttributes": {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
            "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": true}},
        "KeyCheckValue": "000000",
        "KeyCheckValueAlgorithm": "CMAC",
        "KeyOrigin": "EXTERNAL",
        "KeyState": "CREATE_COMPLETE"
    }))
    .expect("key json");
    let material = SymmetricKey::new(Algorithm::Aes128, &[byte; 16]).expect("aes key");
    StoredKey { key, material: KeyMaterial::Symmetric(material) }
}

fn kms_key(id: &str, byte: u8) -> StoredKmsKey {
    StoredKmsKey {
        key: KmsKey {
            arn: KmsKeyArn::parse(&format!("{KMS_ARN}{id}")).expect("arn"),
            key_spec: KmsKeySpec::SymmetricDefault,
            description: String::new(),
            key_state: KmsKeyState::Enabled,
            creation_date: Timestamp(1_700_000_000_000),
            deletion_date: None,
            pending_deletion_window_in_days: None,
        },
        material: KmsMaterial::from_bytes(KmsKeySpec::SymmetricDefault, &[byte; 32]).expect("material"),
    }
}

fn grant(id: &str, key: &KmsKeyArn) -> Grant {
    serde_json::from_value(json!({
        "KeyId": key.as_str(),
        "GrantId": id,
        "GrantToken": format!("token-{id}"),
        "CreationDate": 1_700_000_000.0,
        "GranteePrincipal": "arn:aws:iam::111122223333:role/app",
        "IssuingAccount": "arn:aws:iam::111122223333:root",
        "Operations": ["Encrypt"]
    }))
    .expect("grant json")
}

fn alias(name: &str, key: Option<&StoredKey>) -> AliasEntry {
    AliasEntry { name: AliasName::parse(name).expect("alias"), key_arn: key.map(|k| k.key.key_arn.clone()) }
}

fn bytes(key: &StoredKey) -> Vec<u8> {
    key.material.to_bytes().to_vec()
}

fn message(result: Result<(), StoreError>) -> String {
    result.err().map(|e| e.to_string()).unwrap_or_default()
}

/// The contract, on an empty store. Returns the payment key it leaves stored, disabled.
fn keeps_the_contract(store: &dyn KeyStore) -> StoredKey {
    let (a, b, c) = (
        payment_key("aaaaaaaaaaaaaaaa", 1),
        payment_key("bbbbbbbbbbbbbbbb", 2),
        payment_key("cccccccccccccccc", 3),
    );
    // Sealed tables: a batch is all or nothing.
    store.insert_keys(&[b.clone(), a.clone()]).expect("insert");
    assert_eq!(
        message(store.insert_keys(&[c.clone(), a.clone()])),
        format!("{ARN}aaaaaaaaaaaaaaaa already exists.")
    );
    assert_eq!(
        message(store.insert_keys(&[c.clone(), c.clone()])),
        format!("{ARN}cccccccccccccccc already exists.")
    );
    assert_eq!(store.get_key(&c.key.key_arn).expect("get").map(|k| k.key), None, "nothing of a failed batch");
    store.insert_key(&c).expect("insert one");
    // Listed by ARN, in pages.
    let arns = |keys: Vec<Key>| keys.into_iter().map(|k| k.key_arn).collect::<Vec<_>>();
    let all = [a.key.key_arn.clone(), b.key.key_arn.clone(), c.key.key_arn.clone()];
    assert_eq!(arns(store.list_keys(None, 10).expect("list")), all);
    assert_eq!(arns(store.list_keys(None, 2).expect("list")), all[..2]);
    assert_eq!(arns(store.list_keys(Some(&all[1]), 2).expect("list")), all[2..]);
    assert_eq!(arns(store.tables().payment_keys.list(Some(&all[2]), 2).expect("list")), []);
    // An update replaces the metadata and keeps the material.
    let mut disabled = a.key.clone();
    disabled.enabled = false;
    store.update_key(&disabled).expect("update");
    let stored = store.get_key(&a.key.key_arn).expect("get").expect("present");
    assert_eq!((&stored.key, bytes(&stored)), (&disabled, bytes(&a)));
    assert_eq!(store.get_key_metadata(&a.key.key_arn).expect("get"), Some(disabled));
    let missing = payment_key("dddddddddddddddd", 4);
    assert_eq!(message(store.update_key(&missing.key)), format!("{ARN}dddddddddddddddd does not exist."));
    assert!(store.get_key(&missing.key.key_arn).expect("get").is_none());

    // KMS keys go through the same table.
    let (k1, k2) = (
        kms_key("11111111-1111-4111-8111-111111111111", 7),
        kms_key("22222222-2222-4222-8222-222222222222", 8),
    );
    store.insert_kms_keys(&[k2.clone(), k1.clone()]).expect("insert kms");
    assert!(
        store.insert_kms_keys(std::slice::from_ref(&k1)).is_err_and(|e| matches!(e, StoreError::Exists(_)))
    );
    let listed = store.list_kms_keys(None, 10).expect("list");
    assert_eq!(listed, [k1.key.clone(), k2.key.clone()]);
    let got = store.get_kms_key(&k2.key.arn).expect("get").expect("present");
    assert_eq!(got.material, k2.material);

    // Record tables: create, replace, delete, each checked.
    let zone = alias("alias/zone", Some(&a));
    store.put_alias(&zone, true).expect("create");
    assert_eq!(message(store.put_alias(&zone, true)), "alias/zone already exists.");
    assert_eq!(message(store.put_alias(&alias("alias/none", None), false)), "alias/none does not exist.");
    store.put_alias(&alias("alias/empty", None), true).expect("create empty");
    let moved = alias("alias/zone", Some(&b));
    store.tables().payment_aliases.put(&moved, Put::Replace).expect("replace");
    assert_eq!(store.get_alias(&zone.name).expect("get"), Some(moved.clone()));
    assert_eq!(store.list_aliases(None, 10).expect("list"), [alias("alias/empty", None), moved]);
    assert_eq!(
        store.list_aliases(Some(&AliasName::parse("alias/empty").expect("name")), 10).expect("list").len(),
        1
    );
    store.delete_alias(&zone.name).expect("delete");
    assert_eq!(message(store.delete_alias(&zone.name)), "alias/zone does not exist.");

    // Grants: by id, listed per key.
    let (g1, g2, g3) = (grant("g1", &k1.key.arn), grant("g2", &k2.key.arn), grant("g3", &k1.key.arn));
    for g in [&g3, &g2, &g1] {
        store.insert_grant(g).expect("grant");
    }
    assert_eq!(message(store.insert_grant(&g1)), "g1 already exists.");
    assert_eq!(store.list_grants(&k1.key.arn).expect("list"), [g1.clone(), g3.clone()]);
    assert_eq!(store.get_grant("g2").expect("get"), Some(g2));
    store.delete_grant("g2").expect("delete");
    assert_eq!(message(store.delete_grant("g2")), "g2 does not exist.");
    assert!(store.list_grants(&k2.key.arn).expect("list").is_empty());

    store.get_key(&a.key.key_arn).expect("get").expect("present")
}

#[test]
fn memory_store_keeps_the_contract() {
    let store = MemoryStore::new();
    keeps_the_contract(&store);
    store.clear().expect("clear");
    assert!(store.list_keys(None, 10).expect("list").is_empty());
    assert!(store.list_kms_keys(None, 10).expect("list").is_empty());
    assert!(store.list_aliases(None, 10).expect("list").is_empty());
    assert!(store.tables().grants.list(None, 10).expect("list").is_empty());
}

#[test]
fn file_store_keeps_the_contract_across_a_reopen() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("store-tables-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let open = || {
        FileStore::open_with_master(
            &dir,
            MasterKey::from_bytes(&[5; 32]).expect("master"),
            &OpenOptions::default(),
        )
        .expect("open")
    };
    let store = open();
    let kept = keeps_the_contract(&store);
    drop(store);
    let store = open();
    let again = store.get_key(&kept.key.key_arn).expect("get").expect("present");
    assert_eq!((&again.key, bytes(&again)), (&kept.key, bytes(&kept)));
    assert_eq!(store.list_keys(None, 10).expect("list").len(), 3);
    assert_eq!(store.list_aliases(None, 10).expect("list"), [alias("alias/empty", None)]);
    assert_eq!(store.tables().grants.list(None, 10).expect("list").len(), 2);
    store.clear().expect("clear");
    drop(store);
    let store = open();
    assert!(store.list_keys(None, 10).expect("list").is_empty());
    assert!(store.list_kms_keys(None, 10).expect("list").is_empty());
    assert!(store.tables().kms_aliases.list(None, 10).expect("list").is_empty());
    assert!(store.tables().grants.list(None, 10).expect("list").is_empty());
}

#[test]
fn keys_whose_deletion_window_ended_are_purged_when_the_store_opens() {
    use paycrypt::keys::KeyState;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("purge-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let master = || MasterKey::from_bytes(&[9; 32]).expect("master");
    let now = Timestamp::now().0;
    let (due, later, kept) = (
        payment_key("dddddddddddddddd", 4),
        payment_key("eeeeeeeeeeeeeeee", 5),
        payment_key("ffffffffffffffff", 6),
    );
    let (kms_due, kms_later) = (
        kms_key("11111111-2222-4333-8444-555555555555", 7),
        kms_key("11111111-2222-4333-8444-666666666666", 8),
    );
    {
        let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("open");
        store.insert_keys(&[due.clone(), later.clone(), kept.clone()]).expect("insert");
        store.insert_kms_keys(&[kms_due.clone(), kms_later.clone()]).expect("insert kms");
        // Scheduled through the store's own update, as DeleteKey and ScheduleKeyDeletion do.
        let schedule = |key: &StoredKey, at: i64| {
            let mut meta = key.key.clone();
            meta.key_state = KeyState::DeletePending;
            meta.delete_timestamp = Some(Timestamp(at));
            store.update_key(&meta).expect("schedule");
        };
        schedule(&due, now - 1_000);
        schedule(&later, now + 86_400_000);
        let schedule_kms = |key: &StoredKmsKey, at: i64| {
            let mut meta = key.key.clone();
            meta.key_state = KmsKeyState::PendingDeletion;
            meta.deletion_date = Some(Timestamp(at));
            store.update_kms_key(&meta).expect("schedule kms");
        };
        schedule_kms(&kms_due, now - 1_000);
        schedule_kms(&kms_later, now + 86_400_000);
        // Not purged while open: the window ends, the record stays until the next open.
        assert!(store.get_key(&due.key.key_arn).expect("get").is_some());
    }
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("reopen");
    assert!(store.get_key(&due.key.key_arn).expect("get").is_none(), "due key purged");
    assert!(store.get_kms_key(&kms_due.key.arn).expect("get").is_none(), "due KMS key purged");
    let still = store.get_key(&later.key.key_arn).expect("get").expect("pending key kept");
    assert_eq!(bytes(&still), bytes(&later));
    assert!(store.get_kms_key(&kms_later.key.arn).expect("get").is_some(), "pending KMS key kept");
    assert!(store.get_key(&kept.key.key_arn).expect("get").is_some(), "live key kept");
    // A cancelled deletion is not purged later: restored to enabled, then reopened.
    let mut restored = later.key.clone();
    restored.key_state = KeyState::CreateComplete;
    restored.delete_timestamp = None;
    store.update_key(&restored).expect("restore");
    drop(store);
    let store = FileStore::open_with_master(&dir, master(), &OpenOptions::default()).expect("reopen");
    assert!(store.get_key(&later.key.key_arn).expect("get").is_some());
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
}
