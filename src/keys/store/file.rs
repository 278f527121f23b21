//! The persistent key store: one redb database (`keys.redb`) in a data directory, key material sealed
//! with AES-256-GCM under the master key, the key ARN as additional authenticated data.
//!
//! redb commits are atomic and durable (copy-on-write pages, checksummed, fsync on commit): after a
//! crash the database opens at the last committed transaction, so a key is either wholly stored or
//! absent. redb takes an exclusive lock on the file; a second process waits for it (up to
//! [`OpenOptions::wait`]), then fails naming the holder, whose process id sits in `store.pid`.

use std::fmt::Display;
use std::fs;
use std::ops::Bound;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use redb::{Database, DatabaseError, ReadableDatabase, ReadableTable, TableDefinition};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::keys::store::{AliasEntry, KeyStore, MasterKey, StoreError};
use crate::keys::{
    AliasName, Grant, Key, KeyArn, KeyMaterial, KmsAlias, KmsAliasName, KmsKey, KmsKeyArn, KmsMaterial,
    StoredKey, StoredKmsKey,
};

const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
const ALIASES: TableDefinition<&str, &str> = TableDefinition::new("aliases");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const KMS_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("kms_keys");
const KMS_ALIASES: TableDefinition<&str, &[u8]> = TableDefinition::new("kms_aliases");
const GRANTS: TableDefinition<&str, &[u8]> = TableDefinition::new("grants");
const CHECK_NAME: &str = "master-key-check";
const CHECK_PLAINTEXT: &[u8] = b"paycrypt key store";

/// How to open a [`FileStore`].
#[derive(Clone, Debug)]
pub struct OpenOptions {
    /// How long to wait for another process to release the store before failing.
    pub wait: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { wait: Duration::from_secs(10) }
    }
}

/// The default data directory: `$PAYCRYPT_DATA_DIR`, else `$XDG_DATA_HOME/paycrypt`, else
/// `$HOME/.local/share/paycrypt`, else `./.paycrypt`.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PAYCRYPT_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("paycrypt");
    }
    match std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/paycrypt"),
        None => PathBuf::from(".paycrypt"),
    }
}

/// A key store in a directory on disk.
///
/// # Examples
/// ```
/// use paycrypt::keys::{FileStore, KeyStore, MasterKey, OpenOptions};
///
/// let dir = std::env::temp_dir().join(format!("paycrypt-doc-{}", std::process::id()));
/// let store = FileStore::open_with_master(&dir, MasterKey::from_bytes(&[1; 32])?, &OpenOptions::default())?;
/// assert!(store.list_keys(None, 10)?.is_empty());
/// # drop(store); std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), paycrypt::keys::StoreError>(())
/// ```
#[derive(Debug)]
pub struct FileStore {
    db: Database,
    master: MasterKey,
    dir: PathBuf,
}

/// One key as the `keys` table holds it: metadata in the clear, material sealed.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Record {
    key: Key,
    sealed_material: String,
}

/// One KMS key as the `kms_keys` table holds it: metadata in the clear, material sealed (the key ARN
/// bound as additional authenticated data).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct KmsRecord {
    key: KmsKey,
    sealed_material: String,
}

impl FileStore {
    /// Opens (creating if needed) the store in `dir`, with the master key from
    /// [`MasterKey::load`].
    ///
    /// # Errors
    /// [`StoreError::MasterKey`], [`StoreError::Locked`] (another process kept it past the wait),
    /// [`StoreError::Corrupt`] (a store sealed under another master key), [`StoreError::Backend`].
    pub fn open(dir: &Path, options: &OpenOptions) -> Result<Self, StoreError> {
        make_dir(dir)?;
        let master = MasterKey::load(dir)?;
        FileStore::open_with_master(dir, master, options)
    }

    /// Opens (creating if needed) the store in `dir` under `master`.
    ///
    /// # Errors
    /// As [`FileStore::open`].
    pub fn open_with_master(
        dir: &Path,
        master: MasterKey,
        options: &OpenOptions,
    ) -> Result<Self, StoreError> {
        make_dir(dir)?;
        let path = dir.join("keys.redb");
        let started = Instant::now();
        let db = loop {
            match Database::create(&path) {
                Ok(db) => break db,
                Err(DatabaseError::DatabaseAlreadyOpen) if started.elapsed() < options.wait => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(DatabaseError::DatabaseAlreadyOpen) => {
                    let holder = fs::read_to_string(dir.join("store.pid"))
                        .ok()
                        .and_then(|pid| pid.trim().parse::<u32>().ok())
                        .map_or_else(|| "another process".to_owned(), |pid| format!("process {pid}"));
                    return Err(StoreError::Locked { path: path.display().to_string(), holder });
                }
                Err(e) => return Err(backend(e)),
            }
        };
        // The database holds sealed material and clear metadata: owner only, like master.key.
        if fs::metadata(&path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).map_err(backend)?;
        }
        // Best effort: only used to name the holder in another process's error.
        let _ = fs::write(dir.join("store.pid"), std::process::id().to_string());
        let store = FileStore { db, master, dir: dir.to_owned() };
        store.check_master()?;
        store.create_kms_tables()?;
        Ok(store)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Verifies the master key against the check record, creating the tables and the record on first use.
    fn check_master(&self) -> Result<(), StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let existing = match read.open_table(META) {
            Ok(meta) => meta.get(CHECK_NAME).map_err(backend)?.map(|v| v.value().to_vec()),
            Err(redb::TableError::TableDoesNotExist(_)) => None,
            Err(e) => return Err(backend(e)),
        };
        drop(read);
        match existing {
            Some(sealed) => {
                self.master.open(CHECK_NAME.as_bytes(), &sealed, "the master key check").map_err(|_| {
                    StoreError::MasterKey(format!(
                        "it does not open the store in {} (set {} or master.key to the key it was made with)",
                        self.dir.display(),
                        super::master::MASTER_KEY_ENV
                    ))
                })?;
                Ok(())
            }
            None => {
                let sealed = self.master.seal(CHECK_NAME.as_bytes(), CHECK_PLAINTEXT)?;
                let txn = self.db.begin_write().map_err(backend)?;
                {
                    txn.open_table(KEYS).map_err(backend)?;
                    txn.open_table(ALIASES).map_err(backend)?;
                    txn.open_table(META)
                        .map_err(backend)?
                        .insert(CHECK_NAME, sealed.as_slice())
                        .map_err(backend)?;
                }
                txn.commit().map_err(backend)
            }
        }
    }

    /// Creates the KMS tables in a store made before they existed.
    fn create_kms_tables(&self) -> Result<(), StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let exists = match read.open_table(GRANTS) {
            Ok(_) => true,
            Err(redb::TableError::TableDoesNotExist(_)) => false,
            Err(e) => return Err(backend(e)),
        };
        drop(read);
        if exists {
            return Ok(());
        }
        let txn = self.db.begin_write().map_err(backend)?;
        for table in [KMS_KEYS, KMS_ALIASES, GRANTS] {
            txn.open_table(table).map_err(backend)?;
        }
        txn.commit().map_err(backend)
    }

    /// The JSON record under `name` in `table`.
    fn json_get<T: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        name: &str,
    ) -> Result<Option<T>, StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(table).map_err(backend)?;
        let Some(bytes) = table.get(name).map_err(backend)? else {
            return Ok(None);
        };
        serde_json::from_slice(bytes.value()).map(Some).map_err(|_| StoreError::Corrupt(name.to_owned()))
    }

    /// Up to `limit` JSON records of `table` after `after`, by name, those `keep` accepts.
    fn json_list<T: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        after: Option<&str>,
        limit: usize,
        keep: impl Fn(&T) -> bool,
    ) -> Result<Vec<T>, StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(table).map_err(backend)?;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut out = Vec::new();
        for entry in table.range::<&str>((start, Bound::Unbounded)).map_err(backend)? {
            if out.len() >= limit {
                break;
            }
            let (name, bytes) = entry.map_err(backend)?;
            let value: T = serde_json::from_slice(bytes.value())
                .map_err(|_| StoreError::Corrupt(name.value().to_owned()))?;
            if keep(&value) {
                out.push(value);
            }
        }
        Ok(out)
    }

    /// Writes `value` under `name` in `table`: with `create` it must not exist yet, without it must.
    fn json_put<T: Serialize>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        name: &str,
        value: &T,
        create: bool,
    ) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(value).map_err(backend)?;
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(table).map_err(backend)?;
            let exists = table.get(name).map_err(backend)?.is_some();
            match (create, exists) {
                (true, true) => return Err(StoreError::Exists(name.to_owned())),
                (false, false) => return Err(StoreError::NotFound(name.to_owned())),
                _ => {}
            }
            table.insert(name, bytes.as_slice()).map_err(backend)?;
        }
        txn.commit().map_err(backend)
    }

    /// Removes `name` from `table`.
    fn json_delete(&self, table: TableDefinition<&str, &[u8]>, name: &str) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(table).map_err(backend)?;
            if table.remove(name).map_err(backend)?.is_none() {
                return Err(StoreError::NotFound(name.to_owned()));
            }
        }
        txn.commit().map_err(backend)
    }

    fn record(&self, arn: &KeyArn) -> Result<Option<Record>, StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(KEYS).map_err(backend)?;
        let Some(bytes) = table.get(arn.as_str()).map_err(backend)? else {
            return Ok(None);
        };
        serde_json::from_slice(bytes.value()).map(Some).map_err(|_| StoreError::Corrupt(arn.to_string()))
    }
}

impl KeyStore for FileStore {
    fn get_key(&self, arn: &KeyArn) -> Result<Option<StoredKey>, StoreError> {
        let Some(record) = self.record(arn)? else {
            return Ok(None);
        };
        let sealed =
            hex::decode(&record.sealed_material).map_err(|_| StoreError::Corrupt(arn.to_string()))?;
        let bytes = self.master.open(arn.as_str().as_bytes(), &sealed, arn.as_str())?;
        let material = KeyMaterial::from_bytes(record.key.key_attributes.key_algorithm, &bytes)
            .map_err(|_| StoreError::Corrupt(arn.to_string()))?;
        Ok(Some(StoredKey { key: record.key, material }))
    }

    fn get_key_metadata(&self, arn: &KeyArn) -> Result<Option<Key>, StoreError> {
        Ok(self.record(arn)?.map(|r| r.key))
    }

    fn insert_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        self.insert_keys(std::slice::from_ref(key))
    }

    fn insert_keys(&self, keys: &[StoredKey]) -> Result<(), StoreError> {
        let mut records = Vec::with_capacity(keys.len());
        for key in keys {
            let arn = &key.key.key_arn;
            let sealed = self.master.seal(arn.as_str().as_bytes(), &key.material.to_bytes())?;
            let record = Record { key: key.key.clone(), sealed_material: hex::encode(sealed) };
            records.push((arn, serde_json::to_vec(&record).map_err(backend)?));
        }
        // One transaction: dropped without commit on any error, so nothing is written.
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(KEYS).map_err(backend)?;
            for (arn, bytes) in &records {
                if table.get(arn.as_str()).map_err(backend)?.is_some() {
                    return Err(StoreError::Exists(arn.to_string()));
                }
                table.insert(arn.as_str(), bytes.as_slice()).map_err(backend)?;
            }
        }
        txn.commit().map_err(backend)
    }

    fn update_key(&self, key: &Key) -> Result<(), StoreError> {
        let arn = &key.key_arn;
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(KEYS).map_err(backend)?;
            let old = table.get(arn.as_str()).map_err(backend)?.map(|v| v.value().to_vec());
            let old = old.ok_or_else(|| StoreError::NotFound(arn.to_string()))?;
            let mut record: Record =
                serde_json::from_slice(&old).map_err(|_| StoreError::Corrupt(arn.to_string()))?;
            record.key = key.clone();
            let bytes = serde_json::to_vec(&record).map_err(backend)?;
            table.insert(arn.as_str(), bytes.as_slice()).map_err(backend)?;
        }
        txn.commit().map_err(backend)
    }

    fn list_keys(&self, after: Option<&KeyArn>, limit: usize) -> Result<Vec<Key>, StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(KEYS).map_err(backend)?;
        let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.as_str()));
        let mut keys = Vec::new();
        for entry in table.range::<&str>((start, Bound::Unbounded)).map_err(backend)?.take(limit) {
            let (name, bytes) = entry.map_err(backend)?;
            let record: Record = serde_json::from_slice(bytes.value())
                .map_err(|_| StoreError::Corrupt(name.value().to_owned()))?;
            keys.push(record.key);
        }
        Ok(keys)
    }

    fn get_alias(&self, name: &AliasName) -> Result<Option<AliasEntry>, StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(ALIASES).map_err(backend)?;
        let value = table.get(name.as_str()).map_err(backend)?.map(|v| v.value().to_owned());
        value.map(|arn| alias_entry(name.as_str(), &arn)).transpose()
    }

    fn put_alias(&self, alias: &AliasEntry, create: bool) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(ALIASES).map_err(backend)?;
            let exists = table.get(alias.name.as_str()).map_err(backend)?.is_some();
            match (create, exists) {
                (true, true) => return Err(StoreError::Exists(alias.name.to_string())),
                (false, false) => return Err(StoreError::NotFound(alias.name.to_string())),
                _ => {}
            }
            let arn = alias.key_arn.as_ref().map_or("", |a| a.as_str());
            table.insert(alias.name.as_str(), arn).map_err(backend)?;
        }
        txn.commit().map_err(backend)
    }

    fn delete_alias(&self, name: &AliasName) -> Result<(), StoreError> {
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(ALIASES).map_err(backend)?;
            if table.remove(name.as_str()).map_err(backend)?.is_none() {
                return Err(StoreError::NotFound(name.to_string()));
            }
        }
        txn.commit().map_err(backend)
    }

    fn list_aliases(&self, after: Option<&AliasName>, limit: usize) -> Result<Vec<AliasEntry>, StoreError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(ALIASES).map_err(backend)?;
        let start = after.map_or(Bound::Unbounded, |a| Bound::Excluded(a.as_str()));
        let mut out = Vec::new();
        for entry in table.range::<&str>((start, Bound::Unbounded)).map_err(backend)?.take(limit) {
            let (name, arn) = entry.map_err(backend)?;
            out.push(alias_entry(name.value(), arn.value())?);
        }
        Ok(out)
    }

    fn get_kms_key(&self, arn: &KmsKeyArn) -> Result<Option<StoredKmsKey>, StoreError> {
        let Some(record) = self.json_get::<KmsRecord>(KMS_KEYS, arn.as_str())? else {
            return Ok(None);
        };
        let sealed =
            hex::decode(&record.sealed_material).map_err(|_| StoreError::Corrupt(arn.to_string()))?;
        let bytes = self.master.open(arn.as_str().as_bytes(), &sealed, arn.as_str())?;
        let material = KmsMaterial::from_bytes(record.key.key_spec, &bytes)
            .map_err(|_| StoreError::Corrupt(arn.to_string()))?;
        Ok(Some(StoredKmsKey { key: record.key, material }))
    }

    fn get_kms_key_metadata(&self, arn: &KmsKeyArn) -> Result<Option<KmsKey>, StoreError> {
        Ok(self.json_get::<KmsRecord>(KMS_KEYS, arn.as_str())?.map(|r| r.key))
    }

    fn insert_kms_keys(&self, keys: &[StoredKmsKey]) -> Result<(), StoreError> {
        let mut records = Vec::with_capacity(keys.len());
        for key in keys {
            let arn = &key.key.arn;
            let sealed = self.master.seal(arn.as_str().as_bytes(), &key.material.to_bytes())?;
            let record = KmsRecord { key: key.key.clone(), sealed_material: hex::encode(sealed) };
            records.push((arn, serde_json::to_vec(&record).map_err(backend)?));
        }
        // One transaction: dropped without commit on any error, so nothing is written.
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(KMS_KEYS).map_err(backend)?;
            for (arn, bytes) in &records {
                if table.get(arn.as_str()).map_err(backend)?.is_some() {
                    return Err(StoreError::Exists(arn.to_string()));
                }
                table.insert(arn.as_str(), bytes.as_slice()).map_err(backend)?;
            }
        }
        txn.commit().map_err(backend)
    }

    fn update_kms_key(&self, key: &KmsKey) -> Result<(), StoreError> {
        let arn = &key.arn;
        let txn = self.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(KMS_KEYS).map_err(backend)?;
            let old = table.get(arn.as_str()).map_err(backend)?.map(|v| v.value().to_vec());
            let old = old.ok_or_else(|| StoreError::NotFound(arn.to_string()))?;
            let mut record: KmsRecord =
                serde_json::from_slice(&old).map_err(|_| StoreError::Corrupt(arn.to_string()))?;
            record.key = key.clone();
            let bytes = serde_json::to_vec(&record).map_err(backend)?;
            table.insert(arn.as_str(), bytes.as_slice()).map_err(backend)?;
        }
        txn.commit().map_err(backend)
    }

    fn list_kms_keys(&self, after: Option<&KmsKeyArn>, limit: usize) -> Result<Vec<KmsKey>, StoreError> {
        let records: Vec<KmsRecord> =
            self.json_list(KMS_KEYS, after.map(KmsKeyArn::as_str), limit, |_| true)?;
        Ok(records.into_iter().map(|r| r.key).collect())
    }

    fn get_kms_alias(&self, name: &KmsAliasName) -> Result<Option<KmsAlias>, StoreError> {
        self.json_get(KMS_ALIASES, name.as_str())
    }

    fn put_kms_alias(&self, alias: &KmsAlias, create: bool) -> Result<(), StoreError> {
        self.json_put(KMS_ALIASES, alias.alias_name.as_str(), alias, create)
    }

    fn delete_kms_alias(&self, name: &KmsAliasName) -> Result<(), StoreError> {
        self.json_delete(KMS_ALIASES, name.as_str())
    }

    fn list_kms_aliases(
        &self,
        after: Option<&KmsAliasName>,
        limit: usize,
    ) -> Result<Vec<KmsAlias>, StoreError> {
        self.json_list(KMS_ALIASES, after.map(KmsAliasName::as_str), limit, |_| true)
    }

    fn get_grant(&self, grant_id: &str) -> Result<Option<Grant>, StoreError> {
        self.json_get(GRANTS, grant_id)
    }

    fn insert_grant(&self, grant: &Grant) -> Result<(), StoreError> {
        self.json_put(GRANTS, &grant.grant_id, grant, true)
    }

    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.json_delete(GRANTS, grant_id)
    }

    fn list_grants(&self, key: &KmsKeyArn) -> Result<Vec<Grant>, StoreError> {
        self.json_list(GRANTS, None, usize::MAX, |g: &Grant| &g.key_id == key)
    }

    fn clear(&self) -> Result<(), StoreError> {
        // One transaction: every table emptied, or (on any error) none.
        let txn = self.db.begin_write().map_err(backend)?;
        for table in [KEYS, KMS_KEYS, KMS_ALIASES, GRANTS] {
            txn.delete_table(table).map_err(backend)?;
            txn.open_table(table).map_err(backend)?;
        }
        txn.delete_table(ALIASES).map_err(backend)?;
        txn.open_table(ALIASES).map_err(backend)?;
        txn.commit().map_err(backend)
    }
}

fn alias_entry(name: &str, arn: &str) -> Result<AliasEntry, StoreError> {
    let corrupt = || StoreError::Corrupt(name.to_owned());
    let name = AliasName::parse(name).map_err(|_| corrupt())?;
    let key_arn = if arn.is_empty() { None } else { Some(KeyArn::parse(arn).map_err(|_| corrupt())?) };
    Ok(AliasEntry { name, key_arn })
}

fn make_dir(dir: &Path) -> Result<(), StoreError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", dir.display())))
}

fn backend(e: impl Display) -> StoreError {
    StoreError::Backend(e.to_string())
}
