"""moto's server as strata starts it: moto 5.2.5 with DynamoDB's isolation.

moto serves requests on threads. Its TransactWriteItems checks and writes
item by item and, when a condition fails, restores a copy of the whole table
taken when the transaction began, erasing what concurrent requests wrote in
between; a concurrent GetItem can see half a transaction. DynamoDB serialises
every transaction against every other read and write of its items (AWS,
"Isolation levels for DynamoDB transactions"), and code written for AWS
relies on it: the ACME scheduler-manager claims a schedule name with one
conditional transaction. So every DynamoDB request runs alone here. The other
services are left as moto serves them.

The file's name contains "moto_server": strata recognises its server process
by its command line.
"""

import sys
import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_one_dynamodb_request_at_a_time = threading.RLock()
_call_action = DynamoHandler.call_action


def _serialised_call_action(self):
    with _one_dynamodb_request_at_a_time:
        return _call_action(self)


DynamoHandler.call_action = _serialised_call_action

if __name__ == "__main__":
    sys.exit(main())
