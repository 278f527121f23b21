#!/usr/bin/env python3
"""The Python peer of benches/tr31.rs: psec (github.com/knovichikhin/psec, over pyca/cryptography, i.e.
OpenSSL) wrapping and unwrapping the same key blocks, and paycrypt's ratios.

- `B_tdes2`: a 16-byte TDES key under a 2-key TDES KBPK, version B;
- `D_aes256`: an AES-256 key under an AES-256 KBPK, version D;
  both with the header `?0000P0?E00E0100KS1800604B120F9292800000` (one optional block).

    cargo bench --bench tr31 -- --save-baseline tr31
    target/venv/bin/python benches/peers/tr31_psec.py [--seconds 2]

Prints one line per operation: psec's time per key block, paycrypt's (from criterion's saved baseline
`tr31`, target/criterion/tr31/<op>/<case>/tr31/estimates.json, when there), and the ratio (how many
times faster paycrypt is).
"""
import argparse
import json
import os
import time
import warnings

from psec import tr31

warnings.filterwarnings("ignore")  # psec's TDES goes through pyca's deprecated TripleDES
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
CASES = {"B_tdes2": ("B0000P0TE00E0100KS1800604B120F9292800000", 16, 16),
         "D_aes256": ("D0000P0AE00E0100KS1800604B120F9292800000", 32, 32)}


def per_call(fn, seconds):
    """Seconds per call of `fn`, timed for about `seconds` after one warm-up call."""
    fn()
    n, start = 0, time.perf_counter()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds and n >= 3:
            return elapsed / n


def paycrypt_estimate(op, case):
    path = os.path.join(ROOT, "target", "criterion", "tr31", op, case, "tr31", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["mean"]["point_estimate"] / 1e9
    except (OSError, KeyError, ValueError):
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    print(f"{'operation':<20} {'psec':>12} {'paycrypt':>12} {'ratio':>8}")
    for case, (header, kbpk_len, key_len) in CASES.items():
        kbpk, key = bytes([0x41]) * kbpk_len, bytes([0x5A]) * key_len
        block = tr31.wrap(kbpk, header, key)
        rows = (("wrap", lambda: tr31.wrap(kbpk, header, key)), ("unwrap", lambda: tr31.unwrap(kbpk, block)))
        for op, fn in rows:
            py = per_call(fn, args.seconds)
            ours = paycrypt_estimate(op, case)
            ratio = f"{py / ours:7.1f}x" if ours else "-"
            ours_text = f"{ours * 1e6:10.2f}us" if ours else "-"
            print(f"{op + ' ' + case:<20} {py * 1e6:10.2f}us {ours_text:>12} {ratio:>8}", flush=True)


if __name__ == "__main__":
    main()
