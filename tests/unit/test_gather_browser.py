"""The Tab and BrowserSession bookkeeping, on fake Playwright objects: no browser is launched."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.unit.evidence_factory import browser_modules


@pytest.fixture(scope="module")
def browser() -> Iterator[ModuleType]:
    with browser_modules("evaluator.browser") as (module,):
        yield module


class FakePage:
    def __init__(self, opener: Callable[[], Any] | None = None) -> None:
        self.handlers: dict[str, Callable[..., Any]] = {}
        self.closed = False
        self._opener = opener

    def on(self, event: str, handler: Callable[..., Any]) -> None:
        self.handlers[event] = handler

    async def opener(self) -> Any:
        return self._opener() if self._opener else None

    async def close(self) -> None:
        self.closed = True


class FakeDialog:
    def __init__(self, kind: str, message: str, fail: bool = False) -> None:
        self.type, self.message, self.fail = kind, message, fail
        self.dismissed = False

    async def dismiss(self) -> None:
        if self.fail:
            raise RuntimeError("Target page, context or browser has been closed")
        self.dismissed = True


class FakeRequest:
    def __init__(self, url: str) -> None:
        self.url, self.resource_type = url, "document"
        self.failure: str | None = None


# -- selectors built from page data ----------------------------------------------------------------


@pytest.mark.parametrize(("value", "css"), [
    ("q", '"q"'),
    ('tu"khoa', '"tu\\"khoa"'),
    ("a\\b", '"a\\\\b"'),
    ("từ khóa", '"từ khóa"'),
    ("x\ny", '"x\\a y"'),
    ("nul\0", '"nul\ufffd"'),
    ('"] , script', '"\\"] , script"'),
])
def test_css_string_escapes_what_could_end_the_string(browser: ModuleType, value: str, css: str) -> None:
    assert browser.css_string(value) == css


# -- dialogs --------------------------------------------------------------------------------------


def test_every_dialog_is_recorded_and_dismissed(browser: ModuleType) -> None:
    async def go() -> tuple[Any, list[FakeDialog]]:
        tab = browser.Tab(FakePage())
        dialogs = [FakeDialog("alert", "Xin chào " + "x" * 300), FakeDialog("confirm", "Rời trang?")]
        for dialog in dialogs:
            tab.page.handlers["dialog"](dialog)
        await asyncio.sleep(0)
        return tab, dialogs

    tab, dialogs = asyncio.run(go())
    assert tab.dialogs == ["alert: Xin chào " + "x" * 191, "confirm: Rời trang?"]
    assert all(d.dismissed for d in dialogs)
    assert not tab._pending


def test_a_failing_dismiss_is_logged_not_left_unretrieved(
    browser: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    async def go() -> Any:
        loop_errors: list[dict[str, Any]] = []
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: loop_errors.append(ctx))
        tab = browser.Tab(FakePage())
        tab.page.handlers["dialog"](FakeDialog("alert", "x", fail=True))
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        gc.collect()
        assert loop_errors == []
        return tab

    with caplog.at_level(logging.DEBUG, logger=browser.__name__):
        tab = asyncio.run(go())
    assert tab.dialogs == ["alert: x"] and not tab._pending
    assert "background browser task failed: Target page, context or browser has been closed" \
        in caplog.text


def test_dialog_notes_are_capped(browser: ModuleType) -> None:
    async def go() -> Any:
        tab = browser.Tab(FakePage())
        for i in range(80):
            tab.page.handlers["dialog"](FakeDialog("alert", str(i)))
        await asyncio.sleep(0)
        return tab

    assert len(asyncio.run(go()).dialogs) == 50


# -- network records ---------------------------------------------------------------------------------


def test_network_records_are_keyed_by_the_request_object(browser: ModuleType) -> None:
    async def go() -> list[dict[str, Any]]:
        tab = browser.Tab(FakePage())
        first, second = FakeRequest("https://a.vn/x.js"), FakeRequest("https://a.vn/x.js")
        tab.page.handlers["request"](first)
        tab.page.handlers["request"](second)
        second.failure = "net::ERR_FAILED"
        tab.page.handlers["requestfailed"](second)
        assert list(tab._records) == [first, second]
        return list(await tab.network())

    records = asyncio.run(go())
    assert [r["failure"] for r in records] == [None, "net::ERR_FAILED"]


# -- pop-ups -------------------------------------------------------------------------------------------


def test_popup_closing_tasks_are_kept_until_done_and_their_errors_retrieved(
    browser: ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_opener() -> Any:
        raise RuntimeError("opener exploded")

    async def go() -> tuple[Any, FakePage, FakePage]:
        session = browser.BrowserSession("/nonexistent/chromium")
        popup, ours, broken = FakePage(opener=lambda: object()), FakePage(), FakePage(broken_opener)
        for page in (popup, ours, broken):
            session._on_new_page(page)
        assert len(session._background) == 3  # referenced while running
        for _ in range(3):
            await asyncio.sleep(0)
        return session, popup, ours

    with caplog.at_level(logging.DEBUG, logger=browser.__name__):
        session, popup, ours = asyncio.run(go())
    assert popup.closed and not ours.closed
    assert not session._background
    assert "opener exploded" in caplog.text
