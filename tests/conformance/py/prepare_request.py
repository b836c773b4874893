"""Print the request botocore would send for one call, without sending it.

Reads one JSON object on stdin: service, region, operation, params, time (RFC 3339,
UTC), env (variables set before the session is made), without_crt (hide the CRT,
so botocore signs SigV4 where SigV4a is also offered), endpoint_url (optional: the
client's) and unsigned (optional: no signing, as `--no-sign-request`). Credentials come
from env.
Writes one JSON object: method, url, headers (names lower-cased), body (base64), or
error (the exception's class and text) when botocore refuses the call.

The clock is fixed by replacing botocore's current-time helper in its signers, so a
signature computed here can be compared byte for byte with inia's.
"""

import base64
import datetime
import json
import os
import sys


class Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def main():
    spec = json.load(sys.stdin)
    for key, value in spec.get("env", {}).items():
        os.environ[key] = value
    fixed = datetime.datetime.strptime(spec["time"], "%Y-%m-%dT%H:%M:%SZ")
    if spec.get("without_crt"):
        # botocore without the CRT: SigV4 where an endpoint offers SigV4a and SigV4.
        sys.modules["awscrt"] = None

    def now(remove_tzinfo=True):
        if remove_tzinfo:
            return fixed
        return fixed.replace(tzinfo=datetime.timezone.utc)

    import botocore.auth
    import botocore.session
    from botocore import xform_name

    botocore.auth.get_current_datetime = now
    try:
        import botocore.crt.auth

        botocore.crt.auth.get_current_datetime = now
    except ImportError:
        pass

    session = botocore.session.get_session()
    config = None
    if spec.get("unsigned"):
        from botocore import UNSIGNED
        from botocore.config import Config

        config = Config(signature_version=UNSIGNED)
    client = session.create_client(
        spec["service"],
        region_name=spec["region"],
        endpoint_url=spec.get("endpoint_url"),
        config=config,
    )

    def capture(request, **kwargs):
        raise Captured(request)

    client.meta.events.register_first("before-send", capture)
    try:
        getattr(client, xform_name(spec["operation"]))(**spec.get("params", {}))
    except Captured as c:
        r = c.request
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        if hasattr(body, "read"):
            body = body.read()
        out = {
            "method": r.method,
            "url": r.url,
            "headers": {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in r.headers.items()},
            "body": base64.b64encode(body).decode(),
        }
    except Exception as e:  # botocore refused the call before sending
        out = {"error": type(e).__name__, "message": str(e)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
