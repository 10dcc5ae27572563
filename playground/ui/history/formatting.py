"""How times, latencies, token counts and costs read in the history lists.

Stored times are UTC ISO-8601 strings (``2026-11-22T10:11:12.345Z``); the
lists show them in local time, in words for the two most recent days.
Month and day names are spelled out here rather than taken from
``strftime``, whose names follow the process locale that Qt sets at start-up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = [
    "format_cost",
    "format_latency",
    "format_tokens",
    "full_time",
    "parse_utc",
    "short_time",
]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS_LONG = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: What a missing number shows as.
MISSING = "—"


def parse_utc(stamp: str) -> datetime | None:
    """The moment a stored timestamp names (timezone-aware), or None if it is not one."""
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def short_time(stamp: str, now: datetime | None = None) -> str:
    """ "Today 14:03", "Yesterday 09:12" or "20 Nov 2026 14:03", in local time."""
    moment = parse_utc(stamp)
    if moment is None:
        return stamp
    when = moment.astimezone()
    today = (now or datetime.now(UTC)).astimezone().date()
    clock = f"{when:%H:%M}"
    if when.date() == today:
        return f"Today {clock}"
    if when.date() == today - timedelta(days=1):
        return f"Yesterday {clock}"
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year} {clock}"


def full_time(stamp: str) -> str:
    """The whole timestamp for a tooltip: local date and time, then UTC."""
    moment = parse_utc(stamp)
    if moment is None:
        return stamp
    when = moment.astimezone()
    utc = moment.astimezone(UTC)
    return (
        f"{_WEEKDAYS[when.weekday()]} {when.day} {_MONTHS_LONG[when.month - 1]} {when.year}, "
        f"{when:%H:%M:%S} ({utc:%Y-%m-%d %H:%M:%S} UTC)"
    )


def format_latency(ms: float | None) -> str:
    """Milliseconds as seconds: "1.2 s", "0.4 s", "95 s"."""
    if ms is None:
        return MISSING
    seconds = ms / 1000
    return f"{seconds:.1f} s" if seconds < 60 else f"{seconds:.0f} s"


def format_tokens(tokens_in: int | None, tokens_out: int | None, estimated: bool = False) -> str:
    """ "1,204 → 356", with "~" in front when the counts are estimates."""
    if tokens_in is None and tokens_out is None:
        return MISSING

    def count(n: int | None) -> str:
        return "?" if n is None else f"{n:,}"

    return ("~" if estimated else "") + f"{count(tokens_in)} → {count(tokens_out)}"


def format_cost(cost: float | None) -> str:
    """Dollars with as many decimals as a small amount needs: "$0.12", "$0.0031"."""
    if cost is None:
        return MISSING
    if cost == 0:
        return "$0"
    if cost < 0.0001:
        return "<$0.0001"
    if cost < 0.01:
        return f"${cost:.4f}"
    return f"${cost:.2f}"
