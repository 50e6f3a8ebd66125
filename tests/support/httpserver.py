#!/usr/bin/env python3
"""A small real HTTP server for the health-check tests (standard library only).

Prints its port on the first line of stdout, then serves until killed:
  /status/<code>[?body=TEXT]   answers <code> with TEXT (default "status <code>")
  /sleep/<seconds>             answers 200 after sleeping
  /flaky/<key>/<n>             answers 500 to the first <n> requests for <key>, then 200 "ok"
  /health/<name>               answers 500 when the file <state-dir>/fail-<name> exists, else 200 "ok <name>"
Each request is appended to <state-dir>/requests.log as "<path>".
"""
import argparse
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        with lock, open(os.path.join(self.server.state_dir, "requests.log"), "a") as log:
            log.write(path + "\n")
        parts = path.strip("/").split("/")
        query = urllib.parse.parse_qs(url.query)
        if parts[0] == "status" and len(parts) == 2:
            code = int(parts[1])
            self.answer(code, query.get("body", ["status %d" % code])[0])
        elif parts[0] == "sleep" and len(parts) == 2:
            time.sleep(float(parts[1]))
            self.answer(200, "slept")
        elif parts[0] == "flaky" and len(parts) == 3:
            with lock:
                counts[parts[1]] = counts.get(parts[1], 0) + 1
                seen = counts[parts[1]]
            self.answer(500 if seen <= int(parts[2]) else 200, "attempt %d" % seen if seen <= int(parts[2]) else "ok")
        elif parts[0] == "health" and len(parts) == 2:
            failing = os.path.exists(os.path.join(self.server.state_dir, "fail-" + parts[1]))
            self.answer(500 if failing else 200, "broken" if failing else "ok " + parts[1])
        else:
            self.answer(404, "no such test path")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state-dir", required=True)
    arguments = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.state_dir = arguments.state_dir
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
