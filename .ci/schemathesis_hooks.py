"""Schemathesis hooks for sro-api (referenced from .ci/schemathesis.toml).

`cursor` is an opaque token the server issues in `next_cursor` and binds to the query that
issued it (API.md §2, §6: any other value is 400). No generator can produce one, so a generated
value is dropped; a real one (fed from `next_cursor`) is kept.
"""
import base64
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
    return case
