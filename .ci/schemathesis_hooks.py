"""Schemathesis hooks for sro-api (referenced from .ci/schemathesis.toml).

`cursor` is an opaque token the server issues in `next_cursor` and binds to the query that
issued it (API.md §2, §6: any other value is 400). No generator can produce one, so a generated
value is dropped; a real one (fed from `next_cursor`) is kept.

`Idempotency-Key` makes a second request with the same key and a different body a 422 by
contract (API.md §2): the answer depends on what was sent before, which no schema states. The
generator reuses short strings, so each generated key gets a unique suffix (still visible ASCII
within 255 characters): the header is exercised on every POST without chaining cases by accident.
"""
import base64
import itertools
import json

import schemathesis


def _issued_by_server(value) -> bool:
    try:
        text = str(value)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return set(json.loads(raw)) == {"t", "i", "q"}
    except Exception:
        return False


@schemathesis.hook
def map_case(context, case):
    if case.query and "cursor" in case.query and not _issued_by_server(case.query["cursor"]):
        case.query = {k: v for k, v in case.query.items() if k != "cursor"}
    if case.headers and "Idempotency-Key" in case.headers:
        key = str(case.headers["Idempotency-Key"])[:200]
        case.headers = {**case.headers, "Idempotency-Key": f"{key}~{next(_serial)}"}
    return case


_serial = itertools.count()
