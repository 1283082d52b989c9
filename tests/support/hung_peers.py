"""Peers that hang instead of failing, on loopback: one that answers a byte a second (every socket
read succeeds, so a per-read timeout never fires) and one that accepts and never answers."""

import socket
import threading
import time

# A complete, valid answer: a client patient enough gets it after len(ANSWER) seconds.
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class HangingServer:
    """Accepts every connection and reads the request; then sends ANSWER one byte every
    `seconds_per_byte`, or nothing at all when it is None. The first `prompt` requests are
    answered at once. Records when each request came."""

    def __init__(self, seconds_per_byte: float | None, prompt: int = 0):
        self.seconds_per_byte, self.prompt = seconds_per_byte, prompt
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # so the accept loop sees `stopping`
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.arrivals: list[float] = []  # time.monotonic() of each request read
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._hang, args=(connection,), daemon=True).start()

    def _hang(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)  # a push is one small request
            self.arrivals.append(time.monotonic())
            if len(self.arrivals) <= self.prompt:
                connection.sendall(ANSWER)
                return
            if self.seconds_per_byte is None:
                self.stopping.wait()
                return
            for byte in ANSWER:
                if self.stopping.wait(self.seconds_per_byte):
                    return
                connection.sendall(bytes([byte]))

    def __enter__(self) -> "HangingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        self.listener.close()


def trickling(prompt: int = 0) -> HangingServer:
    return HangingServer(seconds_per_byte=1.0, prompt=prompt)


def silent(prompt: int = 0) -> HangingServer:
    return HangingServer(seconds_per_byte=None, prompt=prompt)
