//! The master key that seals key material at rest: AES-256-GCM, a random 96-bit nonce per record, the
//! record's key ARN as additional authenticated data (a sealed record moved to another ARN fails).

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::keys::store::StoreError;

/// The environment variable that may hold the master key, as 64 hex digits.
pub const MASTER_KEY_ENV: &str = "PAYCRYPT_MASTER_KEY";

/// A 256-bit AES-GCM master key. Zeroized on drop, never printed.
pub struct MasterKey {
    cipher: Aes256Gcm,
    /// HMAC-SHA256 key for the store's record MACs: HMAC-SHA256(master key, [`MAC_KEY_LABEL`]), so
    /// the master key itself is used for one purpose only per primitive.
    mac_key: Zeroizing<[u8; 64]>,
}

/// What the record-MAC key is derived with.
const MAC_KEY_LABEL: &[u8] = b"paycrypt store record MAC key v1";

impl MasterKey {
    /// A master key from 32 bytes.
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when `bytes` is not 32 bytes long.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StoreError> {
        let cipher = Aes256Gcm::new_from_slice(bytes).map_err(|_| {
            StoreError::MasterKey(format!("must be 32 bytes (64 hex digits), got {}", bytes.len()))
        })?;
        let mut derive = Hmac::<Sha256>::new_from_slice(bytes)
            .map_err(|_| StoreError::MasterKey("cannot derive the record MAC key".to_owned()))?;
        derive.update(MAC_KEY_LABEL);
        // HMAC pads a key shorter than its 64-byte block with zeros: keep it padded, so that
        // `record_mac` can use the infallible fixed-size constructor.
        let mut mac_key = Zeroizing::new([0u8; 64]);
        mac_key[..32].copy_from_slice(&derive.finalize().into_bytes());
        Ok(MasterKey { cipher, mac_key })
    }

    /// The MAC of a stored record: HMAC-SHA256 over each part, length-prefixed (u32, big-endian), so
    /// no two different part lists share a MAC input.
    pub(crate) fn record_mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new(&(*self.mac_key).into());
        for part in parts {
            mac.update(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    /// Whether `tag` is the MAC of `parts` (constant time).
    pub(crate) fn check_record_mac(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        let expected = self.record_mac(parts);
        bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_slice(), tag))
    }

    /// A master key from 64 hex digits.
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when `text` is not 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, StoreError> {
        let bytes = Zeroizing::new(
            hex::decode(text.trim())
                .map_err(|_| StoreError::MasterKey("must be 64 hex digits".to_owned()))?,
        );
        MasterKey::from_bytes(&bytes)
    }

    /// The master key from `PAYCRYPT_MASTER_KEY` if set, else from `dir/master.key`, which is created
    /// (mode 0600, 32 random bytes as hex) when missing.
    ///
    /// # Errors
    /// [`StoreError::MasterKey`] when the variable or file is malformed, the file is readable or
    /// writable by group or others, or it cannot be read or created.
    pub fn load(dir: &Path) -> Result<Self, StoreError> {
        if let Ok(text) = std::env::var(MASTER_KEY_ENV) {
            return MasterKey::from_hex(&text)
                .map_err(|e| StoreError::MasterKey(format!("{MASTER_KEY_ENV}: {}", strip(&e))));
        }
        let path = dir.join("master.key");
        match fs::symlink_metadata(&path) {
            Ok(meta) => {
                if !meta.file_type().is_file() {
                    return Err(StoreError::MasterKey(format!(
                        "{} is not a regular file (a symbolic link or a directory); it must be the key file itself",
                        path.display()
                    )));
                }
                check_owner(&path, &meta)?;
                let mode = meta.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(StoreError::MasterKey(format!(
                        "{} has mode {mode:04o}; it must be readable by its owner only (chmod 600)",
                        path.display()
                    )));
                }
                MasterKey::load_file(&path)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A lost key file must not silently become a new key that cannot open the store.
                let store = dir.join("keys.redb");
                if store.exists() {
                    return Err(StoreError::MasterKey(format!(
                        "{} is missing but {} exists: restore the master.key it was made with, or set {MASTER_KEY_ENV}; \
                         a new master key could not open it",
                        path.display(),
                        store.display()
                    )));
                }
                create(&path)
            }
            Err(e) => Err(StoreError::MasterKey(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Reads 64 hex digits from `path`.
    fn load_file(path: &Path) -> Result<Self, StoreError> {
        let text = Zeroizing::new(
            fs::read_to_string(path)
                .map_err(|e| StoreError::MasterKey(format!("cannot read {}: {e}", path.display())))?,
        );
        MasterKey::from_hex(&text)
            .map_err(|e| StoreError::MasterKey(format!("{}: {}", path.display(), strip(&e))))
    }

    /// Encrypts `plaintext` with a fresh random nonce, binding `aad`: returns `nonce || ciphertext || tag`.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when no randomness is available.
    pub fn seal(&self, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), Payload { msg: plaintext, aad })
            .map_err(|_| StoreError::Backend("sealing failed".to_owned()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`MasterKey::seal`] produced for the same `aad`.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] (naming `what`) when the record is short, tampered with, bound to another
    /// `aad`, or sealed under another master key.
    pub fn open(&self, aad: &[u8], sealed: &[u8], what: &str) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let corrupt = || StoreError::Corrupt(what.to_owned());
        let (nonce, body) = sealed.split_at_checked(12).ok_or_else(corrupt)?;
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| corrupt())?;
        self.cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: body, aad })
            .map(Zeroizing::new)
            .map_err(|_| corrupt())
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey").field("key", &"...").finish()
    }
}

fn strip(e: &StoreError) -> String {
    match e {
        StoreError::MasterKey(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Creates `path` (0600) holding a fresh random key: written whole to a temporary file beside it and
/// synced, then linked into place only if no `master.key` exists yet (two processes racing both end up
/// with the winner's key), and the directory synced, so that a crash leaves either no key file or a
/// whole one.
fn create(path: &Path) -> Result<MasterKey, StoreError> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut()).map_err(|e| StoreError::MasterKey(format!("no randomness: {e}")))?;
    let text = Zeroizing::new(hex::encode(bytes.as_ref()));
    let fail = |e: std::io::Error| StoreError::MasterKey(format!("cannot create {}: {e}", path.display()));
    let dir = path.parent().unwrap_or(Path::new("."));
    let temp = dir.join(format!(".master.key.{}.tmp", std::process::id()));
    // A leftover from a crashed attempt of a process with the same id: never key material in use.
    let _ = fs::remove_file(&temp);
    let written = (|| {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::hard_link(&temp, path)
    })();
    let _ = fs::remove_file(&temp);
    match written {
        Ok(()) => {}
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return MasterKey::load_file(path),
        Err(e) => return Err(fail(e)),
    }
    fs::File::open(dir).and_then(|d| d.sync_all()).map_err(fail)?;
    MasterKey::from_bytes(bytes.as_ref())
}

/// Refuses a file or directory owned by another user than the one running paycrypt (when that user
/// can be known: `/proc/self` is owned by the process's effective user).
pub(crate) fn check_owner(path: &Path, meta: &fs::Metadata) -> Result<(), StoreError> {
    if let Ok(me) = fs::metadata("/proc/self").map(|m| m.uid())
        && meta.uid() != me
    {
        return Err(StoreError::MasterKey(format!(
            "{} belongs to user id {}, not to the user running paycrypt ({me}); refusing to trust it",
            path.display(),
            meta.uid()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_binds_aad() {
        let k = MasterKey::from_bytes(&[7u8; 32]).map_err(|e| e.to_string());
        let Ok(k) = k else { panic!("key") };
        let sealed = k.seal(b"arn-a", b"secret").unwrap_or_default();
        assert_eq!(k.open(b"arn-a", &sealed, "a").map(|v| v.to_vec()).ok(), Some(b"secret".to_vec()));
        assert!(k.open(b"arn-b", &sealed, "b").is_err());
        assert!(k.open(b"arn-a", &sealed[..10], "a").is_err());
        assert!(!format!("{k:?}").contains('7'));
    }
}
