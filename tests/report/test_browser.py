"""The built reports in a real browser: headless Chromium driven over its DevTools protocol.

Checks what a reader sees: the title, the tables, every image loaded, no console errors or
dialogs (the markup in the fixture's texts must stay text), Chinese drawn in a CJK font, an A4
PDF when printed; and saves a screenshot of each page in the test's tmp folder.
Skipped only when no Chromium is installed (CI installs Debian's `chromium`).
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.report_build import built_reports

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium fonts-noto-cjk)"
)
PAGES = ("xss-demo.html", "hotline-system-ops.html", "annual.html", "index.html")
CJK_FONTS = ("Noto Sans CJK", "Noto Sans SC", "Source Han Sans", "WenQuanYi", "Droid Sans Fallback")


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page, over a websocket."""

    def __init__(self, url: str):
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(url, max_size=None, open_timeout=30))
        self.ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, timeout: float = 30, **params) -> dict:
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == msg_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for seen in self.events:
            if seen.get("method") == event:
                return seen
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(message)
            if message.get("method") == event:
                return message

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--window-size=1000,1400",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("chromium did not start (no DevToolsActivePort)")
        time.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    try:
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _open_page(port: int) -> DevTools:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(request, timeout=30) as response:
        target = json.load(response)
    return DevTools(target["webSocketDebuggerUrl"])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    result = built_reports(tmp_path_factory)
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_chromium(browser, built, page, tmp_path):
    tab = _open_page(browser)
    try:
        for domain in ("Page", "Runtime", "Log", "DOM", "CSS"):
            tab.send(f"{domain}.enable")
        tab.send("Page.navigate", url=(built.out / page).as_uri())
        tab.wait_for("Page.loadEventFired")
        tab.evaluate("document.fonts.ready.then(() => true)")
        state = tab.evaluate(
            """({
                title: document.title,
                lang: document.documentElement.lang,
                charset: document.characterSet,
                tables: document.querySelectorAll('table').length,
                rows: document.querySelectorAll('tr').length,
                images: Array.from(document.images).map(i => ({complete: i.complete, width: i.naturalWidth})),
                charts: Array.from(document.querySelectorAll('figure svg')).map(s => s.getBoundingClientRect().width),
                scripts: document.scripts.length,
                h1: document.querySelector('h1') && document.querySelector('h1').innerText,
            })"""
        )
        assert state["title"] and any("\u4e00" <= ch <= "\u9fff" for ch in state["title"])
        assert state["lang"] == "zh-CN" and state["charset"] == "UTF-8"
        assert state["tables"] >= 1 and state["rows"] >= 3
        assert state["scripts"] == 0
        assert all(img["complete"] and img["width"] > 0 for img in state["images"]), state["images"]
        if page != "index.html":
            assert len(state["charts"]) >= 3 and all(w > 0 for w in state["charts"]), state["charts"]
        if page == "xss-demo.html":
            assert state["h1"].startswith("<script>alert(1)</script>示范项目")  # shown as text

        # the font Chromium actually used for the Chinese heading covers it
        root = tab.send("DOM.getDocument")["root"]["nodeId"]
        h1 = tab.send("DOM.querySelector", nodeId=root, selector="h1")["nodeId"]
        fonts = tab.send("CSS.getPlatformFontsForNode", nodeId=h1)["fonts"]
        cjk = [f for f in fonts if any(name in f["familyName"] for name in CJK_FONTS)]
        assert cjk and sum(f["glyphCount"] for f in cjk) >= 8, fonts

        shot = tab.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        png = base64.b64decode(shot["data"])
        assert png.startswith(b"\x89PNG")
        (tmp_path / f"{Path(page).stem}.png").write_bytes(png)

        pdf = base64.b64decode(
            tab.send("Page.printToPDF", timeout=60, preferCSSPageSize=True, printBackground=True)["data"]
        )
        assert pdf.startswith(b"%PDF")
        assert b"/MediaBox [0 0 594.95996 841.91998]" in pdf or b"/MediaBox [0 0 595" in pdf  # A4

        errors = [
            e
            for e in tab.events
            if e.get("method") == "Runtime.exceptionThrown"
            or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")
            or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")
            or e.get("method") == "Page.javascriptDialogOpening"
        ]
        assert not errors, errors
    finally:
        tab.close()
