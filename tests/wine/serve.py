"""Loopback HTTP server for .ci/wine-check: pprof-fetch.exe (under Wine) and pprof-fetch fetch from it.

    python3 serve.py DIR

Listens on 127.0.0.1 (a free port) and prints `listening on 127.0.0.1:PORT` once ready, like the Go
demo server. GET /debug/pprof/NAME answers with the bytes of DIR/NAME as net/http/pprof does
(application/octet-stream, Content-Disposition); an unknown NAME gets net/http/pprof's
`404 Unknown profile` with X-Go-Pprof. The query string is ignored.
"""

import http.server
import os
import sys

PREFIX = "/debug/pprof/"


class PprofLikeHandler(http.server.BaseHTTPRequestHandler):
    """Serves the files of the folder given on the command line under /debug/pprof/."""

    root = "."

    def do_GET(self):  # noqa: N802 (the name http.server dispatches to)
        path = self.path.split("?", 1)[0]
        name = path[len(PREFIX):] if path.startswith(PREFIX) else ""
        file = os.path.join(self.root, name)
        if name and "/" not in name and os.path.isfile(file):
            with open(file, "rb") as f:
                body = f.read()
            self.answer(200, body, "application/octet-stream",
                        {"Content-Disposition": f'attachment; filename="{name}"'})
        else:
            self.answer(404, b"Unknown profile\n", "text/plain; charset=utf-8", {"X-Go-Pprof": "1"})

    def answer(self, status, body, content_type, headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # quiet: the check prints its own results
        pass


def main():
    PprofLikeHandler.root = sys.argv[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PprofLikeHandler)
    print(f"listening on 127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
