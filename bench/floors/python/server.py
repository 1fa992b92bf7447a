"""floor-python-spawn: the dockerskeleton way at its cheapest.

A Python 3 HTTP server (standard library only) that runs the blackbox executable given as its
first argument once per /run through `subprocess`, the way the official dockerskeleton proxy does:
the params as the argument and on stdin, the __OW_* variables in the environment, the last line
of stdout as the result; the child's other output goes to this process's stdout and stderr,
followed by the two sentinel lines. HTTP/1.1 keep-alive with TCP_NODELAY (dockerskeleton's
Flask/gevent stack writes without TCP_NODELAY: a 40 ms delayed-ACK stall at one connection): the
floor is what the method costs, not what that stack adds. A thread per connection; the GIL is
released while a child runs.
"""

import json
import os
import socket
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SENTINEL = b"XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX\n"
MAX_BODY = (1 << 20) + (64 << 10)
ARGV_MAX = 131_071
NOT_A_DICTIONARY = b'{"error":"The action did not return a dictionary."}'
METADATA = ("activation_id", "action_name", "action_version", "namespace", "transaction_id",
            "api_key", "deadline")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    executable = ""

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # one line per request would drown the sentinels
        pass

    def reply(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            return self.reply(413, b'{"error":"Request body too large."}')
        body = self.rfile.read(length)
        if self.path == "/init":
            return self.reply(200, b'{"ok":true}')
        if self.path != "/run":
            return self.reply(404, b'{"error":"Not found."}')
        try:
            request = json.loads(body)
            params = json.dumps(request.get("value", {}), separators=(",", ":"))
        except (ValueError, AttributeError):
            return self.reply(400, b'{"error":"Request body is not valid JSON."}')
        env = {f"__OW_{key.upper()}": str(request[key]) for key in METADATA if key in request}
        timeout = None
        if "deadline" in request:
            timeout = min(max(0.001, int(request["deadline"]) / 1000 - time.time()), 86_400)
        argv = [self.executable] + ([params] if len(params.encode()) <= ARGV_MAX else [])
        try:
            done = subprocess.run(argv, input=params.encode(), capture_output=True, env=env,
                                  timeout=timeout, cwd=os.path.dirname(self.executable))
            lines = done.stdout.rstrip(b"\n").split(b"\n")
            result, logs = lines[-1], lines[:-1]
            sys.stdout.buffer.write(b"".join(line + b"\n" for line in logs))
            sys.stderr.buffer.write(done.stderr)
            status = 200 if result.startswith(b"{") else 502
            self.reply(status, result if status == 200 else NOT_A_DICTIONARY)
        except subprocess.TimeoutExpired:
            self.reply(502, b'{"error":"The action exceeded its time limits."}')
        sys.stdout.buffer.write(SENTINEL)
        sys.stdout.flush()
        sys.stderr.buffer.write(SENTINEL)
        sys.stderr.flush()


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: server.py <blackbox executable>\n")
        sys.exit(2)
    Handler.executable = os.path.abspath(sys.argv[1])
    server = ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Handler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
