//! Published vectors for TDES and AES in every mode (NIST CAVP, SP 800-38A), CMAC (SP 800-38B) and
//! KCVs. One test per (file, direction); each prints its DONE line.

mod common;

use serde::Deserialize;

use common::{Tally, load, unhex};
use paycrypt::kcv::{KcvAlgorithm, check_block, cmac};
use paycrypt::modes::Direction;
use paycrypt::{Algorithm, Cipher, Mode, SymmetricKey};

#[derive(Deserialize)]
struct CipherCase {
    id: String,
    algorithm: Algorithm,
    mode: Mode,
    direction: String,
    key: String,
    iv: Option<String>,
    input: String,
    output: String,
    bits: usize,
}

fn run_case(case: &CipherCase, direction: Direction) -> Result<(), String> {
    let cipher = Cipher::new(case.algorithm, &unhex("key", &case.key)).map_err(|e| e.to_string())?;
    let iv = case.iv.as_deref().map(|iv| unhex("iv", iv));
    let mut buf = unhex("input", &case.input);
    let expected = unhex("output", &case.output);
    if case.mode == Mode::Cfb1 {
        // Bit strings: the general CFB with 1-bit segments over exactly `bits` bits.
        let iv = iv.ok_or("CFB1 case without IV")?;
        cipher.cfb_in_place(1, &iv, &mut buf, case.bits, direction).map_err(|e| e.to_string())?;
        if case.bits.is_multiple_of(8) {
            // Whole bytes: the mode API must agree.
            let mut again = unhex("input", &case.input);
            match direction {
                Direction::Encrypt => cipher.encrypt_in_place(Mode::Cfb1, Some(&iv), &mut again),
                Direction::Decrypt => cipher.decrypt_in_place(Mode::Cfb1, Some(&iv), &mut again),
            }
            .map_err(|e| e.to_string())?;
            if again != expected {
                return Err(format!("mode API gave {}", hex::encode_upper(&again)));
            }
        }
    } else {
        match direction {
            Direction::Encrypt => cipher.encrypt_in_place(case.mode, iv.as_deref(), &mut buf),
            Direction::Decrypt => cipher.decrypt_in_place(case.mode, iv.as_deref(), &mut buf),
        }
        .map_err(|e| e.to_string())?;
    }
    if buf == expected {
        Ok(())
    } else {
        Err(format!("got {} expected {}", hex::encode_upper(&buf), case.output))
    }
}

fn run_file(name: &str, direction: Direction) {
    let file = load::<CipherCase>(name);
    let wanted = match direction {
        Direction::Encrypt => "encrypt",
        Direction::Decrypt => "decrypt",
    };
    let mut tally = Tally::new(&format!("{name} {wanted}"));
    for case in file.cases.iter() {
        if case.direction == wanted {
            tally.record(&case.id, run_case(case, direction));
        } else {
            tally.skip();
        }
    }
    tally.finish();
}

/// Stamps one test per (vector file, direction).
macro_rules! vector_test {
    ($name:ident, $file:literal, $direction:ident) => {
        #[test]
        fn $name() {
            run_file($file, Direction::$direction);
        }
    };
}

vector_test!(aes_ecb_encrypt, "aes_ecb", Encrypt);
vector_test!(aes_ecb_decrypt, "aes_ecb", Decrypt);
vector_test!(aes_cbc_encrypt, "aes_cbc", Encrypt);
vector_test!(aes_cbc_decrypt, "aes_cbc", Decrypt);
vector_test!(aes_cfb1_encrypt, "aes_cfb1", Encrypt);
vector_test!(aes_cfb1_decrypt, "aes_cfb1", Decrypt);
vector_test!(aes_cfb8_encrypt, "aes_cfb8", Encrypt);
vector_test!(aes_cfb8_decrypt, "aes_cfb8", Decrypt);
vector_test!(aes_cfb128_encrypt, "aes_cfb128", Encrypt);
vector_test!(aes_cfb128_decrypt, "aes_cfb128", Decrypt);
vector_test!(aes_ofb_encrypt, "aes_ofb", Encrypt);
vector_test!(aes_ofb_decrypt, "aes_ofb", Decrypt);
vector_test!(tdes_ecb_encrypt, "tdes_ecb", Encrypt);
vector_test!(tdes_ecb_decrypt, "tdes_ecb", Decrypt);
vector_test!(tdes_cbc_encrypt, "tdes_cbc", Encrypt);
vector_test!(tdes_cbc_decrypt, "tdes_cbc", Decrypt);
vector_test!(tdes_cfb1_encrypt, "tdes_cfb1", Encrypt);
vector_test!(tdes_cfb1_decrypt, "tdes_cfb1", Decrypt);
vector_test!(tdes_cfb8_encrypt, "tdes_cfb8", Encrypt);
vector_test!(tdes_cfb8_decrypt, "tdes_cfb8", Decrypt);
vector_test!(tdes_cfb64_encrypt, "tdes_cfb64", Encrypt);
vector_test!(tdes_cfb64_decrypt, "tdes_cfb64", Decrypt);
vector_test!(tdes_ofb_encrypt, "tdes_ofb", Encrypt);
vector_test!(tdes_ofb_decrypt, "tdes_ofb", Decrypt);
vector_test!(sp800_38a_encrypt, "aes_sp800_38a", Encrypt);
vector_test!(sp800_38a_decrypt, "aes_sp800_38a", Decrypt);

#[derive(Deserialize)]
struct CmacCase {
    id: String,
    algorithm: Algorithm,
    key: String,
    message: String,
    mac: String,
}

#[test]
fn cmac_sp800_38b() {
    let file = load::<CmacCase>("cmac_sp800_38b");
    let mut tally = Tally::new("cmac_sp800_38b");
    for case in &file.cases {
        let outcome = SymmetricKey::new(case.algorithm, &unhex("key", &case.key))
            .map_err(|e| e.to_string())
            .and_then(|key| {
                let mac = hex::encode_upper(cmac(&key, &unhex("message", &case.message)));
                if mac == case.mac { Ok(()) } else { Err(format!("got {mac}")) }
            });
        tally.record(&case.id, outcome);
    }
    tally.finish();
}

#[derive(Deserialize)]
struct KcvCase {
    id: String,
    algorithm: Algorithm,
    kcv_algorithm: KcvAlgorithm,
    key: String,
    kcv: String,
}

#[test]
fn kcv_examples() {
    let file = load::<KcvCase>("kcv");
    let mut tally = Tally::new("kcv");
    for case in &file.cases {
        let outcome = SymmetricKey::new(case.algorithm, &unhex("key", &case.key))
            .map_err(|e| e.to_string())
            .and_then(|key| {
                let full = hex::encode_upper(check_block(&key, case.kcv_algorithm));
                let three = hex::encode_upper(paycrypt::kcv::kcv(&key, case.kcv_algorithm));
                if !full.starts_with(&case.kcv) {
                    Err(format!("check block {full}"))
                } else if !(three.starts_with(&case.kcv) || case.kcv.starts_with(&three)) {
                    Err(format!("3-byte KCV {three}"))
                } else {
                    Ok(())
                }
            });
        tally.record(&case.id, outcome);
    }
    tally.finish();
}
