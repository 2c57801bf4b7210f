"""Redshift Serverless test support: a client of one account, with helpers that wait for background work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from support import OWNER, Server, wait_for


class Serverless:
    """A redshift-serverless client of one account, with helpers that wait for background work."""

    def __init__(self, server: Server, account: str = OWNER) -> None:
        self.server = server
        self.account = account
        self.client = server.client(account, service="redshift-serverless")
        self.redshift = server.client(account)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def namespace(self, name: str = "ns1", **params: Any) -> dict:
        params.setdefault("adminUsername", "admin")
        params.setdefault("adminUserPassword", "Passw0rd1")
        return self.client.create_namespace(namespaceName=name, **params)["namespace"]

    def workgroup_status(self, name: str) -> str:
        return self.client.get_workgroup(workgroupName=name)["workgroup"]["status"]

    def wait_workgroup(self, name: str, status: str = "AVAILABLE") -> dict:
        wait_for(lambda: self.workgroup_status(name) == status)
        return self.client.get_workgroup(workgroupName=name)["workgroup"]

    def wait_namespace(self, name: str, status: str = "AVAILABLE") -> dict:
        wait_for(lambda: self.client.get_namespace(namespaceName=name)["namespace"]["status"] == status)
        return self.client.get_namespace(namespaceName=name)["namespace"]

    def namespace_with_workgroup(self, namespace: str = "ns1", workgroup: str = "wg1", **params: Any) -> dict:
        self.namespace(namespace, **params)
        self.client.create_workgroup(workgroupName=workgroup, namespaceName=namespace)
        return self.wait_workgroup(workgroup)

    def wait_snapshot(self, name: str, status: str = "AVAILABLE") -> dict:
        wait_for(lambda: self.client.get_snapshot(snapshotName=name)["snapshot"]["status"] == status)
        return self.client.get_snapshot(snapshotName=name)["snapshot"]

    def snapshot(self, name: str = "snap1", namespace: str = "ns1", **params: Any) -> dict:
        self.client.create_snapshot(namespaceName=namespace, snapshotName=name, **params)
        return self.wait_snapshot(name)

    def share(self, arn: str, *accounts: str) -> dict:
        return self.client.put_resource_policy(resourceArn=arn, policy=self.policy(*accounts))["resourcePolicy"]

    @staticmethod
    def error(call: Any, **params: Any) -> tuple[str, int, str]:
        """(code, HTTP status, message) of a call that must fail."""
        with pytest.raises(ClientError) as caught:
            call(**params)
        response = caught.value.response
        return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]

    def gone(self, call: Any, **params: Any) -> bool:
        try:
            call(**params)
        except ClientError as error:
            return error.response["Error"]["Code"] == "ResourceNotFoundException"
        return False

    def wait_for_gone(self, call: Any, **params: Any) -> bool:
        return wait_for(lambda: self.gone(call, **params))

    @staticmethod
    def policy(*accounts: str, action: str = "redshift-serverless:RestoreFromSnapshot", effect: str = "Allow") -> str:
        """The model's example policy: ``accounts`` may restore the snapshot into their namespaces."""
        return json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowUserRestoreFromSnapshot",
                "Principal": {"AWS": list(accounts)},
                "Action": [action],
                "Effect": effect,
            }],
        })
