"""``GET /healthz``: database, Redis and worker state for load balancers and operators."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Response
from sqlalchemy import text

from core.embedded_redis import started_by_serve
from core.presence import live_workers
from core.runtime import Runtime

CHECK_TIMEOUT_S = 3.0


async def _check_database(runtime: Runtime) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not healthy"; say which
        return {"ok": False, "backend": runtime.engine.dialect.name, "error": type(exc).__name__}
    return {"ok": True, "backend": runtime.engine.dialect.name}


async def _check_redis(runtime: Runtime) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await runtime.redis.ping()
    except Exception as exc:
        return {
            "ok": False,
            "embedded": _embedded(runtime),
            "error": type(exc).__name__,
        }
    return {"ok": True, "embedded": _embedded(runtime)}


def _embedded(runtime: Runtime) -> bool:
    return runtime.embedded_redis is not None or started_by_serve()


async def _check_workers(runtime: Runtime) -> dict[str, Any]:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            workers = await live_workers(runtime.redis, runtime.settings.queue_name)
    except Exception as exc:
        return {"ok": False, "count": 0, "error": type(exc).__name__}
    return {
        "ok": bool(workers),
        "count": len(workers),
        "in_process": runtime.settings.runs_in_process_worker,
    }


class HealthController(Controller):
    """Liveness and readiness in one answer: 200 when everything works, else 503."""

    path = "/healthz"
    tags = ["health"]
    opt = {"public": True}  # load balancers do not sign in

    @get("/", summary="Health of the database, Redis and the job workers")
    async def health(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        """Answer 200 when the database, Redis and at least one worker are up, else 503."""
        runtime: Runtime = request.app.state.runtime
        database, redis_state, workers = await asyncio.gather(
            _check_database(runtime), _check_redis(runtime), _check_workers(runtime)
        )
        ok = database["ok"] and redis_state["ok"] and workers["ok"]
        body = {
            "status": "ok" if ok else "unavailable",
            "database": database,
            "redis": redis_state,
            "workers": workers,
        }
        return Response(body, status_code=200 if ok else 503)
