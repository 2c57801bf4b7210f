"""Which AWS regions a service is offered in, for the destinations of cross-region snapshot copies.

localshift serves any region a request is signed for (each is a namespace of its own in the
store), but a copy names a destination: it must be a region where the service exists, in the
source region's partition (snapshots are not copied between aws, aws-cn and aws-us-gov).  The
list is botocore's endpoint data, so it follows the installed botocore.
"""

from __future__ import annotations

import functools

COMMERCIAL = "aws"


@functools.lru_cache(maxsize=None)
def _partitions(service: str) -> dict[str, str]:
    """Region -> partition, for every region botocore lists for ``service``."""
    # Imported here, on the first copy's check: a botocore session costs a server's start 75 ms.
    import botocore.session  # type: ignore[import-untyped]  # botocore ships no type hints

    session = botocore.session.get_session()
    return {
        region: partition
        for partition in session.get_available_partitions()
        for region in session.get_available_regions(service, partition)
    }


def is_copy_destination(service: str, source_region: str, destination: str) -> bool:
    """Whether snapshots of ``source_region`` may be copied to ``destination``: another region
    where ``service`` is offered, in the same partition (a source region botocore does not
    list counts as commercial)."""
    partitions = _partitions(service)
    if destination == source_region or destination not in partitions:
        return False
    return partitions[destination] == partitions.get(source_region, COMMERCIAL)
