#!/usr/bin/env python3
"""Interop: `paycrypt load` against `paycrypt serve`.

- a 2 s closed-loop run: 0 errors, exit 0, and JSON whose numbers add up (requests = sum over the
  timeline, throughput = requests / duration within 1 %, percentiles rising, the table's shape);
- every operation once briefly (encrypt/decrypt/re-encrypt-data, get-key, list-keys, kms-encrypt,
  kms-decrypt, kms-generate-data-key), 0 errors;
- a server with a fault rule (ThrottlingException for 20 % of EncryptData): exactly that exception,
  at 20 % +- 5 points, exit 1, the results still printed;
- wrong credentials: every request counted as UnrecognizedClientException, exit 1, no hang;
- `--rate 500 --duration 3`: 500 req/s achieved within +-5 %;
- nothing listening (port 9): a clear message and exit 1 within 5 s.
Prints `load: N passed, M failed`.
"""
import json
import os
import re
import subprocess
import tempfile
import time

from serverlib import BIN, SEED, Server, Tally

T = Tally("load")
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
ENV.pop("PAYCRYPT_ENDPOINT_URL", None)


def load(url, *args, env=None, timeout=60):
    """Runs `paycrypt load`; (exit code, stdout, stderr, seconds)."""
    started = time.time()
    p = subprocess.run([BIN, "load", "--endpoint-url", url, *args], capture_output=True, text=True,
                       env=env or ENV, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - started


def load_json(url, *args, env=None):
    code, out, err, _ = load(url, "--json", *args, env=env)
    try:
        return code, json.loads(out), err
    except ValueError:
        return code, None, err + out


def closed_loop(srv):
    code, run, err = load_json(srv.url, "--duration", "2", "--warmup", "0.5", "--key-identifier", "alias/zone")
    T.check(code == 0 and run is not None, f"closed loop: exit {code} {err}")
    if run is None:
        return
    T.check(run["Errors"] == {} and "WarmupErrors" not in run, f"closed loop errors: {run['Errors']}")
    T.check(run["Requests"] > 100, f"closed loop requests: {run['Requests']}")
    T.check(sum(i["Requests"] for i in run["Timeline"]) == run["Requests"], "timeline adds up to requests")
    T.check(len(run["Timeline"]) in (2, 3) and run["Timeline"][0]["Second"] == 1.0, f"timeline: {run['Timeline']}")
    T.check(1.9 <= run["DurationSeconds"] <= 2.5, f"duration {run['DurationSeconds']}")
    T.check(abs(run["Throughput"] - run["Requests"] / run["DurationSeconds"]) <= 0.01 * run["Throughput"],
            "throughput = requests / duration")
    lat = run["Latency"]
    T.check(0 < lat["P50"] <= lat["P90"] <= lat["P99"] <= lat["P99.9"] <= lat["Max"], f"latency {lat}")
    curve = run["Percentiles"]
    T.check(curve[-1][0] == 100.0 and all(a[0] < b[0] and a[1] <= b[1] for a, b in zip(curve, curve[1:])),
            "percentile curve rises to 100")
    T.check(run["Operation"] == "encrypt-data" and run["Connections"] == 16 and "Rate" not in run
            and run["Machine"]["Cores"] >= 1, "run description")
    # The table, figures masked.
    code, out, err, _ = load(srv.url, "--duration", "0.5", "--warmup", "0", "--connections", "2")
    mask = lambda text: re.sub(r" +", " ", re.sub(r"\d+(\.\d+)?", "N", text))
    expected = (f"encrypt-data against {srv.url}: closed loop, 2 connections, 0.5 s measured after 0 s warm-up\n"
                "  Requests 1\n  Errors 0\n  Throughput 1.0 req/s\n  Latency, ms\n"
                "  mean p50 p90 p99 p99.9 max\n  1.0 1.0 1.0 1.0 1.0 1.0\n")
    T.check(code == 0 and mask(out) == mask(expected), f"table shape:\n{out}{err}")


def operations(srv):
    kms = srv.client("kms")
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    cases = [
        ("encrypt-data", "--key-identifier", "alias/zone"),
        ("decrypt-data", "--key-identifier", "alias/zone"),
        ("re-encrypt-data", "--key-identifier", "alias/zone", "--outgoing-key-identifier", "alias/zone"),
        ("get-key", "--key-identifier", "alias/zone"),
        ("list-keys",),
        ("kms-encrypt", "--key-id", key),
        ("kms-decrypt", "--key-id", key),
        ("kms-generate-data-key", "--key-id", key),
    ]
    for op, *flags in cases:
        code, run, err = load_json(srv.url, "--operation", op, "--duration", "0.5", "--warmup", "0",
                                   "--connections", "2", *flags)
        T.check(code == 0 and run is not None and run["Errors"] == {} and run["Requests"] > 0
                and run["Operation"] == op, f"{op}: exit {code} {err} {run and run['Errors']}")


def wrong_credentials(srv):
    env = dict(ENV, AWS_ACCESS_KEY_ID="nobody", AWS_SECRET_ACCESS_KEY="wrong")
    code, run, err = load_json(srv.url, "--duration", "1", "--warmup", "0", "--connections", "2", env=env)
    T.check(code == 1 and run is not None, f"wrong credentials: exit {code} {err}")
    if run:
        T.check(list(run["Errors"]) == ["UnrecognizedClientException"]
                and run["Errors"]["UnrecognizedClientException"] == run["Requests"] > 0,
                f"wrong credentials counted: {run['Errors']}")
    T.check("requests failed" in err and "UnrecognizedClientException" in err, f"wrong credentials said: {err}")


def faults():
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"Seed": 7, "Rules": [{"Operation": "EncryptData", "Error": "ThrottlingException",
                                         "Probability": 0.2}]}, f)
    srv = Server("--seed", SEED, "--faults", f.name)
    try:
        code, run, err = load_json(srv.url, "--duration", "2", "--warmup", "0", "--connections", "4")
        T.check(code == 1 and run is not None, f"faults: exit {code} {err}")
        if run:
            errors = run["Errors"]
            share = errors.get("ThrottlingException", 0) / max(run["Requests"], 1)
            T.check(list(errors) == ["ThrottlingException"] and 0.15 <= share <= 0.25,
                    f"faults counted: {errors} of {run['Requests']} ({share:.3f})")
            T.check(sum(i["Errors"] for i in run["Timeline"]) == errors.get("ThrottlingException"),
                    "timeline errors add up")
    finally:
        srv.stop()
        os.unlink(f.name)


def rate(srv):
    # Tolerance: the achieved rate within 5 % of the asked rate.
    code, run, err = load_json(srv.url, "--rate", "500", "--duration", "3", "--warmup", "0.5")
    T.check(code == 0 and run is not None, f"rate: exit {code} {err}")
    if run:
        T.check(run["Rate"] == 500 and abs(run["Throughput"] - 500) <= 25,
                f"rate 500 achieved {run['Throughput']:.1f} req/s")
        T.check(abs(run["Requests"] - 1500) <= 75, f"rate requests {run['Requests']}")


def refused():
    code, out, err, seconds = load("http://127.0.0.1:9", "--duration", "1", timeout=30)
    T.check(code == 1 and seconds < 5 and out == ""
            and "cannot connect to http://127.0.0.1:9: connection refused" in err, f"refused: {code} {err}")


def main():
    srv = Server("--seed", SEED)
    try:
        closed_loop(srv)
        operations(srv)
        wrong_credentials(srv)
        rate(srv)
    finally:
        srv.stop()
    faults()
    refused()
    T.finish()


if __name__ == "__main__":
    main()
