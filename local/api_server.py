"""The API under Chalice's local server (what `chalice local` runs), with these differences:

- the environment of `make run` wins over the local stage's defaults in
  ``.chalice/config.json`` (`chalice local` writes the stage's values over ``os.environ``);
- a request for an unknown route answers 404 in the project's JSON error shape, as the
  deployed API Gateway does with its gateway response (Chalice local says 403, and with an
  ``Authorization`` header echoes that header back);
- TRACE and QUERY reach the app (a JSON 405) instead of http.server's HTML 501;
- each response leaves in one send, so kept-alive connections do not stall (see
  ``RequestHandler``).

    python -m local.api_server        # PORT (8000) from the environment
"""

from __future__ import annotations

import contextlib
import json
import os
from http.server import BaseHTTPRequestHandler

from chalice.local import (
    ChaliceRequestHandler,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    RouteMatcher,
    ThreadedHTTPServer,
)

from chalice_config import stage_environment
from local.paths import REPO_ROOT

_UNKNOWN_ROUTE = json.dumps(
    {"error": {"code": "not_found", "message": "No such route; see the README for the API."}}
).encode()


def apply_stage_defaults(stage: str = "local") -> None:
    """Fill ``os.environ`` from the stage's config, never overwriting what is already set."""
    for name, value in stage_environment(stage).items():
        os.environ.setdefault(name, value)


class Gateway(LocalGateway):
    # An unknown route is answered before Chalice's own answer is built: that one is a 403
    # which, when the request has an Authorization header, spells the header out (and fails
    # on a non-ASCII one). Never echo a credential.
    def __init__(self, app_object, config):
        super().__init__(app_object, config)
        self._routes = RouteMatcher(list(app_object.routes))

    def handle_request(self, method, path, headers, body):
        try:
            self._routes.match_route(path)
        except ValueError:
            return {
                "statusCode": 404,
                "headers": {
                    "Content-Type": "application/json",
                    "Cache-Control": "no-store",
                    "X-Content-Type-Options": "nosniff",
                },
                "multiValueHeaders": {},
                "body": _UNKNOWN_ROUTE,
            }
        return super().handle_request(method, path, headers, body)


class RequestHandler(ChaliceRequestHandler):
    # A response leaves in one send: http.server writes the headers, then the body, each
    # straight to the socket, and on a kept-alive connection Nagle's algorithm holds the
    # body until the client ACKs the headers, which it delays (40 ms per request on
    # Linux). Buffered writes (flushed once per response by ``handle_one_request``) send
    # headers and body together; no Nagle covers the responses larger than the buffer.
    wbufsize = -1
    disable_nagle_algorithm = True

    def __init__(self, request, client_address, server, app_object, config):
        # As ChaliceRequestHandler.__init__, with the gateway above: the base class handles
        # the request inside its __init__.
        self.local_gateway = Gateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_message(self, format, *args):
        pass  # the app writes one JSON line per request already

    # Methods http.server would answer with its own HTML 501: the app answers them as
    # it does any method a route does not declare (JSON 405 with an Allow header).
    do_TRACE = do_QUERY = ChaliceRequestHandler._generic_handle


class Server(ThreadedHTTPServer):
    # socketserver's backlog of 5 resets connections when a few dozen clients connect
    # at once (a browser's parallel fetches, `make bench`'s 32 clients).
    request_queue_size = 128


def serve(host: str, port: int) -> None:
    apply_stage_defaults()
    # Imported only now: the app reads its settings from the environment at import.
    from chalice.cli.factory import CLIFactory

    config = CLIFactory(str(REPO_ROOT)).create_config_obj(chalice_stage_name="local")
    app = config.chalice_app

    # The server is threaded: give the app a thread-local current_request as chalice local does.
    class ThreadLocalApp(LocalChalice, type(app)):
        pass

    app.__class__ = ThreadLocalApp
    server = LocalDevServer(app, config, host, port, handler_cls=RequestHandler, server_cls=Server)
    print(f"API listening on http://{host}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    serve("127.0.0.1", int(os.environ.get("PORT", "8000")))
