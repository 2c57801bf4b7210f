"""The on-disk format of a snapshot manifest.

    b"LSSNAP01"                      magic
    u64 header length, header JSON   key, meta, packs[], entries[], sizes
    u64 n                            number of page references, then four arrays:
    u32[n] pack number               index into header["packs"]
    u64[n] offset in that pack
    u32[n] length (8192 except a file's last page)
    u32[n] CRC-32 of the page        what restore verifies (3.3 GB/s vs 1.3 for SHA-256)
    16-byte digest[n]                first 16 bytes of the page's SHA-256 (its identity)
    32 bytes                         SHA-256 of everything above

An entry is ``[name, type, mode, size, first_ref, ref_count, link]``; a file's
pages are references ``first_ref .. first_ref + ref_count - 1``.  Pages are
*identified* by SHA-256 (dedup must not confuse two pages) but *verified* by
CRC-32, like PostgreSQL's own backup manifests (CRC-32C): it catches any
corruption of up to 32 bits and anything else with odds of 2^-32 per page,
at a third of the cost.  Fixed-width arrays keep a 1 GB snapshot's 131,072 references at ~4 MB, loaded with four
``array.frombytes`` calls.
"""

from __future__ import annotations

import hashlib
import json
import operator
import struct
from array import array
from itertools import compress
from pathlib import Path

from .errors import SnapshotCorruptedError

PAGE = 8192
DIGEST = 16
MAGIC = b"LSSNAP01"


class Manifest:
    def __init__(self, header: dict, packs: array | None = None, offsets: array | None = None,
                 lengths: array | None = None, crcs: array | None = None,
                 digests: bytearray | None = None) -> None:
        self.header = header
        self.packs = packs if packs is not None else array("I")
        self.offsets = offsets if offsets is not None else array("Q")
        self.lengths = lengths if lengths is not None else array("I")
        self.crcs = crcs if crcs is not None else array("I")
        self.digests = digests if digests is not None else bytearray()

    def to_bytes(self) -> bytes:
        head = json.dumps(self.header, separators=(",", ":")).encode()
        body = b"".join([MAGIC, struct.pack("<Q", len(head)), head,
                         struct.pack("<Q", len(self.offsets)), self.packs.tobytes(),
                         self.offsets.tobytes(), self.lengths.tobytes(), self.crcs.tobytes(),
                         bytes(self.digests)])
        return body + hashlib.sha256(body).digest()

    @classmethod
    def from_bytes(cls, data: bytes, what: str) -> "Manifest":
        if len(data) < 56 or data[:8] != MAGIC:
            raise SnapshotCorruptedError(f"{what}: not a snapshot manifest")
        body, check = data[:-32], data[-32:]
        if hashlib.sha256(body).digest() != check:
            raise SnapshotCorruptedError(f"{what}: manifest checksum mismatch")
        (hlen,) = struct.unpack_from("<Q", body, 8)
        header = json.loads(body[16:16 + hlen])
        pos = 16 + hlen
        (n,) = struct.unpack_from("<Q", body, pos)
        pos += 8
        arrays = []
        for code, size in (("I", 4), ("Q", 8), ("I", 4), ("I", 4)):
            a = array(code)
            a.frombytes(body[pos:pos + n * size])
            pos += n * size
            arrays.append(a)
        digests = bytearray(body[pos:pos + n * DIGEST])
        if len(digests) != n * DIGEST or any(len(a) != n for a in arrays):
            raise SnapshotCorruptedError(f"{what}: truncated manifest")
        packs, offsets, lengths, crcs = arrays
        return cls(header, packs, offsets, lengths, crcs, digests)

    def run_starts(self) -> list[int]:
        """Where each run of references stored back to back in one pack starts,
        and ``n`` at the end (runs are what restores and the ledger handle)."""
        packs, offsets, n = self.packs, self.offsets, len(self.offsets)
        if not n:
            return [0]
        # Reference i+1 continues a run when it is in the same pack right after reference i.
        continues = map(operator.and_, map(operator.eq, packs[1:], packs),
                        map(operator.eq, offsets[1:], map(operator.add, offsets, self.lengths)))
        return [0, *compress(range(1, n), map(operator.not_, continues)), n]

    @staticmethod
    def read_header(path: Path) -> dict:
        """The header alone (for garbage collection): not checksum-verified."""
        with open(path, "rb") as f:
            start = f.read(16)
            if start[:8] != MAGIC:
                raise SnapshotCorruptedError(f"{path.name}: not a snapshot manifest")
            (hlen,) = struct.unpack_from("<Q", start, 8)
            return json.loads(f.read(hlen))

