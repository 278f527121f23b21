//! Pure functions over bytes: block ciphers and modes, padding, key check values.
//!
//! Nothing here does I/O or knows AWS's API shapes; AWS's names appear only where they name an
//! algorithm (`TDES_2KEY`, `CFB8`, `ANSI_X9_24`).

mod algorithm;
mod cipher;
pub mod dukpt;
mod error;
pub mod jwe;
pub mod kcv;
pub mod modes;
pub mod padding;
pub mod pki;
pub mod rsa;
pub mod tdes;
pub mod tr31;
pub mod tr34;

pub use algorithm::{Algorithm, Mode};
pub use cipher::{Cipher, SymmetricKey};
pub use error::{CipherError, DecryptError, UnpadError};
