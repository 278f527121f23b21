//! The persistent store's tables: how each record kind sits in the redb database, and one generic
//! table that every record kind goes through.
//!
//! The layout (`tests/store_file.rs` opens a store written by the first version): one redb table per
//! record kind, keyed by the record's name,
//! - `keys` and `kms_keys`: JSON `{"Key": <metadata>, "SealedMaterial": <hex>}`, the material sealed
//!   by [`MasterKey::seal`] with the key ARN as additional authenticated data;
//! - `aliases`: the key ARN as text, empty for an alias that points nowhere;
//! - `kms_aliases` and `grants`: the record as JSON;
//! - `record_macs` (since the store's second version): every record's MAC, see [`MACS`]. A store of
//!   the first version is brought under MACs when it is first opened by a version that has them.

use std::marker::PhantomData;
use std::ops::Bound;
use std::sync::Arc;

use redb::{
    Database, ReadableDatabase, ReadableTable, TableDefinition, TableHandle, Value, WriteTransaction,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::keys::store::table::{Put, Record, RecordTable, SealedName, SealedRecord, SealedTable};
use crate::keys::store::{AliasEntry, MasterKey, StoreError};
use crate::keys::{
    AliasName, ExchangeParameters, ExchangePurpose, Grant, Key, KeyArn, KeyState, KmsAlias, KmsKey,
    KmsKeyState,
};

const KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("keys");
const ALIASES: TableDefinition<&str, &str> = TableDefinition::new("aliases");
const KMS_KEYS: TableDefinition<&str, &[u8]> = TableDefinition::new("kms_keys");
const KMS_ALIASES: TableDefinition<&str, &[u8]> = TableDefinition::new("kms_aliases");
/// Key-exchange parameters (import/export tokens, the local certificate authority), sealed like keys.
const EXCHANGE: TableDefinition<&str, &[u8]> = TableDefinition::new("exchange_parameters");
/// The KMS grants.
pub(super) const GRANTS: TableDefinition<&str, &[u8]> = TableDefinition::new("grants");
/// Each record's MAC, under `<table>/<name>`: HMAC-SHA256 (a key derived from the master key) of the
/// table name, the record name and the record's bytes, written in the same transaction as the record.
pub(super) const MACS: TableDefinition<&str, &[u8]> = TableDefinition::new("record_macs");
/// Keys scheduled for deletion, under `<table>/<name>`: when the deletion completes (milliseconds
/// since the epoch). Opening the store removes the keys whose time has come ([`purge_due`]).
pub(super) const DELETIONS: TableDefinition<&str, i64> = TableDefinition::new("pending_deletions");

/// The database and the master key, which every table of a store shares.
pub(super) struct Db {
    /// The database.
    pub(super) db: Database,
    /// The key that seals material.
    pub(super) master: MasterKey,
}

/// Creates, in `txn`, every record table that does not exist yet.
///
/// # Errors
/// [`StoreError::Backend`] when the database fails.
pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    each_table(txn, false)
}

/// Empties, in `txn`, every record table.
///
/// # Errors
/// [`StoreError::Backend`] when the database fails.
pub(super) fn clear_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    each_table(txn, true)
}

fn each_table(txn: &WriteTransaction, clear: bool) -> Result<(), StoreError> {
    fn one<T: Row>(txn: &WriteTransaction, clear: bool) -> Result<(), StoreError> {
        if clear {
            txn.delete_table(T::TABLE).map_err(backend)?;
        }
        txn.open_table(T::TABLE).map(drop).map_err(backend)
    }
    one::<SealedRow<Key>>(txn, clear)?;
    one::<AliasEntry>(txn, clear)?;
    one::<SealedRow<KmsKey>>(txn, clear)?;
    one::<KmsAlias>(txn, clear)?;
    one::<Grant>(txn, clear)?;
    one::<SealedRow<ExchangeParameters>>(txn, clear)?;
    if clear {
        txn.delete_table(MACS).map_err(backend)?;
        txn.delete_table(DELETIONS).map_err(backend)?;
    }
    txn.open_table(MACS).map(drop).map_err(backend)?;
    txn.open_table(DELETIONS).map(drop).map_err(backend)
}

/// Records (or forgets) in `txn` when the key `name` of `T`'s table is due for deletion.
fn index_deletion<T: Row>(txn: &WriteTransaction, name: &str, row: Option<&T>) -> Result<(), StoreError> {
    let mut index = txn.open_table(DELETIONS).map_err(backend)?;
    match row.and_then(Row::deletion_due) {
        Some(due) => index.insert(mac_name::<T>(name).as_str(), due).map(drop).map_err(backend),
        None => index.remove(mac_name::<T>(name).as_str()).map(drop).map_err(backend),
    }
}

/// Writes, in `txn`, the deletion index of every key scheduled for deletion (a store made before the
/// index).
pub(super) fn index_all_deletions(txn: &WriteTransaction) -> Result<(), StoreError> {
    fn one<T: Row>(txn: &WriteTransaction) -> Result<(), StoreError> {
        for (name, bytes) in raw_rows::<T>(txn)? {
            // An unreadable row is refused when it is read, not here.
            if let Ok(row) = T::decode(&name, &bytes)
                && row.deletion_due().is_some()
            {
                index_deletion::<T>(txn, &name, Some(&row))?;
            }
        }
        Ok(())
    }
    one::<SealedRow<Key>>(txn)?;
    one::<SealedRow<KmsKey>>(txn)?;
    one::<SealedRow<ExchangeParameters>>(txn)
}

/// Removes every key whose scheduled deletion completed by `now` (milliseconds since the epoch):
/// its row, material included, its MAC and its index entry, in one transaction. A key is removed only
/// when its own (MAC-checked) row says its deletion is due, whatever the index says. Returns how many.
///
/// # Errors
/// [`StoreError::Backend`] when the database fails.
pub(super) fn purge_due(db: &Db, now: i64) -> Result<usize, StoreError> {
    fn one<T: Row>(
        txn: &WriteTransaction,
        master: &MasterKey,
        due: &[String],
        now: i64,
    ) -> Result<usize, StoreError> {
        let prefix = format!("{}/", T::TABLE.name());
        let mut purged = 0;
        for entry in due {
            let Some(name) = entry.strip_prefix(&prefix) else {
                continue;
            };
            let row = {
                let table = txn.open_table(T::TABLE).map_err(backend)?;
                let macs = txn.open_table(MACS).map_err(backend)?;
                let value = table
                    .get(name)
                    .map_err(backend)?
                    .map(|v| T::Column::as_bytes(&v.value()).as_ref().to_vec());
                match value {
                    Some(bytes) if check_tag::<T>(master, &macs, name, &bytes).is_ok() => {
                        Some(T::decode(name, &bytes)?)
                    }
                    _ => None,
                }
            };
            let mut index = txn.open_table(DELETIONS).map_err(backend)?;
            match row.as_ref().and_then(Row::deletion_due) {
                Some(when) if when <= now => {
                    txn.open_table(T::TABLE).map_err(backend)?.remove(name).map_err(backend)?;
                    txn.open_table(MACS).map_err(backend)?.remove(entry.as_str()).map_err(backend)?;
                    index.remove(entry.as_str()).map_err(backend)?;
                    purged += 1;
                }
                // Not (or no longer) scheduled: the index entry was stale.
                None if row.is_some() => {
                    index.remove(entry.as_str()).map_err(backend)?;
                }
                _ => {}
            }
        }
        Ok(purged)
    }
    let due: Vec<String> = {
        let read = db.db.begin_read().map_err(backend)?;
        let index = match read.open_table(DELETIONS) {
            Ok(index) => index,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
            Err(e) => return Err(backend(e)),
        };
        let mut due = Vec::new();
        for entry in index.iter().map_err(backend)? {
            let (name, when) = entry.map_err(backend)?;
            if when.value() <= now {
                due.push(name.value().to_owned());
            }
        }
        due
    };
    if due.is_empty() {
        return Ok(0);
    }
    let txn = db.db.begin_write().map_err(backend)?;
    let purged = one::<SealedRow<Key>>(&txn, &db.master, &due, now)?
        + one::<SealedRow<KmsKey>>(&txn, &db.master, &due, now)?
        + one::<SealedRow<ExchangeParameters>>(&txn, &db.master, &due, now)?;
    txn.commit().map_err(backend)?;
    Ok(purged)
}

/// Writes, in `txn`, the MAC of every record of every table: how a store made before record MACs is
/// brought under them (once, when the master key check is upgraded). Returns how many records.
///
/// # Errors
/// [`StoreError::Backend`] when the database fails.
pub(super) fn mac_all_records(txn: &WriteTransaction, master: &MasterKey) -> Result<usize, StoreError> {
    fn one<T: Row>(txn: &WriteTransaction, master: &MasterKey) -> Result<usize, StoreError> {
        let rows = raw_rows::<T>(txn)?;
        let mut macs = txn.open_table(MACS).map_err(backend)?;
        for (name, bytes) in &rows {
            let tag = record_tag::<T>(master, name, bytes);
            macs.insert(mac_name::<T>(name).as_str(), tag.as_slice()).map_err(backend)?;
        }
        Ok(rows.len())
    }
    Ok(one::<SealedRow<Key>>(txn, master)?
        + one::<AliasEntry>(txn, master)?
        + one::<SealedRow<KmsKey>>(txn, master)?
        + one::<KmsAlias>(txn, master)?
        + one::<Grant>(txn, master)?
        + one::<SealedRow<ExchangeParameters>>(txn, master)?)
}

/// Every row of `T`'s table in `txn`, as (name, stored bytes).
fn raw_rows<T: Row>(txn: &WriteTransaction) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let table = txn.open_table(T::TABLE).map_err(backend)?;
    let mut rows = Vec::new();
    for entry in table.iter().map_err(backend)? {
        let (name, value) = entry.map_err(backend)?;
        rows.push((name.value().to_owned(), T::Column::as_bytes(&value.value()).as_ref().to_vec()));
    }
    Ok(rows)
}

/// The MAC table's key for the record `name` of `T`'s table.
fn mac_name<T: Row>(name: &str) -> String {
    format!("{}/{name}", T::TABLE.name())
}

/// The MAC of the record `name` of `T`'s table holding `bytes`.
fn record_tag<T: Row>(master: &MasterKey, name: &str, bytes: &[u8]) -> [u8; 32] {
    master.record_mac(&[T::TABLE.name().as_bytes(), name.as_bytes(), bytes])
}

/// Checks the record `name` holding `bytes` against its MAC in `macs`.
fn check_tag<T: Row>(
    master: &MasterKey,
    macs: &impl ReadableTable<&'static str, &'static [u8]>,
    name: &str,
    bytes: &[u8],
) -> Result<(), StoreError> {
    let tampered = || StoreError::Tampered(name.to_owned());
    let tag = macs.get(mac_name::<T>(name).as_str()).map_err(backend)?.ok_or_else(tampered)?;
    if master.check_record_mac(&[T::TABLE.name().as_bytes(), name.as_bytes(), bytes], tag.value()) {
        Ok(())
    } else {
        Err(tampered())
    }
}

/// How one record kind sits in its redb table.
pub(super) trait Row: Sized {
    /// The column type: `&[u8]` (JSON) or `&str`.
    type Column: Value + 'static;
    /// The table.
    const TABLE: TableDefinition<'static, &'static str, Self::Column>;

    /// The row's bytes, as the column holds them.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the row cannot be encoded.
    fn encode(&self) -> Result<Vec<u8>, StoreError>;

    /// The row that `bytes` hold under `name`.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] (naming `name`) when the bytes are not such a row.
    fn decode(name: &str, bytes: &[u8]) -> Result<Self, StoreError>;

    /// When this row's deletion completes (milliseconds since the epoch), for a key scheduled for
    /// deletion; `None` for every other row.
    fn deletion_due(&self) -> Option<i64> {
        None
    }
}

/// A row kept as JSON in a `&[u8]` column.
trait JsonRow: Serialize + DeserializeOwned {
    /// The table.
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]>;

    /// See [`Row::deletion_due`].
    fn deletion_due(&self) -> Option<i64> {
        None
    }
}

impl<T: JsonRow> Row for T {
    type Column = &'static [u8];
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]> = <T as JsonRow>::TABLE;

    fn encode(&self) -> Result<Vec<u8>, StoreError> {
        serde_json::to_vec(self).map_err(backend)
    }

    fn decode(name: &str, bytes: &[u8]) -> Result<Self, StoreError> {
        serde_json::from_slice(bytes).map_err(|_| StoreError::Corrupt(name.to_owned()))
    }

    fn deletion_due(&self) -> Option<i64> {
        JsonRow::deletion_due(self)
    }
}

/// A key's row: its metadata in the clear, its material sealed (as hex).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SealedRow<M> {
    key: M,
    sealed_material: String,
}

impl JsonRow for SealedRow<Key> {
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]> = KEYS;

    fn deletion_due(&self) -> Option<i64> {
        (self.key.key_state == KeyState::DeletePending).then_some(self.key.delete_timestamp?.0)
    }
}

impl JsonRow for SealedRow<KmsKey> {
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]> = KMS_KEYS;

    fn deletion_due(&self) -> Option<i64> {
        (self.key.key_state == KmsKeyState::PendingDeletion).then_some(self.key.deletion_date?.0)
    }
}

impl JsonRow for SealedRow<ExchangeParameters> {
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]> = EXCHANGE;

    /// A token is removed from the store once it has expired; the authority stays.
    fn deletion_due(&self) -> Option<i64> {
        (self.key.purpose != ExchangePurpose::CertificateAuthority).then_some(self.key.valid_until.0)
    }
}

impl JsonRow for KmsAlias {
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]> = KMS_ALIASES;
}

impl JsonRow for Grant {
    const TABLE: TableDefinition<'static, &'static str, &'static [u8]> = GRANTS;
}

impl Row for AliasEntry {
    type Column = &'static str;
    const TABLE: TableDefinition<'static, &'static str, &'static str> = ALIASES;

    fn encode(&self) -> Result<Vec<u8>, StoreError> {
        Ok(self.key_arn.as_ref().map_or("", KeyArn::as_str).as_bytes().to_vec())
    }

    fn decode(name: &str, bytes: &[u8]) -> Result<Self, StoreError> {
        let corrupt = || StoreError::Corrupt(name.to_owned());
        let arn = std::str::from_utf8(bytes).map_err(|_| corrupt())?;
        let key_arn = if arn.is_empty() { None } else { Some(KeyArn::parse(arn).map_err(|_| corrupt())?) };
        Ok(AliasEntry { name: AliasName::parse(name).map_err(|_| corrupt())?, key_arn })
    }
}

/// One table of a store, holding rows `T`: each method one transaction.
pub(super) struct FileTable<T> {
    db: Arc<Db>,
    rows: PhantomData<fn() -> T>,
}

impl<T: Row> FileTable<T> {
    /// The table of rows `T` in `db`.
    pub(super) fn new(db: Arc<Db>) -> Self {
        FileTable { db, rows: PhantomData }
    }

    /// The row named `name`.
    fn row(&self, name: &str) -> Result<Option<T>, StoreError> {
        let read = self.db.db.begin_read().map_err(backend)?;
        let table = read.open_table(T::TABLE).map_err(backend)?;
        let macs = read.open_table(MACS).map_err(backend)?;
        let Some(value) = table.get(name).map_err(backend)? else {
            return Ok(None);
        };
        let value = value.value();
        let bytes = T::Column::as_bytes(&value);
        check_tag::<T>(&self.db.master, &macs, name, bytes.as_ref())?;
        T::decode(name, bytes.as_ref()).map(Some)
    }

    /// Up to `limit` rows, by name, starting after `after`.
    fn rows(&self, after: Option<&str>, limit: usize) -> Result<Vec<T>, StoreError> {
        let read = self.db.db.begin_read().map_err(backend)?;
        let table = read.open_table(T::TABLE).map_err(backend)?;
        let macs = read.open_table(MACS).map_err(backend)?;
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        let mut out = Vec::new();
        for entry in table.range::<&str>((start, Bound::Unbounded)).map_err(backend)?.take(limit) {
            let (name, value) = entry.map_err(backend)?;
            let value = value.value();
            let bytes = T::Column::as_bytes(&value);
            check_tag::<T>(&self.db.master, &macs, name.value(), bytes.as_ref())?;
            out.push(T::decode(name.value(), bytes.as_ref())?);
        }
        Ok(out)
    }

    /// Writes every `(name, row)`, each as `put` requires, in one transaction: all of them or, on any
    /// error, none.
    fn write(&self, rows: &[(&str, &T)], put: Put) -> Result<(), StoreError> {
        let encoded =
            rows.iter().map(|(name, row)| Ok((*name, row.encode()?))).collect::<Result<Vec<_>, _>>()?;
        let txn = self.db.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(T::TABLE).map_err(backend)?;
            let mut macs = txn.open_table(MACS).map_err(backend)?;
            for (name, bytes) in &encoded {
                put.check(table.get(*name).map_err(backend)?.is_some(), name)?;
                table.insert(*name, T::Column::from_bytes(bytes)).map_err(backend)?;
                let tag = record_tag::<T>(&self.db.master, name, bytes);
                macs.insert(mac_name::<T>(name).as_str(), tag.as_slice()).map_err(backend)?;
            }
        }
        for (name, row) in rows {
            if row.deletion_due().is_some() {
                index_deletion::<T>(&txn, name, Some(*row))?;
            }
        }
        // Dropped without commit on any error above, so nothing is written.
        txn.commit().map_err(backend)
    }

    /// Changes the row named `name` in one transaction (read, change, write back).
    fn update(&self, name: &str, change: impl FnOnce(&mut T)) -> Result<(), StoreError> {
        let txn = self.db.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(T::TABLE).map_err(backend)?;
            let mut macs = txn.open_table(MACS).map_err(backend)?;
            let old =
                table.get(name).map_err(backend)?.map(|v| T::Column::as_bytes(&v.value()).as_ref().to_vec());
            let old = old.ok_or_else(|| StoreError::NotFound(name.to_owned()))?;
            // A tampered record is not updated into a validly MACed one.
            check_tag::<T>(&self.db.master, &macs, name, &old)?;
            let mut row = T::decode(name, &old)?;
            change(&mut row);
            let bytes = row.encode()?;
            table.insert(name, T::Column::from_bytes(&bytes)).map_err(backend)?;
            let tag = record_tag::<T>(&self.db.master, name, &bytes);
            macs.insert(mac_name::<T>(name).as_str(), tag.as_slice()).map_err(backend)?;
            drop((table, macs));
            index_deletion::<T>(&txn, name, Some(&row))?;
        }
        txn.commit().map_err(backend)
    }

    /// Removes the row named `name`.
    fn delete(&self, name: &str) -> Result<(), StoreError> {
        let txn = self.db.db.begin_write().map_err(backend)?;
        {
            let mut table = txn.open_table(T::TABLE).map_err(backend)?;
            if table.remove(name).map_err(backend)?.is_none() {
                return Err(StoreError::NotFound(name.to_owned()));
            }
            txn.open_table(MACS).map_err(backend)?.remove(mac_name::<T>(name).as_str()).map_err(backend)?;
            drop(table);
            index_deletion::<T>(&txn, name, None)?;
        }
        txn.commit().map_err(backend)
    }
}

impl<T: Record + Row> RecordTable<T> for FileTable<T> {
    fn get(&self, name: &T::Name) -> Result<Option<T>, StoreError> {
        self.row(name.as_ref())
    }

    fn put(&self, record: &T, put: Put) -> Result<(), StoreError> {
        self.write(&[(record.name().as_ref(), record)], put)
    }

    fn delete(&self, name: &T::Name) -> Result<(), StoreError> {
        FileTable::delete(self, name.as_ref())
    }

    fn list(&self, after: Option<&T::Name>, limit: usize) -> Result<Vec<T>, StoreError> {
        self.rows(after.map(AsRef::as_ref), limit)
    }
}

/// A table of keys: rows of metadata and sealed material.
pub(super) struct SealedFileTable<R: SealedRecord> {
    rows: FileTable<SealedRow<R::Meta>>,
}

impl<R: SealedRecord> SealedFileTable<R>
where
    SealedRow<R::Meta>: Row,
{
    /// The table of keys `R` in `db`.
    pub(super) fn new(db: Arc<Db>) -> Self {
        SealedFileTable { rows: FileTable::new(db) }
    }
}

impl<R: SealedRecord> SealedTable<R> for SealedFileTable<R>
where
    SealedRow<R::Meta>: Row,
{
    fn get(&self, name: &SealedName<R>) -> Result<Option<R>, StoreError> {
        let name = name.as_ref();
        let Some(row) = self.rows.row(name)? else {
            return Ok(None);
        };
        let corrupt = || StoreError::Corrupt(name.to_owned());
        let sealed = hex::decode(&row.sealed_material).map_err(|_| corrupt())?;
        let material = self.rows.db.master.open(name.as_bytes(), &sealed, name)?;
        R::from_parts(row.key, &material).map(Some).ok_or_else(corrupt)
    }

    fn metadata(&self, name: &SealedName<R>) -> Result<Option<R::Meta>, StoreError> {
        Ok(self.rows.row(name.as_ref())?.map(|row| row.key))
    }

    fn insert(&self, records: &[R]) -> Result<(), StoreError> {
        // Sealed before the transaction starts, so the write lock is held only to write.
        let mut rows = Vec::with_capacity(records.len());
        for record in records {
            let meta = record.meta();
            let sealed = self.rows.db.master.seal(meta.name().as_ref().as_bytes(), &record.material())?;
            rows.push(SealedRow { key: meta.clone(), sealed_material: hex::encode(sealed) });
        }
        let named: Vec<(&str, &SealedRow<R::Meta>)> =
            rows.iter().map(|r| (r.key.name().as_ref(), r)).collect();
        self.rows.write(&named, Put::Create)
    }

    fn update(&self, meta: &R::Meta) -> Result<(), StoreError> {
        self.rows.update(meta.name().as_ref(), |row| row.key = meta.clone())
    }

    fn list(&self, after: Option<&SealedName<R>>, limit: usize) -> Result<Vec<R::Meta>, StoreError> {
        Ok(self.rows.rows(after.map(AsRef::as_ref), limit)?.into_iter().map(|row| row.key).collect())
    }
}

/// A database failure as a [`StoreError::Backend`].
pub(super) fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}
