"""A real S3-compatible server for the team-remote tests: moto's S3 served
one request at a time, so its conditional writes (If-Match, If-None-Match)
are atomic as on AWS. Prints `PORT <n>` once it listens.

    python3 s3_server.py [--fail-every N] [--delay-ms MS] [--bucket NAME ...]

--bucket creates a bucket before serving.

--fail-every N answers every Nth request 500 without passing it on: a
remote that errors half the time is --fail-every 2. --delay-ms holds every
answer that long: a slow remote.
"""

import argparse
import itertools
import sys
import time

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.test import Client


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def misbehaving(app, n, delay_ms):
    counter = itertools.count(1)

    def wrapped(environ, start_response):
        time.sleep(delay_ms / 1000)
        if n and next(counter) % n == 0:
            start_response("500 Internal Server Error", [("Content-Type", "application/xml")])
            return [b"<Error><Code>InternalError</Code><Message>injected</Message></Error>"]
        return app(environ, start_response)

    return wrapped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fail-every", type=int, default=0)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--bucket", action="append", default=[])
    args = parser.parse_args()
    app = DomainDispatcherApplication(create_backend_app)
    server = make_server("127.0.0.1", 0, misbehaving(app, args.fail_every, args.delay_ms), threaded=False, request_handler=QuietHandler)
    port = server.socket.getsockname()[1]
    for bucket in args.bucket:
        answer = Client(app).put(f"/{bucket}", headers={"Host": f"127.0.0.1:{port}"})
        if answer.status_code != 200:
            sys.exit(f"creating bucket {bucket}: {answer.status_code} {answer.get_data(as_text=True)}")
    print(f"PORT {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
