"""Runs the AWS CLI with its clock stopped at FROZEN_NOW (YYYYMMDDTHHMMSSZ, UTC), so that
its presigned URLs and tokens can be compared byte for byte with inia's made at the same
second. Every reader of the current time the AWS CLI and its botocore use goes through
a `get_current_datetime` function; their code is replaced in place, so every module that
imported them sees the frozen clock."""
import os
import sys

import awscli.clidriver
import awscli.compat


def frozen(remove_tzinfo=True):
    now = datetime.datetime.strptime(
        __import__("os").environ["FROZEN_NOW"], "%Y%m%dT%H%M%SZ"
    )
    if remove_tzinfo:
        return now
    return now.replace(tzinfo=datetime.timezone.utc)


def patch(function):
    function.__code__ = frozen.__code__


patch(awscli.compat.get_current_datetime)
for name, module in list(sys.modules.items()):
    if name.endswith("botocore.compat") and hasattr(module, "get_current_datetime"):
        patch(module.get_current_datetime)

sys.exit(awscli.clidriver.main())
