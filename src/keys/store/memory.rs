//! An in-memory key store: nothing is persisted.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::keys::store::table::{Put, Record, RecordTable, SealedName, SealedRecord, SealedTable};
use crate::keys::store::{AliasEntry, KeyStore, StoreError, TableSet, Tables};
use crate::keys::{
    AliasName, Grant, KeyArn, KmsAlias, KmsAliasName, KmsKeyArn, StoredExchange, StoredKey, StoredKmsKey,
};

/// Keys and aliases in memory, behind a lock: for tests, benches and a throw-away server.
///
/// # Examples
/// ```
/// use paycrypt::keys::{KeyStore, MemoryStore};
///
/// let store = MemoryStore::new();
/// assert!(store.list_keys(None, 10)?.is_empty());
/// # Ok::<(), paycrypt::keys::StoreError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    tables: MemoryTables,
}

/// The tables of a [`MemoryStore`].
type MemoryTables = TableSet<
    MemTable<KeyArn, StoredKey>,
    MemTable<AliasName, AliasEntry>,
    MemTable<KmsKeyArn, StoredKmsKey>,
    MemTable<KmsAliasName, KmsAlias>,
    MemTable<String, Grant>,
    MemTable<String, StoredExchange>,
>;

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl KeyStore for MemoryStore {
    fn tables(&self) -> Tables<'_> {
        self.tables.tables()
    }

    fn clear(&self) -> Result<(), StoreError> {
        // Every table locked before any is emptied: no reader sees some emptied and others not.
        let t = &self.tables;
        let (mut keys, mut aliases, mut kms_keys, mut kms_aliases, mut grants, mut exchange) = (
            t.payment_keys.write(),
            t.payment_aliases.write(),
            t.kms_keys.write(),
            t.kms_aliases.write(),
            t.grants.write(),
            t.exchange.write(),
        );
        keys.clear();
        aliases.clear();
        kms_keys.clear();
        kms_aliases.clear();
        grants.clear();
        exchange.clear();
        Ok(())
    }
}

/// One table: records by name, behind a lock.
#[derive(Debug)]
struct MemTable<N, V>(RwLock<BTreeMap<N, V>>);

impl<N, V> Default for MemTable<N, V> {
    fn default() -> Self {
        MemTable(RwLock::new(BTreeMap::new()))
    }
}

impl<N: Ord + Clone, V: Clone> MemTable<N, V> {
    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<N, V>> {
        // A panic while holding the lock cannot leave a half-made change: each change checks first,
        // then only inserts, replaces or removes.
        self.0.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, BTreeMap<N, V>> {
        self.0.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Up to `limit` values after `after`, by name, each as `view` makes it.
    fn range<T>(&self, after: Option<&N>, limit: usize, view: impl Fn(&V) -> T) -> Vec<T> {
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        self.read().range((start, Bound::Unbounded)).take(limit).map(|(_, v)| view(v)).collect()
    }
}

impl<R: SealedRecord> SealedTable<R> for MemTable<SealedName<R>, R> {
    fn get(&self, name: &SealedName<R>) -> Result<Option<R>, StoreError> {
        Ok(self.read().get(name).cloned())
    }

    fn metadata(&self, name: &SealedName<R>) -> Result<Option<R::Meta>, StoreError> {
        Ok(self.read().get(name).map(|r| r.meta().clone()))
    }

    fn insert(&self, records: &[R]) -> Result<(), StoreError> {
        let mut table = self.write();
        let mut names = std::collections::BTreeSet::new();
        for record in records {
            let name = record.meta().name();
            Put::Create.check(table.contains_key(name) || !names.insert(name), name.as_ref())?;
        }
        for record in records {
            table.insert(record.meta().name().clone(), record.clone());
        }
        Ok(())
    }

    fn update(&self, meta: &R::Meta) -> Result<(), StoreError> {
        let mut table = self.write();
        let name = meta.name();
        let stored = table.get_mut(name).ok_or_else(|| StoreError::NotFound(name.as_ref().to_owned()))?;
        stored.set_meta(meta.clone());
        Ok(())
    }

    fn list(&self, after: Option<&SealedName<R>>, limit: usize) -> Result<Vec<R::Meta>, StoreError> {
        Ok(self.range(after, limit, |r| r.meta().clone()))
    }
}

impl<T: Record> RecordTable<T> for MemTable<T::Name, T> {
    fn get(&self, name: &T::Name) -> Result<Option<T>, StoreError> {
        Ok(self.read().get(name).cloned())
    }

    fn put(&self, record: &T, put: Put) -> Result<(), StoreError> {
        let mut table = self.write();
        let name = record.name();
        put.check(table.contains_key(name), name.as_ref())?;
        table.insert(name.clone(), record.clone());
        Ok(())
    }

    fn delete(&self, name: &T::Name) -> Result<(), StoreError> {
        let removed = self.write().remove(name);
        removed.map(|_| ()).ok_or_else(|| StoreError::NotFound(name.as_ref().to_owned()))
    }

    fn list(&self, after: Option<&T::Name>, limit: usize) -> Result<Vec<T>, StoreError> {
        Ok(self.range(after, limit, T::clone))
    }
}
