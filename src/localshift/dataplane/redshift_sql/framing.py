"""Cutting one direction of a PostgreSQL protocol stream into messages, without
copying what is only forwarded."""

from __future__ import annotations

import struct
from typing import Callable

LENGTH = struct.Struct("!I")
# What a message handler returns to stop the stream before its message: the message and
# everything after it wait until ``Framer.release``.
HOLD = b"hold"

Handler = Callable[[int, bytes, int, int], "bytes | None"]


class Framer:
    """Messages whose type is in ``whole`` are handed complete to ``handle(type, data,
    pos, length)``, which may return replacement bytes, None (forward as is) or ``HOLD``;
    the others are forwarded as they arrive, skipped by their length.  A handler may set
    ``whole``: it holds from the next message on."""

    __slots__ = ("whole", "handle", "partial", "skip", "held")

    def __init__(self, whole: frozenset[int], handle: Handler) -> None:
        self.whole = whole
        self.handle = handle
        self.partial = b""  # an incomplete message (or header) not forwarded yet
        self.skip = 0       # bytes still to come of a message being forwarded
        self.held: bytearray | None = None  # the stream from a held message on

    def feed(self, data: bytes) -> bytes:
        """What to forward of ``data`` now."""
        if self.held is not None:
            self.held += data
            return b""
        if self.partial:
            data, self.partial = self.partial + data, b""
        pos, end = 0, len(data)
        if self.skip:
            pos = min(self.skip, end)
            self.skip -= pos
        pieces: list | None = None
        start = 0
        whole, handle, unpack = self.whole, self.handle, LENGTH.unpack_from
        while pos < end:
            if end - pos < 5:
                self.partial, end = data[pos:], pos
                break
            typ = data[pos]
            length = unpack(data, pos + 1)[0] + 1
            if typ in whole:
                if end - pos < length:
                    self.partial, end = data[pos:], pos
                    break
                replacement = handle(typ, data, pos, length)
                whole = self.whole  # (a handler may change what is read whole from the next message on)
                if replacement is HOLD:
                    self.held, end = bytearray(data[pos:]), pos
                    break
                if replacement is not None:
                    if pieces is None:
                        pieces = []
                    pieces.append(data[start:pos])
                    pieces.append(replacement)
                    start = pos + length
            pos += length
        else:
            if pos > end:
                self.skip = pos - end
        if pieces is None:
            return data if end == len(data) else data[:end]
        pieces.append(data[start:end])
        return b"".join(pieces)

    def release(self) -> bytes:
        """Go on from the held message (whose handler is asked again)."""
        if self.held is None:
            return b""
        data, self.held = bytes(self.held), None
        return self.feed(data)
