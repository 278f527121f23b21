//! The workloads `paycrypt speed` runs and the criterion benches time: one definition of each, so the
//! README's figures, `cargo bench` and `paycrypt speed` measure the same code on the same inputs.
//!
//! A [`Workload`] names one operation (family, name, message size) and builds [`Op`]s: closures that
//! perform the operation once. Each thread of a run builds its own instance; what is expensive to make
//! and safe to share (RSA keys) is made once, on first use, and shared by every instance.
//!
//! ```
//! use paycrypt::perf::workload::{Direction, symmetric};
//! use paycrypt::{Algorithm, Mode};
//!
//! let workload = symmetric::cipher(Algorithm::Aes128, Mode::Cbc, Direction::Encrypt, 4096);
//! assert_eq!(workload.name, "AES-128-CBC encrypt");
//! let mut op = workload.instance()?;
//! op()?; // one 4 KiB CBC encryption
//! # Ok::<(), paycrypt::perf::workload::WorkloadError>(())
//! ```

use std::fmt;
use std::sync::Arc;

pub mod asymmetric;
pub mod dukpt;
pub mod service;
pub mod symmetric;

/// The families, in the order a full run measures them: what `paycrypt speed WHAT` filters on.
pub const FAMILIES: [&str; 10] =
    ["aes", "tdes", "kcv", "dukpt", "rsa", "jwe", "service", "kms", "esdk", "tr31"];

/// The message sizes a run uses unless told otherwise: 16 B, 256 B, 4 KiB and 1 MiB.
pub const DEFAULT_SIZES: [usize; 4] = [16, 256, 4096, 1 << 20];

/// One operation performed once. An error means the operation failed, which a run reports and stops on.
pub type Op = Box<dyn FnMut() -> Result<(), WorkloadError>>;

/// Builds one instance of a workload: its own keys, buffers and caches.
type Build = Arc<dyn Fn() -> Result<Op, WorkloadError> + Send + Sync>;

/// Encryption or decryption.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum Direction {
    /// Encryption (or wrapping).
    Encrypt,
    /// Decryption (or unwrapping).
    Decrypt,
}

impl Direction {
    /// Both directions, encryption first.
    pub const BOTH: [Direction; 2] = [Direction::Encrypt, Direction::Decrypt];

    /// `encrypt` or `decrypt`.
    pub const fn name(self) -> &'static str {
        match self {
            Direction::Encrypt => "encrypt",
            Direction::Decrypt => "decrypt",
        }
    }
}

/// What `openssl speed -evp` calls the same cipher and mode, for `--compare openssl`.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct OpensslCipher {
    /// The EVP name, e.g. `aes-128-cbc`, `des-ede3-cfb8`.
    pub name: &'static str,
    /// Whether to time decryption (`-decrypt`).
    pub decrypt: bool,
}

/// One operation to measure: what it is, and how to build instances that perform it.
#[derive(Clone)]
pub struct Workload {
    /// The family, one of [`FAMILIES`].
    pub family: &'static str,
    /// The name without the size, e.g. `AES-128-CBC encrypt`, `TDES DUKPT derive (cached)`.
    pub name: String,
    /// The message size in bytes, for workloads measured at each size of a run (`--bytes`); a workload
    /// of one fixed size says it in its name.
    pub bytes: Option<usize>,
    /// Operations one call of an [`Op`] performs: 1, or e.g. 1,000 for a batch of 1,000 derivations.
    pub per_call: u64,
    /// The same cipher in `openssl speed -evp`, where there is one.
    pub openssl: Option<OpensslCipher>,
    build: Build,
}

impl Workload {
    /// A workload of one operation a call, `build` making each instance.
    pub fn new(
        family: &'static str,
        name: impl Into<String>,
        bytes: Option<usize>,
        build: impl Fn() -> Result<Op, WorkloadError> + Send + Sync + 'static,
    ) -> Self {
        Workload { family, name: name.into(), bytes, per_call: 1, openssl: None, build: Arc::new(build) }
    }

    /// The same, each call performing `per_call` operations.
    #[must_use]
    pub fn per_call(mut self, per_call: u64) -> Self {
        self.per_call = per_call;
        self
    }

    /// The same, with its `openssl speed` counterpart.
    #[must_use]
    pub fn openssl(mut self, cipher: OpensslCipher) -> Self {
        self.openssl = Some(cipher);
        self
    }

    /// A new instance: its own state, checked (a decrypt workload's input decrypts to what was
    /// encrypted) before it is returned.
    ///
    /// # Errors
    /// When building the state or its check fails.
    pub fn instance(&self) -> Result<Op, WorkloadError> {
        (self.build)()
    }

    /// The name and the size, e.g. `AES-128-CBC encrypt, 4096 B`.
    pub fn label(&self) -> String {
        match self.bytes {
            Some(bytes) => format!("{}, {bytes} B", self.name),
            None => self.name.clone(),
        }
    }

    /// Whether `what` selects this workload, case-insensitively: a family name selects that family
    /// alone (`aes` is not `KCV AES-128 CMAC`); anything else the workloads whose name starts with it
    /// (`aes-128-cbc`, `rsa-2048`), or with `loose`, whose name holds it anywhere (`cached`).
    pub fn matches(&self, what: &str, loose: bool) -> bool {
        let what = what.to_ascii_lowercase();
        let name = self.name.to_ascii_lowercase();
        if FAMILIES.contains(&what.as_str()) {
            self.family == what
        } else if loose {
            name.contains(&what)
        } else {
            name.starts_with(&what)
        }
    }
}

impl fmt::Debug for Workload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Workload")
            .field("family", &self.family)
            .field("name", &self.name)
            .field("bytes", &self.bytes)
            .field("per_call", &self.per_call)
            .finish_non_exhaustive()
    }
}

/// A workload could not be built or its operation failed.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct WorkloadError {
    message: String,
}

impl WorkloadError {
    /// An error saying what failed.
    pub fn new(message: impl Into<String>) -> Self {
        WorkloadError { message: message.into() }
    }

    /// A function mapping any error to one that says `what` failed and why.
    pub fn because<E: fmt::Display>(what: &str) -> impl Fn(E) -> WorkloadError + '_ {
        move |e| WorkloadError::new(format!("{what}: {e}"))
    }
}

impl fmt::Display for WorkloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorkloadError {}

/// Every workload, in [`FAMILIES`] order; those that take a message size once per size in `sizes`.
/// Nothing expensive happens here: RSA keys are generated when a first instance needs them.
pub fn all(sizes: &[usize]) -> Vec<Workload> {
    let mut out = symmetric::all(sizes);
    out.extend(dukpt::all());
    out.extend(asymmetric::all());
    out.extend(service::all(sizes));
    out
}

/// The workloads any of `whats` selects (all of them when `whats` is empty), in registry order. Each
/// `what` is a family, or the start of workload names, or else a part of them (see
/// [`Workload::matches`]).
///
/// # Errors
/// The first `what` that selects nothing.
pub fn select(workloads: Vec<Workload>, whats: &[String]) -> Result<Vec<Workload>, &str> {
    if whats.is_empty() {
        return Ok(workloads);
    }
    let mut loose = Vec::with_capacity(whats.len());
    for what in whats {
        if workloads.iter().any(|w| w.matches(what, false)) {
            loose.push(false);
        } else if workloads.iter().any(|w| w.matches(what, true)) {
            loose.push(true);
        } else {
            return Err(what);
        }
    }
    Ok(workloads
        .into_iter()
        .filter(|w| whats.iter().zip(&loose).any(|(what, &l)| w.matches(what, l)))
        .collect())
}
