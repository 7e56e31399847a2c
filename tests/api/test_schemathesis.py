"""Property-based run of EVERY operation in the OpenAPI schema (in-process ASGI): no 5xx, and
every JSON error has the ``{code, message, hint}`` shape.

Bounded: a few derandomised examples per operation. Operations that run whole engines (market
finder, policy scenarios, plan building) are included with small inputs so each call is quick:
the generated ``firms``/``draws``/``markets`` values are clamped before the call (the schema's
own bounds are tested elsewhere), and the workspace holds a small profile and BOM so that plan
building runs for real. Deleting operations run last so that they do not remove the records
the other operations are generated against.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings

from kaigai.api.app import create_app
from kaigai.core.config import Settings
from kaigai.storage import secrets
from tests.api.conftest import BOM

pytestmark = pytest.mark.slow
PROFILE = {
    "name": "Schema Test Works", "size": {"employees": 12},
    "products": [{"name": "fan", "hs": "841451", "bom_id": 1, "unit_value": 5000}],
    "preferences": {"target_markets": ["VNM"]},
}  # fmt: skip
SMALL = {"firms": 1000, "draws": 1, "markets": 1}  # query values clamped to keep calls quick


def _small(case: Any) -> None:
    query = case.query or {}
    for name, cap in SMALL.items():
        v = query.get(name)
        if isinstance(v, int) and not isinstance(v, bool) and v > cap:
            query[name] = cap


def test_no_server_errors_on_any_operation(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        secrets, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    app = create_app(settings)
    c = TestClient(app)
    r = c.post("/api/v1/auth/register", json={"email": "s@example.jp", "password": "long enough pw",
                                              "organisation": "S"})  # fmt: skip
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    c.post("/api/v1/workspaces", json={"organisation_id": 1, "name": "S"})
    assert c.post("/api/v1/workspaces/1/boms", json=BOM).status_code == 201
    assert c.put("/api/v1/workspaces/1/profile", json=PROFILE).status_code == 200
    key = c.post("/api/v1/auth/api-keys", json={"label": "st"}).json()["key"]
    # one-time preparations (market data, rule books) happen here, not inside a timed call
    assert c.get("/api/v1/markets", params={"hs": "848210"}).status_code == 200
    assert c.post("/api/v1/workspaces/1/plans/build", params={"markets": 1}).status_code == 201
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    ops = [result.ok() for result in schema.get_all_operations()]
    ops.sort(key=lambda op: op.method.upper() == "DELETE")  # deletions last
    n_schema = sum(
        1
        for item in app.openapi()["paths"].values()
        for m in item
        if m in {"get", "post", "put", "delete", "patch"}
    )
    failures: list[str] = []
    statuses: list[int] = []
    per_op: dict[str, int] = {}

    for op in ops:

        @given(case=op.as_strategy())
        @hsettings(max_examples=4, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case: Any) -> None:
            label = f"{case.method.upper()} {case.path}"
            _small(case)
            if label == "DELETE /api/v1/auth/api-keys/{key_id}":
                case.path_parameters["key_id"] = 1000 + int(case.path_parameters["key_id"]) % 1000
            response = case.call(headers={"Authorization": f"Bearer {key}"}, timeout=600)
            statuses.append(response.status_code)
            per_op[label] = per_op.get(label, 0) + 1
            if response.status_code >= 500:
                failures.append(f"{label} {case.formatted_path} {case.query} -> "
                                f"{response.status_code}: {response.text[:200]}")  # fmt: skip
            elif response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                body = response.json()
                if not {"code", "message", "hint"} <= set(body):
                    failures.append(f"{label}: error body {body}")

        run()
    app.state.kaigai.db.dispose()
    print(f"schemathesis: {len(per_op)} operations, {len(statuses)} calls, "
          f"{sum(200 <= s < 300 for s in statuses)} 2xx, {sum(400 <= s < 500 for s in statuses)} 4xx")  # fmt: skip
    assert failures == []
    assert len(ops) == len(per_op) == n_schema  # every operation in the schema, none excluded
    for must in ("GET /api/v1/markets", "POST /api/v1/workspaces/{workspace_id}/plans/build",
                 "POST /api/v1/policy/scenarios/{scenario_id}/run"):  # fmt: skip
        assert per_op[must] >= 2
    assert len(statuses) >= 2 * len(ops)  # generated calls, not just one per operation
    assert any(200 <= x < 300 for x in statuses) and any(400 <= x < 500 for x in statuses)
