"""Raw HTTP for tests that send what no client would: any bytes, short bodies, odd headers."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

from support import Server

TIMEOUT = 30.0


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(server: Server, raw: bytes, *, half_close: bool = False, timeout: float = TIMEOUT) -> Reply | None:
    """Send raw bytes, read the whole reply. None if the server closed without answering."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        try:
            sock.sendall(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413) before reading everything we send
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise AssertionError(f"no answer within {timeout}s to {raw[:300]!r}") from None
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
            if time.monotonic() - started > timeout:
                raise AssertionError(f"answer took over {timeout}s")
    if not data:
        return None
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"no complete HTTP header in {data[:300]!r}"
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        assert len(body) == int(headers["content-length"]), "short body"
    return Reply(status, headers, body)


def http_request(method: str, target: bytes, headers: list[tuple[str, bytes]], body: bytes,
                 content_length: int | None = None) -> bytes:
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    for name, value in headers:
        lines.append(name.encode() + b": " + value)
    if method != "GET" or body:
        lines.append(b"Content-Length: " + str(len(body) if content_length is None else content_length).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
