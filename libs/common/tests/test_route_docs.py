"""The errors a service's OpenAPI document names: those its handlers and the gateway
answer on every operation of a kind, in its family's body, beside what a route says."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from adscale_common.internal_auth import CurrentJwtUserId, CurrentUserId
from adscale_common.route_docs import add_error_responses, install_error_docs

ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}


class Thing(BaseModel):
    name: str


def _app() -> FastAPI:
    router = APIRouter()

    @router.get("/api/v1/things/{thing_id}", responses={404: {"description": "THING_NOT_FOUND"}})
    async def get_thing(thing_id: uuid.UUID, user_id: CurrentJwtUserId) -> Thing:
        raise NotImplementedError

    @router.post("/api/v1/things")
    async def create_thing(thing: Thing, user_id: CurrentJwtUserId) -> Thing:
        raise NotImplementedError

    @router.get("/api/v1/cdp/things/{thing_id}")
    async def get_cdp_thing(thing_id: uuid.UUID, user_id: CurrentUserId) -> Thing:
        raise NotImplementedError

    @router.get("/api/v1/plans", openapi_extra={"security": []})
    async def plans() -> list[Thing]:
        raise NotImplementedError

    app = FastAPI()
    app.include_router(router)
    install_error_docs(app)
    return app


def _schema(responses: dict[str, Any], status: str) -> Any:
    return responses[status]["content"]["application/json"]["schema"]


def test_each_operation_names_the_errors_of_its_kind_in_its_familys_body():
    doc = _app().openapi()
    paths = doc["paths"]
    thing = paths["/api/v1/things/{thing_id}"]["get"]["responses"]
    assert {"400", "401", "404", "422", "429", "503"} <= set(thing)
    assert thing["404"]["description"] == "THING_NOT_FOUND"  # the route's own words kept
    assert all(_schema(thing, s) == DETAIL for s in ("400", "401", "404", "429", "503"))
    assert "HTTPValidationError" in str(_schema(thing, "422"))  # FastAPI's: that is the body

    created = paths["/api/v1/things"]["post"]["responses"]
    assert "401" in created and "404" not in created and "400" not in created  # no id

    cdp = paths["/api/v1/cdp/things/{thing_id}"]["get"]["responses"]
    assert all(_schema(cdp, s) == ENVELOPE for s in ("400", "401", "404", "422", "429"))

    public = paths["/api/v1/plans"]["get"]["responses"]
    assert "401" not in public and "429" in public

    schemas = doc["components"]["schemas"]
    assert schemas["ErrorEnvelope"]["required"] == ["error"]
    assert set(schemas["ErrorBody"]["required"]) == {"code", "message", "details"}
    assert schemas["ErrorDetail"]["required"] == ["detail"]


def test_adding_twice_changes_nothing():
    """The gateway adds them again to the merged document (for its own routes)."""
    doc = _app().openapi()
    before = repr(doc)
    assert repr(add_error_responses(doc)) == before


def test_a_422_a_route_names_gets_its_familys_field_list():
    router = APIRouter()

    @router.post("/api/v1/keys", responses={422: {"description": "Name refused"}})
    async def create_key(thing: Thing) -> Thing:
        raise NotImplementedError

    @router.post("/api/v1/cdp/keys", responses={422: {"description": "Name refused"}})
    async def create_cdp_key(thing: Thing) -> Thing:
        raise NotImplementedError

    app = FastAPI()
    app.include_router(router)
    install_error_docs(app)
    paths = app.openapi()["paths"]
    adscale = paths["/api/v1/keys"]["post"]["responses"]
    assert adscale["422"]["description"] == "Name refused"
    assert _schema(adscale, "422") == {"$ref": "#/components/schemas/HTTPValidationError"}
    assert _schema(paths["/api/v1/cdp/keys"]["post"]["responses"], "422") == ENVELOPE
