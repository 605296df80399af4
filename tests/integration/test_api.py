"""The lead API over HTTP: authorisation, listing, one lead, export, override, erase."""

from __future__ import annotations

from typing import Any, Dict

import pytest
import requests

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.leads.transcripts import TranscriptStore
from bot.settings import load_settings
from bot.web.app import create_app
from tests.support.leads import RAJ, complete_conversation, with_email
from tests.support.stack import ApiServer
from tests.support.transcripts import write_conversations


@pytest.fixture(scope="module")
def leads(api_server: ApiServer) -> Dict[str, int]:
    """Three stored leads (cql, student, cql) and Raj's transcript; name → id."""
    store = LeadStore(make_session_factory(make_engine(api_server.database_url)), SystemClock())
    complete_conversation(store, "raj-1", RAJ)
    complete_conversation(store, "kim-1", {**with_email(RAJ, "kim@uni.example"), "use_case": "my thesis on chatbots"})
    complete_conversation(store, "eve-1", with_email(RAJ, "eve@fernhill.example"))
    write_conversations(api_server.tracker_database_url, {"raj-1": ["hi", "Raj <script>x</script>"], "kim-1": ["hey"]})
    items = requests.get(f"{api_server.base_url}/api/leads", headers=api_server.auth, timeout=10).json()["items"]
    return {item["email"].split("@")[0]: item["id"] for item in items}


def get(server: ApiServer, path: str, **kwargs: Any) -> requests.Response:
    kwargs.setdefault("headers", server.auth)
    return requests.get(server.base_url + path, timeout=10, **kwargs)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}],
)
def test_every_route_needs_the_token(api_server: ApiServer, leads: Dict[str, int], headers: Dict[str, str]) -> None:
    for method, path in [("GET", "/api/leads"), ("GET", f"/api/leads/{leads['raj']}"), ("DELETE", f"/api/leads/{leads['raj']}"),
                         ("GET", "/api/openapi.json"), ("POST", f"/api/leads/{leads['raj']}/status")]:  # fmt: skip
        response = requests.request(method, api_server.base_url + path, headers=headers, timeout=10)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"] == "unauthorised"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert get(api_server, f"/api/leads/{leads['raj']}").json()["erased_at"] is None  # nothing was erased


def test_the_list_pages_with_a_cursor_and_filters(api_server: ApiServer, leads: Dict[str, int]) -> None:
    first = get(api_server, "/api/leads", params={"limit": 2}).json()
    assert [item["email"] for item in first["items"]] == ["eve@fernhill.example", "kim@uni.example"]
    rest = get(api_server, "/api/leads", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [item["email"] for item in rest["items"]] == ["raj@fernhill.example"]
    assert rest["next_cursor"] is None
    statuses = {item["email"]: item["status"] for item in get(api_server, "/api/leads").json()["items"]}
    assert statuses == {"eve@fernhill.example": "cql", "kim@uni.example": "disqualified", "raj@fernhill.example": "cql"}
    only = get(api_server, "/api/leads", params={"email": " RAJ@fernhill.example", "since": "2020-01-01"}).json()
    assert [item["id"] for item in only["items"]] == [leads["raj"]]
    assert get(api_server, "/api/leads", params={"since": "2999-01-01T00:00:00Z"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"limit": "0"}, "limit"), ({"limit": "abc"}, "limit"), ({"limit": "201"}, "limit"),
        ({"status": "hot"}, "status"), ({"since": "last week"}, "since"), ({"cursor": "!!"}, "cursor"), ({"cursor": "12345678901"}, "cursor"),
        ({"emial": "x@y.z"}, "emial"), ({"email": "x" * 400}, "email"), ("status=cql&status=nurture", "more than once"),
    ],
)  # fmt: skip
def test_a_bad_parameter_is_a_400_that_names_it(api_server: ApiServer, params: Any, mentions: str) -> None:
    response = get(api_server, "/api/leads", params=params)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_parameter"
    assert mentions in response.json()["reason"]


def test_one_lead_has_answers_reasons_history_and_transcript(api_server: ApiServer, leads: Dict[str, int]) -> None:
    lead = get(api_server, f"/api/leads/{leads['raj']}").json()
    for field in ("id", "email", "name", "company", "role", "seniority", "company_size", "timeline_months", "budget",
                  "country", "status", "score", "reasons", "created_at", "updated_at", "meeting"):  # fmt: skip
        assert field in lead
    assert (lead["name"], lead["status"], lead["score"], lead["meeting"]) == ("Raj Patel", "cql", 75, None)
    assert sum(reason["points"] for reason in lead["reasons"]) == 75
    assert lead["answers"]["company"]["text"] == "Fernhill"
    assert [entry["cause"] for entry in lead["status_history"]] == ["scored"]
    assert [line["text"] for line in lead["transcript"]] == ["hi", "reply 0", "Raj <script>x</script>", "reply 1"]


@pytest.mark.parametrize(("path", "status"), [("/api/leads/999999", 404), ("/api/leads/abc", 400),
                                              ("/api/leads/0", 400), ("/api/leads/99999999999999999999", 404),
                                              ("/api/leads/" + "9" * 5000, 404), ("/api/leads/000", 400),
                                              ("/api/leads/1/nope", 404), ("/api/nothing", 404)])  # fmt: skip
def test_unknown_or_malformed_ids_are_json_4xx(api_server: ApiServer, path: str, status: int) -> None:
    response = get(api_server, path)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["reason"]


def test_a_wrong_method_is_a_json_405(api_server: ApiServer, leads: Dict[str, int]) -> None:
    response = requests.put(f"{api_server.base_url}/api/leads/{leads['raj']}", headers=api_server.auth, timeout=10)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_export_is_a_download_of_everything(api_server: ApiServer, leads: Dict[str, int]) -> None:
    response = get(api_server, f"/api/leads/{leads['raj']}/export")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="lead-{leads["raj"]}.json"'
    lead = response.json()["lead"]
    (conversation,) = lead["conversations"]
    assert conversation["sender_id"] == "raj-1"
    assert conversation["answers"]["work_email"]["raw_text"] == "raj@fernhill.example"
    assert len(conversation["transcript"]) == 4
    assert lead["policy_version"]


def test_an_override_is_checked_then_kept(api_server: ApiServer, leads: Dict[str, int]) -> None:
    url = f"{api_server.base_url}/api/leads/{leads['eve']}/status"
    post = lambda body, **kw: requests.post(url, data=body, headers=api_server.auth, timeout=10, **kw)  # noqa: E731
    assert post("{not json").status_code == 400
    assert post("[]").status_code == 400
    assert post('{"status": "hot", "actor": "ana"}').status_code == 422
    assert post('{"status": "nurture"}').json()["reason"].startswith("actor")
    assert post('{"status": "nurture", "actor": "ana", "extra": 1}').status_code == 422
    assert post('{"status": "nurture", "actor": "' + "a" * 20_000 + '"}').status_code == 413
    response = post('{"status": "nurture", "actor": "ana@cqlbot.example"}')
    assert response.status_code == 200
    assert response.json()["status"] == "nurture"
    history = response.json()["status_history"]
    assert (history[-1]["cause"], history[-1]["actor"]) == ("ae_override", "ana@cqlbot.example")


def test_erase_removes_personal_data_and_the_transcript(api_server: ApiServer, leads: Dict[str, int]) -> None:
    lead_id = leads["kim"]
    url = f"{api_server.base_url}/api/leads/{lead_id}"
    response = requests.delete(url, headers=api_server.auth, timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["conversations"], body["tracker_events_deleted"]) == (lead_id, 1, 3)
    assert TranscriptStore(make_engine(api_server.tracker_database_url)).messages(["kim-1"]) == {"kim-1": []}
    assert TranscriptStore(make_engine(api_server.tracker_database_url)).messages(["raj-1"])["raj-1"]  # others stay
    for path in (f"/api/leads/{lead_id}", f"/api/leads/{lead_id}/export"):
        gone = get(api_server, path)
        assert (gone.status_code, gone.json()["error"]) == (404, "erased")
    assert "kim@uni.example" not in get(api_server, "/api/leads").text
    again = requests.delete(url, headers=api_server.auth, timeout=10)
    assert (again.status_code, again.json()["erased_at"]) == (200, body["erased_at"])
    assert (
        requests.delete(f"{api_server.base_url}/api/leads/999999", headers=api_server.auth, timeout=10).status_code
        == 404
    )


def test_the_openapi_document_describes_every_route(api_server: ApiServer) -> None:
    spec = get(api_server, "/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    served = {
        ("/" + route.path).replace("<lead_id:str>", "{id}"): {m.lower() for m in route.methods}
        for route in create_app(load_settings({})).router.routes
        if route.path.startswith("api/")
    }
    assert {path: set(spec["paths"][path]) - {"parameters"} for path in spec["paths"]} == served
