"""Dates as Vietnamese users live them: "today" is today in Hà Nội, not on
the server's UTC clock (which is still yesterday until 07:00)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_today() -> date:
    return datetime.now(VIETNAM).date()


def utcnow() -> datetime:
    """Now, as stored: time-zone aware UTC."""
    return datetime.now(UTC)
