//! Bad input never panics: wrong arity and argument types, a missing key, malformed hex in one row,
//! NULLs; rows named by their place in their record batch; and random rows through encrypt_data then
//! decrypt_data.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use paycrypt::keys::MemoryStore;
use paycrypt::service::kms::KmsOperation;
use paycrypt::service::{ImportKeyInput, Settings};
use paycrypt_datafusion::Services;

/// A memory store with an AES-128 and a TDES-2KEY data key and a KMS key.
struct Keys {
    services: Services<MemoryStore>,
    aes: String,
    tdes: String,
    kms: String,
}

fn keys() -> Keys {
    let services = Services::new(MemoryStore::new(), Settings::default());
    let import = |algorithm: &str, material: &str| {
        let json = format!(
            r#"{{"KeyMaterial":{{"ClearKey":{{"KeyAttributes":{{"KeyAlgorithm":"{algorithm}",
            "KeyClass":"SYMMETRIC_KEY","KeyUsage":"TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY",
            "KeyModesOfUse":{{"NoRestrictions":true}}}},"KeyMaterial":"{material}"}}}}}}"#
        );
        let input: ImportKeyInput = serde_json::from_str(&json).unwrap();
        services.payment.import_key(input).unwrap().key.key_arn.to_string()
    };
    let aes = import("AES_128", "2B7E151628AED2A6ABF7158809CF4F3C");
    let tdes = import("TDES_2KEY", "0123456789ABCDEFFEDCBA9876543210");
    let created = services.kms.dispatch(KmsOperation::CreateKey, serde_json::json!({})).unwrap();
    let kms = created["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    Keys { services, aes, tdes, kms }
}

/// A context with every function, one partition and record batches of `batch_size` rows.
fn context(keys: &Keys, batch_size: usize) -> SessionContext {
    let config = SessionConfig::new().with_batch_size(batch_size).with_target_partitions(1);
    let ctx = SessionContext::new_with_config(config);
    paycrypt_datafusion::register_all(&ctx, &keys.services);
    ctx
}

/// Registers table `t` of string columns, as `batches` record batches of the given rows.
fn table(ctx: &SessionContext, columns: &[&str], batches: &[Vec<Vec<Option<String>>>]) {
    let schema = Arc::new(Schema::new(
        columns.iter().map(|c| Field::new(*c, DataType::Utf8, true)).collect::<Vec<_>>(),
    ));
    let batches = batches
        .iter()
        .map(|rows| {
            let arrays = (0..columns.len())
                .map(|c| Arc::new(rows.iter().map(|r| r[c].clone()).collect::<StringArray>()) as ArrayRef)
                .collect();
            RecordBatch::try_new(Arc::clone(&schema), arrays).unwrap()
        })
        .collect();
    let table = MemTable::try_new(schema, vec![batches]).unwrap();
    ctx.register_table("t", Arc::new(table)).unwrap();
}

/// The error of `sql`, at planning or at execution; fails the test when it succeeds.
async fn error(ctx: &SessionContext, sql: &str) -> String {
    match ctx.sql(sql).await {
        Ok(df) => match df.collect().await {
            Ok(_) => panic!("{sql}: succeeded"),
            Err(e) => e.to_string(),
        },
        Err(e) => e.to_string(),
    }
}

/// The first column of `sql`'s result as optional strings.
async fn column(ctx: &SessionContext, sql: &str) -> Vec<Option<String>> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let mut out = Vec::new();
    for b in &batches {
        let c = datafusion::arrow::compute::cast(b.column(0), &DataType::Utf8).unwrap();
        let c = c.as_string::<i32>();
        out.extend((0..c.len()).map(|i| c.is_valid(i).then(|| c.value(i).to_owned())));
    }
    out
}

/// The `(value, error)` pairs of a `try_` form's struct column.
async fn try_column(ctx: &SessionContext, sql: &str) -> Vec<(Option<String>, Option<String>)> {
    let batches = ctx.sql(sql).await.unwrap().collect().await.unwrap();
    let mut out = Vec::new();
    for b in &batches {
        let s: &StructArray = b.column(0).as_struct();
        let (value, error) = (s.column(0).as_string::<i32>(), s.column(1).as_string::<i32>());
        let get = |a: &datafusion::arrow::array::StringArray, i| a.is_valid(i).then(|| a.value(i).to_owned());
        out.extend((0..b.num_rows()).map(|i| (get(value, i), get(error, i))));
    }
    out
}

const ECB: &str = r#"{"Symmetric":{"Mode":"ECB"}}"#;

#[tokio::test]
async fn wrong_arity_is_a_plan_error_naming_the_function() {
    let keys = keys();
    let ctx = context(&keys, 8192);
    for (sql, name) in [
        ("SELECT kms_re_encrypt('AQID')", "kms_re_encrypt"),
        ("SELECT kms_re_encrypt('AQID', 'k', '{}', '{}', '{}')", "kms_re_encrypt"),
        ("SELECT try_kms_encrypt('k')", "try_kms_encrypt"),
        ("SELECT try_kms_decrypt()", "try_kms_decrypt"),
        ("SELECT dukpt_derive_key('00', '00')", "dukpt_derive_key"),
        ("SELECT dukpt_derive_key('00', '00', 'PIN', 'AES_128', 'x')", "dukpt_derive_key"),
        ("SELECT kcv('AES_128')", "kcv"),
        ("SELECT try_re_encrypt_data('a', '{}', 'b', '{}')", "try_re_encrypt_data"),
    ] {
        let err = error(&ctx, sql).await;
        assert!(err.contains(name), "{sql}: {err}");
        assert!(!err.contains("panic"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn an_integer_where_text_is_expected_is_a_plan_error() {
    let keys = keys();
    let ctx = context(&keys, 8192);
    table(&ctx, &["id"], &[vec![vec![Some("7".into())]]]);
    // An Int64 column as the key identifier, an Int64 literal as the plaintext: DataFusion's string
    // signature does not cast numbers to text, it refuses the plan, naming the function and the types.
    for (sql, name) in [
        (
            format!(
                "SELECT encrypt_data(CAST(id AS BIGINT), '{ECB}', '00112233445566778899AABBCCDDEEFF') FROM t"
            ),
            "encrypt_data",
        ),
        (format!("SELECT encrypt_data('{}', '{ECB}', 12345678) FROM t", keys.aes), "encrypt_data"),
        ("SELECT kms_encrypt(42, 'aGVsbG8=') FROM t".to_owned(), "kms_encrypt"),
        ("SELECT dukpt_derive_key(1, 2, 3) FROM t".to_owned(), "dukpt_derive_key"),
    ] {
        let err = error(&ctx, &sql).await;
        assert!(err.contains(name), "{sql}: {err}");
        assert!(err.contains("expects String but received Int64"), "{sql}: {err}");
    }
}

#[tokio::test]
async fn a_missing_key_is_resource_not_found() {
    let keys = keys();
    let ctx = context(&keys, 8192);
    // An ARN of this account and region whose key is not in the store.
    let (prefix, id) = keys.aes.rsplit_once('/').unwrap();
    let missing = format!(
        "{prefix}/{}",
        if id == "aaaaaaaaaaaaaaaa" { "bbbbbbbbbbbbbbbb" } else { "aaaaaaaaaaaaaaaa" }
    );
    let sql = format!("SELECT encrypt_data('{missing}', '{ECB}', '00112233445566778899AABBCCDDEEFF')");
    let err = error(&ctx, &sql).await;
    assert!(
        err.contains("encrypt_data: row 1 of a record batch of 1 row: An error occurred (ResourceNotFoundException) when calling the EncryptData operation: "),
        "{err}"
    );
    let sql = "SELECT kms_encrypt('alias/none', 'aGVsbG8=')";
    let err = error(&ctx, sql).await;
    assert!(
        err.contains("kms_encrypt: row 1 of a record batch of 1 row: An error occurred (NotFoundException) when calling the Encrypt operation: "),
        "{err}"
    );
}

#[tokio::test]
async fn malformed_hex_in_one_row_names_the_row_in_its_batch() {
    let keys = keys();
    // 20 records in record batches of 8, 8 and 4; record 12 (row 4 of the second batch) is not hex.
    let ctx = context(&keys, 8);
    let rows: Vec<Vec<Option<String>>> = (1..=20)
        .map(|n| {
            let plain =
                if n == 12 { "00112233445566778899AABBCCDDEEZZ".to_owned() } else { format!("{n:032X}") };
            vec![Some(n.to_string()), Some(plain)]
        })
        .collect();
    table(&ctx, &["id", "plain"], &[rows[..8].to_vec(), rows[8..16].to_vec(), rows[16..].to_vec()]);
    let sql = format!("SELECT encrypt_data('{}', '{ECB}', plain) FROM t", keys.aes);
    let err = error(&ctx, &sql).await;
    assert!(
        err.contains("encrypt_data: row 4 of a record batch of 8 rows: An error occurred (ValidationException) when calling the EncryptData operation: "),
        "{err}"
    );
    // The try_ form next to the id column locates it in the whole input.
    let sql = format!("SELECT try_encrypt_data('{}', '{ECB}', plain), id FROM t", keys.aes);
    let got = try_column(&ctx, &sql).await;
    assert_eq!(got.len(), 20);
    let rejects: Vec<usize> =
        got.iter().enumerate().filter(|(_, r)| r.1.is_some()).map(|(i, _)| i + 1).collect();
    assert_eq!(rejects, [12]);
    assert!(
        got[11].0.is_none()
            && got[11].1.as_deref().unwrap().starts_with("An error occurred (ValidationException)")
    );
    assert!(got.iter().enumerate().all(|(i, (v, _))| i == 11 || v.as_ref().is_some_and(|v| v.len() == 32)));
}

#[tokio::test]
async fn null_in_null_out_for_every_function() {
    let keys = keys();
    let ctx = context(&keys, 8192);
    let (aes, kms) = (&keys.aes, &keys.kms);
    let blob = column(&ctx, &format!("SELECT kms_encrypt('{kms}', 'aGVsbG8=')")).await[0].clone().unwrap();
    for call in [
        format!("encrypt_data('{aes}', '{ECB}', NULL)"),
        format!("encrypt_data(NULL, '{ECB}', '00112233445566778899AABBCCDDEEFF')"),
        format!("decrypt_data('{aes}', NULL, '00112233445566778899AABBCCDDEEFF')"),
        format!("re_encrypt_data('{aes}', NULL, '{aes}', '{ECB}', '00112233445566778899AABBCCDDEEFF')"),
        "kcv('AES_128', NULL)".to_owned(),
        "dukpt_derive_key(NULL, 'FFFF9876543210E00001', 'PIN')".to_owned(),
        "dukpt_derive_key('0123456789ABCDEFFEDCBA9876543210', 'FFFF9876543210E00001', 'PIN', NULL)"
            .to_owned(),
        format!("kms_encrypt('{kms}', NULL)"),
        format!("kms_encrypt('{kms}', 'aGVsbG8=', NULL)"),
        "kms_decrypt(NULL)".to_owned(),
        format!("kms_re_encrypt('{blob}', NULL)"),
        format!("kms_re_encrypt('{blob}', '{kms}', '{{}}', NULL)"),
    ] {
        let got = column(&ctx, &format!("SELECT {call}")).await;
        assert_eq!(got, [None], "{call}");
    }
    for call in [
        format!("try_encrypt_data('{aes}', '{ECB}', NULL)"),
        "try_kms_decrypt(NULL)".to_owned(),
        format!("try_kms_re_encrypt(NULL, '{kms}')"),
    ] {
        let got = try_column(&ctx, &format!("SELECT {call}")).await;
        assert_eq!(got, [(None, None)], "{call}");
    }
}

/// xorshift64*: reproducible random rows from a seed printed on failure.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn hex(&mut self, bytes: usize) -> String {
        (0..bytes).map(|_| format!("{:02X}", self.next() & 0xFF)).collect()
    }
}

#[tokio::test]
async fn random_rows_encrypt_then_decrypt_to_the_plaintext() {
    let seed = std::env::var("PROPERTY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_secs() ^ u64::from(d.subsec_nanos()) << 32)
            | 1
    });
    let mut rng = Rng(seed);
    let keys = keys();
    // Odd-sized batches, so that rows sit at every place in theirs.
    let ctx = context(&keys, 13);
    let mut rows = Vec::new();
    for n in 0..500 {
        let aes = rng.below(2) == 0;
        let block = if aes { 16 } else { 8 };
        let attributes = if rng.below(2) == 0 {
            ECB.to_owned()
        } else {
            format!(r#"{{"Symmetric":{{"Mode":"CBC","InitializationVector":"{}"}}}}"#, rng.hex(block))
        };
        let blocks = usize::try_from(1 + rng.below(8)).unwrap();
        let plain = (rng.below(20) != 0).then(|| rng.hex(block * blocks));
        let key = if aes { &keys.aes } else { &keys.tdes };
        rows.push(vec![Some(n.to_string()), Some(key.clone()), Some(attributes), plain]);
    }
    let batches: Vec<Vec<Vec<Option<String>>>> = rows.chunks(97).map(<[_]>::to_vec).collect();
    table(&ctx, &["id", "k", "attrs", "plain"], &batches);
    let back = column(&ctx, "SELECT decrypt_data(k, attrs, encrypt_data(k, attrs, plain)) FROM t").await;
    let cipher = column(&ctx, "SELECT encrypt_data(k, attrs, plain) FROM t").await;
    assert_eq!(back.len(), rows.len(), "seed {seed}");
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(back[i], row[3], "seed {seed}, row {i}: {row:?}");
        assert_eq!(cipher[i].is_none(), row[3].is_none(), "seed {seed}, row {i}");
        if let (Some(c), Some(p)) = (&cipher[i], &row[3]) {
            assert!(c.len() == p.len() && c != p, "seed {seed}, row {i}: {c} for {p}");
        }
    }
}

#[tokio::test]
async fn try_forms_of_the_kms_functions() {
    let keys = keys();
    let ctx = context(&keys, 8192);
    let kms = &keys.kms;
    let sql = format!(
        "SELECT try_kms_encrypt('{kms}', 'aGVsbG8=') UNION ALL SELECT try_kms_encrypt('alias/none', 'aGVsbG8=')"
    );
    let got = try_column(&ctx, &sql).await;
    assert_eq!(got.len(), 2);
    let blob = got.iter().find_map(|(v, _)| v.clone()).unwrap();
    let err = got.iter().find_map(|(_, e)| e.clone()).unwrap();
    assert!(
        err.starts_with("An error occurred (NotFoundException) when calling the Encrypt operation: "),
        "{err}"
    );
    assert_eq!(got.iter().filter(|(v, e)| v.is_some() != e.is_some()).count(), 2, "{got:?}");

    let got = try_column(&ctx, &format!("SELECT try_kms_decrypt('{blob}')")).await;
    assert_eq!(got, [(Some("aGVsbG8=".to_owned()), None)]);
    let got = try_column(&ctx, &format!("SELECT try_kms_decrypt('{blob}', '{{\"k\":\"v\"}}')")).await;
    assert!(got[0].0.is_none(), "{got:?}");
    let err = got[0].1.as_deref().unwrap();
    assert!(
        err.starts_with(
            "An error occurred (InvalidCiphertextException) when calling the Decrypt operation: "
        ),
        "{err}"
    );

    let got = try_column(&ctx, &format!("SELECT try_kms_re_encrypt('{blob}', 'alias/none')")).await;
    let err = got[0].1.as_deref().unwrap();
    assert!(
        err.starts_with("An error occurred (NotFoundException) when calling the ReEncrypt operation: "),
        "{err}"
    );
    let got = try_column(&ctx, &format!("SELECT try_kms_re_encrypt('{blob}', '{kms}', 'not json')")).await;
    let err = got[0].1.as_deref().unwrap();
    assert!(err.starts_with("An error occurred (ValidationException) when calling the ReEncrypt operation: Invalid request: SourceEncryptionContext"), "{err}");
    let got = try_column(&ctx, &format!("SELECT try_kms_re_encrypt('{blob}', '{kms}')")).await;
    assert!(got[0].1.is_none() && got[0].0.as_ref().is_some_and(|b| *b != blob), "{got:?}");
}
