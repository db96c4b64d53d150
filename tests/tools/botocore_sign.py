"""tests/tools/botocore_sign.py — botocore's SigV4 Authorization header for a
recorded request (tls_capture.py's output), signing the same headers at the
same time with the same credentials.  Usage: botocore_sign.py CAPTURE REGION"""
import datetime
import json
import os
import sys
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

capture = json.load(open(sys.argv[1]))
region = sys.argv[2]
headers = {k.lower(): v for k, v in capture["headers"]}
auth = headers["authorization"]
signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
host = headers["host"]
request = AWSRequest(method=capture["method"], url=f"https://{host}{capture['path']}",
                     data=capture["body"].encode(),
                     headers={h: headers[h] for h in signed if h not in ("host", "x-amz-date")})
amz_date = headers["x-amz-date"]
when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"],
                    os.environ.get("AWS_SESSION_TOKEN") or None)
with mock.patch("botocore.auth.datetime") as dt:
    dt.datetime.utcnow.return_value = when
    dt.datetime.now.return_value = when
    dt.timezone = datetime.timezone
    SigV4Auth(creds, "dynamodb", region).add_auth(request)
print(request.headers["Authorization"])
print(";".join(sorted(signed)))
