"""Is the API able to serve? One cheap read proves DynamoDB answers."""

from __future__ import annotations

from chalicelib import errors, models

_PROBE_KEY = "health-probe"


def check() -> dict[str, str]:
    try:
        models.User.get(_PROBE_KEY)
    except models.User.DoesNotExist:
        pass
    except Exception as exc:
        if errors.is_unavailable(exc):
            raise errors.ServiceUnavailable() from exc
        raise
    return {"status": "ok", "dynamodb": "ok"}
