"""The AWS services localshift serves, by botocore name, and which one a request is for.

A service is one registration: its botocore name (the model gives its protocol, its JSON
target prefix and the signing name its credential scope must carry), its operations
(API name -> ``handler(backend, ctx, params) -> dict``) and how to reach its backend.
The Redshift Data API is one such entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from localshift.protocol.json_protocol import target_prefix
from localshift.protocol.registry import protocol_of
from localshift.protocol.spec import service_model
from localshift.protocol.wire import Request, WireProtocol
from localshift.server import unserved
from localshift.server.auth import carries_signature
from localshift.server.runtime import Runtime
from localshift.services.data_api.operations import OPERATIONS as DATA_API_OPERATIONS
from localshift.services.data_api.operations import READS_BEYOND_THE_STORE as DATA_API_READS_BEYOND_THE_STORE
from localshift.services.redshift.operations import OPERATIONS as REDSHIFT_OPERATIONS
from localshift.services.redshift.operations import READS_BEYOND_THE_STORE as REDSHIFT_READS_BEYOND_THE_STORE
from localshift.services.serverless.operations import OPERATIONS as SERVERLESS_OPERATIONS
from localshift.services.serverless.operations import READS_BEYOND_THE_STORE as SERVERLESS_READS_BEYOND_THE_STORE
from localshift.services.sts.operations import OPERATIONS as STS_OPERATIONS

Handler = Callable[[Any, Any, dict[str, Any]], dict[str, Any]]
# Operations that only read state: AWS names them so. For a service whose reads depend only on
# the store and the clock they run on the event loop (they take microseconds) and their answers
# are kept (requests.py); every other operation writes (and waits for the disk) or may call the
# data plane, so it runs on a worker thread.
READ_PREFIXES = ("Describe", "List", "Get")


@dataclass(frozen=True)
class Service:
    name: str  # botocore's service name
    operations: Mapping[str, Handler]
    backend: Callable[[Runtime], Any]
    # Reads that touch more than the store (DescribeStorage measures the data plane; a service's
    # result files): they run on worker threads like any other operation, and no answer of theirs is kept.
    reads_beyond_the_store: frozenset[str] = frozenset()
    # Why each operation of the model it does not serve is not served (server/unserved.py).
    unserved: Mapping[str, str] = field(default_factory=dict)
    protocol: WireProtocol = field(init=False)
    signing_name: str = field(init=False)
    reads: frozenset[str] = field(init=False)
    # Operations the model marks unsigned (``authtype: none``): STS's AssumeRoleWithSAML and
    # AssumeRoleWithWebIdentity, which callers make before they have any credentials.
    unsigned: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        model = service_model(self.name)
        unknown = sorted(set(self.operations) - set(model.operation_names))
        if unknown:
            raise ValueError(f"{self.name} has no operations named {', '.join(unknown)}")
        object.__setattr__(self, "protocol", protocol_of(self.name))
        object.__setattr__(self, "signing_name", model.signing_name)
        reads = (name for name in self.operations
                 if name.startswith(READ_PREFIXES) and name not in self.reads_beyond_the_store)
        object.__setattr__(self, "reads", frozenset(reads))
        unsigned = (name for name in model.operation_names if model.operation_model(name).auth_type == "none")
        object.__setattr__(self, "unsigned", frozenset(unsigned))

    def is_unsigned_call(self, request: Request) -> bool:
        """Whether ``request`` carries no signature and names an operation that needs none."""
        return not carries_signature(request) and self.protocol.action_name(request) in self.unsigned

    def why_not_served(self, operation: str) -> str:
        return self.unserved.get(operation, "not built yet")


SERVICES = [
    Service("redshift", REDSHIFT_OPERATIONS, lambda runtime: runtime.redshift,
            reads_beyond_the_store=REDSHIFT_READS_BEYOND_THE_STORE, unserved=unserved.REDSHIFT),
    Service("redshift-serverless", SERVERLESS_OPERATIONS, lambda runtime: runtime.serverless,
            reads_beyond_the_store=SERVERLESS_READS_BEYOND_THE_STORE, unserved=unserved.SERVERLESS),
    Service("redshift-data", DATA_API_OPERATIONS, lambda runtime: runtime.data_api,
            reads_beyond_the_store=DATA_API_READS_BEYOND_THE_STORE),
    # Who the caller is, which Terraform's provider and scripts ask before they touch Redshift: no backend.
    Service("sts", STS_OPERATIONS, lambda runtime: None, unserved=unserved.STS),
]
# The service a SigV4 Authorization header's credential scope names: Credential=<key>/<date>/<region>/<service>/...
_SCOPE_SERVICE = re.compile(r"Credential=[^/,]*/[^/,]*/[^/,]*/([^/,]*)/")


class Router:
    """Which registered service a request is for, from its headers alone.

    A JSON request names its service in ``X-Amz-Target`` (``RedshiftServerless.ListNamespaces``);
    a body of JSON's content type naming no registered service is answered as the first JSON
    service would.  Everything else is a Query request (``Action=...``): for the Query service
    whose signing name its signature's credential scope names (``.../sts/aws4_request``: STS);
    an unsigned one for the Query service with an unsigned operation of its ``Action``
    (``AssumeRoleWithWebIdentity``: STS); else for the first Query service (Redshift).
    """

    def __init__(self, services: list[Service]) -> None:
        self.by_target = {
            target_prefix(service.name): service for service in services if service.protocol.name == "json"
        }
        self.default_json = next((s for s in services if s.protocol.name == "json"), None)
        self.default_query = next((s for s in services if s.protocol.name == "query"), None)
        if self.default_query is None:
            raise ValueError("no Query service is registered")
        self.by_signing_name = {
            service.signing_name: service for service in reversed(services) if service.protocol.name == "query"
        }
        self.by_unsigned_action = {
            name: service for service in reversed(services) if service.protocol.name == "query"
            for name in service.unsigned
        }

    def route(self, request: Request) -> Service:
        headers = request.headers
        target = headers.get("x-amz-target")
        if target is not None:
            service = self.by_target.get(target.partition(".")[0])
            if service is not None:
                return service
        if self.default_json is not None and headers.get("content-type", "").startswith("application/x-amz-json"):
            return self.default_json
        scope = _SCOPE_SERVICE.search(headers.get("authorization", ""))
        if scope is not None and scope.group(1) in self.by_signing_name:
            return self.by_signing_name[scope.group(1)]
        if self.by_unsigned_action and not carries_signature(request):
            # Only a request without a signature has its form read here, to find its Action.
            service = self.by_unsigned_action.get(self.default_query.protocol.action_name(request))  # type: ignore[union-attr]
            if service is not None:
                return service
        return self.default_query  # type: ignore[return-value]
