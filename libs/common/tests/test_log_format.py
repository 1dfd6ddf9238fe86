"""The JSON log line: its timestamp stays exact while the formatter reuses the second."""

from __future__ import annotations

import logging

import orjson

from adscale_common.observability import JsonFormatter


def _line(formatter: JsonFormatter, created: float, **extra: object) -> dict[str, object]:
    record = logging.makeLogRecord({"name": "t", "levelno": 20, "levelname": "INFO", "msg": "m"})
    record.created, record.msecs = created, (created - int(created)) * 1000
    record.__dict__.update(extra)
    line: dict[str, object] = orjson.loads(formatter.format(record))
    return line


def test_each_line_carries_its_own_millisecond_utc_timestamp():
    formatter = JsonFormatter("svc")
    stamps = [
        _line(formatter, created)["ts"]
        for created in (1700000000.125, 1700000000.75, 1700000001.5, 1699999999.0)
    ]
    assert stamps == [
        "2023-11-14T22:13:20.125Z",
        "2023-11-14T22:13:20.750Z",
        "2023-11-14T22:13:21.500Z",
        "2023-11-14T22:13:19.000Z",
    ]


def test_extra_fields_are_kept_and_the_service_named():
    line = _line(JsonFormatter("svc"), 1700000000.0, status=200, method="GET")
    assert (line["service"], line["level"], line["status"], line["method"]) == (
        "svc",
        "info",
        200,
        "GET",
    )
