"""A fault-injecting HTTP proxy on 127.0.0.1 in front of the test S3 server.

Every request is forwarded unchanged (the Host header too, so SigV4 signatures stay valid), except
that every ``every``-th one meets a fault instead: a 500 InternalError, a 503 SlowDown (S3's
throttling), a 429, a slow answer, or — for GETs, which clients may resend — a connection reset
before any answer. ``down=True`` answers every request with 503. Counts of what was injected are
kept for the report.
"""

from __future__ import annotations

import http.client
import itertools
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ("500", "503", "429", "slow", "reset")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class FaultyProxy:
    def __init__(self, upstream: str, every: int = 4, down: bool = False) -> None:
        self.upstream = urlsplit(upstream)
        self.every = every
        self.down = down
        self.injected: Counter[str] = Counter()
        self.forwarded = 0
        self._count = itertools.count(1)
        self._faults = itertools.cycle(FAULTS)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                fault = proxy._choose(self.command)
                if fault in ("500", "503", "429"):
                    code = {"500": "InternalError", "503": "SlowDown", "429": "SlowDown"}[fault]
                    payload = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
                    self.send_response(int(fault))
                    self.send_header("Content-Type", "application/xml")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    self.close_connection = True
                    return
                if fault == "slow":
                    threading.Event().wait(0.3)
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                self.send_response(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()
                with proxy._lock:
                    proxy.forwarded += 1

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _choose(self, method: str) -> str | None:
        with self._lock:
            if self.down:
                self.injected["503"] += 1
                return "503"
            if next(self._count) % self.every:
                return None
            fault = next(self._faults)
            if fault == "reset" and method not in ("GET", "HEAD"):
                fault = "503"
            self.injected[fault] += 1
            return fault

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
