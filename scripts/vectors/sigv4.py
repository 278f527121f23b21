#!/usr/bin/env python3
"""Signs requests shaped like paycrypt's server traffic with botocore's SigV4Auth, for tests/sigv4.rs.

    python3 -m venv target/venv && target/venv/bin/pip install botocore
    target/venv/bin/python scripts/vectors/sigv4.py

Writes vectors/sigv4_botocore.json. Each case holds the request as it goes on the wire before
signing (method, raw path, raw query, headers including Host, body), the credentials, region,
service and signing time, and what botocore added: X-Amz-Date (or Date), X-Amz-Security-Token,
Authorization. The canonical request and string to sign are kept for reading failures. Cases with
"sign": false use a form our signer does not produce (a Date header) and are checked by verify only.
Not run in CI: the JSON is committed.
"""
import datetime
import hashlib
import json
import os
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "vectors", "sigv4_botocore.json")
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example=="
ENDPOINT = "http://127.0.0.1:8080"
ARN = "arn:aws:payment-cryptography:us-east-1:111122223333:key/ivi5ksfsuplneuyt"
WHEN = datetime.datetime(2026, 1, 1, 0, 0, 0)

DATA_JSON = {"Content-Type": "application/json"}
CONTROL = "application/x-amz-json-1.0"
KMS = "application/x-amz-json-1.1"


def rest_path(template, key_identifier):
    """A restJson1 path as botocore's serializer renders a non-greedy label: every byte but -._~ encoded."""
    return template.replace("{KeyIdentifier}", percent_encode(key_identifier))


def case(id, method="POST", path="/", headers=(), body=b"", service="payment-cryptography",
         region="us-east-1", token=None, params=None, when=WHEN, endpoint=ENDPOINT, context=None, sign=True):
    url = endpoint + path
    request = AWSRequest(method=method, url=url, data=body, params=params or {})
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends, so repeated names stay repeated
    if context:
        request.context.update(context)
    before = list(request.headers.items())
    auth = botocore.auth.SigV4Auth(Credentials(AKID, SECRET, token), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        canonical = None
        original = auth.canonical_request

        def keep(req):
            nonlocal canonical
            canonical = original(req)
            return canonical

        auth.canonical_request = keep
        auth.add_auth(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    prepared = request.prepare()
    wire = urlsplit(prepared.url)
    host = botocore.auth._host_from_url(prepared.url)
    # Host is what the HTTP client sends: botocore signs the value it derives from the URL.
    wire_headers = [["Host", host]] + [[n, v] for n, v in before]
    before_names = {n.lower() for n, _ in before}
    added = [[n, v] for n, v in request.headers.items()
             if n.lower() not in before_names or n.lower() in ("date", "x-amz-date")]
    return {
        "id": id,
        "service": service,
        "region": region,
        "access_key_id": AKID,
        "secret_access_key": SECRET,
        "session_token": token,
        "timestamp": request.context["timestamp"],
        "unix_time": int(when.replace(tzinfo=datetime.timezone.utc).timestamp()),
        "method": method,
        "path": wire.path,
        "query": wire.query,
        "headers": wire_headers,
        "body": body.decode("utf-8"),
        "added_headers": added,
        "authorization": request.headers["Authorization"],
        "canonical_request": canonical,
        "string_to_sign": string_to_sign,
        "sign": sign,
    }


def cases():
    enc = json.dumps({"PlainText": "31323334353637383132333435363738",
                      "EncryptionAttributes": {"Symmetric": {"Mode": "CBC"}}}).encode()
    yield case("data-encrypt-arn", path=rest_path("/keys/{KeyIdentifier}/encrypt", ARN),
               headers=DATA_JSON.items(), body=enc)
    yield case("data-decrypt-alias", path=rest_path("/keys/{KeyIdentifier}/decrypt", "alias/dek"),
               headers=DATA_JSON.items(), body=b'{"CipherText":"00","DecryptionAttributes":{}}')
    yield case("data-reencrypt-odd-identifier",
               path=rest_path("/keys/{KeyIdentifier}/reencrypt", "alias/my key~1+2%"),
               headers=DATA_JSON.items(), body=b"{}")
    yield case("data-encrypt-session-token", path=rest_path("/keys/{KeyIdentifier}/encrypt", "alias/dek"),
               headers=DATA_JSON.items(), body=enc, token=TOKEN)
    yield case("data-encrypt-eu-region", path=rest_path("/keys/{KeyIdentifier}/encrypt", ARN.replace("us-east-1", "eu-west-2")),
               headers=DATA_JSON.items(), body=enc, region="eu-west-2")
    yield case("control-create-key",
               headers=[("Content-Type", CONTROL), ("X-Amz-Target", "PaymentCryptographyControlPlane.CreateKey")],
               body=b'{"Exportable":true,"KeyAttributes":{"KeyAlgorithm":"AES_128"}}')
    yield case("control-list-keys-empty-body",
               headers=[("Content-Type", CONTROL), ("X-Amz-Target", "PaymentCryptographyControlPlane.ListKeys")],
               body=b"")
    yield case("kms-encrypt", service="kms",
               headers=[("Content-Type", KMS), ("X-Amz-Target", "TrentService.Encrypt")],
               body=b'{"KeyId":"alias/dek","Plaintext":"aGVsbG8="}')
    yield case("kms-encrypt-session-token", service="kms", token=TOKEN,
               headers=[("Content-Type", KMS), ("X-Amz-Target", "TrentService.Encrypt")],
               body=b'{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/1234abcd","Plaintext":"aGk="}')
    yield case("query-params", method="GET", path="/keys",
               params={"maxResults": "10", "nextToken": "a b/c+d=e", "caf\u00e9": "\u00e9t\u00e9", "a": "~x"},
               headers=[("Accept", "application/json")])
    yield case("query-in-url-repeated-names", method="GET", path="/keys?b=2&a=1&a=0&flag", headers=[])
    yield case("repeated-and-odd-whitespace-headers",
               headers=[("Content-Type", CONTROL), ("X-Amz-Target", "PaymentCryptographyControlPlane.GetKey"),
                        ("X-Custom", "  first   value  "), ("x-CUSTOM", "second\tvalue"),
                        ("X-Spaces", "a  b   c"), ("User-Agent", "Boto3/1.0 (not signed)")],
               body=b'{"KeyIdentifier":"alias/dek"}')
    yield case("dot-segments-and-double-slashes", path="/keys//alias%2Fdek/./x/../encrypt",
               headers=DATA_JSON.items(), body=b"{}")
    yield case("content-sha256-header",
               headers=[("Content-Type", CONTROL), ("X-Amz-Target", "PaymentCryptographyControlPlane.ListAliases"),
                        ("X-Amz-Content-SHA256", hashlib.sha256(b"{}").hexdigest())],
               body=b"{}")
    yield case("unsigned-payload-over-https", endpoint="https://127.0.0.1:8443",
               headers=[("Content-Type", KMS), ("X-Amz-Target", "TrentService.Decrypt")],
               body=b'{"CiphertextBlob":"AAAA"}', service="kms", context={"payload_signing_enabled": False})
    yield case("default-https-port", endpoint="https://payment-cryptography.us-east-1.amazonaws.com:443",
               headers=[("Content-Type", CONTROL), ("X-Amz-Target", "PaymentCryptographyControlPlane.ListKeys")],
               body=b"{}")
    yield case("leap-day", when=datetime.datetime(2028, 2, 29, 23, 59, 59),
               headers=[("Content-Type", KMS), ("X-Amz-Target", "TrentService.ListKeys")], body=b"{}",
               service="kms")
    yield case("date-header-instead-of-x-amz-date", sign=False,
               headers=[("Content-Type", CONTROL), ("X-Amz-Target", "PaymentCryptographyControlPlane.ListKeys"),
                        ("Date", "placeholder")],
               body=b"{}")


def main():
    all_cases = list(cases())
    doc = {
        "source": f"botocore {botocore.__version__} (PyPI), botocore.auth.SigV4Auth with a fixed clock; "
                  "generated by scripts/vectors/sigv4.py",
        "description": "AWS SigV4 header signatures made by botocore for paycrypt-shaped requests: restJson1 data plane "
                       "(key identifiers percent-encoded in the path), awsJson1_0 control plane, awsJson1_1 KMS, query "
                       "strings, repeated headers, session tokens. path/query/headers/body are the request on the wire "
                       "before signing; added_headers what botocore added.",
        "cases": all_cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(all_cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
