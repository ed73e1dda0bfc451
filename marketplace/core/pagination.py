"""The one pagination helper, for pages and the API alike."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from flask import request
from sqlalchemy import Select, func, select

from marketplace.core.extensions import db

T = TypeVar("T")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# ?page=99999999999999999999 would overflow the OFFSET: far pages are the last one allowed (empty).
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def requested_page() -> int:
    """The ``page`` query parameter of this request; junk means page 1."""
    return request.args.get("page", 1, type=int)


def clamp_page(page: int | None, per_page: int | None) -> tuple[int, int]:
    page = min(page, MAX_PAGE) if page and page > 0 else 1
    per_page = per_page if per_page and per_page > 0 else DEFAULT_PER_PAGE
    return page, min(per_page, MAX_PER_PAGE)


def paginate(statement: Select, page: int | None = None, per_page: int | None = None,
             scalars: bool = True) -> Page:
    """Run ``statement`` for one page and count all its rows. The statement
    must carry a total order (end with a unique key) so pages never overlap."""
    page, per_page = clamp_page(page, per_page)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    window = statement.limit(per_page).offset((page - 1) * per_page)
    rows = db.session.scalars(window).all() if scalars else db.session.execute(window).all()
    return Page(items=rows, page=page, per_page=per_page, total=total or 0)
