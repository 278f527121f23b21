//! The persistent key store: one redb database (`keys.redb`) in a data directory, key material sealed
//! with AES-256-GCM under the master key, the key ARN as additional authenticated data.
//!
//! redb commits are atomic and durable (copy-on-write pages, checksummed, fsync on commit): after a
//! crash the database opens at the last committed transaction, so a key is either wholly stored or
//! absent. redb takes an exclusive lock on the file; a second process waits for it (up to
//! [`OpenOptions::wait`]), then fails naming the holder, whose process id sits in `store.pid`.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redb::{Database, DatabaseError, ReadableDatabase, TableDefinition};

use crate::keys::store::file_table::{
    DELETIONS, Db, FileTable, MACS, SealedFileTable, backend, clear_tables, create_tables,
    index_all_deletions, mac_all_records, purge_due,
};
use crate::keys::store::{AliasEntry, KeyStore, MasterKey, StoreError, TableSet, Tables};
use crate::keys::{Grant, KmsAlias, StoredExchange, StoredKey, StoredKmsKey, Timestamp};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// The master key check of the first store version (no record MACs).
const CHECK_NAME_V1: &str = "master-key-check";
/// The master key check since record MACs: its presence says every record carries a MAC.
const CHECK_NAME: &str = "master-key-check-v2";
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
pub struct FileStore {
    db: Arc<Db>,
    dir: PathBuf,
    tables: FileTables,
}

/// The tables of a [`FileStore`].
type FileTables = TableSet<
    SealedFileTable<StoredKey>,
    FileTable<AliasEntry>,
    SealedFileTable<StoredKmsKey>,
    FileTable<KmsAlias>,
    FileTable<Grant>,
    SealedFileTable<StoredExchange>,
>;

impl FileStore {
    /// Opens (creating if needed) the store in `dir`, with the master key from
    /// [`MasterKey::load`].
    ///
    /// # Errors
    /// [`StoreError::MasterKey`], [`StoreError::Locked`] (another process kept it past the wait),
    /// [`StoreError::Corrupt`] (a store sealed under another master key), [`StoreError::Backend`].
    pub fn open(dir: &Path, options: &OpenOptions) -> Result<Self, StoreError> {
        make_dir(dir)?;
        check_dir(dir)?;
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
        // Best effort: only used to name the holder in another process's error. Removed and created
        // afresh (O_EXCL), so a symbolic link planted there is never followed.
        let pid_path = dir.join("store.pid");
        let _ = fs::remove_file(&pid_path);
        if let Ok(mut file) = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&pid_path)
        {
            let _ = file.write_all(std::process::id().to_string().as_bytes());
        }
        let db = Arc::new(Db { db, master });
        let tables = TableSet {
            payment_keys: SealedFileTable::new(Arc::clone(&db)),
            payment_aliases: FileTable::new(Arc::clone(&db)),
            kms_keys: SealedFileTable::new(Arc::clone(&db)),
            kms_aliases: FileTable::new(Arc::clone(&db)),
            grants: FileTable::new(Arc::clone(&db)),
            exchange: SealedFileTable::new(Arc::clone(&db)),
        };
        let store = FileStore { db, dir: dir.to_owned(), tables };
        store.check_master()?;
        // Keys whose deletion window has ended: removed, material and all.
        purge_due(&store.db, Timestamp::now().0)?;
        Ok(store)
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Verifies the master key against the check record; creates the record on first use, and any
    /// table that does not exist yet (a new store, or one made before the KMS tables).
    ///
    /// Record MACs: a store of the first version (its check record is [`CHECK_NAME_V1`]) gets them
    /// here, once: every record it holds is MACed as it is, and the check record is replaced by
    /// [`CHECK_NAME`], whose presence says that every record must carry a valid MAC. Removing that
    /// record does not turn MACs off: a store without a check record is accepted only when it holds no
    /// records at all.
    fn check_master(&self) -> Result<(), StoreError> {
        let Db { db, master } = &*self.db;
        let read = db.begin_read().map_err(backend)?;
        let (current, first_version) = match read.open_table(META) {
            Ok(meta) => (
                meta.get(CHECK_NAME).map_err(backend)?.map(|v| v.value().to_vec()),
                meta.get(CHECK_NAME_V1).map_err(backend)?.map(|v| v.value().to_vec()),
            ),
            Err(redb::TableError::TableDoesNotExist(_)) => (None, None),
            Err(e) => return Err(backend(e)),
        };
        let exists = |table: Result<(), redb::TableError>| match table {
            Ok(()) => Ok(true),
            Err(redb::TableError::TableDoesNotExist(_)) => Ok(false),
            Err(e) => Err(backend(e)),
        };
        let complete = exists(read.open_table(MACS).map(drop))?;
        let indexed = exists(read.open_table(DELETIONS).map(drop))?;
        drop(read);
        let wrong_key = || {
            StoreError::MasterKey(format!(
                "it does not open the store in {} (set {} or master.key to the key it was made with)",
                self.dir.display(),
                super::master::MASTER_KEY_ENV
            ))
        };
        let txn = match (&current, &first_version) {
            (Some(sealed), _) => {
                master
                    .open(CHECK_NAME.as_bytes(), sealed, "the master key check")
                    .map_err(|_| wrong_key())?;
                if complete && indexed {
                    return Ok(());
                }
                // A missing MAC table is recreated empty, so every record will fail its check.
                let txn = db.begin_write().map_err(backend)?;
                create_tables(&txn)?;
                if !indexed {
                    index_all_deletions(&txn)?;
                }
                txn
            }
            (None, Some(sealed)) => {
                master
                    .open(CHECK_NAME_V1.as_bytes(), sealed, "the master key check")
                    .map_err(|_| wrong_key())?;
                let txn = db.begin_write().map_err(backend)?;
                create_tables(&txn)?;
                mac_all_records(&txn, master)?;
                index_all_deletions(&txn)?;
                txn.open_table(META).map_err(backend)?.remove(CHECK_NAME_V1).map_err(backend)?;
                txn
            }
            (None, None) => {
                let txn = db.begin_write().map_err(backend)?;
                create_tables(&txn)?;
                // Records in a store without a check record could have been planted.
                if mac_all_records(&txn, master)? > 0 {
                    return Err(StoreError::Tampered("the master key check".to_owned()));
                }
                txn
            }
        };
        if current.is_none() {
            let sealed = master.seal(CHECK_NAME.as_bytes(), CHECK_PLAINTEXT)?;
            txn.open_table(META).map_err(backend)?.insert(CHECK_NAME, sealed.as_slice()).map_err(backend)?;
        }
        txn.commit().map_err(backend)
    }
}

impl KeyStore for FileStore {
    fn tables(&self) -> Tables<'_> {
        self.tables.tables()
    }

    fn clear(&self) -> Result<(), StoreError> {
        // One transaction: every table emptied, or (on any error) none.
        let txn = self.db.db.begin_write().map_err(backend)?;
        clear_tables(&txn)?;
        txn.commit().map_err(backend)
    }
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore").field("dir", &self.dir).finish_non_exhaustive()
    }
}

/// The data directory must belong to the user running paycrypt and be writable by no one else: whoever
/// can write it can swap `master.key` or `keys.redb`.
fn check_dir(dir: &Path) -> Result<(), StoreError> {
    let meta =
        fs::metadata(dir).map_err(|e| StoreError::Backend(format!("cannot read {}: {e}", dir.display())))?;
    super::master::check_owner(dir, &meta)?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(StoreError::MasterKey(format!(
            "the data directory {} has mode {mode:04o}: group or others can write it (chmod 700)",
            dir.display()
        )));
    }
    Ok(())
}

fn make_dir(dir: &Path) -> Result<(), StoreError> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| StoreError::Backend(format!("cannot create {}: {e}", dir.display())))
}
