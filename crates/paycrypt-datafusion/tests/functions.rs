//! The SQL functions against `paycrypt batch`'s library on the same generated files, their errors, and
//! paycrypt-sql end to end.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use paycrypt::batch::generate::{self, Generated, Kind, Spec};
use paycrypt::batch::{self, Format, Job, Operation, Options, Services, Template};
use paycrypt::keys::MemoryStore;
use paycrypt::service::kms::Kms;
use paycrypt::service::{PaymentCryptography, SeedFile, Settings};
use serde_json::Value;

type Service = PaymentCryptography<Arc<MemoryStore>>;

/// A generated file, its keys in a memory store, and what `paycrypt batch re-encrypt-data` makes of it.
struct Fixture {
    payment: Arc<Service>,
    csv: Vec<u8>,
    generated: Generated,
    /// `data` by `id`, as the batch library re-encrypted it.
    expected: HashMap<String, String>,
}

fn fixture(kind: Kind, records: u64) -> Fixture {
    let store = Arc::new(MemoryStore::new());
    let payment = Arc::new(PaymentCryptography::new(Arc::clone(&store), Settings::default()));
    let kms = Kms::new(store, Settings::default());
    let mut csv = Vec::new();
    let generated = generate::generate(&Spec { kind, records, terminals: 7, seed: 42 }, &mut csv).unwrap();
    let seed: SeedFile = serde_json::from_value(generated.seed_file.clone()).unwrap();
    payment.seed(&seed).unwrap();

    let request = Template::parse(&generated.request.to_string()).unwrap();
    let job =
        Job::new(Operation::ReEncryptData, request, vec![generated.result.parse().unwrap()], Format::Csv)
            .unwrap();
    let (mut out, mut rejects) = (Vec::new(), Vec::new());
    let summary = batch::run_streams(
        &job,
        Services { payment: &payment, kms: &kms },
        &csv[..],
        &mut out,
        &mut rejects,
        &Options::default(),
    )
    .unwrap();
    assert_eq!((summary.records, summary.rejected), (records, 0));
    let expected = column_by_id(&String::from_utf8(out).unwrap(), "data");
    assert_eq!(expected.len() as u64, records);
    Fixture { payment, csv, generated, expected }
}

/// `column` by `id` in a CSV of plain (unquoted) fields.
fn column_by_id(csv: &str, column: &str) -> HashMap<String, String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == column).unwrap();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_owned(), f[at].to_owned())
        })
        .collect()
}

/// A template string (`"{iv}"`, `"…{ksn}…"`) as a SQL expression: literals quoted, placeholders as
/// columns, joined with `||`.
fn sql_text(template: &str) -> String {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('}') {
            literal.push_str(&rest[..open]);
            if !literal.is_empty() {
                parts.push(format!("'{}'", literal.replace('\'', "''")));
                literal.clear();
            }
            parts.push(after[..name_len].to_owned());
            rest = &after[name_len + 1..];
        } else {
            literal.push_str(&rest[..=open]);
            rest = after;
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        parts.push(format!("'{}'", literal.replace('\'', "''")));
    }
    parts.join(" || ")
}

/// The generated job's request as a call of `function` (re_encrypt_data or try_re_encrypt_data).
fn re_encrypt_call(function: &str, request: &Value, incoming_key: Option<&str>) -> String {
    let member = |m: &str| match &request[m] {
        Value::String(s) => sql_text(s),
        other => sql_text(&other.to_string()),
    };
    let incoming = incoming_key.map_or_else(|| member("IncomingKeyIdentifier"), str::to_owned);
    format!(
        "{function}({incoming}, {}, {}, {}, {})",
        member("IncomingEncryptionAttributes"),
        member("OutgoingKeyIdentifier"),
        member("OutgoingEncryptionAttributes"),
        member("CipherText")
    )
}

fn write_csv(dir: &Path, csv: &[u8]) -> String {
    let path = dir.join("in.csv");
    std::fs::write(&path, csv).unwrap();
    path.display().to_string()
}

/// A context with the functions and the CSV as table `t`, every column a string.
async fn context(f: &Fixture, dir: &Path) -> SessionContext {
    let ctx = SessionContext::new();
    paycrypt_datafusion::register(&ctx, Arc::clone(&f.payment));
    let header = std::str::from_utf8(&f.csv).unwrap().lines().next().unwrap().to_owned();
    let schema =
        Schema::new(header.split(',').map(|c| Field::new(c, DataType::Utf8, true)).collect::<Vec<_>>());
    let path = write_csv(dir, &f.csv);
    ctx.register_csv("t", &path, CsvReadOptions::new().schema(&schema)).await.unwrap();
    ctx
}

/// Two string columns of `batches` as a map.
fn pairs(batches: &[RecordBatch]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for b in batches {
        let ids = datafusion::arrow::compute::cast(b.column(0), &DataType::Utf8).unwrap();
        let values = datafusion::arrow::compute::cast(b.column(1), &DataType::Utf8).unwrap();
        let (ids, values) = (ids.as_string::<i32>(), values.as_string::<i32>());
        for i in 0..b.num_rows() {
            map.insert(ids.value(i).to_owned(), values.value(i).to_owned());
        }
    }
    map
}

async fn re_encrypt_equals_batch(kind: Kind) {
    let f = fixture(kind, 300);
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&f, dir.path()).await;
    let sql = format!(
        "SELECT id, {} AS data FROM t",
        re_encrypt_call("re_encrypt_data", &f.generated.request, None)
    );
    let got = pairs(&ctx.sql(&sql).await.unwrap().collect().await.unwrap());
    assert_eq!(got, f.expected, "{kind}");
}

#[tokio::test]
async fn re_encrypt_data_equals_batch_symmetric() {
    re_encrypt_equals_batch(Kind::Tdes).await;
    re_encrypt_equals_batch(Kind::Aes).await;
}

#[tokio::test]
async fn re_encrypt_data_equals_batch_dukpt() {
    re_encrypt_equals_batch(Kind::TdesDukpt).await;
    re_encrypt_equals_batch(Kind::AesDukpt).await;
}

#[tokio::test]
async fn encrypt_then_decrypt_round_trips() {
    let f = fixture(Kind::Aes, 50);
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&f, dir.path()).await;
    let attrs = sql_text(r#"{"Symmetric":{"Mode":"CBC","InitializationVector":"{iv}"}}"#);
    let sql = format!(
        "SELECT id, decrypt_data('alias/batch-in', {attrs}, encrypt_data('alias/batch-in', {attrs}, plain)) = plain \
         AND decrypt_data('alias/batch-in', {attrs}, data) = plain FROM t"
    );
    let got = pairs(&ctx.sql(&sql).await.unwrap().collect().await.unwrap());
    assert_eq!(got.len(), 50);
    assert!(got.values().all(|v| v == "true"), "{got:?}");
}

#[tokio::test]
async fn null_in_null_out() {
    let f = fixture(Kind::Aes, 3);
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&f, dir.path()).await;
    let sql = "SELECT id, coalesce(encrypt_data('alias/batch-in', '{\"Symmetric\":{\"Mode\":\"ECB\"}}', \
               CASE WHEN id = '1' THEN NULL ELSE plain END), 'null') FROM t";
    let got = pairs(&ctx.sql(sql).await.unwrap().collect().await.unwrap());
    assert_eq!(got["1"], "null");
    assert_eq!(got.values().filter(|v| *v == "null").count(), 1);
}

#[tokio::test]
async fn a_wrong_key_fails_naming_function_and_row() {
    let f = fixture(Kind::Tdes, 20);
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&f, dir.path()).await;
    // The fourth record (row 4 of the one record batch) names a key that does not exist.
    let ids: Vec<String> = column_by_id(std::str::from_utf8(&f.csv).unwrap(), "id").into_keys().collect();
    let csv = std::str::from_utf8(&f.csv).unwrap();
    let fourth = csv.lines().nth(4).unwrap().split(',').next().unwrap().to_owned();
    assert!(ids.contains(&fourth));
    let key = format!("CASE WHEN id = '{fourth}' THEN 'alias/missing' ELSE 'alias/batch-in' END");
    let sql =
        format!("SELECT id, {} FROM t", re_encrypt_call("re_encrypt_data", &f.generated.request, Some(&key)));
    let err = ctx.sql(&sql).await.unwrap().collect().await.unwrap_err().to_string();
    assert!(
        err.contains("re_encrypt_data: row 4 of a record batch of 20 rows: An error occurred (ResourceNotFoundException) when calling the ReEncryptData operation:"),
        "{err}"
    );

    // The try_ form keeps going: one error, every other row re-encrypted as batch does.
    let sql = format!(
        "SELECT id, {} FROM t",
        re_encrypt_call("try_re_encrypt_data", &f.generated.request, Some(&key))
    );
    let batches = ctx.sql(&sql).await.unwrap().collect().await.unwrap();
    let mut errors = Vec::new();
    let mut values = HashMap::new();
    for b in &batches {
        let ids = datafusion::arrow::compute::cast(b.column(0), &DataType::Utf8).unwrap();
        let ids = ids.as_string::<i32>();
        let s = b.column(1).as_struct();
        let (value, error) = (s.column(0).as_string::<i32>(), s.column(1).as_string::<i32>());
        for i in 0..b.num_rows() {
            if error.is_valid(i) {
                assert!(value.is_null(i));
                errors.push((ids.value(i).to_owned(), error.value(i).to_owned()));
            } else {
                values.insert(ids.value(i).to_owned(), value.value(i).to_owned());
            }
        }
    }
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, fourth);
    assert!(
        errors[0].1.starts_with(
            "An error occurred (ResourceNotFoundException) when calling the ReEncryptData operation: "
        ),
        "{errors:?}"
    );
    assert_eq!(values.len(), 19);
    assert!(values.iter().all(|(id, v)| f.expected[id] == *v));
}

#[tokio::test]
async fn bad_attributes_are_a_validation_exception() {
    let f = fixture(Kind::Aes, 2);
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&f, dir.path()).await;
    let sql = "SELECT encrypt_data('alias/batch-in', '{\"Symmetric\":{\"Mode\":\"XTS\"}}', plain) FROM t";
    let err = ctx.sql(sql).await.unwrap().collect().await.unwrap_err().to_string();
    assert!(err.contains("encrypt_data: row 1 of a record batch of 2 rows: An error occurred (ValidationException) when calling the EncryptData operation: Invalid request: EncryptionAttributes"), "{err}");
}

#[tokio::test]
async fn wrong_arity_is_a_plan_error_naming_the_function() {
    let f = fixture(Kind::Aes, 2);
    let dir = tempfile::tempdir().unwrap();
    let ctx = context(&f, dir.path()).await;
    for sql in [
        "SELECT re_encrypt_data('alias/batch-in', data) FROM t",
        "SELECT encrypt_data('alias/batch-in', '{}') FROM t",
        "SELECT try_decrypt_data(1, 2, 3, 4) FROM t",
    ] {
        let err = match ctx.sql(sql).await {
            Ok(df) => df.collect().await.unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        let name = sql.trim_start_matches("SELECT ").split('(').next().unwrap();
        assert!(err.contains(name), "{sql}: {err}");
    }
}

#[test]
fn paycrypt_sql_end_to_end() {
    let f = fixture(Kind::TdesDukpt, 100);
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("store");
    {
        let services = paycrypt_datafusion::open_services(Some(&data_dir)).unwrap();
        let seed: SeedFile = serde_json::from_value(f.generated.seed_file.clone()).unwrap();
        services.payment.seed(&seed).unwrap();
    }
    let input = write_csv(dir.path(), &f.csv);
    let output = dir.path().join("out.parquet").display().to_string();
    let script = format!(
        "CREATE EXTERNAL TABLE t (id VARCHAR, ksn VARCHAR, iv VARCHAR, plain VARCHAR, data VARCHAR) \
         STORED AS CSV LOCATION '{input}' OPTIONS ('format.has_header' 'true');\n\
         COPY (SELECT id, {} AS data FROM t) TO '{output}' STORED AS PARQUET;\n\
         SELECT count(*) AS n FROM '{output}';",
        re_encrypt_call("re_encrypt_data", &f.generated.request, None)
    );
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_paycrypt-sql"))
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("-c")
        .arg(&script)
        .env_remove("PAYCRYPT_MASTER_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("| 100 |"), "{stdout}");
    assert!(stderr.contains("statement 2 of 3: 100 rows written in"), "{stderr}");
    assert!(stderr.contains("statement 3 of 3: 1 row in the result in"), "{stderr}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let got = rt.block_on(async {
        let ctx = SessionContext::new();
        let df = ctx.read_parquet(&output, ParquetReadOptions::default()).await.unwrap();
        pairs(&df.collect().await.unwrap())
    });
    assert_eq!(got, f.expected);

    // -o: the last statement's result in a file; a failing query leaves none.
    let csv_out = dir.path().join("out.csv");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_paycrypt-sql"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["-o", csv_out.to_str().unwrap(), "-c", &format!("SELECT * FROM '{output}' ORDER BY id")])
        .env_remove("PAYCRYPT_MASTER_KEY")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(&csv_out).unwrap().lines().count(), 101);
    let bad = dir.path().join("bad.parquet");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_paycrypt-sql"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["-o", bad.to_str().unwrap(), "-c"])
        .arg(format!("SELECT id, decrypt_data('alias/missing', '{{\"Symmetric\":{{\"Mode\":\"ECB\"}}}}', data) FROM '{output}'"))
        .env_remove("PAYCRYPT_MASTER_KEY")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(!bad.exists());
    let left: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().ends_with(".partial")), "{left:?}");

    // A failing statement: error on stderr, exit 1.
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_paycrypt-sql"))
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("-c")
        .arg("SELECT encrypt_data('alias/missing', '{\"Symmetric\":{\"Mode\":\"ECB\"}}', '00112233445566778899AABBCCDDEEFF')")
        .env_remove("PAYCRYPT_MASTER_KEY")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "encrypt_data: row 1 of a record batch of 1 row: An error occurred (ResourceNotFoundException)"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn kcv_as_paycrypt_kcv() {
    let ctx = SessionContext::new();
    paycrypt_datafusion::register(
        &ctx,
        Arc::new(PaymentCryptography::new(Arc::new(MemoryStore::new()), Settings::default())),
    );
    let sql = "SELECT 't', kcv('TDES_2KEY', '0123456789ABCDEFFEDCBA9876543210') \
               UNION ALL SELECT 'a', kcv('AES_128', '2B7E151628AED2A6ABF7158809CF4F3C') \
               UNION ALL SELECT 'x', kcv('AES_128', '2B7E151628AED2A6ABF7158809CF4F3C', 'ANSI_X9_24')";
    let got = pairs(&ctx.sql(sql).await.unwrap().collect().await.unwrap());
    assert_eq!(got["t"], "08D7B4");
    assert_eq!(got["a"], "7AD386");
    assert_eq!(got["x"].len(), 6);
    let err = match ctx.sql("SELECT kcv('AES_128', 'zz')").await {
        Ok(df) => df.collect().await.unwrap_err().to_string(),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("kcv: row 1 of a record batch of 1 row: the key must be hex"), "{err}");
}

#[tokio::test]
async fn kms_encrypt_then_decrypt() {
    let services = paycrypt_datafusion::Services::new(MemoryStore::new(), Settings::default());
    let key: Value = services
        .kms
        .dispatch(paycrypt::service::kms::KmsOperation::CreateKey, serde_json::json!({}))
        .unwrap();
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_owned();
    let ctx = SessionContext::new();
    paycrypt_datafusion::register_all(&ctx, &services);
    let sql = format!(
        "SELECT 'a', kms_decrypt(kms_encrypt('{key_id}', 'aGVsbG8=', '{{\"k\":\"v\"}}'), '{{\"k\":\"v\"}}') \
         UNION ALL SELECT 'b', kms_decrypt(kms_encrypt('{key_id}', 'aGVsbG8='))"
    );
    let got = pairs(&ctx.sql(&sql).await.unwrap().collect().await.unwrap());
    assert_eq!(got["a"], "aGVsbG8=");
    assert_eq!(got["b"], "aGVsbG8=");
    let sql = format!("SELECT kms_decrypt(kms_encrypt('{key_id}', 'aGVsbG8=', '{{\"k\":\"v\"}}'))");
    let err = ctx.sql(&sql).await.unwrap().collect().await.unwrap_err().to_string();
    assert!(err.contains("kms_decrypt: row 1 of a record batch of 1 row: An error occurred (InvalidCiphertextException) when calling the Decrypt operation"), "{err}");
}

#[tokio::test]
async fn kms_re_encrypt_moves_a_blob_to_another_key_and_context() {
    let services = paycrypt_datafusion::Services::new(MemoryStore::new(), Settings::default());
    let create = || {
        let key: Value = services
            .kms
            .dispatch(paycrypt::service::kms::KmsOperation::CreateKey, serde_json::json!({}))
            .unwrap();
        key["KeyMetadata"]["Arn"].as_str().unwrap().to_owned()
    };
    let (source, destination) = (create(), create());
    let ctx = SessionContext::new();
    paycrypt_datafusion::register_all(&ctx, &services);
    let blob = |sql: String| {
        let ctx = &ctx;
        async move { pairs(&ctx.sql(&sql).await.unwrap().collect().await.unwrap())["x"].clone() }
    };
    let a = blob(format!("SELECT 'x', kms_encrypt('{source}', 'aGVsbG8=', '{{\"k\":\"a\"}}')")).await;
    // Source context in, destination context out: the new blob opens under the new context only.
    let b = blob(format!(
        "SELECT 'x', kms_re_encrypt('{a}', '{destination}', '{{\"k\":\"a\"}}', '{{\"k\":\"b\"}}')"
    ))
    .await;
    assert_ne!(a, b);
    assert_eq!(blob(format!("SELECT 'x', kms_decrypt('{b}', '{{\"k\":\"b\"}}')")).await, "aGVsbG8=");
    // The blob names its key: the destination's ARN is in it (KMS's symmetric blob header).
    let bytes = services.kms.dispatch(
        paycrypt::service::kms::KmsOperation::Decrypt,
        serde_json::json!({"CiphertextBlob": b, "EncryptionContext": {"k": "b"}}),
    );
    assert_eq!(bytes.unwrap()["KeyId"].as_str(), Some(destination.as_str()));
    // No context on either side.
    let c = blob(format!("SELECT 'x', kms_encrypt('{source}', 'aGVsbG8=')")).await;
    let d = blob(format!("SELECT 'x', kms_re_encrypt('{c}', '{destination}')")).await;
    assert_eq!(blob(format!("SELECT 'x', kms_decrypt('{d}')")).await, "aGVsbG8=");
    // The source context is checked: a wrong one fails as Decrypt would, in ReEncrypt's name.
    let sql = format!("SELECT kms_re_encrypt('{a}', '{destination}', '{{\"k\":\"z\"}}')");
    let err = ctx.sql(&sql).await.unwrap().collect().await.unwrap_err().to_string();
    assert!(
        err.contains("kms_re_encrypt: row 1 of a record batch of 1 row: An error occurred (InvalidCiphertextException) when calling the ReEncrypt operation"),
        "{err}"
    );
}

#[tokio::test]
async fn dukpt_derive_key_as_paycrypt_dukpt_derive_key() {
    let ctx = SessionContext::new();
    paycrypt_datafusion::register(
        &ctx,
        Arc::new(PaymentCryptography::new(Arc::new(MemoryStore::new()), Settings::default())),
    );
    // X9.24-1 (TDES) and X9.24-3 (AES) known answers, as the paycrypt::dukpt docs have them.
    let tdes_bdk = "0123456789ABCDEFFEDCBA9876543210";
    let aes_bdk = "FEDCBA9876543210F1F1F1F1F1F1F1F1";
    let sql = format!(
        "SELECT 't', dukpt_derive_key('{tdes_bdk}', 'FFFF9876543210E00001', 'PIN') \
         UNION ALL SELECT 'a', dukpt_derive_key('{aes_bdk}', '123456789012345600000001', 'MAC_GENERATION') \
         UNION ALL SELECT 'a128', dukpt_derive_key('{aes_bdk}', '123456789012345600000001', 'MAC_GENERATION', 'AES_128') \
         UNION ALL SELECT 'lower', dukpt_derive_key(lower('{tdes_bdk}'), 'ffff9876543210e00001', 'pin') \
         UNION ALL SELECT 'kcv', kcv('TDES_2KEY', dukpt_derive_key('{tdes_bdk}', 'FFFF9876543210E00001', 'PIN'))"
    );
    let got = pairs(&ctx.sql(&sql).await.unwrap().collect().await.unwrap());
    assert_eq!(got["t"], "042666B49184CF5C68DE9628D0397B36");
    assert_eq!(got["a"], "A2DC23DE6FDE0824A2BC321E08E4B8B7");
    assert_eq!(got["a128"], got["a"]);
    assert_eq!(got["lower"], got["t"]);
    assert_eq!(got["kcv"].len(), 6);

    // Errors name the function and the row, say what is wrong as the CLI does, and show no key.
    for (args, message) in [
        (
            format!("'{tdes_bdk}', 'FFFF9876543210E000', 'PIN'"),
            "KeySerialNumber (18 hex chars) must be 20 or 24 hex characters.",
        ),
        (
            "'0123456789ABCDEFFEDCBA98765432ZZ', 'FFFF9876543210E00001', 'PIN'".to_owned(),
            "the BDK must be hex",
        ),
        (
            format!("'{aes_bdk}', '123456789012345600000001', 'PIN'"),
            "KeyUsage PIN does not exist for AES DUKPT",
        ),
        (format!("'{aes_bdk}', '123456789012345600000001', 'DATA_BOTH', 'AES_256'"), "AES_256"),
        (format!("'{tdes_bdk}', 'FFFF9876543210E00001', 'PIN', 'SHA_1'"), "SHA_1"),
    ] {
        let sql = format!("SELECT dukpt_derive_key({args})");
        let err = match ctx.sql(&sql).await {
            Ok(df) => df.collect().await.unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("dukpt_derive_key: row 1 of a record batch of 1 row: "), "{sql}: {err}");
        assert!(err.contains(message), "{sql}: {err}");
        assert!(!err.contains("0123456789ABCDEF") && !err.contains("FEDCBA98"), "{sql}: {err}");
    }
}
