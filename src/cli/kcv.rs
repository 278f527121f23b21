//! `paycrypt kcv`: the key check value of a clear key.

use clap::Args;
use serde::Serialize;

use paycrypt::kcv::{KcvAlgorithm, kcv};
use paycrypt::{Algorithm, SymmetricKey};

use crate::cli::{CliError, hex_arg, print_json};

#[derive(Args)]
pub(crate) struct KcvArgs {
    /// Key algorithm: TDES_2KEY, TDES_3KEY, AES_128, AES_192 or AES_256.
    #[arg(long)]
    algorithm: Algorithm,
    /// The key, in hex.
    #[arg(long)]
    key: String,
    /// ANSI_X9_24 (encrypt a zero block) or CMAC (CMAC of a zero block). Default: AWS's, ANSI_X9_24 for
    /// TDES and CMAC for AES.
    #[arg(long)]
    kcv_algorithm: Option<KcvAlgorithm>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct KcvOut {
    key_check_value: String,
    key_check_value_algorithm: KcvAlgorithm,
}

pub(crate) fn run(args: KcvArgs) -> Result<(), CliError> {
    let bytes = zeroize::Zeroizing::new(hex_arg("--key", &args.key)?);
    let key = SymmetricKey::new(args.algorithm, &bytes)?;
    let algorithm = args.kcv_algorithm.unwrap_or(KcvAlgorithm::default_for(args.algorithm));
    print_json(&KcvOut {
        key_check_value: hex::encode_upper(kcv(&key, algorithm)),
        key_check_value_algorithm: algorithm,
    })
}
