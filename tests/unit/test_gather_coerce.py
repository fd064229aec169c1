"""What a page's own scripts hand back is coerced, never trusted: one hostile page costs its own
evidence at most (no browser: fake tabs stand in)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from evaluator.evidence import Form, FormInput, Link, Timings
from evaluator.gather import coerce
from tests.unit.evidence_factory import browser_modules, url

# -- timings -----------------------------------------------------------------------------------


def test_garbage_timings_become_none() -> None:
    raw = {"ttfb_ms": float("nan"), "fcp_ms": "garbage", "lcp_ms": True, "cls": -0.5,
           "dom_content_loaded_ms": {"valueOf": 3}, "load_ms": 1234, "extra": 1}
    assert coerce.timings_from(raw) == Timings(load_ms=1234.0)


@pytest.mark.parametrize("raw", [None, "1200", [1, 2], 42])
def test_timings_that_are_not_an_object_are_empty(raw: Any) -> None:
    assert coerce.timings_from(raw) == Timings()


def test_sane_timings_pass_through() -> None:
    raw = {"ttfb_ms": 80, "fcp_ms": 900.5, "lcp_ms": 1500.0, "cls": 0,
           "dom_content_loaded_ms": 1000, "load_ms": 1800}
    assert coerce.timings_from(raw) == Timings(ttfb_ms=80, fcp_ms=900.5, lcp_ms=1500, cls=0,
                                               dom_content_loaded_ms=1000, load_ms=1800)


@pytest.mark.parametrize(("value", "number"), [
    (3, 3.0), (0, 0.0), (2.5, 2.5), (-1, None), (float("inf"), None), (False, None), ("3", None),
])
def test_number_or_none(value: Any, number: float | None) -> None:
    assert coerce.number_or_none(value) == number


# -- links and forms ---------------------------------------------------------------------------


def test_links_that_do_not_validate_or_cannot_be_split_are_dropped() -> None:
    raw = [{"href": url("/a"), "text": "A", "context": "", "region": "main"},
           {"href": 42}, "not an object", {"href": url("/b"), "text": ["x"]},
           {"href": "http://[::1", "text": "hỏng"}, {"href": url("/c")}]
    assert [link.href for link in coerce.links_from(raw, 10)] == [url("/a"), url("/c")]
    assert coerce.links_from({"0": {"href": url("/a")}}, 10) == []
    assert len(coerce.links_from([{"href": url(f"/{i}")} for i in range(9)], 5)) == 5


def test_a_broken_form_is_dropped_and_the_others_keep_their_dom_index() -> None:
    raw = [{"index": 0, "inputs": "nope"},
           {"index": 1, "inputs": [{"name": "", "id": "o-tim", "type": "text"}]}]
    assert coerce.forms_from(raw, 50) == [Form(index=1, inputs=[FormInput(id="o-tim")])]


# -- gather_page on a fake tab -----------------------------------------------------------------


@pytest.fixture(scope="module")
def gather_modules() -> Iterator[list[ModuleType]]:
    with browser_modules("evaluator.gather.page", "evaluator.gather.key_pages",
                         "evaluator.browser", "evaluator.gather.scripts") as modules:
        yield modules


class FakeTab:
    """Answers each script the gatherer runs with whatever a hostile page could make it say."""

    def __init__(self, browser: ModuleType, scripts: ModuleType, answers: dict[str, Any]) -> None:
        self.nav = browser.NavResult(200, url("/doc-hai"), "text/html; charset=utf-8")
        self.scripts, self.answers, self.browser = scripts, answers, browser

    def reset_network(self) -> None:
        pass

    async def goto(self, target: str, timeout_ms: float, wait_until: str = "load") -> Any:
        if isinstance(self.answers.get("goto"), Exception):
            raise self.answers["goto"]
        return self.nav

    async def settle(self, ms: float) -> None:
        pass

    async def settle_until_quiet(self, quiet_ms: float, cap_ms: float) -> Any:
        return self.browser.SettleReport(0.0, True, True, True, int(cap_ms), int(quiet_ms))

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        name = next((n for n in ("EXTRACT_PAGE", "READ_TIMINGS", "MOBILE_LAYOUT")
                     if getattr(self.scripts, n) == script), "other")
        answer = self.answers.get(name)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def network(self) -> list[dict[str, Any]]:
        return [{"url": url("/doc-hai"), "resource_type": "document", "status": 200,
                 "bytes": 1000, "failure": None}]

    async def screenshot(self, path: Path, full_page: bool = False) -> None:
        pass

    async def content(self) -> str:
        return "<html></html>"


HOSTILE_EXTRACT = {
    "title": {"toString": "x"}, "lang": 7, "viewport_meta": None, "text": "Trang độc hại",
    "links": [{"href": url("/"), "text": "Trang chủ", "context": "", "region": "main"},
              {"href": "http://[::1", "text": "hỏng"}, None],
    "forms": [{"index": "zero"}],
}


def test_a_page_lying_about_everything_is_still_recorded(
    gather_modules: list[ModuleType], tmp_path: Path
) -> None:
    page_mod, _key, browser, scripts = gather_modules
    tab = FakeTab(browser, scripts, {"EXTRACT_PAGE": HOSTILE_EXTRACT,
                                     "READ_TIMINGS": {"fcp_ms": "garbage", "cls": "y", "load_ms": 900}})
    job = page_mod.PageJob(3, url("/doc-hai"), 1, "link", url("/"))
    page, _axe = asyncio.run(page_mod.gather_page(tab, job, tmp_path, timeout_ms=1000, settle_quiet_ms=0,
                                                  settle_cap_ms=0,
                                                  run_axe=False, screenshot=False))
    assert page.error is None and page.status == 200
    assert (page.title, page.lang, page.text) == ("", None, "Trang độc hại")
    assert page.links == [Link(href=url("/"), text="Trang chủ", region="main")]
    assert page.forms == []
    assert page.timings == Timings(load_ms=900)


@pytest.mark.parametrize("timings", [RuntimeError("performance is not a function"), "garbage"])
def test_unreadable_timings_cost_only_the_timings(
    gather_modules: list[ModuleType], tmp_path: Path, timings: Any
) -> None:
    page_mod, _key, browser, scripts = gather_modules
    tab = FakeTab(browser, scripts, {"EXTRACT_PAGE": {"title": "Trang", "links": []},
                                     "READ_TIMINGS": timings})
    job = page_mod.PageJob(1, url("/a"), 1, "link", None)
    page, _axe = asyncio.run(page_mod.gather_page(tab, job, tmp_path, timeout_ms=1000, settle_quiet_ms=0,
                                                  settle_cap_ms=0,
                                                  run_axe=False, screenshot=False))
    assert page.error is None and page.title == "Trang" and page.timings == Timings()


def test_a_read_out_that_is_not_an_object_is_a_page_error(
    gather_modules: list[ModuleType], tmp_path: Path
) -> None:
    page_mod, _key, browser, scripts = gather_modules
    tab = FakeTab(browser, scripts, {"EXTRACT_PAGE": ["not", "a", "dict"]})
    job = page_mod.PageJob(1, url("/a"), 1, "link", None)
    page, _axe = asyncio.run(page_mod.gather_page(tab, job, tmp_path, timeout_ms=1000, settle_quiet_ms=0,
                                                  settle_cap_ms=0,
                                                  run_axe=False, screenshot=False))
    assert page.status == 200 and page.error is not None
    assert page.error.startswith("could not read the page")


def test_failed_page_is_one_line(gather_modules: list[ModuleType]) -> None:
    page_mod = gather_modules[0]
    job = page_mod.PageJob(4, url("/x"), 2, "link", url("/"))
    page = page_mod.failed_page(job, ValueError("first line\nsecond line"))
    assert (page.id, page.url, page.final_url, page.status, page.depth) == (4, url("/x"), url("/x"), None, 2)
    assert page.error == "gathering failed: ValueError: first line"


# -- the key-page lane -------------------------------------------------------------------------


def test_the_lane_is_told_the_load_is_over_before_the_settle_and_the_read_outs(
    gather_modules: list[ModuleType], tmp_path: Path
) -> None:
    """The page's Lighthouse runs may start beside the settle (gather/run.py): ``loaded`` must
    be set once goto returns, before anything else; and set too when the load fails."""
    _page, key_pages, browser, scripts = gather_modules
    seen: list[tuple[str, bool]] = []

    class WatchedTab(FakeTab):
        async def goto(self, target: str, timeout_ms: float, wait_until: str = "load") -> Any:
            seen.append(("goto", loaded.is_set()))
            return await super().goto(target, timeout_ms, wait_until)

        async def settle(self, ms: float) -> None:
            seen.append(("settle", loaded.is_set()))

        async def settle_until_quiet(self, quiet_ms: float, cap_ms: float) -> Any:
            seen.append(("settle", loaded.is_set()))
            return await super().settle_until_quiet(quiet_ms, cap_ms)

    async def measure(answers: dict[str, Any]) -> Any:
        async def new_tab() -> Any:
            async def close() -> None:
                pass
            return WatchedTab(browser, scripts, answers), close

        return await key_pages.measure_key_page("home", url("/"), new_tab, tmp_path,
                                                timeout_ms=1000, settle_ms=0, width=360,
                                                loaded=loaded)

    loaded = asyncio.Event()
    asyncio.run(measure({"READ_TIMINGS": {"fcp_ms": 800}, "MOBILE_LAYOUT": {}}))
    assert seen[:2] == [("goto", False), ("settle", True)]
    loaded = asyncio.Event()
    failed = asyncio.run(measure({"goto": RuntimeError("Target crashed")}))
    assert failed.error == "measurement failed: RuntimeError: Target crashed"
    assert loaded.is_set()


def test_one_key_page_that_breaks_does_not_stop_the_lane(
    gather_modules: list[ModuleType], tmp_path: Path
) -> None:
    _page, key_pages, browser, scripts = gather_modules
    closed: list[str] = []
    good = {"READ_TIMINGS": {"fcp_ms": 800, "lcp_ms": "soon"},
            "MOBILE_LAYOUT": {"scroll_width": "wide", "client_width": 360, "viewport_meta": 5}}
    tabs = iter([
        FakeTab(browser, scripts, {"goto": RuntimeError("Target crashed\nstack")}),
        RuntimeError("no more contexts"),
        FakeTab(browser, scripts, good),
    ])

    async def new_tab() -> Any:
        tab = next(tabs)
        if isinstance(tab, Exception):
            raise tab

        async def close() -> None:
            closed.append("closed")
            raise RuntimeError("already closed")  # closing errors never end the lane

        return tab, close

    targets = [("home", url("/")), ("catalogue", url("/thu-tuc")), ("faq", url("/hoi-dap"))]
    results = asyncio.run(key_pages.measure_key_pages(targets, new_tab, tmp_path, timeout_ms=1000,
                                                      settle_ms=0, width=360))
    assert [r.role for r in results] == ["home", "catalogue", "faq"]
    assert results[0].error == "measurement failed: RuntimeError: Target crashed"
    assert results[1].error == "could not open a tab: no more contexts"
    faq = results[2]
    assert faq.error is None and faq.timings == Timings(fcp_ms=800)
    assert (faq.scroll_width, faq.client_width, faq.viewport_meta) == (None, 360, None)
    assert closed == ["closed", "closed"]
