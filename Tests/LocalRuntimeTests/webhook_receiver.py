"""A webhook receiver for WebhookEndToEndTests, and a check of what it received.

serve PORT_FILE LOG_FILE
    Listens on 127.0.0.1 (a port of the kernel's choosing, written to PORT_FILE once it is bound) and appends
    one JSON line per POST to LOG_FILE: {"path", "headers", "body" (base64), "status"}. The path says how it
    answers: /ok is always 200, /flaky is 500 on its first request and 200 after, /down is always 500.

verify
    Reads {"secret", "requests": [{"headers", "body"}]} on standard input and checks every request with the
    Standard Webhooks reference library (`standardwebhooks`), the one receivers are told to use; prints
    "N verified" or the first failure, and exits 1 on a failure.
"""

import base64
import os
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def serve(port_file, log_file):
    lock = threading.Lock()
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with lock:
                seen[self.path] = seen.get(self.path, 0) + 1
                count = seen[self.path]
                if self.path == "/ok":
                    status = 200
                elif self.path == "/flaky":
                    status = 500 if count == 1 else 200
                else:
                    status = 500
                record = {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": base64.b64encode(body).decode(),
                    "status": status,
                }
                with open(log_file, "a") as log:
                    log.write(json.dumps(record) + "\n")
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))

    os.rename(port_file + ".tmp", port_file)
    server.serve_forever()


def verify():
    from standardwebhooks.webhooks import Webhook

    request = json.load(sys.stdin)
    hook = Webhook(request["secret"])
    for i, r in enumerate(request["requests"]):
        try:
            hook.verify(base64.b64decode(r["body"]), r["headers"])
        except Exception as e:  # the library raises its own WebhookVerificationError
            print(f"request {i}: {type(e).__name__}: {e}")
            sys.exit(1)
    print(f"{len(request['requests'])} verified")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "verify":
        verify()
    else:
        sys.exit(f"unknown command {sys.argv[1]}")
