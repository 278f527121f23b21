#!/usr/bin/env python3
"""Interop: fresh TR-34 blocks from the independent Python peer (tests/interop/tr34_peer.py) open in
paycrypt's Rust, and Rust-built blocks open in the peer.

Makes a new CA, KDH and KRD and a block of every case of gen_tr34_vectors.py, with random keys and
nonces, writes them to a temporary file and runs `cargo test --test tr34` with
PAYCRYPT_TR34_PEER_CASES naming it (the test `fresh_python_peer_blocks_open`) and PAYCRYPT_PYTHON set
to this interpreter (the test `rust_blocks_open_in_the_python_peer`). Run from the repository root:

    python tests/interop/test_tr34_peer.py [rounds]

Exits non-zero on any failure.
"""
import datetime
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_tr34_vectors  # noqa: E402


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(rounds):
            path = os.path.join(tmp, "cases%d.json" % round_)
            gen_tr34_vectors.main(path, start)
            env = dict(os.environ, PAYCRYPT_TR34_PEER_CASES=path, PAYCRYPT_PYTHON=sys.executable)
            run = subprocess.run(
                ["cargo", "test", "--quiet", "--test", "tr34", "--", "peer", "--nocapture"],
                env=env,
                capture_output=True,
                text=True,
            )
            done = [line for line in run.stderr.splitlines() + run.stdout.splitlines() if "DONE:" in line]
            print("round %d: %s" % (round_, "; ".join(done) or "no DONE line"))
            if run.returncode != 0 or len(done) < 3:
                failed += 1
                print(run.stdout[-3000:], run.stderr[-3000:])
    print("%d passed, %d failed" % (rounds - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
