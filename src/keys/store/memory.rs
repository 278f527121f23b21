//! An in-memory key store: nothing is persisted.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::keys::store::{AliasEntry, KeyStore, StoreError};
use crate::keys::{
    AliasName, Grant, Key, KeyArn, KmsAlias, KmsAliasName, KmsKey, KmsKeyArn, StoredKey, StoredKmsKey,
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
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    keys: BTreeMap<KeyArn, StoredKey>,
    aliases: BTreeMap<AliasName, Option<KeyArn>>,
    kms_keys: BTreeMap<KmsKeyArn, StoredKmsKey>,
    kms_aliases: BTreeMap<KmsAliasName, KmsAlias>,
    grants: BTreeMap<String, Grant>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-made change: every change is one insert.
        self.inner.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl KeyStore for MemoryStore {
    fn get_key(&self, arn: &KeyArn) -> Result<Option<StoredKey>, StoreError> {
        Ok(self.read().keys.get(arn).cloned())
    }

    fn get_key_metadata(&self, arn: &KeyArn) -> Result<Option<Key>, StoreError> {
        Ok(self.read().keys.get(arn).map(|k| k.key.clone()))
    }

    fn insert_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        let mut inner = self.write();
        if inner.keys.contains_key(&key.key.key_arn) {
            return Err(StoreError::Exists(key.key.key_arn.to_string()));
        }
        inner.keys.insert(key.key.key_arn.clone(), key.clone());
        Ok(())
    }

    fn insert_keys(&self, keys: &[StoredKey]) -> Result<(), StoreError> {
        let mut inner = self.write();
        let mut arns = std::collections::BTreeSet::new();
        for key in keys {
            let arn = &key.key.key_arn;
            if inner.keys.contains_key(arn) || !arns.insert(arn) {
                return Err(StoreError::Exists(arn.to_string()));
            }
        }
        for key in keys {
            inner.keys.insert(key.key.key_arn.clone(), key.clone());
        }
        Ok(())
    }

    fn update_key(&self, key: &Key) -> Result<(), StoreError> {
        let mut inner = self.write();
        let stored =
            inner.keys.get_mut(&key.key_arn).ok_or_else(|| StoreError::NotFound(key.key_arn.to_string()))?;
        stored.key = key.clone();
        Ok(())
    }

    fn list_keys(&self, after: Option<&KeyArn>, limit: usize) -> Result<Vec<Key>, StoreError> {
        let inner = self.read();
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(inner.keys.range((start, Bound::Unbounded)).take(limit).map(|(_, k)| k.key.clone()).collect())
    }

    fn get_alias(&self, name: &AliasName) -> Result<Option<AliasEntry>, StoreError> {
        Ok(self.read().aliases.get(name).map(|arn| AliasEntry { name: name.clone(), key_arn: arn.clone() }))
    }

    fn put_alias(&self, alias: &AliasEntry, create: bool) -> Result<(), StoreError> {
        let mut inner = self.write();
        match (create, inner.aliases.contains_key(&alias.name)) {
            (true, true) => return Err(StoreError::Exists(alias.name.to_string())),
            (false, false) => return Err(StoreError::NotFound(alias.name.to_string())),
            _ => {}
        }
        inner.aliases.insert(alias.name.clone(), alias.key_arn.clone());
        Ok(())
    }

    fn delete_alias(&self, name: &AliasName) -> Result<(), StoreError> {
        self.write().aliases.remove(name).map(|_| ()).ok_or_else(|| StoreError::NotFound(name.to_string()))
    }

    fn list_aliases(&self, after: Option<&AliasName>, limit: usize) -> Result<Vec<AliasEntry>, StoreError> {
        let inner = self.read();
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(inner
            .aliases
            .range((start, Bound::Unbounded))
            .take(limit)
            .map(|(name, arn)| AliasEntry { name: name.clone(), key_arn: arn.clone() })
            .collect())
    }

    fn get_kms_key(&self, arn: &KmsKeyArn) -> Result<Option<StoredKmsKey>, StoreError> {
        Ok(self.read().kms_keys.get(arn).cloned())
    }

    fn get_kms_key_metadata(&self, arn: &KmsKeyArn) -> Result<Option<KmsKey>, StoreError> {
        Ok(self.read().kms_keys.get(arn).map(|k| k.key.clone()))
    }

    fn insert_kms_keys(&self, keys: &[StoredKmsKey]) -> Result<(), StoreError> {
        let mut inner = self.write();
        let mut arns = std::collections::BTreeSet::new();
        for key in keys {
            let arn = &key.key.arn;
            if inner.kms_keys.contains_key(arn) || !arns.insert(arn) {
                return Err(StoreError::Exists(arn.to_string()));
            }
        }
        for key in keys {
            inner.kms_keys.insert(key.key.arn.clone(), key.clone());
        }
        Ok(())
    }

    fn update_kms_key(&self, key: &KmsKey) -> Result<(), StoreError> {
        let mut inner = self.write();
        let stored =
            inner.kms_keys.get_mut(&key.arn).ok_or_else(|| StoreError::NotFound(key.arn.to_string()))?;
        stored.key = key.clone();
        Ok(())
    }

    fn list_kms_keys(&self, after: Option<&KmsKeyArn>, limit: usize) -> Result<Vec<KmsKey>, StoreError> {
        let inner = self.read();
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(inner.kms_keys.range((start, Bound::Unbounded)).take(limit).map(|(_, k)| k.key.clone()).collect())
    }

    fn get_kms_alias(&self, name: &KmsAliasName) -> Result<Option<KmsAlias>, StoreError> {
        Ok(self.read().kms_aliases.get(name).cloned())
    }

    fn put_kms_alias(&self, alias: &KmsAlias, create: bool) -> Result<(), StoreError> {
        let mut inner = self.write();
        match (create, inner.kms_aliases.contains_key(&alias.alias_name)) {
            (true, true) => return Err(StoreError::Exists(alias.alias_name.to_string())),
            (false, false) => return Err(StoreError::NotFound(alias.alias_name.to_string())),
            _ => {}
        }
        inner.kms_aliases.insert(alias.alias_name.clone(), alias.clone());
        Ok(())
    }

    fn delete_kms_alias(&self, name: &KmsAliasName) -> Result<(), StoreError> {
        self.write()
            .kms_aliases
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(name.to_string()))
    }

    fn list_kms_aliases(
        &self,
        after: Option<&KmsAliasName>,
        limit: usize,
    ) -> Result<Vec<KmsAlias>, StoreError> {
        let inner = self.read();
        let start = after.map_or(Bound::Unbounded, Bound::Excluded);
        Ok(inner.kms_aliases.range((start, Bound::Unbounded)).take(limit).map(|(_, a)| a.clone()).collect())
    }

    fn get_grant(&self, grant_id: &str) -> Result<Option<Grant>, StoreError> {
        Ok(self.read().grants.get(grant_id).cloned())
    }

    fn insert_grant(&self, grant: &Grant) -> Result<(), StoreError> {
        let mut inner = self.write();
        if inner.grants.contains_key(&grant.grant_id) {
            return Err(StoreError::Exists(grant.grant_id.clone()));
        }
        inner.grants.insert(grant.grant_id.clone(), grant.clone());
        Ok(())
    }

    fn delete_grant(&self, grant_id: &str) -> Result<(), StoreError> {
        self.write()
            .grants
            .remove(grant_id)
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(grant_id.to_owned()))
    }

    fn list_grants(&self, key: &KmsKeyArn) -> Result<Vec<Grant>, StoreError> {
        Ok(self.read().grants.values().filter(|g| &g.key_id == key).cloned().collect())
    }

    fn clear(&self) -> Result<(), StoreError> {
        *self.write() = Inner::default();
        Ok(())
    }
}
