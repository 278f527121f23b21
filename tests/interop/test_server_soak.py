#!/usr/bin/env python3
"""Soak: mixed traffic against `paycrypt serve --data-dir`, killed with SIGKILL and restarted.

Each round (SOAK_ROUNDS, default 3, of SOAK_SECONDS, default 6, each) runs worker threads side by side:
- data plane (EncryptData through boto3), control plane (CreateKey, CreateAlias), KMS (CreateKey,
  Encrypt) through boto3: every write the server acknowledged is remembered;
- hostile clients over raw sockets: bad signatures, headers sent a byte at a time, bodies over the limit,
  clients that vanish mid-request;
then the server gets SIGKILL in the middle of that traffic and is started again on the same store:
every acknowledged CreateKey, CreateAlias and KMS CreateKey must be there, the store must open, the
server must never have panicked, and its memory must stay bounded. Prints requests served and refused,
and `server_soak: N passed, M failed`.
"""
import os
import random
import shutil
import signal
import socket
import tempfile
import threading
import time

from serverlib import SEED, Server, Tally, error_of

T = Tally("server_soak")
ROUNDS = int(os.environ.get("SOAK_ROUNDS", "3"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "6"))
ATTRIBUTES = {"KeyAlgorithm": "AES_128", "KeyClass": "SYMMETRIC_KEY",
              "KeyUsage": "TR31_D0_SYMMETRIC_DATA_ENCRYPTION_KEY", "KeyModesOfUse": {"NoRestrictions": True}}


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.served, self.refused, self.dropped = 0, 0, 0

    def add(self, what):
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sdk_worker(srv, stop, counts, acked, seed):
    rng = random.Random(seed)
    cp = srv.client("payment-cryptography")
    data = srv.client("payment-cryptography-data")
    kms = srv.client("kms")
    while not stop.is_set():
        op = rng.randrange(5)
        try:
            if op == 0:
                data.encrypt_data(KeyIdentifier="alias/zone", PlainText=os.urandom(16).hex(),
                                  EncryptionAttributes={"Symmetric": {"Mode": "ECB"}})
            elif op == 1:
                key = cp.create_key(KeyAttributes=ATTRIBUTES, Exportable=True)["Key"]
                with acked["lock"]:
                    acked["keys"][key["KeyArn"]] = key["KeyCheckValue"]
            elif op == 2 and acked["keys"]:
                with acked["lock"]:
                    arn = rng.choice(list(acked["keys"]))
                name = f"alias/soak-{seed}-{rng.randrange(1 << 30)}"
                cp.create_alias(AliasName=name, KeyArn=arn)
                with acked["lock"]:
                    acked["aliases"][name] = arn
            elif op == 3:
                arn = kms.create_key()["KeyMetadata"]["Arn"]
                with acked["lock"]:
                    acked["kms"].append(arn)
            else:
                kms.encrypt(KeyId="alias/soak-kms", Plaintext=os.urandom(64))
            counts.add("served")
        except Exception as e:  # a refusal (ClientError) or the server going away mid-call
            counts.add("refused" if getattr(e, "response", None) else "dropped")


def hostile_worker(srv, stop, counts, seed):
    rng = random.Random(seed)
    while not stop.is_set():
        kind = rng.randrange(4)
        try:
            if kind == 0:
                status, _, _ = srv.raw("POST", "/keys/alias%2Fzone/encrypt", {"PlainText": "00" * 16},
                                       {"Content-Type": "application/json"}, secret="wrong")
                counts.add("refused" if status == 403 else "served")
                continue
            s = socket.create_connection((srv.host, srv.port), timeout=3)
            try:
                if kind == 1:  # headers a byte at a time, for a while
                    for b in b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: yes":
                        if stop.is_set():
                            break
                        s.send(bytes([b]))
                        time.sleep(0.05)
                elif kind == 2:  # a body over the limit
                    s.send(b"POST /keys/alias%2Fzone/encrypt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Length: 3000000\r\nContent-Type: application/json\r\n\r\n")
                    s.send(os.urandom(65536))
                    s.recv(4096)
                else:  # vanish mid-request
                    s.send(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"a\":")
            finally:
                s.close()
            counts.add("refused")
        except OSError:
            counts.add("dropped")


def check_acknowledged(srv, acked):
    cp = srv.client("payment-cryptography")
    kms = srv.client("kms")
    missing, wrong, gone = [], [], []
    for arn, kcv in acked["keys"].items():
        try:
            if cp.get_key(KeyIdentifier=arn)["Key"]["KeyCheckValue"] != kcv:
                missing.append(arn)
        except Exception:
            missing.append(arn)
    for name, arn in acked["aliases"].items():
        try:
            if cp.get_alias(AliasName=name)["Alias"]["KeyArn"] != arn:
                wrong.append(name)
        except Exception:
            wrong.append(name)
    for arn in acked["kms"]:
        if error_of(lambda a=arn: kms.describe_key(KeyId=a)):
            gone.append(arn)
    T.check(not missing, f"acknowledged payment keys present after SIGKILL: {len(missing)} missing of {len(acked['keys'])}")
    T.check(not wrong, f"acknowledged aliases present after SIGKILL: {wrong[:3]} of {len(acked['aliases'])}")
    T.check(not gone, f"acknowledged KMS keys present after SIGKILL: {len(gone)} missing of {len(acked['kms'])}")


def main():
    store = tempfile.mkdtemp(prefix="paycrypt-soak-")
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    acked = {"lock": threading.Lock(), "keys": {}, "aliases": {}, "kms": []}
    counts = Counts()
    args = ("--data-dir", store, "--seed", SEED, "--header-timeout", "2", "--body-timeout", "2",
            "--max-body-bytes", "1048576", "--allow-reset")
    try:
        srv = Server(*args, ephemeral=False)
        kms = srv.client("kms")
        kms.create_alias(AliasName="alias/soak-kms", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
        srv.stop()
        peak = 0
        for round_no in range(ROUNDS):
            srv = Server(*args, ephemeral=False, stderr_path=log.name)
            stop = threading.Event()
            workers = [threading.Thread(target=sdk_worker, args=(srv, stop, counts, acked, 10 * round_no + i))
                       for i in range(3)]
            workers += [threading.Thread(target=hostile_worker, args=(srv, stop, counts, 100 * round_no + i))
                        for i in range(2)]
            for w in workers:
                w.start()
            time.sleep(SECONDS)
            peak = max(peak, rss_kib(srv.proc.pid))
            # SIGKILL in the middle of the traffic.
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
            stop.set()
            for w in workers:
                w.join(timeout=30)
            after = Server(*args, ephemeral=False, stderr_path=log.name)
            try:
                check_acknowledged(after, acked)
            finally:
                code, _ = after.stop()
                T.check(code == 0, f"round {round_no}: clean exit after the check: {code}")
        print(f"server_soak: {ROUNDS} rounds of {SECONDS:.0f} s; served {counts.served}, refused {counts.refused}, "
              f"dropped by the kills or hostile clients {counts.dropped}; acknowledged {len(acked['keys'])} keys, "
              f"{len(acked['aliases'])} aliases, {len(acked['kms'])} KMS keys; peak RSS {peak // 1024} MiB", flush=True)
        T.check(counts.served > 100 * ROUNDS, f"traffic was served: {counts.served}")
        T.check(counts.refused > 10 * ROUNDS, f"hostile requests were refused: {counts.refused}")
        T.check(acked["keys"] and acked["aliases"] and acked["kms"], "writes were acknowledged in every kind")
        T.check(0 < peak < 256 * 1024, f"memory bounded: peak RSS {peak} KiB")
        log.seek(0)
        text = log.read()
        T.check("panicked" not in text, "the server never panicked: " + text[text.find("panicked") - 200:][:600])
        T.check(text.count(" 200 ") > 0, "the server logged its requests")
    finally:
        shutil.rmtree(store, ignore_errors=True)
        log.close()
        os.unlink(log.name)
    T.finish()


if __name__ == "__main__":
    main()
