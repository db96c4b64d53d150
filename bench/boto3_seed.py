#!/usr/bin/python3
"""Seed DynamoDB the way a Cruddur-style bin/ddb/seed script does: boto3's Table.batch_writer().

    /usr/bin/python3 bench/boto3_seed.py ENDPOINT REGION SEED_FILE...

SEED_FILE is in the BatchWriteItem RequestItems shape devenv takes:
{"Table": [{"PutRequest": {"Item": {"pk": {"S": "..."}, ...}}}, ...]}. The items are turned into
plain Python values (what such a script builds by hand) and written with one batch_writer per
table: 25 items per BatchWriteItem request, one request at a time, unprocessed items resent.
Credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY); dummy ones are
used when they are unset, which is all a local endpoint needs.

Prints the number of items and the elapsed milliseconds (the writes only; the caller times the
whole process).
"""
import json
import os
import sys
import time

import boto3
from boto3.dynamodb.types import TypeDeserializer


def main(argv):
    if len(argv) < 4:
        print("usage: boto3_seed.py ENDPOINT REGION SEED_FILE...", file=sys.stderr)
        return 64
    endpoint, region, files = argv[1], argv[2], argv[3:]
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")

    deserializer = TypeDeserializer()
    tables = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            request_items = json.load(f)
        for name, requests in request_items.items():
            items = [
                {k: deserializer.deserialize(v) for k, v in r["PutRequest"]["Item"].items()}
                for r in requests
            ]
            tables.append((name, items))

    dynamodb = boto3.resource("dynamodb", endpoint_url=endpoint, region_name=region)
    count = 0
    t0 = time.monotonic()
    for name, items in tables:
        table = dynamodb.Table(name)
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
                count += 1
    elapsed = (time.monotonic() - t0) * 1000
    print(f"boto3_seed: {count} items: {elapsed:.0f} ms (writes only)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
