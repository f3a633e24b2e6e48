"""The REST API, version 1: one NinjaAPI with a router per bounded context."""

from __future__ import annotations

from ninja import NinjaAPI

from qudao.api.auth import SessionAuth, TokenAuth
from qudao.api.errors import install_error_handlers
from qudao.catalog.api import router as catalog_router
from qudao.finance.api import router as finance_router
from qudao.imports.api import router as imports_router
from qudao.inventory.api import router as inventory_router
from qudao.inventory.reorder_api import router as reorder_router
from qudao.parties.api import router as parties_router
from qudao.purchasing.api import router as purchasing_router
from qudao.purchasing.claim_api import router as purchasing_claims_router
from qudao.purchasing.payables.api import router as payables_router
from qudao.sales.api import router as sales_router
from qudao.sales.api_returns import router as sales_returns_router
from qudao.tenancy.api import router as tenancy_router

api = NinjaAPI(
    title="Qudao API",
    version="1",
    description=(
        "Channel management for distributors. Authenticate with `Authorization: Bearer <token>` "
        "(issue a token on the API tokens page) or with the page session. Errors always have "
        "the shape {code, message, fields}; money travels as decimal strings."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", tenancy_router)
api.add_router("/", parties_router)
api.add_router("/", catalog_router)
api.add_router("/", imports_router)
api.add_router("/", finance_router)
api.add_router("/", inventory_router)
api.add_router("/", reorder_router)
api.add_router("/", purchasing_router)
api.add_router("/", payables_router)
api.add_router("/", purchasing_claims_router)
api.add_router("/", sales_router)
api.add_router("/", sales_returns_router)
