//! Running the `paycrypt` binary in a test's own directory, on that directory's own store, with the
//! environment that would point it elsewhere removed. Included with `#[path]` by the tests that run
//! the binary (`batch_cli.rs`, `batch_crash.rs`).

use std::path::Path;
use std::process::{Command, Stdio};

/// `paycrypt --data-dir store ARGS` in `dir`, stdout and stderr piped; PAYCRYPT_DATA_DIR,
/// PAYCRYPT_ENDPOINT_URL, PAYCRYPT_MASTER_KEY and PAYCRYPT_LOCK_TIMEOUT removed.
pub fn paycrypt_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_paycrypt"));
    cmd.current_dir(dir)
        .args(["--data-dir", "store"])
        .args(args)
        .env_remove("PAYCRYPT_DATA_DIR")
        .env_remove("PAYCRYPT_ENDPOINT_URL")
        .env_remove("PAYCRYPT_MASTER_KEY")
        .env_remove("PAYCRYPT_LOCK_TIMEOUT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}
