#!/usr/bin/env python3
"""Interop: paycrypt's `--output text` and `--output table` against the AWS CLI's own formatters.

Random JSON documents (objects, lists of objects, lists of scalars and of lists, nested several deep,
strings, integers, booleans, nulls, empty containers) are printed by awscli's TextFormatter and
TableFormatter (the code `aws --output text|table` runs, colour off) and by paycrypt, which is handed the
same document as a JMESPath literal (`--query '`<json>`'`, which ignores the response it is applied to);
the outputs must be equal byte for byte. Also: the formatters on responses of the seeded store's real
commands (get-key, list-aliases, list-keys) with a --query, against the same response as JSON.
Prints `cli-output: N passed, M failed`.
"""
import argparse
import io
import json
import os
import random
import shutil
import subprocess
import tempfile

from awscli.formatter import TableFormatter, TextFormatter

from serverlib import BIN, SEED, Tally

T = Tally("cli-output")
RNG = random.Random(int(os.environ.get("INTEROP_SEED", "0")) or None)
NAMES = ["KeyArn", "Alias", "Enabled", "a", "Zeta", "KeyCheckValue", "b", "Tags", "Count", "NextToken"]


def scalar():
    return RNG.choice([
        lambda: "".join(RNG.choice("abcXYZ019/:-_ ") for _ in range(RNG.randint(0, 30))),
        lambda: RNG.randint(-5, 10**6),
        lambda: RNG.choice([True, False]),
        lambda: None,
        lambda: "arn:aws:payment-cryptography:us-east-1:111122223333:key/" + "k" * RNG.randint(1, 40),
    ])()


def document(depth=0):
    kind = RNG.random()
    if depth > 3 or kind < 0.3:
        return scalar()
    if kind < 0.65:
        return {RNG.choice(NAMES): document(depth + 1) for _ in range(RNG.randint(0, 5))}
    if kind < 0.8:
        # A list of objects with overlapping member names, as list responses are.
        return [{RNG.choice(NAMES): (scalar() if RNG.random() < 0.8 else document(depth + 2))
                 for _ in range(RNG.randint(1, 4))} for _ in range(RNG.randint(1, 4))]
    if kind < 0.9:
        return [scalar() for _ in range(RNG.randint(0, 4))]
    width = RNG.randint(1, 3)
    return [[scalar() for _ in range(width)] for _ in range(RNG.randint(1, 3))]


def aws_format(kind, title, data):
    args = argparse.Namespace(color="off", query=None)
    out = io.StringIO()
    if kind == "text":
        TextFormatter(args)(title, data, out)
    else:
        TableFormatter(args)(title, data, out)
    return out.getvalue()


def paycrypt(env, kind, query, *command):
    out = subprocess.run([BIN, *command, "--output", kind, "--query", query], capture_output=True, text=True, env=env)
    return out.returncode, out.stdout, out.stderr


def literal(data):
    return "`" + json.dumps(data, separators=(",", ":")).replace("`", "\\`") + "`"


def main():
    store = tempfile.mkdtemp(prefix="paycrypt-cli-output-")
    try:
        env = dict(os.environ, PAYCRYPT_DATA_DIR=store)
        seeded = subprocess.run([BIN, "seed", SEED], capture_output=True, text=True, env=env)
        T.check(seeded.returncode == 0, f"seed: {seeded.stderr}")
        command = ["get-alias", "--alias-name", "alias/zone"]
        count = int(os.environ.get("CLI_OUTPUT_CASES", "150"))
        for i in range(count):
            data = document()
            for kind in ("text", "table"):
                try:
                    aws_format(kind, "GetAlias", json.loads(json.dumps(data, sort_keys=True)))
                except Exception:  # a shape no response has, which the AWS CLI itself cannot print
                    continue
                # JMESPath literals build objects with sorted members; the formatters sort names anyway,
                # so hand the AWS CLI the same sorted document.
                expected = aws_format(kind, "GetAlias", json.loads(json.dumps(data, sort_keys=True)))
                rc, got, err = paycrypt(env, kind, literal(data), *command)
                T.check(rc == 0 and got == expected,
                        f"#{i} {kind} of {json.dumps(data)}:\n--- aws\n{expected}--- paycrypt\n{got}{err}")
        # Real responses, through a query that keeps them whole.
        for command, title, query in [
            (["get-key", "--key-identifier", "alias/zone"], "GetKey", "Key"),
            (["list-aliases"], "ListAliases", "@"),
            (["list-keys"], "ListKeys", "Keys[?KeyState=='CREATE_COMPLETE'].{Arn: KeyArn, Kcv: KeyCheckValue, On: Enabled}"),
        ]:
            rc, raw, err = paycrypt(env, "json", query, *command)
            T.check(rc == 0, f"{command}: {err}")
            data = json.loads(raw)
            for kind in ("text", "table"):
                rc, got, err = paycrypt(env, kind, query, *command)
                expected = aws_format(kind, title, data)
                T.check(rc == 0 and got == expected, f"{command} {kind}:\n--- aws\n{expected}--- paycrypt\n{got}{err}")
    finally:
        shutil.rmtree(store, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
