#!/usr/bin/env python3
"""Interop: paycrypt as a drop-in for the AWS CLI.

tests/interop/aws_cli_script.sh is a shell script written for the AWS CLI (`aws payment-cryptography …`,
`aws payment-cryptography-data …`, `aws kms …`, with `--query … --output text` pipelines, one
`--output table`, and error cases). It runs twice, with `aws` first on PATH:
1. the real AWS CLI (awscli from PyPI, version 1) against `paycrypt serve` (AWS_ENDPOINT_URL);
2. `aws` being the paycrypt binary, on a local --data-dir store (PAYCRYPT_DATA_DIR).
Both stores are seeded from the same file (tests/cmd/pc and tests/cmd/kms fixtures together).

The two runs must print the same stdout and the same stderr (the AWS CLI's error lines), line by line,
and the script must exit 0 both times. What is normalised, and only that:
- the ids of the keys the script creates are random: a payment-cryptography key id that is not seeded
  becomes `<new-key>`, a KMS key id (UUID) that is not seeded becomes `<new-kms-key>`;
- exit statuses: awscli version 1 exits 255 on a service error where version 2 (and paycrypt) exit 254,
  so the script's `exit status 255` lines of the real AWS CLI's run read 254;
- ResourceNotFoundException: AWS's body carries only `ResourceId` (botocore's model), so the AWS CLI
  prints an empty message where paycrypt prints its own sentence, `<id> was not found.`; paycrypt's
  line is compared with that sentence removed (and the sentence checked to name the id).
Prints `aws-cli-dropin: N passed, M failed`.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from serverlib import BIN, HERE, REGION, SEED, Server, Tally

T = Tally("aws-cli-dropin")
SCRIPT = os.path.join(HERE, "aws_cli_script.sh")
KMS_SEED = os.path.join(HERE, "..", "cmd", "kms", "fixtures", "seed.json")


def real_aws():
    aws = os.path.join(os.path.dirname(os.path.realpath(sys.executable)), "aws")
    if not os.path.exists(aws):
        aws = os.path.join(os.path.dirname(sys.executable), "aws")
    return aws if os.path.exists(aws) else shutil.which("aws")


def merged_seed(path):
    pc, kms = json.load(open(SEED)), json.load(open(KMS_SEED))
    seed = dict(pc)
    for name, value in kms.items():
        seed.setdefault(name, value)
    with open(path, "w") as f:
        json.dump(seed, f)
    return seed


def base_env(tmp, shim):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAYCRYPT_", "AWS_"))}
    config = os.path.join(tmp, "aws-config")
    with open(config, "w") as f:
        f.write("[default]\n")
    env.update(PATH=shim + os.pathsep + env.get("PATH", ""), AWS_ACCESS_KEY_ID="test",
               AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE=config,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="", TZ="UTC", LC_ALL="C.UTF-8")
    return env


def run_script(env):
    out = subprocess.run(["bash", SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    return out.returncode, out.stdout, out.stderr


def normalise(text, seeded_pc, seeded_kms):
    text = re.sub(r"key/([a-z0-9]{16})\b", lambda m: m.group(0) if m.group(1) in seeded_pc else "key/<new-key>", text)
    uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return re.sub(uuid, lambda m: m.group(0) if m.group(0) in seeded_kms else "<new-kms-key>", text)


def compare(what, real, ours):
    a, b = real.splitlines(), ours.splitlines()
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else "<missing>"
        y = b[i] if i < len(b) else "<missing>"
        T.check(x == y, f"{what} line {i + 1}:\n  aws:      {x!r}\n  paycrypt: {y!r}")


def main():
    aws = real_aws()
    if aws is None:
        T.check(False, "the AWS CLI (awscli) is not installed: pip install -r tests/interop/requirements.txt")
        T.finish()
    tmp = tempfile.mkdtemp(prefix="paycrypt-dropin-")
    try:
        seed_path = os.path.join(tmp, "seed.json")
        seed = merged_seed(seed_path)
        seeded_pc = {k["KeyId"] for k in seed.get("Keys", [])}
        seeded_kms = {k["KeyId"] for k in seed.get("KmsKeys", [])}

        # Run 1: the real AWS CLI against paycrypt serve.
        shim_aws = os.path.join(tmp, "shim-aws")
        os.mkdir(shim_aws)
        os.symlink(aws, os.path.join(shim_aws, "aws"))
        srv = Server("--seed", seed_path)
        try:
            env = base_env(tmp, shim_aws)
            env["AWS_ENDPOINT_URL"] = srv.url
            real = run_script(env)
        finally:
            srv.stop()

        # Run 2: `aws` is paycrypt, on a local store seeded the same way.
        shim_pc = os.path.join(tmp, "shim-paycrypt")
        os.mkdir(shim_pc)
        os.symlink(os.path.abspath(BIN), os.path.join(shim_pc, "aws"))
        store = os.path.join(tmp, "store")
        env = base_env(tmp, shim_pc)
        env["PAYCRYPT_DATA_DIR"] = store
        seeded = subprocess.run([os.path.abspath(BIN), "seed", seed_path], capture_output=True, text=True, env=env)
        T.check(seeded.returncode == 0, f"seed the local store: {seeded.stderr}")
        ours = run_script(env)
        # The first example: the store given before the command, the environment not used.
        plain_env = {k: v for k, v in env.items() if k != "PAYCRYPT_DATA_DIR"}
        before = subprocess.run([os.path.abspath(BIN), "--data-dir", store, "list-aliases", "--query", "length(Aliases)"],
                                capture_output=True, text=True, env=plain_env)
        T.check(before.returncode == 0 and before.stdout == f"{len(seed.get('Aliases', []))}\n",
                f"paycrypt --data-dir D list-aliases: {before.returncode} {before.stdout!r} {before.stderr}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    T.check(real[0] == 0, f"the script under the real AWS CLI exited {real[0]}: {real[2]}")
    T.check(ours[0] == 0, f"the script under paycrypt exited {ours[0]}: {ours[2]}")
    real_out = normalise(real[1], seeded_pc, seeded_kms)
    statuses = re.findall(r"^exit status (\d+)$", real_out, flags=re.M)
    T.check(statuses.count("255") == 3, f"awscli v1 exits 255 on the 3 service errors: {statuses}")
    real_out = re.sub(r"^exit status 255$", "exit status 254", real_out, flags=re.M)
    ours_out = normalise(ours[1], seeded_pc, seeded_kms)
    # The runs must have done the work, not agreed on printing nothing.
    T.check("hello from a shell script" in ours_out, "paycrypt's run decrypted the KMS ciphertext")
    T.check(ours_out.count("exit status 254") == 3, "paycrypt's run exits 254 on the 3 service errors")
    T.check("GetAlias" in ours_out and "+----" in ours_out, "paycrypt's run printed a table")
    compare("stdout", real_out, ours_out)
    not_found = r"(An error occurred \(ResourceNotFoundException\) when calling the \w+ operation: )(\S+) was not found\.$"
    ours_err = normalise(ours[2], seeded_pc, seeded_kms)
    T.check("alias/does-not-exist was not found." in ours_err, "paycrypt names the missing alias")
    ours_err = re.sub(not_found, r"\1", ours_err, flags=re.M)
    compare("stderr", normalise(real[2], seeded_pc, seeded_kms), ours_err)
    if T.failed:
        print("--- aws stdout\n" + real_out + "--- paycrypt stdout\n" + ours_out, flush=True)
    T.finish()


if __name__ == "__main__":
    main()
