"""gather_portal's orchestration on a fake browser session: what survives which failure."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest

from evaluator.evidence import (
    EvidenceBundle,
    Form,
    FormInput,
    HomepageLayout,
    Page,
    TransportEvidence,
    load_bundle,
)
from evaluator.settings import Settings
from evaluator.targets import Target
from tests.unit.evidence_factory import (
    browser_modules,
    link,
    start_page,
    url,
    view_of,
    vocabulary,
)


@pytest.fixture(scope="module")
def mods() -> Iterator[list[ModuleType]]:
    with browser_modules("evaluator.gather.run", "evaluator.browser",
                         "evaluator.gather.journeys") as modules:
        yield modules


class FakeTab:
    def __init__(self) -> None:
        self.submitted: list[dict[str, Any]] = []
        self.closed = False
        self.dialogs_dismissed = 0

    async def close(self) -> None:
        self.closed = True


class FakeSession:
    """BrowserSession's surface as gather_portal uses it; nothing is launched."""

    instances: ClassVar[list[FakeSession]] = []

    def __init__(self, executable: str, extra_args: Any = (), *, fail_mobile_tabs: bool = False,
                 remote_debugging_port: int | None = None, persistent: bool = False,
                 driver_env: Any = None) -> None:
        self.version, self.playwright_version = "156.0", "1.65.2"
        self.connected = True
        self.popups_closed = 0
        self.popups_refused = 0
        self.blocked_navigations: list[str] = []
        self.blocked_navigation_count = 0
        self.confined: list[Any] = []
        # Nothing listens: the lane records Lighthouse as unavailable and goes on.
        self.debugging_port = None
        self.fail_mobile_tabs = fail_mobile_tabs
        self.opened: list[str] = []
        self.closed: list[str] = []
        FakeSession.instances.append(self)

    async def __aenter__(self) -> FakeSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        pass

    async def default_user_agent(self) -> str:
        return "Mozilla/5.0 Chrome/156"

    async def new_context(self, options: Any, user_agent: str) -> str:
        name = f"{'mobile' if options.mobile else 'desktop'}-{len(self.opened)}"
        self.opened.append(name)
        return name

    async def new_tab(self, context: str, init_script: str = "") -> FakeTab:
        if self.fail_mobile_tabs and context.startswith("mobile"):
            raise RuntimeError("Target page, context or browser has been closed")
        return FakeTab()

    async def confine(self, context: str, allowed: Any, timeout_ms: float,
                      enforcing: Any = None) -> None:
        self.confined.append(allowed)

    async def close_context(self, context: str) -> None:
        self.closed.append(context)

    async def fetch(self, context: str, target: str, timeout_ms: float,
                    max_bytes: int = 5_000_000) -> Any:
        from evaluator.browser import FetchResult

        return FetchResult(404, "")


SITE = {"/": ["/a", "/b"], "/a": [], "/b": []}


async def fake_gather_page(tab: Any, job: Any, evidence_dir: Path, **_kw: Any) -> tuple[Page, str]:
    path = job.url.removeprefix(url("/").rstrip("/")) or "/"
    if path == "/b":
        raise ValueError("1 validation error for Timings")
    return Page(id=job.id, url=job.url, final_url=job.url, status=200, depth=job.depth,
                found_via=job.found_via, content_type="text/html",
                links=[link(h) for h in SITE.get(path, [])]), "4.12.1"


@pytest.fixture
def run(mods: list[ModuleType], monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module = mods[0]
    FakeSession.instances.clear()
    monkeypatch.setattr(module, "find_chromium", lambda explicit=None: "/usr/bin/chromium")
    monkeypatch.setattr(module, "BrowserSession", FakeSession)
    monkeypatch.setattr(module, "gather_page", fake_gather_page)
    # The transport probes would ask the system resolver about the fictional host: no network.
    monkeypatch.setattr(module, "gather_transport", lambda start_url, settings: TransportEvidence(
        host="dichvucong.example.gov.vn", https_url=start_url, resolver="none",
        errors=["not gathered in unit tests"]))
    monkeypatch.setattr(module, "gather_layout", fake_gather_layout)
    return module


async def fake_gather_layout(new_tab: Any, page_url: str, *_a: Any) -> HomepageLayout:
    return HomepageLayout(url=page_url, final_url=page_url, status=200, menu_items=["Trang chủ"])


def gather(run: ModuleType, out: Path) -> EvidenceBundle:
    settings = Settings(max_pages=10, screenshots=False)
    result: EvidenceBundle = asyncio.run(run.gather_portal(
        Target(id="thu", start_url=url("/")), out / "thu" / "evidence", settings, vocabulary()))
    return result


def test_no_browser_leaves_the_previous_evidence_alone(
    mods: list[ModuleType], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run, browser = mods[0], mods[1]

    def missing(explicit: str | None = None) -> str:
        raise browser.BrowserNotFound("no Chromium found; tried: …")

    monkeypatch.setattr(run, "find_chromium", missing)
    evidence = tmp_path / "thu" / "evidence"
    evidence.mkdir(parents=True)
    (evidence / "bundle.json").write_text("{}", encoding="utf-8")
    with pytest.raises(browser.BrowserNotFound):
        gather(run, tmp_path)
    assert (evidence / "bundle.json").read_text(encoding="utf-8") == "{}"


def test_a_page_a_journey_and_the_key_page_lane_fail_alone(
    run: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def broken_search(*_a: Any, **_kw: Any) -> Any:
        raise KeyError("form")

    def broken_key_pages(*_a: Any, **_kw: Any) -> Any:
        raise RuntimeError("lane\nbroke")

    monkeypatch.setattr(run, "search_journey", broken_search)
    monkeypatch.setattr(run, "key_page_urls", broken_key_pages)
    (tmp_path / "thu" / "tmp").mkdir(parents=True)
    (tmp_path / "thu" / "tmp" / "someone-elses.txt").write_text("x", encoding="utf-8")
    result = gather(run, tmp_path)

    assert result.not_evaluated is None
    assert load_bundle(tmp_path / "thu" / "evidence") == result
    assert [(p.url, p.status, p.error) for p in result.pages] == [
        (url("/"), 200, None), (url("/a"), 200, None),
        (url("/b"), None, "gathering failed: ValueError: 1 validation error for Timings"),
    ]
    assert result.journeys.search is None
    assert result.journeys.status_lookup is not None  # the other journey still ran
    assert result.key_pages is None
    assert result.disabled["journeys.search"] == "the search journey failed: KeyError: 'form'"
    assert result.disabled["key_pages"] == "the key-page lane failed: RuntimeError: lane"
    assert result.errors == [result.disabled["journeys.search"], result.disabled["key_pages"]]
    assert (tmp_path / "thu" / "tmp" / "someone-elses.txt").exists()  # not ours to delete
    assert result.layout is not None and result.layout.menu_items == ["Trang chủ"]
    session = FakeSession.instances[0]
    assert sorted(session.closed) == sorted(session.opened)  # every context closed


def test_a_redirected_start_page_takes_one_slot(
    run: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async def redirecting(tab: Any, job: Any, evidence_dir: Path, **kw: Any) -> tuple[Page, str]:
        found, version = await fake_gather_page(tab, job, evidence_dir, **kw)
        if job.id == 0:
            found = found.model_copy(update={"final_url": url("/trang-chu")})
        return found, version

    monkeypatch.setattr(run, "gather_page", redirecting)
    settings = Settings(max_pages=2, screenshots=False)
    result = asyncio.run(run.gather_portal(Target(id="thu", start_url=url("/")),
                                           tmp_path / "thu" / "evidence", settings, vocabulary()))
    assert [p.url for p in result.pages] == [url("/"), url("/a")]


def test_mobile_context_is_closed_when_its_tab_cannot_open(run: ModuleType, tmp_path: Path) -> None:
    from evaluator.gather.key_pages import measure_key_page

    session = FakeSession("chromium", fail_mobile_tabs=True)
    opener = run._mobile_tab_opener(session, Settings(), "UA")
    measured = asyncio.run(measure_key_page("home", url("/"), opener, tmp_path, timeout_ms=1000.0,
                                            settle_ms=0, width=360))
    assert measured.error == "could not open a tab: Target page, context or browser has been closed"
    assert session.opened == session.closed == ["mobile-0"]


def test_without_a_debugging_port_lighthouse_is_recorded_missing_and_the_rest_completes(
    run: ModuleType, tmp_path: Path
) -> None:
    result = gather(run, tmp_path)
    assert result.key_pages is not None and result.key_pages[0].role == "home"
    # The templates the fake portal lacks are recorded as not found, with the reason.
    assert [k.role for k in result.key_pages[1:]] == ["catalogue", "service", "search_results",
                                                      "status_lookup", "faq"]
    assert all(k.url == "" and k.not_found for k in result.key_pages[1:])
    assert result.key_pages[0].lighthouse is None
    assert result.disabled["lighthouse"].startswith("Lighthouse could not run: the browser has "
                                                    "no remote-debugging port")
    assert result.persona is not None and result.persona.throttled.error is not None
    assert result.journeys.search is not None


# -- the journeys type into the box the evidence names ---------------------------------------


class JourneyTab(FakeTab):
    async def goto(self, target: str, timeout_ms: float, wait_until: str = "load") -> Any:
        from evaluator.browser import NavResult

        return NavResult(200, target, "text/html")

    async def submit_form(self, form_index: int, value: str, timeout_ms: float, *,
                          name: str = "", input_id: str = "") -> Any:
        from evaluator.browser import ActionResult, NavResult

        self.submitted.append({"form": form_index, "value": value, "name": name, "id": input_id})
        return ActionResult(NavResult(None, url("/"),
                                      error=f"could not type into id={input_id!r}: timeout"),
                            "none", "")

    async def settle_until_quiet(self, quiet_ms: float, cap_ms: float) -> Any:
        from evaluator.browser import SettleReport

        return SettleReport(0.0, True, True, True, int(cap_ms), int(quiet_ms))

    async def evaluate(self, script: str, arg: Any = None) -> Any:
        return {}


def test_search_types_into_an_id_only_box_and_reports_when_it_cannot(
    mods: list[ModuleType],
) -> None:
    journeys = mods[2]
    form = Form(index=1, role="search", submit_text="Tìm kiếm", inputs=[
        FormInput(name="csrf", type="hidden"), FormInput(name="", id="o-tim", type="search")])
    other = Form(index=0, text="Đăng nhập", inputs=[FormInput(name="user", type="text")])
    view = view_of(start_page(forms=[other, form]))
    tabs: list[JourneyTab] = []

    async def new_tab() -> JourneyTab:
        tabs.append(JourneyTab())
        return tabs[-1]

    result = asyncio.run(journeys.search_journey(view, new_tab, ["khai sinh"],
                                                 journeys.JourneyLimits(timeout_ms=1000.0)))
    assert tabs[0].submitted == [{"form": 1, "value": "khai sinh", "name": "", "id": "o-tim"}]
    assert result.form_index == 1
    assert result.runs[0].error == "could not type into id='o-tim': timeout"
    assert all(tab.closed for tab in tabs)


def test_the_lane_hook_is_entered_once_by_concurrent_callers(mods: list[ModuleType]) -> None:
    # The lane's first measurement and the persona's walk may both ask while a round's lock is
    # still held by another portal; a second flock by the same process would wait for itself.
    run = mods[0]
    calls: list[str] = []
    release = asyncio.Event()

    async def hook() -> None:
        calls.append("enter")
        if len(calls) == 1:
            raise RuntimeError("the lock file could not be opened")
        await release.wait()

    async def go() -> None:
        enter = run.entered_once(hook)
        with pytest.raises(RuntimeError):
            await enter()  # a failure is not "entered": the next caller tries again
        first = asyncio.ensure_future(enter())
        second = asyncio.ensure_future(enter())
        await asyncio.sleep(0.01)
        assert not first.done() and not second.done()
        release.set()
        await asyncio.wait_for(asyncio.gather(first, second), 1)
        await enter()

    asyncio.run(go())
    assert calls == ["enter", "enter"]
