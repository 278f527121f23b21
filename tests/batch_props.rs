//! Property tests of `paycrypt::batch`: for random jobs (EncryptData, DecryptData, ReEncryptData;
//! TDES 2-key and 3-key and AES-128/192/256 keys in every mode the service allows; TDES and AES DUKPT
//! with random KSNs, ECB and CBC) and random records (CSV with quoted fields, commas, quotes, CRLF and LF
//! inside fields, UTF-8, empty fields, blank lines, a last line with no line end; or JSON Lines with any
//! JSON in the other members), the batch's output equals one `PaymentCryptography` call per record: the
//! same CipherText or PlainText, the same exception and message for a record that fails, every other
//! byte of the record as it came, in input order, with 1 or 2 threads and chunks of a few records.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{Value, json};

use paycrypt::Mode;
use paycrypt::batch::{self, Format, Job, Operation, Options, ResultColumn, Services, Template};
use paycrypt::keys::MemoryStore;
use paycrypt::service::kms::Kms;
use paycrypt::service::{
    CreateAliasInput, DecryptDataInput, EncryptDataInput, ImportKeyInput, PaymentCryptography, Plane,
    ReEncryptDataInput, ServiceError, Settings,
};

/// Data keys and BDKs: (algorithm, key bytes, block bytes).
const ALGORITHMS: [(&str, usize, usize); 5] = [
    ("TDES_2KEY", 16, 8),
    ("TDES_3KEY", 24, 8),
    ("AES_128", 16, 16),
    ("AES_192", 24, 16),
    ("AES_256", 32, 16),
];
/// BDKs: TDES DUKPT (2-key) and AES DUKPT.
const BDKS: [usize; 4] = [0, 2, 3, 4];

/// The CSV columns; the job's placeholders use some, the rest pass through.
const COLUMNS: [&str; 8] = ["id", "key", "data", "iv", "iv2", "ksn", "ksn2", "note"];

/// How one side (EncryptionAttributes, or Incoming/Outgoing) encrypts.
#[derive(Clone, Debug)]
enum Side {
    /// A data key of `ALGORITHMS[alg]` in `mode`, the IV from a column or absent.
    Symmetric { alg: usize, mode: Mode, iv: bool },
    /// A BDK of `ALGORITHMS[alg]`, the KSN from a column.
    Dukpt { alg: usize, ecb: Option<bool>, iv: bool, variant: Option<&'static str> },
}

impl Side {
    fn alg(&self) -> usize {
        match self {
            Side::Symmetric { alg, .. } | Side::Dukpt { alg, .. } => *alg,
        }
    }

    /// The data's block: the key's, or the DUKPT data key's (TDES 2-key, or the AES BDK's algorithm).
    fn block(&self) -> usize {
        ALGORITHMS[self.alg()].2
    }

    fn tdes_dukpt(&self) -> bool {
        matches!(self, Side::Dukpt { alg, .. } if ALGORITHMS[*alg].2 == 8)
    }

    /// The attributes JSON, its IV and KSN from `iv` and `ksn`.
    fn attributes(&self, iv: &str, ksn: &str) -> Value {
        match self {
            Side::Symmetric { mode, iv: with_iv, .. } => {
                let mut s = json!({"Mode": mode.name()});
                if *with_iv && *mode != Mode::Ecb {
                    s["InitializationVector"] = json!(format!("{{{iv}}}"));
                }
                json!({"Symmetric": s})
            }
            Side::Dukpt { ecb, iv: with_iv, variant, .. } => {
                let mut d = json!({"KeySerialNumber": format!("{{{ksn}}}")});
                if let Some(ecb) = ecb {
                    d["Mode"] = json!(if *ecb { "ECB" } else { "CBC" });
                }
                if *with_iv && *ecb != Some(true) {
                    d["InitializationVector"] = json!(format!("{{{iv}}}"));
                }
                if let Some(v) = variant {
                    d["DukptKeyVariant"] = json!(v);
                }
                json!({"Dukpt": d})
            }
        }
    }
}

fn side() -> impl Strategy<Value = Side> {
    let modes = prop::sample::select(Mode::ALL.to_vec());
    prop_oneof![
        (0..ALGORITHMS.len(), modes, any::<bool>()).prop_map(|(alg, mode, iv)| {
            // CFB128 does not exist for TDES: every record would fail alike.
            let mode = if mode == Mode::Cfb128 && ALGORITHMS[alg].2 == 8 { Mode::Cfb64 } else { mode };
            Side::Symmetric { alg, mode, iv }
        }),
        (
            prop::sample::select(BDKS.to_vec()),
            prop::option::of(any::<bool>()),
            any::<bool>(),
            prop::option::of(prop::sample::select(vec!["BIDIRECTIONAL", "REQUEST", "RESPONSE"])),
        )
            .prop_map(|(alg, ecb, iv, variant)| Side::Dukpt { alg, ecb, iv, variant }),
    ]
}

/// A fault put into a record's value, so that the service refuses it.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum Fault {
    None,
    OddLength,
    NotHex,
    PartBlock,
    Empty,
}

#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum KsnFault {
    None,
    OtherScheme,
    ZeroCounter,
    TooManyBits,
    Short,
}

/// Which key a record's `key` column names.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
enum KeyPick {
    Alias,
    Arn,
    /// An alias with no key.
    Missing,
    /// A key of the wrong kind (a BDK for symmetric, a data key for DUKPT).
    Other,
}

#[derive(Clone, Debug)]
struct Row {
    data: Vec<u8>,
    blocks: usize,
    fault: Fault,
    lower: bool,
    iv: Vec<u8>,
    iv2: Vec<u8>,
    iv_fault: bool,
    terminal: u32,
    counter: u32,
    ksn_fault: KsnFault,
    key: KeyPick,
    /// `id` and `note` as CSV fields (raw, quotes included) and as JSON values (raw text).
    id_csv: String,
    note_csv: String,
    id_json: String,
    note_json: String,
    /// Quote the data field (CSV) or escape its first character (JSON).
    quote_data: bool,
    end: &'static str,
    blank_before: Option<&'static str>,
}

impl Row {
    fn intended_valid(&self) -> bool {
        self.fault == Fault::None
            && !self.iv_fault
            && self.ksn_fault == KsnFault::None
            && matches!(self.key, KeyPick::Alias | KeyPick::Arn)
    }
}

/// A CSV field as written: bare, empty, or quoted with any of `,` `"` CR LF and UTF-8 inside.
fn csv_field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 ._-]{1,8}",
        "(.|,|\"|\r\n|\n|é|€|日本|\t){0,10}".prop_map(|s| format!("\"{}\"", s.replace('"', "\"\""))),
    ]
}

/// A JSON value as written, kept byte for byte when it passes through.
fn json_raw() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("1.50".to_owned()),
        Just("-0".to_owned()),
        Just("1e3".to_owned()),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[1, {\"a\" : [ ]}, \"x\"]".to_owned()),
        Just("\"a\\u00e9\\n\\\"q\\\\\"".to_owned()),
        Just("\"\"".to_owned()),
        "[a-zA-Z0-9 ,é日]{0,8}".prop_map(|s| serde_json::to_string(&s).expect("JSON string")),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    use Fault::*;
    prop_oneof![8 => Just(None), 1 => Just(OddLength), 1 => Just(NotHex), 1 => Just(PartBlock),
        1 => Just(Empty)]
}

fn ksn_fault() -> impl Strategy<Value = KsnFault> {
    use KsnFault::*;
    prop_oneof![8 => Just(None), 1 => Just(OtherScheme), 1 => Just(ZeroCounter), 1 => Just(TooManyBits),
        1 => Just(Short)]
}

fn key_pick() -> impl Strategy<Value = KeyPick> {
    use KeyPick::*;
    prop_oneof![6 => Just(Alias), 3 => Just(Arn), 1 => Just(Missing), 1 => Just(Other)]
}

prop_compose! {
    fn row()(
        data in prop::collection::vec(any::<u8>(), 48), blocks in 1..=3usize, fault in fault(),
        lower in any::<bool>(),
        iv in prop::collection::vec(any::<u8>(), 16), iv2 in prop::collection::vec(any::<u8>(), 16),
        iv_fault in prop::bool::weighted(0.1),
        (terminal, counter, ksn_fault, key) in (0..3u32, any::<u32>(), ksn_fault(), key_pick()),
        (id_csv, note_csv, id_json, note_json) in (csv_field(), csv_field(), json_raw(), json_raw()),
        quote_data in any::<bool>(), end in prop::sample::select(vec!["\n", "\r\n"]),
        blank_before in prop::option::weighted(0.15, prop::sample::select(vec!["\n", "\r\n", "  \n"])),
    ) -> Row {
        Row { data, blocks, fault, lower, iv, iv2, iv_fault, terminal, counter, ksn_fault, key, id_csv,
            note_csv, id_json, note_json, quote_data, end, blank_before }
    }
}

/// A whole case: the operation, its sides, the records and how the batch runs.
#[derive(Clone, Debug)]
struct Case {
    operation: Operation,
    incoming: Side,
    outgoing: Side,
    /// `--result`: the primary result replaces `data` (or is added as `out`); maybe a second one.
    replace: bool,
    second: Option<&'static str>,
    columns: Vec<&'static str>,
    rows: Vec<Row>,
    last_end: bool,
    header_end: &'static str,
    threads: usize,
    chunk: usize,
    keys: Vec<u8>,
}

prop_compose! {
    fn case(operations: Vec<Operation>, sides: BoxedStrategy<Side>)(
        operation in prop::sample::select(operations), incoming in sides, outgoing in side(),
        replace in any::<bool>(),
        second in prop::option::of(prop::sample::select(vec!["KeyArn", "KeyCheckValue"])),
        columns in Just(COLUMNS.to_vec()).prop_shuffle(), rows in prop::collection::vec(row(), 0..10),
        last_end in any::<bool>(), header_end in prop::sample::select(vec!["\n", "\r\n"]),
        threads in 1..=2usize, chunk in 1..=4usize, keys in prop::collection::vec(any::<u8>(), 96),
    ) -> Case {
        Case { operation, incoming, outgoing, replace, second, columns, rows, last_end, header_end, threads,
            chunk, keys }
    }
}

/// The service over a memory store, with the case's keys: `alias/in` (the incoming side's key),
/// `alias/out` (the outgoing side's) and a key of the other kind.
struct Env {
    payment: PaymentCryptography<Arc<MemoryStore>>,
    kms: Kms<Arc<MemoryStore>>,
    in_arn: String,
    other_arn: String,
}

fn key_bytes(pool: &[u8], offset: usize, alg: usize) -> Vec<u8> {
    let (name, len, _) = ALGORITHMS[alg];
    let mut bytes: Vec<u8> = pool[offset..offset + len].to_vec();
    if name.starts_with("TDES") {
        for b in &mut bytes {
            *b = (*b & 0xFE) | u8::from((*b & 0xFE).count_ones() % 2 == 0);
        }
    }
    bytes
}

fn import(payment: &PaymentCryptography<Arc<MemoryStore>>, side: &Side, material: &[u8]) -> String {
    let (usage, modes) = match side {
        Side::Symmetric { .. } => ("TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", json!({"NoRestrictions": true})),
        Side::Dukpt { .. } => ("TR31_B0_BASE_DERIVATION_KEY", json!({"DeriveKey": true})),
    };
    let attrs = json!({"KeyAlgorithm": ALGORITHMS[side.alg()].0, "KeyClass": "SYMMETRIC_KEY",
        "KeyUsage": usage, "KeyModesOfUse": modes});
    let input: ImportKeyInput = serde_json::from_value(json!({"KeyMaterial": {"ClearKey": {
        "KeyAttributes": attrs, "KeyMaterial": hex::encode_upper(material)}}}))
    .expect("import json");
    payment.import_key(input).expect("import").key.key_arn.to_string()
}

fn alias(payment: &PaymentCryptography<Arc<MemoryStore>>, name: &str, arn: &str) {
    payment
        .create_alias(CreateAliasInput { alias_name: name.to_owned(), key_arn: Some(arn.to_owned()) })
        .expect("alias");
}

impl Env {
    fn new(case: &Case) -> Env {
        let store = Arc::new(MemoryStore::new());
        let payment = PaymentCryptography::new(Arc::clone(&store), Settings::default());
        let kms = Kms::new(store, Settings::default());
        let in_arn = import(&payment, &case.incoming, &key_bytes(&case.keys, 0, case.incoming.alg()));
        alias(&payment, "alias/in", &in_arn);
        let out_arn = import(&payment, &case.outgoing, &key_bytes(&case.keys, 32, case.outgoing.alg()));
        alias(&payment, "alias/out", &out_arn);
        let other = match case.incoming {
            Side::Symmetric { .. } => Side::Dukpt { alg: 2, ecb: None, iv: false, variant: None },
            Side::Dukpt { .. } => Side::Symmetric { alg: 2, mode: Mode::Ecb, iv: false },
        };
        let other_arn = import(&payment, &other, &key_bytes(&case.keys, 64, 2));
        Env { payment, kms, in_arn, other_arn }
    }
}

fn hex_of(bytes: &[u8], lower: bool) -> String {
    if lower { hex::encode(bytes) } else { hex::encode_upper(bytes) }
}

/// The KSN of `row`'s terminal and counter for `side`'s scheme, with the row's fault if `faulty`.
fn ksn(row: &Row, side: &Side, faulty: bool) -> String {
    let fault = if faulty { row.ksn_fault } else { KsnFault::None };
    let tdes = side.tdes_dukpt() != (fault == KsnFault::OtherScheme);
    let (max_ones, bits) = if tdes { (10, 21) } else { (16, 32) };
    let mut counter = if bits == 32 { row.counter } else { row.counter & 0x1F_FFFF };
    while counter.count_ones() > max_ones {
        counter &= counter - 1;
    }
    counter = match fault {
        KsnFault::ZeroCounter => 0,
        KsnFault::TooManyBits => (1 << (max_ones + 1)) - 1,
        _ if counter == 0 => 1,
        _ => counter,
    };
    let text = if tdes {
        let id = 0x7FF_F987_6540_0000u128 | u128::from(row.terminal);
        format!("{:020X}", (id << 21) | u128::from(counter))
    } else {
        format!("12345678{:08X}{counter:08X}", row.terminal)
    };
    if fault == KsnFault::Short { text[..18].to_owned() } else { text }
}

/// A record's value of each column.
fn values(case: &Case, env: &Env, row: &Row) -> Vec<(&'static str, String)> {
    let block = match case.operation {
        Operation::ReEncryptData => case.incoming.block().max(case.outgoing.block()),
        _ => case.incoming.block(),
    };
    let data = &row.data[..row.blocks * block];
    let data = match row.fault {
        Fault::None => hex_of(data, row.lower),
        Fault::OddLength => hex_of(data, row.lower)[1..].to_owned(),
        Fault::NotHex => format!("ZZ{}", hex_of(&data[1..], row.lower)),
        Fault::PartBlock => hex_of(&data[..data.len() - 1], row.lower),
        Fault::Empty => String::new(),
    };
    let iv_len = if row.iv_fault { case.incoming.block() / 2 } else { case.incoming.block() };
    let key = match row.key {
        KeyPick::Alias => "alias/in".to_owned(),
        KeyPick::Arn => env.in_arn.clone(),
        KeyPick::Missing => "alias/none".to_owned(),
        KeyPick::Other => env.other_arn.clone(),
    };
    vec![
        ("key", key),
        ("data", data),
        ("iv", hex_of(&row.iv[..iv_len], row.lower)),
        ("iv2", hex_of(&row.iv2[..case.outgoing.block()], row.lower)),
        ("ksn", ksn(row, &case.incoming, true)),
        ("ksn2", ksn(row, &case.outgoing, false)),
    ]
}

/// The job's request with placeholders.
fn request(case: &Case) -> Value {
    match case.operation {
        Operation::EncryptData => json!({"KeyIdentifier": "{key}", "PlainText": "{data}",
            "EncryptionAttributes": case.incoming.attributes("iv", "ksn")}),
        Operation::DecryptData => json!({"KeyIdentifier": "{key}", "CipherText": "{data}",
            "DecryptionAttributes": case.incoming.attributes("iv", "ksn")}),
        _ => json!({"IncomingKeyIdentifier": "{key}", "OutgoingKeyIdentifier": "alias/out",
            "CipherText": "{data}", "IncomingEncryptionAttributes": case.incoming.attributes("iv", "ksn"),
            "OutgoingEncryptionAttributes": case.outgoing.attributes("iv2", "ksn2")}),
    }
}

/// The request with each whole-string `{column}` replaced by the record's value (the test's own
/// substitution, not the batch's).
fn substitute(template: &Value, values: &[(&str, String)]) -> Value {
    match template {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), substitute(v, values))).collect())
        }
        Value::String(s) => match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Value::String(
                values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).expect("column"),
            ),
            None => template.clone(),
        },
        other => other.clone(),
    }
}

fn result_columns(case: &Case) -> Vec<(String, String)> {
    let main = if case.operation == Operation::DecryptData { "PlainText" } else { "CipherText" };
    let mut results = vec![(if case.replace { "data" } else { "out" }.to_owned(), main.to_owned())];
    if let Some(second) = case.second {
        results.push(("extra".to_owned(), second.to_owned()));
    }
    results
}

/// One direct service call per record: the result members in `--result` order, or the exception and
/// message.
fn reference(case: &Case, env: &Env, request: &Value, row: &Row) -> Result<Vec<String>, (String, String)> {
    let value = substitute(request, &values(case, env, row));
    let fail = |e: ServiceError| (e.exception(Plane::Data).to_owned(), e.to_string());
    let (text, arn, kcv) = match case.operation {
        Operation::EncryptData => {
            let input: EncryptDataInput = serde_json::from_value(value).expect("request");
            let o = env.payment.encrypt_data(input).map_err(fail)?;
            (o.cipher_text, o.key_arn, o.key_check_value)
        }
        Operation::DecryptData => {
            let input: DecryptDataInput = serde_json::from_value(value).expect("request");
            let o = env.payment.decrypt_data(input).map_err(fail)?;
            (o.plain_text, o.key_arn, o.key_check_value)
        }
        _ => {
            let input: ReEncryptDataInput = serde_json::from_value(value).expect("request");
            let o = env.payment.re_encrypt_data(input).map_err(fail)?;
            (o.cipher_text, o.key_arn, o.key_check_value)
        }
    };
    Ok(result_columns(case)
        .iter()
        .map(|(_, member)| match member.as_str() {
            "KeyArn" => arn.clone(),
            "KeyCheckValue" => kcv.clone(),
            _ => text.clone(),
        })
        .collect())
}

/// What the batch should write: the input, the expected output and rejects, and the counts.
struct Expected {
    input: Vec<u8>,
    output: Vec<u8>,
    rejects: Vec<Value>,
    succeeded: u64,
}

fn line_end(case: &Case, i: usize) -> &'static str {
    if i + 1 == case.rows.len() && !case.last_end { "" } else { case.rows[i].end }
}

fn expected_csv(case: &Case, env: &Env, request: &Value) -> Result<Expected, TestCaseError> {
    let results = result_columns(case);
    let mut input = case.columns.join(",").into_bytes();
    let mut output = input.clone();
    for (column, _) in &results {
        if !case.columns.contains(&column.as_str()) {
            output.extend_from_slice(format!(",{column}").as_bytes());
        }
    }
    input.extend_from_slice(case.header_end.as_bytes());
    output.extend_from_slice(case.header_end.as_bytes());
    let (mut rejects, mut succeeded) = (Vec::new(), 0);
    for (i, row) in case.rows.iter().enumerate() {
        if let Some(blank) = row.blank_before {
            input.extend_from_slice(blank.as_bytes());
            output.extend_from_slice(blank.as_bytes());
        }
        let line = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
        let values = values(case, env, row);
        let fields: Vec<String> = case
            .columns
            .iter()
            .map(|c| match *c {
                "id" => row.id_csv.clone(),
                "note" => row.note_csv.clone(),
                "data" if row.quote_data => format!("\"{}\"", values[1].1),
                name => values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).expect("column"),
            })
            .collect();
        let body = fields.join(",");
        let end = line_end(case, i);
        input.extend_from_slice(body.as_bytes());
        input.extend_from_slice(end.as_bytes());
        match reference(case, env, request, row) {
            Ok(got) => {
                let mut fields = fields;
                for ((column, _), value) in results.iter().zip(&got) {
                    match case.columns.iter().position(|c| c == column) {
                        Some(at) => fields[at] = value.clone(),
                        None => fields.push(value.clone()),
                    }
                }
                output.extend_from_slice(fields.join(",").as_bytes());
                output.extend_from_slice(end.as_bytes());
                succeeded += 1;
            }
            Err((exception, message)) => {
                prop_assert!(!row.intended_valid(), "a valid record failed: {exception} {message}");
                rejects
                    .push(json!({"Line": line, "Record": body, "Exception": exception, "Message": message}));
            }
        }
    }
    Ok(Expected { input, output, rejects, succeeded })
}

fn expected_jsonl(case: &Case, env: &Env, request: &Value) -> Result<Expected, TestCaseError> {
    let results = result_columns(case);
    let (mut input, mut output, mut rejects, mut succeeded) = (Vec::new(), Vec::new(), Vec::new(), 0);
    let spaces = ["", " ", "\t", "  "];
    for (i, row) in case.rows.iter().enumerate() {
        if let Some(blank) = row.blank_before {
            input.extend_from_slice(blank.as_bytes());
            output.extend_from_slice(blank.as_bytes());
        }
        let line = 1 + input.iter().filter(|&&b| b == b'\n').count() as u64;
        let values = values(case, env, row);
        let members: Vec<(&str, String)> = case
            .columns
            .iter()
            .map(|c| {
                let raw = match *c {
                    "id" => row.id_json.clone(),
                    "note" => row.note_json.clone(),
                    "data" if row.quote_data && !values[1].1.is_empty() => {
                        let v = &values[1].1;
                        format!("\"\\u{:04x}{}\"", u32::from(v.as_bytes()[0]), &v[1..])
                    }
                    name => serde_json::to_string(
                        &values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).expect("column"),
                    )
                    .expect("JSON string"),
                };
                (*c, raw)
            })
            .collect();
        let ws = spaces[i % spaces.len()];
        let body = format!(
            "{{{ws}{}{ws}}}",
            members
                .iter()
                .map(|(n, raw)| format!("\"{n}\"{ws}:{ws}{raw}"))
                .collect::<Vec<_>>()
                .join(&format!("{ws},"))
        );
        let end = line_end(case, i);
        input.extend_from_slice(body.as_bytes());
        input.extend_from_slice(end.as_bytes());
        match reference(case, env, request, row) {
            Ok(got) => {
                let mut members: Vec<(String, String)> =
                    members.into_iter().map(|(n, raw)| (n.to_owned(), raw)).collect();
                for ((column, _), value) in results.iter().zip(&got) {
                    let value = serde_json::to_string(value).expect("JSON string");
                    match members.iter().position(|(n, _)| n == column) {
                        Some(at) => members[at].1 = value,
                        None => members.push((column.clone(), value)),
                    }
                }
                let text: Vec<String> = members.iter().map(|(n, raw)| format!("\"{n}\":{raw}")).collect();
                output.extend_from_slice(format!("{{{}}}", text.join(",")).as_bytes());
                output.extend_from_slice(end.as_bytes());
                succeeded += 1;
            }
            Err((exception, message)) => {
                prop_assert!(!row.intended_valid(), "a valid record failed: {exception} {message}");
                rejects
                    .push(json!({"Line": line, "Record": body, "Exception": exception, "Message": message}));
            }
        }
    }
    Ok(Expected { input, output, rejects, succeeded })
}

/// Runs the case through `batch::run_streams` and compares with one service call per record.
fn check(case: &Case, format: Format) -> Result<(), TestCaseError> {
    let env = Env::new(case);
    let request = request(case);
    let expected = match format {
        Format::Csv => expected_csv(case, &env, &request)?,
        Format::JsonLines => expected_jsonl(case, &env, &request)?,
    };
    let results = result_columns(case)
        .iter()
        .map(|(c, m)| format!("{c}={m}").parse::<ResultColumn>())
        .collect::<Result<Vec<_>, _>>()
        .expect("results");
    let template = Template::parse(&request.to_string()).expect("template");
    let job = Job::new(case.operation, template, results, format).expect("job");
    let options = Options { threads: case.threads, chunk_records: case.chunk, ..Options::default() };
    let (mut output, mut rejects) = (Vec::new(), Vec::new());
    let services = Services { payment: &env.payment, kms: &env.kms };
    let summary =
        batch::run_streams(&job, services, &expected.input[..], &mut output, &mut rejects, &options)
            .map_err(|e| TestCaseError::fail(format!("the batch failed: {e}")))?;

    prop_assert_eq!(String::from_utf8_lossy(&output), String::from_utf8_lossy(&expected.output));
    prop_assert_eq!(&output, &expected.output);
    let rejects: Vec<Value> = String::from_utf8(rejects)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    prop_assert_eq!(&rejects, &expected.rejects);
    let records = case.rows.len() as u64;
    prop_assert_eq!((summary.records, summary.succeeded), (records, expected.succeeded));
    prop_assert_eq!(summary.records, summary.succeeded + summary.rejected);
    prop_assert_eq!(summary.rejected, rejects.len() as u64);
    prop_assert!(!summary.stopped);
    Ok(())
}

fn symmetric() -> BoxedStrategy<Side> {
    side().prop_filter("symmetric", |s| matches!(s, Side::Symmetric { .. })).boxed()
}

fn dukpt() -> BoxedStrategy<Side> {
    side().prop_filter("DUKPT", |s| matches!(s, Side::Dukpt { .. })).boxed()
}

fn data_operations() -> Vec<Operation> {
    vec![Operation::EncryptData, Operation::DecryptData, Operation::ReEncryptData]
}

/// Any bytes, rich in what framing cares about, through an ECB job: no panic, no error, every record
/// written or rejected, and each reject's record found in the input at the line it names (whole, up to a
/// line end). For JSON Lines, records = the non-blank lines, counted here independently.
fn noise(input: &[u8], format: Format, threads: usize) -> Result<(), TestCaseError> {
    let store = Arc::new(MemoryStore::new());
    let payment = PaymentCryptography::new(Arc::clone(&store), Settings::default());
    let kms = Kms::new(store, Settings::default());
    let side = Side::Symmetric { alg: 2, mode: Mode::Ecb, iv: false };
    let arn = import(&payment, &side, &[7; 16]);
    alias(&payment, "alias/in", &arn);
    let request = json!({"KeyIdentifier": "alias/in", "PlainText": "{pan}",
        "EncryptionAttributes": {"Symmetric": {"Mode": "ECB"}}});
    let results = vec!["pan=CipherText".parse::<ResultColumn>().expect("result")];
    let job = Job::new(
        Operation::EncryptData,
        Template::parse(&request.to_string()).expect("template"),
        results,
        format,
    )
    .expect("job");
    let options = Options { threads, chunk_records: 2, ..Options::default() };
    let (mut output, mut rejects) = (Vec::new(), Vec::new());
    let services = Services { payment: &payment, kms: &kms };
    let summary = batch::run_streams(&job, services, input, &mut output, &mut rejects, &options)
        .map_err(|e| TestCaseError::fail(format!("the batch failed: {e}")))?;
    prop_assert_eq!(summary.records, summary.succeeded + summary.rejected);
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(input.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1))
        .collect();
    let rejects: Vec<Value> = String::from_utf8(rejects)
        .expect("UTF-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    prop_assert_eq!(summary.rejected, rejects.len() as u64);
    for r in &rejects {
        let line = usize::try_from(r["Line"].as_u64().expect("Line")).expect("usize");
        let record = match (r["Record"].as_str(), r["RecordBase64"].as_str()) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(b64)) => {
                use base64ct::{Base64, Encoding};
                Base64::decode_vec(b64).expect("base64")
            }
            _ => return Err(TestCaseError::fail(format!("a reject with one of Record, RecordBase64: {r}"))),
        };
        prop_assert!(r["Exception"].is_string() && r["Message"].is_string());
        let at = &input[line_starts[line - 1]..];
        prop_assert!(at.starts_with(&record), "line {} does not start with {:?}", line, r);
        let after = &at[record.len()..];
        prop_assert!(after.is_empty() || after.starts_with(b"\n") || after.starts_with(b"\r\n"), "{:?}", r);
    }
    if format == Format::JsonLines {
        let lines = input.split(|&b| b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count();
        prop_assert_eq!(summary.records, lines as u64);
    }
    Ok(())
}

fn noisy_bytes() -> impl Strategy<Value = Vec<u8>> {
    // Framing's bytes, and whole good records of either format.
    let pieces = "a , , \" \" \n \n \r _ \u{FF} é { } : \"pan\" 6BC1BEE22E409F96E93D7E117393172A \
        \n1,6BC1BEE22E409F96E93D7E117393172A\r\n \n{\"pan\":\"6BC1BEE22E409F96E93D7E117393172A\"}\n";
    let mut pieces: Vec<Vec<u8>> = pieces.split(' ').map(|p| p.replace('_', " ").into_bytes()).collect();
    // One byte that is not UTF-8.
    pieces.push(vec![0xFF]);
    prop::collection::vec(prop::sample::select(pieces), 0..120).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn symmetric_csv_matches_one_call_per_record(case in case(data_operations(), symmetric())) {
        check(&case, Format::Csv)?;
    }

    #[test]
    fn dukpt_csv_matches_one_call_per_record(case in case(data_operations(), dukpt())) {
        check(&case, Format::Csv)?;
    }

    #[test]
    fn json_lines_match_one_call_per_record(case in case(data_operations(), side().boxed())) {
        check(&case, Format::JsonLines)?;
    }

    #[test]
    fn any_csv_bytes_are_written_or_rejected(body in noisy_bytes(), threads in 1..=2usize) {
        noise(&[&b"id,pan\n"[..], &body].concat(), Format::Csv, threads)?;
    }

    #[test]
    fn any_json_lines_bytes_are_written_or_rejected(body in noisy_bytes(), threads in 1..=2usize) {
        noise(&body, Format::JsonLines, threads)?;
    }
}
