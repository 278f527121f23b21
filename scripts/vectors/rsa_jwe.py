#!/usr/bin/env python3
"""Converts the published RSA-OAEP and JWE vectors that issue 4 uses into paycrypt's vector format.

    python3 scripts/vectors/rsa_jwe.py [SHARED_VECTORS_DIR]     # default: ../shared/vectors

Writes vectors/rsa_oaep_known_answers.json, vectors/jwe_known_answers.json and
vectors/jwe_wycheproof_rsa.json. Each file names its upstream sources on top and holds `cases`.
Hex is lower case. The large Wycheproof RSA-OAEP, PKCS#1 v1.5 and AES-GCM files are not copied:
tests/rsa.rs and tests/jwe.rs read them in place from the shared vectors directory.
"""
import base64
import json
import os
import re
import sys

WYCHEPROOF_COMMIT = "dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166"
COOKBOOK_COMMIT = "13692b68bfc18b99557a5b1ed311fd5077bfff04"
PYCA_VECTORS = "cryptography-vectors 50.0.2 (PyPI), tree vectors/cryptography_vectors/ of github.com/pyca/cryptography"


def b64u_to_hex(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)).hex()


def labelled_blocks(path):
    """Yields (label, hex) pairs of the RSA Labs / pyca text format: '# Label:' then hex lines."""
    label, value = None, []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                if label is not None:
                    yield label, "".join(value)
                m = re.match(r"#\s*(.*?):\s*$", line)
                label, value = (m.group(1), []) if m else (line.lstrip("# ").strip(), None)
                if value is None:
                    yield label, None
                    label = None
            elif label is not None and re.fullmatch(r"[0-9a-fA-F ]+", line.strip() or "x"):
                value.append(line.replace(" ", "").strip().lower())
            elif line.strip() == "" and label is not None and value:
                yield label, "".join(value)
                label, value = None, []
    if label is not None:
        yield label, "".join(value)


def oaep_text_cases(path, padding, keys, source):
    """Keys and (message, ciphertext) pairs of an RSA Labs / pyca OAEP text file."""
    cases, key, pending = [], None, {}
    names = {"Modulus": "n", "Public exponent": "e", "Exponent": None, "Prime 1": "p", "Prime 2": "q"}
    in_private = False
    for label, value in labelled_blocks(path):
        if value is None:
            if label.startswith("Private key"):
                in_private, pending = True, {}
            elif label.startswith("Public key"):
                in_private = False
            continue
        if label in names and in_private:
            field = names[label] or "d"
            if label == "Exponent":
                field = "d"
            pending[field] = value.lstrip("0") or "0"
            if all(k in pending for k in "nedpq"):
                key = keys.setdefault(pending["n"], {"id": f"k{len(keys) + 1}", **pending})["id"]
        elif label == "Message":
            message = value
        elif label == "Encryption":
            cases.append({"key": key, "padding": padding, "label": "", "msg": message, "ct": value, "file": source})
    return cases


def oaep_label_cases(path, keys, source):
    """The BoringSSL evp_tests-format OAEP-with-label file (keys as PKCS#8 DER hex)."""
    cases, rec = [], {}
    with open(path) as f:
        for line in f:
            if "=" not in line or line.startswith("#"):
                continue
            k, v = (x.strip() for x in line.split("=", 1))
            rec[k] = v
            if k == "Output":
                digest = rec.get("OAEPDigest", "SHA1").upper().replace("-", "")
                mgf = rec.get("MGF1Digest", digest).upper().replace("-", "")
                padding = {"SHA1": "OAEP_SHA1", "SHA256": "OAEP_SHA256", "SHA512": "OAEP_SHA512"}.get(digest)
                out = v[1:-1].encode().hex() if v.startswith('"') else v.lower()
                if padding and mgf == digest:
                    kid = keys.setdefault("pkcs8:" + rec["KEY"], {"id": f"k{len(keys) + 1}", "pkcs8": rec["KEY"].lower()})["id"]
                    cases.append({"key": kid, "padding": padding, "label": rec.get("OAEPLabel", "").lower(),
                                  "msg": out, "ct": rec["Input"].lower(), "file": source})
                rec = {}
    return cases


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"{path}: {len(doc['cases'])} cases")


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/vectors")
    rsa = os.path.join(shared, "cryptography_vectors/asymmetric/RSA")
    keys, cases = {}, []
    for rel, padding in [("pkcs-1v2-1d2-vec/oaep-vect.txt", "OAEP_SHA1"),
                         ("oaep-custom/oaep-sha256-sha256.txt", "OAEP_SHA256"),
                         ("oaep-custom/oaep-sha512-sha512.txt", "OAEP_SHA512")]:
        cases += oaep_text_cases(os.path.join(rsa, rel), padding, keys, "asymmetric/RSA/" + rel)
    cases += oaep_label_cases(os.path.join(rsa, "oaep-label.txt"), keys, "asymmetric/RSA/oaep-label.txt")
    write("vectors/rsa_oaep_known_answers.json", {
        "source": {
            "package": PYCA_VECTORS,
            "files": ["asymmetric/RSA/pkcs-1v2-1d2-vec/oaep-vect.txt (RSA Laboratories PKCS#1 v2.1 OAEP, SHA-1)",
                      "asymmetric/RSA/oaep-custom/oaep-sha256-sha256.txt, oaep-sha512-sha512.txt (pyca, from the NIST SHA-1 set)",
                      "asymmetric/RSA/oaep-label.txt (BoringSSL evp_tests, OAEP with a label)"],
            "converted_by": "scripts/vectors/rsa_jwe.py",
        },
        "notes": "Decryption known answers: decrypting ct under key with padding and label gives msg. "
                 "Keys are hex components (n, e, d, p, q) or PKCS#8 DER hex. OAEP uses MGF1 with the same hash.",
        "keys": list(keys.values()),
        "cases": cases,
    })

    a1 = json.load(open(os.path.join(shared, "extracted/jwe_rfc7516_appendix_a1.json")))
    jwe_cases = [{
        "name": "RFC 7516 A.1 (RSA-OAEP, A256GCM)",
        "jwk": a1["jwk_private"], "compact": a1["jwe_compact"],
        "plaintext": a1["plaintext_utf8"].encode().hex(), "cek": bytes(a1["cek_bytes_rfc_A_1_2"]).hex(),
    }]
    for rel, name in [("jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json", "RFC 7520 5.2 (RSA-OAEP, A256GCM)"),
                      ("6.nesting_signatures_and_encryption.json", "RFC 7520 6 (RSA-OAEP, A128GCM, nested JWS)")]:
        doc = json.load(open(os.path.join(shared, "jose-cookbook", rel)))
        doc = doc.get("encrypt", doc)
        jwe_cases.append({
            "name": name, "jwk": doc["input"]["key"], "compact": doc["output"]["compact"],
            "plaintext": doc["input"]["plaintext"].encode().hex(),
            "cek": b64u_to_hex(doc["generated"]["cek"]), "iv": b64u_to_hex(doc["generated"]["iv"]),
        })
    write("vectors/jwe_known_answers.json", {
        "source": {
            "RFC 7516 A.1": "../shared/vectors/extracted/jwe_rfc7516_appendix_a1.json (latchset/jwcrypto jwcrypto/tests.py "
                            "at eb7c266d18d1a45abce420492d48a3d01d281916, quoting the RFC)",
            "RFC 7520 5.2, 6": f"github.com/ietf-jose/cookbook at {COOKBOOK_COMMIT}: jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json, "
                               "6.nesting_signatures_and_encryption.json (encrypt)",
            "converted_by": "scripts/vectors/rsa_jwe.py",
        },
        "notes": "Decrypting compact with jwk gives plaintext (hex); cek is the content key the example used.",
        "cases": jwe_cases,
    })

    wy = json.load(open(os.path.join(shared, "wycheproof/testvectors_v1/json_web_encryption_test.json")))
    wy_cases, wy_keys = [], []
    for group in wy["testGroups"]:
        jwk = group["private"]
        if jwk.get("kty") != "RSA":
            continue
        if jwk not in [k["jwk"] for k in wy_keys]:
            wy_keys.append({"id": f"k{len(wy_keys) + 1}", "jwk": jwk})
        key_id = next(k["id"] for k in wy_keys if k["jwk"] == jwk)
        for t in group["tests"]:
            header = json.loads(base64.urlsafe_b64decode(t["jwe"].split(".")[0] + "==")) if t["jwe"].count(".") == 4 else {}
            wy_cases.append({"tcId": t["tcId"], "comment": t["comment"], "flags": t["flags"], "key": key_id,
                             "alg": header.get("alg"), "enc": header.get("enc"), "jwe": t["jwe"],
                             "pt": t.get("pt", ""), "result": t["result"]})
    write("vectors/jwe_wycheproof_rsa.json", {
        "source": {"file": "testvectors_v1/json_web_encryption_test.json",
                   "repo": "github.com/C2SP/wycheproof", "commit": WYCHEPROOF_COMMIT, "license": "Apache-2.0",
                   "converted_by": "scripts/vectors/rsa_jwe.py"},
        "notes": "Every test group whose private key is RSA, unchanged. paycrypt implements RSA-OAEP and RSA-OAEP-256 "
                 "with A128GCM/A192GCM/A256GCM: those valid cases must decrypt to pt; every invalid case, and every "
                 "case with another alg or enc (RSA1_5, A*CBC-HS*), must be rejected.",
        "keys": wy_keys,
        "cases": wy_cases,
    })


if __name__ == "__main__":
    main()
