"""The key-page lane's 320 px render (issue 4) without a browser: the page loaded at 360 px is
resized, not navigated again, and only after the timings and the network were read."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.unit.evidence_factory import browser_modules, url


@pytest.fixture(scope="module")
def key_pages() -> Iterator[ModuleType]:
    with browser_modules("evaluator.gather.key_pages", "evaluator.browser") as modules:
        yield modules[0]


class FakePage:
    def __init__(self, log: list[Any]) -> None:
        self.log = log
        self.viewport_size: dict[str, int] | None = {"width": 360, "height": 740}

    async def set_viewport_size(self, size: dict[str, int]) -> None:
        self.log.append(("resize", size))
        self.viewport_size = size


class FakeTab:
    """Answers each script as a page of ``width`` px would; logs every call in order."""

    def __init__(self, log: list[Any], key_pages: ModuleType) -> None:
        self.log = log
        self.page = FakePage(log)
        self.scripts = key_pages.scripts

    async def goto(self, target: str, timeout_ms: float, wait_until: str = "load") -> Any:
        from evaluator.browser import NavResult

        self.log.append(("goto", target))
        return NavResult(200, target, "text/html")

    async def settle(self, ms: float) -> None:
        self.log.append(("settle", ms))

    async def settle_until_quiet(self, quiet_ms: float, cap_ms: float) -> Any:
        from evaluator.browser import SettleReport

        # Quiet after 120 ms: the rest of settle_ms is then waited for late shifts.
        self.log.append(("settle_until_quiet", quiet_ms, cap_ms))
        return SettleReport(120.0, True, True, True, int(cap_ms), int(quiet_ms))

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        width = self.page.viewport_size["width"] if self.page.viewport_size else 0
        if script == self.scripts.READ_TIMINGS:
            self.log.append("timings")
            return {"fcp_ms": 900.0}
        if script == self.scripts.MOBILE_LAYOUT:
            return {"scroll_width": 360, "client_width": 360, "viewport_meta": "width=device-width"}
        if script == self.scripts.MOBILE_RENDER:
            self.log.append(("render", width))
            # The catalogue table is 340 px wide: fits 360, overflows 320.
            return {"scroll_width": max(width, 340), "client_width": width, "tap_targets": 10,
                    "small_tap_targets": 1 if width == 320 else 0, "small_tap_samples": ["a"],
                    "text_chars": 100, "small_text_chars": 0}
        raise AssertionError("unexpected script")

    async def network(self) -> list[dict[str, Any]]:
        self.log.append("network")
        return [{"bytes": 1000, "failure": None}]

    async def screenshot(self, path: Path, full_page: bool = False) -> None:
        self.log.append(("shot", path.name))


def test_narrow_render_resizes_the_same_load_after_the_timings(
    key_pages: ModuleType, tmp_path: Path
) -> None:
    log: list[Any] = []

    async def new_tab() -> Any:
        async def close() -> None:
            log.append("close")
        return FakeTab(log, key_pages), close

    m = asyncio.run(key_pages.measure_key_page("catalogue", url("/tt"), new_tab, tmp_path,
                                               timeout_ms=1000, settle_ms=500, width=360))
    assert m.error is None
    assert [e for e in log if isinstance(e, tuple) and e[0] == "goto"] == [("goto", url("/tt"))]
    resize = log.index(("resize", {"width": 320, "height": 740}))
    assert log.index("timings") < resize and log.index("network") < resize
    assert log[resize + 1] == ("settle", 200)  # a re-layout, not the full settle again
    # Read once settled, and not before settle_ms (late shifts belong to the measure).
    assert log[1:3] == [("settle_until_quiet", 300, 5000), ("settle", 380.0)]
    assert m.settle is not None and m.settle.settled and m.settle.waited_ms == 120.0
    assert ("shot", "catalogue-320.jpg") in log
    assert m.timings.fcp_ms == 900.0 and m.transfer_bytes == 1000
    assert m.mobile is not None
    narrow, = (r for r in m.mobile if r.width == 320)
    wide, = (r for r in m.mobile if r.width == 360)
    assert (wide.scroll_width, wide.screenshot) == (360, "key/catalogue.jpg")
    assert (narrow.scroll_width, narrow.client_width) == (340, 320)
    assert narrow.small_tap_targets == 1 and narrow.screenshot == "key/catalogue-320.jpg"


def test_a_render_that_cannot_resize_records_its_error(
    key_pages: ModuleType, tmp_path: Path
) -> None:
    log: list[Any] = []

    class NoResize(FakeTab):
        def __init__(self, *a: Any) -> None:
            super().__init__(*a)

            async def broken(size: dict[str, int]) -> None:
                raise RuntimeError("Target closed")
            self.page.set_viewport_size = broken  # type: ignore[method-assign]

    async def new_tab() -> Any:
        async def close() -> None:
            pass
        return NoResize(log, key_pages), close

    m = asyncio.run(key_pages.measure_key_page("home", url("/"), new_tab, tmp_path,
                                               timeout_ms=1000, settle_ms=500, width=360))
    assert m.error is None and m.mobile is not None
    assert m.mobile[0].error is None
    assert m.mobile[1].width == 320
    assert m.mobile[1].error == "could not read: Target closed"
