"""Where compaction put the pages of a pack, and manifests rewritten to match.

A pack's live pages are copied in runs: each run is a byte range of the old
pack that now sits, unchanged and in the same order, at some offset of a new
pack.  A manifest's references are runs too (pages stored back to back), so
rewriting a manifest costs a few operations per run, not per page.
"""

from __future__ import annotations

import operator
from array import array
from bisect import bisect_left, bisect_right
from itertools import repeat

from .manifest import Manifest


class Relocation:
    """Byte ranges of one old pack and where each went (ascending, disjoint)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.packs: list[str] = []
        self.offsets: list[int] = []

    def add(self, start: int, end: int, pack: str, offset: int) -> None:
        """Bytes ``start..end`` of the old pack are now at ``offset`` of ``pack``."""
        if (self.ends and self.ends[-1] == start and self.packs[-1] == pack
                and self.offsets[-1] + start - self.starts[-1] == offset):
            self.ends[-1] = end  # continues the previous range on both sides
            return
        self.starts.append(start)
        self.ends.append(end)
        self.packs.append(pack)
        self.offsets.append(offset)

    def lookup(self, offset: int) -> tuple[int, str | None, int]:
        """For a page at ``offset`` of the old pack: up to which offset the
        answer holds, the new pack (None: not moved) and the offset shift."""
        k = bisect_right(self.starts, offset) - 1
        if k >= 0 and offset < self.ends[k]:
            return self.ends[k], self.packs[k], self.offsets[k] - self.starts[k]
        following = self.starts[k + 1] if k + 1 < len(self.starts) else 1 << 63
        return following, None, 0


def remap(man: Manifest, moves: dict[str, Relocation]) -> Manifest | None:
    """``man`` with its references to moved pages pointing at the copies (None:
    nothing of it moved)."""
    names = man.header["packs"]
    if not any(name in moves for name in names):
        return None
    new_names: list[str] = []
    number: dict[str, int] = {}
    packs, offsets = array("I"), array("Q")
    old_packs, old_offsets = man.packs, man.offsets
    starts = man.run_starts()
    changed = False
    for a, b in zip(starts, starts[1:]):
        name = names[old_packs[a]]
        relocation = moves.get(name)
        i = a
        while i < b:
            if relocation is None:
                j, target, shift = b, None, 0
            else:  # offsets rise within a run: find where this answer stops holding
                limit, target, shift = relocation.lookup(old_offsets[i])
                j = bisect_left(old_offsets, limit, i, b)
            dest = target or name
            n = number.get(dest)
            if n is None:
                n = number[dest] = len(new_names)
                new_names.append(dest)
            packs.extend(repeat(n, j - i))
            piece = old_offsets[i:j]
            offsets.extend(map(operator.add, piece, repeat(shift)) if shift else piece)
            changed = changed or target is not None
            i = j
    if not changed:
        return None
    return Manifest(dict(man.header, packs=new_names), packs, offsets, man.lengths, man.crcs,
                    man.digests)
