"""A Python service calling lbflow with the official temporalio SDK: no lbflow code, only its contract.

It starts addServersToServerGroup by name on task queue "lbflow", queries its progress, reads the result, and reads
typed failures (the provider's and the workflow's own validation) from the ApplicationError's type and details,
never from the message. Prints one JSON line. Usage: python caller.py <temporal address>
"""

import asyncio
import json
import os
import sys

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

WORKFLOW = "addServersToServerGroup"
TASK_QUEUE = "lbflow"
PROJECT = "04dd36f964000fe22f9ac00bc85b1a1d"
POOL = "5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0001"
SUBNET = "61da8098-954b-4809-bc5a-b99ccef8a398"


def request(pool: str, servers: list) -> dict:
    return {
        "provider": "huawei-elb",
        "region": "cn-north-4",
        "projectId": PROJECT,
        "poolId": pool,
        "servers": servers,
        "options": {"pollIntervalSeconds": 0.5, "availabilityTimeoutSeconds": 60},
    }


def workflow_id(req: dict, key: str) -> str:
    # lbflow's own convention: lbflow/<provider>/<region>/<group>/<requestKey>
    return f"lbflow/{req['provider']}/{req['region']}/{req['poolId']}/{key}"


async def failure_of(client: Client, req: dict, key: str) -> dict:
    """Runs a request that must fail and returns its catalogue type and details."""
    try:
        await client.execute_workflow(WORKFLOW, req, id=workflow_id(req, key), task_queue=TASK_QUEUE)
    except WorkflowFailureError as error:
        cause = error.cause
        if not isinstance(cause, ApplicationError):
            raise
        return {"type": cause.type, "non_retryable": cause.non_retryable, "details": cause.details[0] if cause.details else None}
    raise AssertionError(f"{key} did not fail")


async def main(address: str) -> None:
    client = await Client.connect(address)
    # Servers of the simulated project's inventory (192.168.2.2 to .26), so they come up.
    members = [{"address": f"192.168.2.{i + 2}", "protocolPort": 8080, "subnetCidrId": SUBNET} for i in range(25)]
    ok = request(POOL, members)
    handle = await client.start_workflow(WORKFLOW, ok, id=workflow_id(ok, "python-caller"), task_queue=TASK_QUEUE)
    result = await handle.result()
    progress = await handle.query("progress")
    missing = await failure_of(client, request("5a6e7e5c-3b7a-4c1e-9d0b-2b6f4f0e0999", members[:1]), "python-missing-pool")
    invalid = await failure_of(client, request(POOL, [{"address": "192.168.2.200", "protocolPort": 70000, "subnetCidrId": SUBNET}]), "python-invalid")
    print(json.dumps({"workflowId": handle.id, "result": result, "progress": progress, "missing": missing, "invalid": invalid}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "localhost:7233"))
    # A short-lived client-only process can crash while the interpreter finalizes: the SDK's Rust runtime threads
    # outlive it (temporalio/sdk-python#300, open; here 1 exit in 6 was SIGSEGV after all output was written).
    # Leave without finalizing once the work is done; a failure above still raises and exits non-zero.
    sys.stdout.flush()
    os._exit(0)
