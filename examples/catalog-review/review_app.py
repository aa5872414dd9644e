#!/usr/bin/env python3
"""The review app: a stand-in for a human review queue (python stdlib only).

The state machine's HTTP Task POSTs each item with its task token to
/reviews; the app checks the connection's API key, keeps the request in a
queue and answers 202 at once. Reviewers (reviewer.py) take the queued
reviews from GET /reviews/next and answer Step Functions themselves, with
SendTaskSuccess or SendTaskFailure and the task token.

    POST /reviews           {"taskToken", "item", "round", "batch", "execution"}
                            -> 202 {"reviewId", "queued"}; 401 without the
                            API key; 503 for the first --busy-first requests
                            (a queue warming up: the task's Retry covers it)
    GET  /reviews/next?wait=S  the oldest queued review (200), or 204 after
                            S seconds (at most 20) with none
    GET  /stats             {"received", "busy", "unauthorized", "queued", "taken"}

Prints `review app listening on http://HOST:PORT` once it listens.

    python3 examples/catalog-review/review_app.py --port 7071
"""

import argparse
import collections
import json
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class ReviewQueue:
    def __init__(self, busy_first):
        self.cond = threading.Condition()
        self.queue = collections.deque()
        self.busy_left = busy_first
        self.stats = {"received": 0, "busy": 0, "unauthorized": 0, "taken": 0}

    def submit(self, request):
        """Queues a review; None if the queue is (still) too busy."""
        with self.cond:
            if self.busy_left > 0:
                self.busy_left -= 1
                self.stats["busy"] += 1
                return None
            self.stats["received"] += 1
            review = dict(request, reviewId=uuid.uuid4().hex[:12])
            self.queue.append(review)
            self.cond.notify()
            return {"reviewId": review["reviewId"], "queued": len(self.queue)}

    def take(self, wait):
        with self.cond:
            self.cond.wait_for(lambda: self.queue, timeout=wait)
            if not self.queue:
                return None
            self.stats["taken"] += 1
            return self.queue.popleft()

    def snapshot(self):
        with self.cond:
            return dict(self.stats, queued=len(self.queue))


def make_handler(queue, key_header, api_key, quiet):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            if not quiet:
                sys.stdout.write("review app: %s\n" % (fmt % args))
                sys.stdout.flush()

        def reply(self, status, body=None, headers=()):
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if urlsplit(self.path).path != "/reviews":
                return self.reply(404, {"message": "no such resource"})
            if self.headers.get(key_header) != api_key:
                with queue.cond:
                    queue.stats["unauthorized"] += 1
                return self.reply(401, {"message": "missing or wrong %s" % key_header})
            try:
                request = json.loads(raw)
            except ValueError:
                return self.reply(400, {"message": "the body is not JSON"})
            if not isinstance(request, dict) or not request.get("taskToken") \
                    or not isinstance(request.get("item"), dict):
                return self.reply(400, {"message": "needs taskToken and item"})
            accepted = queue.submit(request)
            if accepted is None:
                return self.reply(503, {"message": "review queue is warming up"},
                                  [("Retry-After", "1")])
            self.reply(202, accepted)

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/stats":
                return self.reply(200, queue.snapshot())
            if url.path == "/reviews/next":
                try:
                    wait = min(float(parse_qs(url.query).get("wait", ["0"])[0]), 20.0)
                except ValueError:
                    return self.reply(400, {"message": "wait must be a number of seconds"})
                review = queue.take(max(wait, 0.0))
                return self.reply(200, review) if review else self.reply(204)
            self.reply(404, {"message": "no such resource"})

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7071, help="0: any free port")
    p.add_argument("--api-key-header", default="x-review-api-key")
    p.add_argument("--api-key", default="catalog-review-demo-key",
                   help="the key weft's connection sends (weft.config.json)")
    p.add_argument("--busy-first", type=int, default=0,
                   help="answer 503 to this many first review requests")
    p.add_argument("--quiet", action="store_true", help="no request log")
    args = p.parse_args()

    queue = ReviewQueue(args.busy_first)
    server = ThreadingHTTPServer((args.host, args.port),
                                 make_handler(queue, args.api_key_header, args.api_key,
                                              args.quiet))
    server.daemon_threads = True
    print("review app listening on http://%s:%d" % (args.host, server.server_address[1]),
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
