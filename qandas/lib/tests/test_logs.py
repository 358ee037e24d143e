"""No name searched for is logged (security R28, T13): query strings are cut."""

import io
import logging

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.utils.log import ServerFormatter

from qandas.lib.logs import without_query
from qandas.test import Cast

CANARY = "Zhanargul Kanarybekova"


def test_a_request_line_is_logged_without_its_query_string(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """As the development server logs each request (bin/run): the path and status are
    kept, what was searched for is not."""
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)  # only its logging is used
    handler.request = None  # type: ignore[assignment]
    line = "GET /api/v1/people?q=Zhanargul%20Kanarybekova&birth_year=1990 HTTP/1.1"
    # The server's own handler (standard error) still writes the lines: read it here.
    (server,) = [
        h
        for h in logging.getLogger("django.server").handlers
        if isinstance(h.formatter, ServerFormatter)
    ]
    written = io.StringIO()
    before = server.setStream(written)  # type: ignore[attr-defined]
    try:
        with caplog.at_level(logging.INFO, logger="django.server"):
            handler.log_message('"%s" %s %s', line, "200", "512")
            handler.log_message('"%s" %s %s', line, "404", "12")
    finally:
        server.setStream(before)  # type: ignore[attr-defined]
    for text in (caplog.text, written.getvalue()):
        assert "Zhanargul" not in text and "1990" not in text
        assert '"GET /api/v1/people?… HTTP/1.1" 200 512' in text
        assert '"GET /api/v1/people?… HTTP/1.1" 404 12' in text


@pytest.mark.django_db
def test_searches_and_refusals_log_no_name(
    caplog: pytest.LogCaptureFixture, client: Client, cast: Cast
) -> None:
    """Through the API and the pages, with everything Django logs captured."""
    token = cast.token("coordinator")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    with caplog.at_level(logging.DEBUG):
        assert api.get("/api/v1/people", {"q": CANARY}, secure=True).status_code == 200
        api.get("/api/v1/people", {"q": CANARY, "birth_year": "abc"}, secure=True)
        api.get(f"/api/v1/nowhere?q={CANARY}", secure=True)  # a 404, logged as one
        client.force_login(cast.coordinator)
        client.get("/people/", {"q": CANARY}, secure=True)
    assert "Not Found" in caplog.text  # Django did log, and without the name
    assert "Zhanargul" not in caplog.text and "Kanarybekova" not in caplog.text


@pytest.mark.parametrize(
    "query",
    [
        "q=Ma'rufjon",  # curl sends quotes unencoded
        'q=Yerzhan"Zhumabekov',
        "city=karachi&q=O'Tolkynov",
        "q=Aidos Temirkhanov",  # a malformed request: a raw space, then a tab
        "q=Aidos\tOrazbekov",
        "q=a?b=Kanarybekova",
    ],
)
def test_the_whole_query_string_is_cut_whatever_it_holds(query: str) -> None:
    line = f"GET /api/v1/people?{query} HTTP/1.1"
    assert without_query(line) == "GET /api/v1/people?… HTTP/1.1"
    # As the server words a request it cannot parse (its line quoted by repr).
    refused = without_query(f"code 400, message Bad request syntax ({line!r})")
    assert refused.startswith("code 400, message Bad request syntax (")
    assert "/api/v1/people?… HTTP/1.1" in refused
    assert query.split("=")[-1][-4:] not in refused  # the name's end, after any quote


def test_only_the_query_string_is_cut() -> None:
    assert without_query("Not Found: /api/v1/nowhere") == "Not Found: /api/v1/nowhere"
    assert without_query("GET /people/?q=x") == "GET /people/?…"  # no protocol: to the end


def test_a_django_record_is_written_once() -> None:
    """Django's own console handler (DEBUG only) wrote each warning a second time beside
    the root's: a record of django.request reaches one handler, the root's."""
    reached = []
    logger: logging.Logger | None = logging.getLogger("django.request")
    while logger is not None:
        reached += logger.handlers
        logger = logger.parent if logger.propagate else None
    assert reached == logging.getLogger().handlers  # none on the way to the root
