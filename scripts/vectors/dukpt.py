#!/usr/bin/env python3
"""Turns the extracted DUKPT vectors in ../shared/vectors/extracted into vectors/dukpt_*.json.

Usage: python3 scripts/vectors/dukpt.py [EXTRACTED_DIR]   (default: ../shared/vectors/extracted)

Output format (ours): one object with `source` (document + section, and the upstream file and commit the
values were copied from) and `cases`. Hex is upper case. Names follow the CLI: AES_128, TDES_2KEY,
DATA_ENCRYPTION, ... Values flagged by the carrier keep a `note`; nothing is dropped silently: the only
values left out are the carrier's own "hand crafted" TDES-CMAC values, which are not X9 values.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEY_TYPES = {"AES128": "AES_128", "AES192": "AES_192", "AES256": "AES_256", "2TDEA": "TDES_2KEY", "3TDEA": "TDES_3KEY"}
USAGES = {"PIN_ENCRYPTION": "PIN_ENCRYPTION", "MAC_GENERATION": "MAC_GENERATION", "DATA_ENCRYPT": "DATA_ENCRYPTION"}


def carrier(source):
    return f"{source['repo']} {source['path']} at commit {source['commit']}"


def up(h):
    return h.upper()


def tdes(src):
    cases = []
    for table, key in (("A.4.2", "initial_sequence_A_4_2"), ("A.4.3", "rollover_sequence_A_4_3")):
        for c in src[key]:
            cases.append({
                "table": table,
                "ksn": up(c["ksn"]),
                "transaction_key": up(c["transaction_key"]),
                "encrypted_pin_block": up(c["encrypted_pinblock"]),
                "mac_request": up(c["mac_request"]),
                "mac_response": up(c["mac_response"]),
                "encrypted_data_request": up(c["encrypted_txn_request"]),
            })
    return {
        "source": f"{src['standard']}; values as carried in {carrier(src['source'])}",
        "description": "TDES DUKPT (X9.24-1:2009) host and device known answers: IPEK, transaction keys, "
        "PIN, MAC and data-request results. Made by scripts/vectors/dukpt.py from "
        "shared/vectors/extracted/dukpt_tdes_x9_24_1_2009_annex_a4.json; the carrier's hand-crafted CMAC "
        "values (not X9 values) are left out.",
        "upstream": [src["source"]],
        "semantics": {
            "transaction_key": "the future key of the KSN before any variant",
            "encrypted_pin_block": "TDES-ECB under the PIN variant key of pin_block (ISO 9564 format 0)",
            "mac_request/mac_response": "ANSI X9.19 retail MAC (ISO 9797-1 algorithm 3, zero padding), leftmost "
            "4 bytes, of mac_data under the MAC request/response variant key",
            "encrypted_data_request": "TDES-CBC, IV zero, of mac_data zero-padded to 24 bytes under the data "
            "request key",
        },
        "bdk": up(src["bdk"]),
        "initial_ksn": up(src["initial_ksn"]),
        "ipek": up(src["ipek"]),
        "pin_block": up(src["pinblock_clear"]),
        "mac_data": src["txn_data_ascii"].encode().hex().upper(),
        "cases": cases,
    }


def aes(src):
    cases = []
    upstream = []
    for b in src["bdks"]:
        common = {
            "bdk_algorithm": KEY_TYPES[b["bdk_type"]],
            "bdk": up(b["bdk"]),
            "initial_key_id": up(b["initial_key_id"]),
            "initial_key": up(b["initial_key"]),
        }
        upstream.append(b["source"])
        for group in ("first_eight", "counters_0x1fffe_to_0x20001", "last_four"):
            for c in b[group]:
                case = dict(common, kind="transaction", ksn=up(c["ksn"]), counter=c["counter"],
                            intermediate_key=up(c["transaction_key"]))
                case["working_keys"] = [
                    {"usage": USAGES[w["key_usage"]], "key_type": KEY_TYPES[w["derived_key_type"]], "key": up(w["key"])}
                    for w in c.get("working_keys", [])
                ]
                if "encrypted_pinblock_iso4_aes128_pin_key" in c:
                    case["encrypted_pin_block"] = up(c["encrypted_pinblock_iso4_aes128_pin_key"])
                if c.get("commented_out_in_carrier"):
                    case["note"] = "invalid KSN: " + c["commented_out_in_carrier"]
                    case["valid"] = False
                else:
                    case["valid"] = True
                cases.append(case)
        upstream.append(b["update_keys"]["source"])
        for k in b["update_keys"]["keys"]:
            case = dict(common, kind="update_key", key_type=KEY_TYPES[k["derived_key_type"]], key=up(k["key"]))
            if k.get("commented_out_in_carrier"):
                case["note"] = "commented out in the carrier's test; kept as published"
            cases.append(case)
    pin = src["bdks"][0]["pin_block_iso4"]
    return {
        "source": f"{src['standard']}; values as carried in " + ", ".join(carrier(u) for u in upstream),
        "description": "AES DUKPT (X9.24-3:2017) host and device known answers: initial keys, intermediate "
        "keys, working keys, ISO 9564-4 PIN blocks, update keys. Made by scripts/vectors/dukpt.py from "
        "shared/vectors/extracted/dukpt_aes_x9_24_3_2017_supplement.json.",
        "upstream": upstream,
        "semantics": {
            "intermediate_key": "the intermediate derivation key of the KSN's counter (the supplement's "
            "transaction key)",
            "update_key": "key usage KEY_ENCRYPTION (0002) at the reserved counter FFFFFFFF",
            "encrypted_pin_block": "ISO 9564-1 format 4 under the AES_128 PIN_ENCRYPTION key: "
            "E(E(pin_field) XOR pan_field)",
        },
        "pin_field": up(pin["plain_pin_field"]),
        "pan_field": up(pin["plain_pan_field"]),
        "cases": cases,
    }


def main():
    extracted = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "vectors" / "extracted"
    outputs = {
        "dukpt_tdes_x9_24_1_2009.json": tdes(json.loads((extracted / "dukpt_tdes_x9_24_1_2009_annex_a4.json").read_text())),
        "dukpt_aes_x9_24_3_2017.json": aes(json.loads((extracted / "dukpt_aes_x9_24_3_2017_supplement.json").read_text())),
    }
    for name, data in outputs.items():
        path = ROOT / "vectors" / name
        path.write_text(json.dumps(data, indent=1) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(data['cases'])} cases")


if __name__ == "__main__":
    main()
