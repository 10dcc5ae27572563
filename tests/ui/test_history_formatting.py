"""How the history lists word times, latencies, token counts and costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from playground.ui.history.formatting import (
    format_cost,
    format_latency,
    format_tokens,
    full_time,
    short_time,
)


def utc_stamp(local: datetime) -> str:
    return local.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_recent_times_read_as_today_and_yesterday() -> None:
    now = datetime(2026, 11, 22, 15, 0).astimezone()  # local time
    assert short_time(utc_stamp(now.replace(hour=14, minute=3)), now) == "Today 14:03"
    yesterday = now - timedelta(days=1)
    assert short_time(utc_stamp(yesterday.replace(hour=9, minute=12)), now) == "Yesterday 09:12"
    older = now - timedelta(days=2)
    assert short_time(utc_stamp(older.replace(hour=14, minute=3)), now) == "20 Nov 2026 14:03"


def test_full_time_names_the_day_and_the_utc_time() -> None:
    text = full_time("2026-11-22T10:11:12.345Z")
    local = datetime(2026, 11, 22, 10, 11, 12, tzinfo=UTC).astimezone()
    assert text.endswith("(2026-11-22 10:11:12 UTC)")
    assert f"{local:%H:%M:%S}" in text
    assert text.split()[0] in {"Saturday", "Sunday", "Monday"}  # the 22nd, give or take a zone


def test_unreadable_timestamps_are_shown_as_they_are() -> None:
    assert short_time("yesterday-ish") == "yesterday-ish"
    assert full_time("") == ""


@pytest.mark.parametrize(
    ("ms", "text"), [(None, "—"), (1234.0, "1.2 s"), (380.0, "0.4 s"), (95_400.0, "95 s")]
)
def test_latency(ms: float | None, text: str) -> None:
    assert format_latency(ms) == text


def test_tokens() -> None:
    assert format_tokens(1204, 356) == "1,204 → 356"
    assert format_tokens(12, None) == "12 → ?"
    assert format_tokens(12, 30, estimated=True) == "~12 → 30"
    assert format_tokens(None, None) == "—"


@pytest.mark.parametrize(
    ("cost", "text"),
    [(None, "—"), (0.0, "$0"), (0.00001, "<$0.0001"), (0.0031, "$0.0031"), (1.5, "$1.50")],
)
def test_cost(cost: float | None, text: str) -> None:
    assert format_cost(cost) == text
