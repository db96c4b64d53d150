"""tests/tools/tls_capture.py — a one-request HTTPS server for the SigV4 test:
it records the request's method, path, headers and body as JSON and answers
like DynamoDB's ListTables.  Usage: tls_capture.py CERT KEY PORTFILE OUTFILE"""
import http.server
import json
import ssl
import sys

cert, key, portfile, outfile = sys.argv[1:5]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(outfile, "w") as f:
            json.dump({"method": "POST", "path": self.path,
                       "headers": [[k, v] for k, v in self.headers.items()],
                       "body": body.decode()}, f)
        answer = b'{"TableNames":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
with open(portfile, "w") as f:
    f.write(str(server.server_address[1]))
server.handle_request()
