"""tests/tools/ddb_fault_proxy.py — a loopback proxy in front of DynamoDB
(dynalite) that injects the failures a client must survive. The first time
it sees a BatchWriteItem body it answers, in turn, ThrottlingException, HTTP
500, part of the items back as UnprocessedItems, or
ProvisionedThroughputExceededException; the same body again passes through,
so every batch meets a fault and a client that retries always gets there.
Other operations pass through.

  ddb_fault_proxy.py UPSTREAM_PORT PORTFILE [MODE]
MODE: flaky (the cycle above, default), throttle (always throttled), slow
(each new body answered after 300 ms), drop (each new body: the connection
closed without an answer), record (no faults: every operation passes
through and its name is appended to PORTFILE.ops, one a line)."""
import socket
import time
import http.client
import http.server
import json
import sys
import threading

upstream_port = int(sys.argv[1])
portfile = sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "flaky"
lock = threading.Lock()
counter = {"n": 0, "faults": 0}
seen = set()
local = threading.local()


def upstream(headers, body):
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = local.conn = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    except (http.client.HTTPException, OSError):
        local.conn = None
        raise


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def fault(self, kind):
        with lock:
            counter["faults"] += 1
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{kind}",
                           "message": "injected by the test proxy"}).encode()
        self.answer(400, body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        if mode == "record":
            with lock, open(portfile + ".ops", "a") as ops:
                ops.write(target.rsplit(".", 1)[-1] + "\n")
        elif target.endswith("BatchWriteItem"):
            with lock:
                first = body not in seen
                seen.add(body)
                if first:
                    counter["n"] += 1
                step = counter["n"] % 4 + 1 if first else 0
            if mode == "slow" and first:
                time.sleep(0.3)
            if mode == "drop" and first:
                with lock:
                    counter["faults"] += 1
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if mode in ("slow", "drop"):
                step = 0
            if mode == "throttle" or step == 1:
                return self.fault("ThrottlingException")
            if step == 2:
                with lock:
                    counter["faults"] += 1
                return self.answer(500, b'{"__type":"InternalServerError","message":"injected"}')
            if step == 4:
                return self.fault("ProvisionedThroughputExceededException")
            if step == 3:
                req = json.loads(body)
                table, items = next(iter(req["RequestItems"].items()))
                if len(items) > 1:
                    keep, rest = items[: len(items) // 2], items[len(items) // 2:]
                    status, out = upstream(headers, json.dumps({"RequestItems": {table: keep}}).encode())
                    if status == 200:
                        with lock:
                            counter["faults"] += 1
                        out = json.dumps({"UnprocessedItems": {table: rest}}).encode()
                    return self.answer(status, out)
        status, out = upstream(headers, body)
        self.answer(status, out)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
