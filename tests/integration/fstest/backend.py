"""A portal behind httpd's mod_proxy, in-process: a threaded HTTP server on a free loopback port that
records every request it gets (path as sent, headers) and answers with answer(request) -> (status,
headers, body).

    b = Backend(lambda req: (200, {"Cache-Control": "public, max-age=600"}, b"page")).start()
    h.start(f"ProxyPass /portal/ {b.url}/portal/")
    ... b.requests[-1].path, b.requests[-1].headers["X-Foresatt-Role"]
    b.stop()
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .net import free_port


class Seen:
    def __init__(self, method, path, headers):
        self.method, self.path, self.headers = method, path, headers


class Backend:
    def __init__(self, answer):
        self.answer = answer
        self.requests = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None

    def start(self):
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                seen = Seen(self.command, self.path, self.headers)
                backend.requests.append(seen)
                status, headers, body = backend.answer(seen)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
