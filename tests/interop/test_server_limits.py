#!/usr/bin/env python3
"""Interop: `paycrypt serve` against slow and hostile clients, over raw sockets (short limits so the
script stays fast: --header-timeout 1 --body-timeout 2 --max-connections 2).

- a client that sends its headers a byte at a time is disconnected after the header timeout;
- an idle keep-alive connection is closed after the header timeout;
- a request with a large Content-Length and no valid credentials is refused (403) before its body is
  read: the answer comes without the body ever being sent;
- a signed request whose body never arrives is answered 408 after the body timeout;
- past --max-connections, a new connection waits until a slot frees, then is served;
- the server is still healthy afterwards.
Prints `server_limits: N passed, M failed`.
"""
import socket
import time

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from serverlib import REGION, SEED, Server, Tally

T = Tally("server_limits")
HEADER_TIMEOUT, BODY_TIMEOUT = 1, 2


def connect(srv):
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s, limit=10.0):
    """Everything the server sends until it closes or `limit` seconds pass; and whether it closed."""
    s.settimeout(0.2)
    data, deadline = b"", time.time() + limit
    while time.time() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
        if b"\r\n\r\n" in data and b"content-length: " in data.lower():
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            if len(body) >= length:
                return data, False
    return data, False


def status_of(data):
    return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else None


def signed_head(srv, body, key="test", secret="test"):
    """The request line and headers of a SigV4-signed EncryptData with `body` (not sent)."""
    url = f"{srv.url}/keys/alias%2Fzone/encrypt"
    req = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(key, secret), "payment-cryptography", REGION).add_auth(req)
    lines = ["POST /keys/alias%2Fzone/encrypt HTTP/1.1", f"Host: {srv.host}:{srv.port}",
             f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in req.headers.items() if k.lower() not in ("host", "content-length")]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def main():
    srv = Server("--seed", SEED, "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(BODY_TIMEOUT),
                 "--max-connections", "2", "--quiet")
    try:
        # Slow headers: one byte every 0.25 s never completes a header within the timeout.
        s = connect(srv)
        started, closed = time.time(), False
        for b in b"POST /keys/alias%2Fzone/encrypt HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200:
            try:
                s.send(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            time.sleep(0.25)
            if time.time() - started > 6:
                break
        if not closed:
            closed = read_all(s, 3)[1]
        took = time.time() - started
        T.check(closed and took < 5, f"slow headers disconnected after {took:.1f}s (closed={closed})")
        s.close()

        # An idle keep-alive connection is closed.
        s = connect(srv)
        s.send(b"GET /_paycrypt/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data, closed = read_all(s, 3)
        T.check(status_of(data) == 200 and not closed, f"health over keep-alive: {data[:40]!r}")
        started = time.time()
        _, closed = read_all(s, 5)
        T.check(closed and time.time() - started < 4, f"idle keep-alive closed after {time.time() - started:.1f}s")
        s.close()

        # A large body announced by an unknown access key: refused before it is sent.
        s = connect(srv)
        head = signed_head(srv, b"x" * 900_000, key="AKIDNOBODY")
        started = time.time()
        s.send(head)
        data, _ = read_all(s, 5)
        took = time.time() - started
        T.check(status_of(data) == 403 and b"UnrecognizedClientException" in data and took < BODY_TIMEOUT,
                f"unknown key with a 900 kB body announced: {status_of(data)} in {took:.2f}s {data[-200:]!r}")
        s.close()
        # The same without any Authorization header.
        s = connect(srv)
        s.send(b"POST /keys/alias%2Fzone/encrypt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n"
               b"Content-Type: application/json\r\n\r\n")
        data, _ = read_all(s, 5)
        T.check(status_of(data) == 403, f"no signature, body withheld: {data[:60]!r}")
        s.close()

        # A signed request whose body never comes: 408 after the body timeout.
        body = b'{"PlainText":"6BC1BEE22E409F96E93D7E117393172A","EncryptionAttributes":{"Symmetric":{"Mode":"ECB"}}}'
        s = connect(srv)
        started = time.time()
        s.send(signed_head(srv, body) + body[:10])
        data, _ = read_all(s, 8)
        took = time.time() - started
        T.check(status_of(data) == 408 and b"RequestTimeoutException" in data and BODY_TIMEOUT - 0.5 <= took < BODY_TIMEOUT + 3,
                f"withheld body: {status_of(data)} after {took:.1f}s")
        s.close()
        # And the same request sent whole is served.
        s = connect(srv)
        s.send(signed_head(srv, body) + body)
        data, _ = read_all(s, 5)
        T.check(status_of(data) == 200 and b"3AD77BB40D7A3660A89ECAF32466EF97" in data, f"whole request: {data[-120:]!r}")
        s.close()

        # Two connections hold both slots (sending nothing); a third is served once they time out.
        holders = [connect(srv) for _ in range(2)]
        time.sleep(0.1)
        third = connect(srv)
        started = time.time()
        third.send(b"GET /_paycrypt/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data, _ = read_all(third, 8)
        took = time.time() - started
        T.check(status_of(data) == 200 and took >= HEADER_TIMEOUT * 0.6,
                f"third connection past the cap served after {took:.2f}s: {data[:40]!r}")
        for h in holders + [third]:
            h.close()

        status, _, _ = srv.raw("GET", "/_paycrypt/health", sign=False)
        T.check(status == 200, "healthy after the hostile clients")
    finally:
        code, _ = srv.stop()
        T.check(code == 0, f"clean exit: {code}")
    T.finish()


if __name__ == "__main__":
    main()
