#!/usr/bin/env python3
"""Interop: the AWS SDK for JavaScript v3 (@aws-sdk/client-kms, @aws-sdk/client-payment-cryptography from
npm), unmodified, against `paycrypt serve`: KMS keys, aliases, Encrypt/Decrypt with a context,
GenerateDataKey, typed errors with their statuses; the payment-cryptography control plane; a wrong
secret. The packages are installed with npm into target/js-sdk. Prints `server_js: N passed, M failed`.
"""
import os
import shutil
import subprocess

from serverlib import HERE, SEED, Server, Tally

T = Tally("server_js")
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(ROOT, "target", "js-sdk")


def main():
    os.makedirs(WORK, exist_ok=True)
    for name in ("package.json", "sdk_v3.mjs"):
        shutil.copy(os.path.join(HERE, "js", name), os.path.join(WORK, name))
    if not os.path.isdir(os.path.join(WORK, "node_modules", "@aws-sdk", "client-kms")):
        out = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WORK,
                             capture_output=True, text=True, timeout=600)
        if not T.check(out.returncode == 0, f"npm install: {out.stderr[-2000:]}"):
            T.finish()
    srv = Server("--seed", SEED)
    try:
        out = subprocess.run(["node", "sdk_v3.mjs", srv.url], cwd=WORK, capture_output=True, text=True, timeout=300)
        lines = [line for line in out.stdout.splitlines() if line.startswith(("ok ", "FAILED "))]
        for line in lines:
            T.check(line.startswith("ok "), line)
        T.check(out.returncode == 0 and len(lines) == 6, f"node exit {out.returncode}, {len(lines)} checks: {out.stderr[-1500:]}")
    finally:
        srv.stop()
    T.finish()


if __name__ == "__main__":
    main()
