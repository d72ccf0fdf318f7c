"""The API object: its routers, its one way to authenticate, its refusals, its document.

Served under ``/api/``; the OpenAPI document is ``/api/openapi.json``. There is no docs page:
ninja's Swagger UI loads its script from a CDN, which our Content-Security-Policy forbids and
offline machines cannot reach. Any OpenAPI viewer can read the document instead.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from cairn.api import errors
from cairn.api.auth import BearerToken
from cairn.api.endpoints import breaches, cases, multiagency, orders, vaults


class CairnAPI(NinjaAPI):
    def get_operation_id(self, operation: Any) -> str:
        # The view's own name (list_cases, link_by_code...), not ninja's module-path default.
        return str(operation.view_func.__name__)


api = CairnAPI(
    title="Cairn",
    version="1",
    description=(
        "Cases, the victim's consent to share, and protective orders (applications, orders, "
        "their terms, service, notification, breaches, court-made orders, the right to know, "
        "referrals), under the same access rules as the pages. "
        "Authenticate with a personal API token (`cairn api token create USERNAME --name "
        "NAME`) sent as `Authorization: Bearer <token>`. Anything you may not see is 404, "
        "exactly as if it did not exist. Reads of vault content need a `purpose` and are "
        "recorded in the victim's access log."
    ),
    openapi_url="/openapi.json",
    docs_url=None,
    urls_namespace="api",
    auth=BearerToken(),
)
api.add_router("/cases", cases.router)
api.add_router("/cases", orders.router)
api.add_router("/cases", breaches.router)
api.add_router("/cases", multiagency.router)
api.add_router("/vaults", vaults.router)
errors.install(api)
