"""The API's two pagination styles.

AdScale lists take ``offset``/``limit`` and answer ``{items, total, offset, limit}``;
audience-sync lists take ``page``/``page_size`` and answer ``{<noun>, total, page,
page_size}``. ``next_params`` says what to ask for next, or ``None`` after the last page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Style:
    key: str  # where the items are in a page
    paged: bool  # page/page_size rather than offset/limit

    def first(self, size: int) -> dict[str, int]:
        return {"page": 1, "page_size": size} if self.paged else {"offset": 0, "limit": size}

    def items(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = body[self.key]
        return items

    def next_params(self, body: dict[str, Any]) -> dict[str, int] | None:
        count = len(self.items(body))
        total = int(body["total"])
        if self.paged:
            page, size = int(body["page"]), int(body["page_size"])
            return None if count == 0 or page * size >= total else {"page": page + 1}
        offset = int(body["offset"]) + count
        return None if count == 0 or offset >= total else {"offset": offset}


OFFSET = Style("items", paged=False)


def pages(key: str) -> Style:
    return Style(key, paged=True)
