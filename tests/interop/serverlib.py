"""What the server interop scripts share: start `paycrypt serve` on a free port, AWS SDK clients pointed
at it, raw SigV4-signed requests (botocore's signer), and a pass/fail tally."""
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

BIN = os.environ.get("PAYCRYPT_BIN", "target/debug/paycrypt")
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "cmd", "pc", "fixtures", "seed.json")
REGION = "us-east-1"
ACCOUNT = "111122223333"


class Tally:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAILED", what, flush=True)
        return ok

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        sys.exit(1 if self.failed or not self.passed else 0)


class Server:
    """`paycrypt serve` in a child process; `url` once it printed its ready line."""

    def __init__(self, *args, ephemeral=True, env=None, stderr_path=None):
        cmd = [BIN, "serve", "--listen", "127.0.0.1:0", *args]
        if ephemeral and "--data-dir" not in args:
            cmd.append("--ephemeral")
        if stderr_path is not None:
            self.log = open(stderr_path, "a")
        else:
            self.log = open(os.devnull, "w") if os.environ.get("SERVER_LOG") is None else sys.stderr
        full_env = dict(os.environ)
        full_env.pop("PAYCRYPT_DATA_DIR", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.log, text=True, env=full_env)
        self.banner = []
        deadline = time.time() + 30
        self.url = None
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            m = re.search(r"ready on (https?://\S+)", line)
            if m:
                self.url = m.group(1)
                break
        if self.url is None:
            self.proc.kill()
            raise RuntimeError("paycrypt serve did not start: " + "\n".join(self.banner))
        self.host, self.port = self.url.split("://")[1].rsplit(":", 1)
        self.port = int(self.port)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig`, waits, returns the exit code and what was printed after the ready line."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rest, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, _ = self.proc.communicate()
        return self.proc.returncode, rest

    def client(self, service, key="test", secret="test", region=REGION, retries=1, **config):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"total_max_attempts": retries}, **config),
        )

    def raw(self, method, path, body=b"", headers=None, service="payment-cryptography", key="test",
            secret="test", region=REGION, sign=True, tamper=None):
        """Sends one request signed by botocore's SigV4Auth; `tamper(headers, body, path)` may change
        the request after signing. Returns (status, headers dict lower-cased, parsed JSON or raw)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        headers = dict(headers or {})
        url = self.url + path
        req = AWSRequest(method=method, url=url, data=body, headers=headers)
        if sign:
            SigV4Auth(Credentials(key, secret), service, region).add_auth(req)
        out_headers = {k: v for k, v in req.headers.items()}
        if tamper:
            out_headers, body, path = tamper(out_headers, body, path)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        conn.request(method, path, body=body, headers=out_headers)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = data
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed


def control_headers(op):
    return {"X-Amz-Target": f"PaymentCryptographyControlPlane.{op}", "Content-Type": "application/x-amz-json-1.0"}


def kms_headers(op):
    return {"X-Amz-Target": f"TrentService.{op}", "Content-Type": "application/x-amz-json-1.1"}


def error_of(call):
    """Runs `call`, returns (error code, HTTP status, message) of the ClientError it raises, or None."""
    try:
        call()
    except Exception as e:  # botocore.exceptions.ClientError and its modeled subclasses
        resp = getattr(e, "response", None)
        if resp is None:
            return (type(e).__name__, None, str(e))
        return (resp["Error"].get("Code"), resp["ResponseMetadata"].get("HTTPStatusCode"), resp["Error"].get("Message"))
    return None
