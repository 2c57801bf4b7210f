"""Which wire protocol each service speaks, as its botocore model says (metadata["protocol"]).

Serving a service of another protocol is adding its WireProtocol here."""

from __future__ import annotations

from localshift.protocol.json_protocol import JsonProtocol
from localshift.protocol.query import QueryProtocol
from localshift.protocol.spec import service_model
from localshift.protocol.wire import WireProtocol

PROTOCOLS: dict[str, WireProtocol] = {protocol.name: protocol for protocol in (QueryProtocol(), JsonProtocol())}


def protocol_of(service: str) -> WireProtocol:
    name = service_model(service).metadata["protocol"]
    protocol = PROTOCOLS.get(name)
    if protocol is None:
        raise ValueError(f"{service} speaks the {name} protocol, which localshift does not serve")
    return protocol
