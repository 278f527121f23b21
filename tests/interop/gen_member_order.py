#!/usr/bin/env python3
"""Writes src/cli/output/member_order.json: the order of the members of every output shape of the
payment-cryptography, payment-cryptography-data and kms operations, from botocore's service models.

The AWS CLI prints a response's members in the order of its model (botocore builds the parsed response
shape by shape), whatever order the server sent; paycrypt's `--output json` follows the same table.
Rerun after a botocore update: target/venv/bin/python tests/interop/gen_member_order.py
"""
import gzip
import json
import os

import botocore

DATA = os.path.join(os.path.dirname(botocore.__file__), "data")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "cli", "output", "member_order.json")
SERVICES = {"payment-cryptography": "pc", "payment-cryptography-data": "pc", "kms": "kms"}


def model(service):
    folder = os.path.join(DATA, service)
    version = sorted(os.listdir(folder))[-1]
    with gzip.open(os.path.join(folder, version, "service-2.json.gz")) as f:
        return json.load(f)


def main():
    shapes, operations = {}, {}
    for service, api in SERVICES.items():
        m = model(service)
        prefix = service + "."

        def visit(name):
            key = prefix + name
            if key in shapes:
                return key
            shape = m["shapes"][name]
            if shape["type"] == "structure":
                shapes[key] = None
                shapes[key] = {"members": [[member, visit(spec["shape"])] for member, spec in shape["members"].items()]}
            elif shape["type"] == "list":
                shapes[key] = None
                shapes[key] = {"list": visit(shape["member"]["shape"])}
            elif shape["type"] == "map":
                shapes[key] = None
                shapes[key] = {"map": visit(shape["value"]["shape"])}
            else:
                return None
            return key

        for name, op in m["operations"].items():
            if "output" in op:
                operations[f"{api}.{name}"] = visit(op["output"]["shape"])
    with open(OUT, "w") as f:
        json.dump({"source": "botocore " + botocore.__version__ + " service models", "operations": operations,
                   "shapes": shapes}, f, indent=0, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
