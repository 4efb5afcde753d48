"""`make run`'s HTTP server sends each response in one piece, so a kept-alive connection
does not wait on the client's delayed ACK between headers and body (Nagle's algorithm).
How long that wait is belongs to `make bench`; here, what causes it: the sends."""

import contextlib
import socket
import threading

from chalice import Chalice
from chalice.config import Config
from chalice.local import LocalDevServer

from local.api_server import RequestHandler, Server

REQUESTS_ON_ONE_CONNECTION = 3


class CountingSocket(socket.socket):
    """An accepted connection that notes every send the server makes on it."""

    def __init__(self, accepted: socket.socket) -> None:
        super().__init__(accepted.family, accepted.type, accepted.proto, fileno=accepted.detach())
        self.sends: list[bytes] = []

    def send(self, data, *flags):
        self.sends.append(bytes(data))
        return super().send(data, *flags)

    def sendall(self, data, *flags):
        self.sends.append(bytes(data))
        return super().sendall(data, *flags)


class CountingServer(Server):
    connections: list[CountingSocket]

    def get_request(self):
        accepted, address = super().get_request()
        connection = CountingSocket(accepted)
        self.connections.append(connection)
        return connection, address


@contextlib.contextmanager
def serving():
    app = Chalice(app_name="one-route")

    @app.route("/hello")
    def hello():
        return {"hello": "world"}

    config = Config.create(chalice_stage="local", app_name="one-route", chalice_app=app)
    CountingServer.connections = []
    server = LocalDevServer(
        app, config, "127.0.0.1", 0, handler_cls=RequestHandler, server_cls=CountingServer
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server
    finally:
        server.shutdown()
        thread.join(timeout=10)


def read_response(reader) -> bytes:
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        line = reader.readline()
        assert line, "the server closed the connection"
        head += line
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head + reader.read(length)


def test_each_response_on_a_kept_alive_connection_leaves_in_one_send_without_nagle():
    with serving() as server:
        with socket.create_connection(server.server_address, timeout=10) as client:
            reader = client.makefile("rb")
            responses = []
            for _ in range(REQUESTS_ON_ONE_CONNECTION):
                client.sendall(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
                responses.append(read_response(reader))
        (connection,) = server.connections
        nagle_off = connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

    assert all(response.startswith(b"HTTP/1.1 200") for response in responses)
    assert all(response.endswith(b'{"hello":"world"}') for response in responses)
    # One send per response, and each is a whole response: headers and body together.
    assert connection.sends == responses
    assert nagle_off
