#!/usr/bin/env python3
"""A scripted HTTP server on loopback for output tests: it records every request it
receives and answers as its script says.

    http_sink.py --log requests.jsonl [--script script.json] [--port-file FILE]

It prints its port on the first line of stdout (and to --port-file) once it listens on
127.0.0.1.  Each request becomes one JSON line in the log, written and flushed before the
answer goes out:

    {"method": "POST", "path": "/hook", "query": "a=1", "headers": {"content-type": ...},
     "body": "<text, UTF-8 with U+FFFD for bad bytes>", "body_b64": "...", "time": 1.5}

Header names are lower-cased.  The script (JSON) picks answers by route, first match wins:

    {"routes": [{"path": "/hook", "method": "POST",
                 "responses": [{"status": 500}, {"status": 200, "body": {"ok": true}}]}],
     "default": {"status": 200, "body": "ok"}}

"path" matches a prefix of the request path; a route's responses are used in turn and the
last one repeats.  A response may have "delay" (seconds before answering), "headers" and a
"body" (a string is sent as is, anything else as JSON).  The server stops on SIGTERM.
"""
import argparse
import base64
import http.server
import json
import signal
import socketserver
import sys
import threading
import time

LOCK = threading.Lock()
START = time.time()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_handler(args, script):
    counters = {}

    def pick(method, path):
        for i, route in enumerate(script.get('routes', [])):
            if not path.startswith(route.get('path', '/')):
                continue
            if route.get('method') and route['method'] != method:
                continue
            responses = route.get('responses') or [{}]
            with LOCK:
                n = counters.get(i, 0)
                counters[i] = n + 1
            return responses[min(n, len(responses) - 1)]
        return script.get('default', {'status': 200, 'body': 'ok'})

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = 'HTTP/1.1'

        def log_message(self, *a):
            pass

        def handle_any(self):
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length else b''
            path, _, query = self.path.partition('?')
            entry = {
                'method': self.command, 'path': path, 'query': query,
                'headers': {k.lower(): v for k, v in self.headers.items()},
                'body': body.decode('utf-8', 'replace'),
                'body_b64': base64.b64encode(body).decode('ascii'),
                'time': round(time.time() - START, 6),
            }
            with LOCK:
                with open(args.log, 'a', encoding='utf-8') as out:
                    out.write(json.dumps(entry) + '\n')
                    out.flush()
            resp = pick(self.command, path)
            if resp.get('delay'):
                time.sleep(float(resp['delay']))
            payload = resp.get('body', '')
            ctype = 'text/plain'
            if not isinstance(payload, str):
                payload = json.dumps(payload)
                ctype = 'application/json'
            data = payload.encode('utf-8')
            self.send_response(int(resp.get('status', 200)))
            self.send_header('Content-Type', ctype)
            self.send_header('Content-Length', str(len(data)))
            for k, v in (resp.get('headers') or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--log', required=True)
    ap.add_argument('--script')
    ap.add_argument('--port-file')
    args = ap.parse_args()
    script = {}
    if args.script:
        with open(args.script, encoding='utf-8') as f:
            script = json.load(f)
    open(args.log, 'a').close()
    srv = Server(('127.0.0.1', 0), make_handler(args, script))
    port = srv.server_address[1]
    if args.port_file:
        with open(args.port_file + '.tmp', 'w') as f:
            f.write('%d\n' % port)
        import os
        os.rename(args.port_file + '.tmp', args.port_file)
    print(port, flush=True)
    signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(SystemExit(0)))
    try:
        srv.serve_forever()
    except SystemExit:
        pass


if __name__ == '__main__':
    sys.exit(main())
