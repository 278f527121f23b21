//! The speed runner and the workload registry: every workload builds and performs its operation (decrypt
//! workloads decrypt what their encryption produced, a check each instance makes), a run gives counts
//! and rates that agree with each other, on one thread or two, and `WHAT` selects as documented.

use paycrypt::perf::speed::{self, Options};
use paycrypt::perf::workload::{self, Direction, FAMILIES, Workload, symmetric};
use paycrypt::{Algorithm, Mode};

fn names(workloads: &[Workload]) -> Vec<String> {
    workloads.iter().map(Workload::label).collect()
}

fn select(whats: &[&str]) -> Vec<Workload> {
    let whats: Vec<String> = whats.iter().map(|s| (*s).to_owned()).collect();
    workload::select(workload::all(&[16, 4096]), &whats).expect("selects something")
}

#[test]
fn every_workload_builds_and_runs_once() {
    let all = workload::all(&[16]);
    let mut done = 0;
    for w in &all {
        let mut op = w.instance().unwrap_or_else(|e| panic!("{}: {e}", w.label()));
        op().unwrap_or_else(|e| panic!("{}: {e}", w.label()));
        op().unwrap_or_else(|e| panic!("{} (second call): {e}", w.label()));
        done += 1;
    }
    println!("DONE: started {} passed {done} skipped 0 failed 0", all.len());
    assert_eq!(done, all.len());
    // Every family has workloads, and nothing else is a family.
    for family in FAMILIES {
        assert!(all.iter().any(|w| w.family == family), "no {family} workload");
    }
    assert!(all.iter().all(|w| FAMILIES.contains(&w.family)));
}

#[test]
fn workload_labels_are_unique() {
    let all = workload::all(&[16, 256]);
    let mut labels = names(&all);
    labels.sort();
    let n = labels.len();
    labels.dedup();
    assert_eq!(labels.len(), n, "two workloads share a label");
}

#[test]
fn a_run_counts_and_rates_agree() {
    let workloads = select(&["aes-128-cbc", "kcv aes-128 cmac"]);
    let options = Options { seconds: 0.05, threads: 1 };
    let mut lines = Vec::new();
    let run = speed::run(&workloads, &options, |l| lines.push(l.to_owned())).expect("run");
    assert_eq!(run.results.len(), 5); // CBC encrypt and decrypt at two sizes, one KCV
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0], "Doing AES-128-CBC encrypt on 16 bytes for 0.05 s on 1 thread");
    assert_eq!(run.threads, 1);
    assert!(run.machine.cores >= 1 && !run.machine.paycrypt_version.is_empty());
    assert!(run.started.ends_with("+00:00"), "{}", run.started);
    for r in &run.results {
        assert!(r.operations > 0, "{}", r.workload);
        assert!(r.seconds >= 0.05, "{} ran {} s", r.workload, r.seconds);
        let rate = r.operations as f64 / r.seconds;
        assert!((r.operations_per_second - rate).abs() <= rate * 1e-9);
        match r.bytes {
            Some(b) => {
                let expected = b as f64 * r.operations_per_second;
                let got = r.bytes_per_second.expect("bytes a second");
                assert!((got - expected).abs() <= expected * 1e-9);
            }
            None => assert_eq!(r.bytes_per_second, None),
        }
    }
}

#[test]
fn two_threads_each_run_an_instance() {
    let workloads = select(&["tdes dukpt derive (cached)"]);
    assert_eq!(workloads.len(), 1);
    let run = speed::run(&workloads, &Options { seconds: 0.05, threads: 2 }, |_| {}).expect("run");
    assert_eq!(run.threads, 2);
    assert!(run.results[0].operations > 0);
}

#[test]
fn a_batch_counts_each_derivation() {
    let workloads = select(&["aes-128 dukpt derive (batch"]);
    let run = speed::run(&workloads, &Options { seconds: 0.02, threads: 1 }, |_| {}).expect("run");
    assert_eq!(run.results[0].operations % 1000, 0);
}

#[test]
fn what_selects_families_name_starts_and_parts() {
    // A family alone: `aes` is not the KCV or service workloads that mention AES.
    let aes = select(&["aes"]);
    assert!(aes.iter().all(|w| w.family == "aes"));
    assert_eq!(aes.len(), 3 * 7 * 2 * 2); // AES-128/192/256, seven modes, two directions, two sizes
    // The start of a name, case-insensitive: the cipher, not EncryptData's AES-128-CBC.
    let cbc = select(&["AES-128-cbc"]);
    assert_eq!(cbc.len(), 4);
    assert!(cbc.iter().all(|w| w.name.starts_with("AES-128-CBC")));
    // Nothing starts with `cached`: any part of a name.
    let cached = select(&["cached"]);
    assert_eq!(names(&cached), ["AES-128 DUKPT derive (cached)", "TDES DUKPT derive (cached)"]);
    // Several: the union, in registry order.
    let both = select(&["tr31", "rsa-2048 pkcs1"]);
    assert_eq!(both.len(), 2 + 4);
    assert!(both[0].name.starts_with("RSA-2048"));
    // Nothing matched: the error names it.
    let whats = vec!["aes".to_owned(), "nope".to_owned()];
    assert_eq!(workload::select(workload::all(&[16]), &whats).err(), Some("nope"));
}

#[test]
fn openssl_names_for_ciphers_openssl_has() {
    let cbc = symmetric::cipher(Algorithm::Tdes3Key, Mode::Cbc, Direction::Decrypt, 16);
    let peer = cbc.openssl.expect("openssl has des-ede3-cbc");
    assert_eq!((peer.name, peer.decrypt), ("des-ede3-cbc", true));
    assert!(symmetric::cipher(Algorithm::Aes128, Mode::Cfb64, Direction::Encrypt, 16).openssl.is_none());
}

#[test]
fn a_failing_instance_fails_the_run_without_hanging() {
    // CBC on 10 bytes: not whole blocks, so every instance fails to build, on each thread.
    let bad = symmetric::cipher(Algorithm::Aes128, Mode::Cbc, Direction::Encrypt, 10);
    let err = speed::run(&[bad], &Options { seconds: 0.05, threads: 2 }, |_| {}).expect_err("fails");
    assert!(err.to_string().contains("encrypt"), "{err}");
}
