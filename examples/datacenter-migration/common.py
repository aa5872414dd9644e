"""What the decider, the workers and run.py share: the client, the names,
registration."""

import boto3
from botocore.config import Config

WORKFLOW = {"name": "process-orders", "version": "1"}
ACTIVITY = {"name": "process-order", "version": "1"}
DECISIONS = "orders-decisions"
ORDERS = "orders"  # the one task list both worker pools poll


def client(endpoint):
    # Long polls last up to 60 s: the read timeout must outlast them.
    return boto3.client("swf", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="x",
                        config=Config(read_timeout=70, retries={"max_attempts": 2}))


def _ignore_exists(call, **kwargs):
    try:
        call(**kwargs)
    except Exception as e:  # DomainAlreadyExistsFault, TypeAlreadyExistsFault
        if "AlreadyExists" not in type(e).__name__ and "AlreadyExists" not in str(e):
            raise


def register(swf, domain):
    _ignore_exists(swf.register_domain, name=domain,
                   workflowExecutionRetentionPeriodInDays="1",
                   description="weft example: moving workers from a datacenter to a cloud")
    _ignore_exists(swf.register_workflow_type, domain=domain, **WORKFLOW,
                   defaultTaskList={"name": DECISIONS},
                   defaultExecutionStartToCloseTimeout="600",
                   defaultTaskStartToCloseTimeout="30", defaultChildPolicy="TERMINATE")
    _ignore_exists(swf.register_activity_type, domain=domain, **ACTIVITY,
                   defaultTaskList={"name": ORDERS},
                   defaultTaskScheduleToStartTimeout="300",
                   defaultTaskScheduleToCloseTimeout="600",
                   defaultTaskStartToCloseTimeout="60",
                   defaultTaskHeartbeatTimeout="NONE")
