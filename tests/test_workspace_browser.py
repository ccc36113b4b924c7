"""The archivists' workspace in a real headless Chromium (Debian's), against the real server on 127.0.0.1.

The server is gunicorn with two workers, set up as an operator would: an index built with
``python -m indexer build`` from a copy of corpus/ (so it records its sources), an account made with
``flask --app portal users add``, the workspace database in a private folder ($PORTAL_WORKSPACE_DB).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import CORPUS
from tests.conftest import ROOT
from tests.test_browser import browser  # noqa: F401 (fixture: Debian's Chromium, skipped with a reason if absent)

EDITOR = "luutru"
PASSWORD = "mật khẩu của người lưu trữ 2024"
DOC_ID = "004_abab5fe7c577bb0b"
OLD_SIGNER = "Huỳnh Đa Trung"  # the signer extraction reads from this notice's signature block
NEW_SIGNER = "Nguyễn Thị Kiểm Thử"
QUEUE = "/quan-tri/"
SIGN_IN = "/quan-tri/dang-nhap"
STEP_TIMEOUT_MS = 15_000
UPDATE_TIMEOUT_S = 90.0  # bounds the wait for the background index update (seconds: < 2 on this corpus)
POLL_S = 0.1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)


def _wait_until_up(base: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the portal did not start") from None
            time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn, then anything it started that is still in its process group (an index update)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(scope="module")
def workspace_server(tmp_path_factory):
    """Serve a copy of corpus/ with gunicorn: index built by the CLI, one editor made by the CLI."""
    folder = tmp_path_factory.mktemp("workspace-browser")
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    index, instance = folder / "index", folder / "instance"
    instance.mkdir()
    env = {**os.environ, "PORTAL_INDEX": str(index), "PORTAL_WORKSPACE_DB": str(instance / "workspace.sqlite3")}
    subprocess.run([sys.executable, "-m", "indexer", "build", "--corpus", str(corpus / "notices"),
                    "--vocab", str(corpus), "--index", str(index), "--quiet", "--procs", "1"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    made = subprocess.run([_bin("flask"), "--app", "portal", "users", "add", EDITOR, "--role", "editor",
                           "--password-stdin"], check=False, input=PASSWORD + "\n", text=True, cwd=ROOT, env=env,
                          capture_output=True, timeout=60)
    assert made.returncode == 0, made.stderr
    base = f"http://127.0.0.1:{_free_port()}"
    log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 (kept open for the server's life)
    process = subprocess.Popen([_bin("gunicorn"), "--workers", "2", "--bind", base.removeprefix("http://"),
                                "portal:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        _wait_until_up(base, process)
        yield {"base": base, "folder": folder, "corpus": corpus}
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def tab(browser):  # noqa: F811
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _api_signers(base: str) -> dict:
    """The public search's signer facet, as /api/search gives it: name -> count."""
    with urllib.request.urlopen(base + "/api/search", timeout=10) as answer:
        facets = json.load(answer)["facets"]
    return {item["value"]: item["count"] for item in facets["signer"]}


def _wait_for_signers(base: str, present: str, absent: str) -> float:
    """Poll the public API until its signer facet has ``present`` and not ``absent``; return the seconds."""
    started = time.monotonic()
    while True:
        signers = _api_signers(base)
        if present in signers and absent not in signers:
            return time.monotonic() - started
        if time.monotonic() - started > UPDATE_TIMEOUT_S:
            raise AssertionError(f"the public search did not show {present!r} in {UPDATE_TIMEOUT_S:.0f} s: {signers}")
        time.sleep(POLL_S)


def _facet_signers(tab) -> list[str]:
    return tab.locator("section[aria-labelledby='facet-signer'] a.facet-item .label").all_inner_texts()


def _public_signers(chromium, base: str) -> list[str]:
    """The signer names the PUBLIC search page's facet lists to a new reader (no session, empty cache).

    A reader who loaded the page within its max-age (portal/caching.py) may be shown the copy they hold.
    """
    context = chromium.new_context(locale="vi-VN")
    try:
        reader = context.new_page()
        reader.goto(base + "/tim-kiem", timeout=STEP_TIMEOUT_MS)
        return _facet_signers(reader)
    finally:
        context.close()


def _sign_in(tab, base: str) -> None:
    tab.goto(base + QUEUE)
    tab.wait_for_url(re.compile(re.escape(SIGN_IN) + r"\?next="))
    tab.fill("#name", EDITOR)
    tab.fill("#password", PASSWORD)
    tab.click("form button[type=submit]:has-text('Đăng nhập')")
    tab.wait_for_url(base + QUEUE)


# The highlighted pieces of the notice's text: their text, colour, and whether they are in view.
ACTIVE_MARKS = """() => Array.from(document.querySelectorAll('mark.active')).map(mark => {
    const box = mark.getBoundingClientRect(), frame = mark.closest('.notice-text').getBoundingClientRect();
    return {text: mark.textContent, background: getComputedStyle(mark).backgroundColor,
            inView: box.top >= frame.top && box.bottom <= frame.bottom && box.top >= 0 && box.bottom <= innerHeight};
})"""


def test_correct_a_signer_see_it_public_undo_sign_out(workspace_server, tab):
    base, timings, chromium = workspace_server["base"], {}, tab.context.browser
    public = chromium.new_context(locale="vi-VN")  # a reader who keeps the search page open meanwhile
    reader = public.new_page()
    reader.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        reader.goto(base + "/tim-kiem")
        assert OLD_SIGNER in _facet_signers(reader) and NEW_SIGNER not in _facet_signers(reader)

        # Sign in through the form; the queue lists the notices with their reasons.
        _sign_in(tab, base)
        assert tab.locator("h1").inner_text() == "Hàng chờ kiểm tra"
        rows = tab.locator("table.queue tbody tr")
        assert rows.count() == 4
        for row in range(rows.count()):
            assert rows.nth(row).locator("ul.queue-reasons-of > li").count() >= 1
        assert tab.locator("table.queue li.reason-thieu-truong", has_text="Thiếu trường").count() == 2

        # The notice's review page, from its queue row.
        tab.locator(f"table.queue a[href$='/van-ban/{DOC_ID}']").click()
        tab.wait_for_url(f"{base}/quan-tri/van-ban/{DOC_ID}")
        signer = tab.locator("#truong-signer")
        assert signer.input_value() == OLD_SIGNER

        # Clicking where the signer came from highlights its span in the text, in view.
        source = tab.locator(".field", has=signer).locator("a.source-link")
        assert source.inner_text() == OLD_SIGNER
        assert "khối chữ ký" in tab.locator(".field", has=signer).locator(".source-rule").inner_text()
        resting = tab.evaluate("getComputedStyle(document.querySelector('mark:not(.active)')).backgroundColor")
        source.click()
        # Scrolled smoothly into view, in the text's own frame and in the window.
        tab.wait_for_function(f"() => {{ const marks = ({ACTIVE_MARKS})(); "
                              "return marks.length > 0 && marks.every(mark => mark.inView); }")
        marks = tab.evaluate(ACTIVE_MARKS)
        assert "".join(mark["text"] for mark in marks) == OLD_SIGNER
        assert all(mark["background"] != resting for mark in marks)
        assert re.search(r"#nguon-\d+$", tab.url)

        # Correct the signer and save; the page follows the background update, the public facet changes.
        signer.fill(NEW_SIGNER)
        started = time.monotonic()
        tab.click("form.edit-form button[type=submit]:has-text('Lưu')")
        tab.wait_for_url(re.compile(rf"/quan-tri/van-ban/{DOC_ID}\?.*da-luu=1"))
        timings["save_answered_s"] = time.monotonic() - started
        assert "Đã lưu" in tab.locator(".notice-msg").inner_text()
        _wait_for_signers(base, NEW_SIGNER, OLD_SIGNER)
        timings["save_to_public_api_s"] = time.monotonic() - started
        shown = _public_signers(chromium, base)
        timings["save_to_public_page_s"] = time.monotonic() - started
        assert NEW_SIGNER in shown and OLD_SIGNER not in shown
        reader.reload()  # the open page, asked again: its tag named the old generation, so a new page comes
        assert NEW_SIGNER in _facet_signers(reader) and OLD_SIGNER not in _facet_signers(reader)
        status = tab.locator("#update-status.done")
        status.wait_for(timeout=UPDATE_TIMEOUT_S * 1000)
        assert status.inner_text().startswith("Trang tra cứu đã cập nhật")
        assert tab.locator("#truong-signer").input_value() == NEW_SIGNER

        # The collection's history shows the change, old and new; undo it from there.
        tab.click("nav[aria-label='Quản trị'] a:has-text('Lịch sử')")
        tab.wait_for_url(base + "/quan-tri/lich-su")
        edit = tab.locator("table.history tbody tr", has=tab.locator("ins", has_text=NEW_SIGNER))
        assert edit.count() == 1
        assert edit.locator("td").nth(2).inner_text() == EDITOR
        assert edit.locator("td").nth(3).inner_text() == "Sửa siêu dữ liệu"
        change = edit.locator("ul.changes li", has_text="Người ký")
        assert change.locator("del").inner_text() == OLD_SIGNER and change.locator("ins").inner_text() == NEW_SIGNER
        started = time.monotonic()
        edit.locator("button:has-text('Hoàn tác')").click()
        tab.wait_for_url(re.compile(rf"/quan-tri/van-ban/{DOC_ID}\?.*da-hoan-tac=1"))
        assert tab.locator("#truong-signer").input_value() == OLD_SIGNER
        _wait_for_signers(base, OLD_SIGNER, NEW_SIGNER)
        timings["undo_to_public_api_s"] = time.monotonic() - started
        shown = _public_signers(chromium, base)
        assert OLD_SIGNER in shown and NEW_SIGNER not in shown
        reader.reload()
        assert OLD_SIGNER in _facet_signers(reader) and NEW_SIGNER not in _facet_signers(reader)
        tab.goto(base + "/quan-tri/lich-su")
        assert tab.locator("table.history tbody tr").first.locator("td").nth(3).inner_text() == "Hoàn tác"

        # Sign out: the queue's URL sends to the sign-in form again.
        tab.click("header form button:has-text('Đăng xuất')")
        tab.wait_for_url(re.compile(re.escape(SIGN_IN) + r"\?signed_out=1"))
        assert tab.locator("[role=status]").inner_text() == "Bạn đã đăng xuất."
        tab.goto(base + QUEUE)
        tab.wait_for_url(re.compile(re.escape(SIGN_IN) + r"\?next="))
        assert tab.locator("h1").inner_text() == "Đăng nhập"
    finally:
        public.close()
    timings = {key: round(value, 3) for key, value in timings.items()}
    print(f"\nworkspace save -> public search (4 notices, 2 gunicorn workers): {json.dumps(timings)}")
    (workspace_server["folder"] / "save-to-public.json").write_text(json.dumps(timings, indent=1), encoding="utf-8")


def test_after_sign_out_back_and_reload_show_sign_in_not_the_cached_page(workspace_server, tab):
    base = workspace_server["base"]
    _sign_in(tab, base)
    review = tab.goto(f"{base}/quan-tri/van-ban/{DOC_ID}")
    assert review.headers["cache-control"] == "no-store"
    assert tab.locator("form.edit-form").count() == 1
    tab.click("header form button:has-text('Đăng xuất')")
    tab.wait_for_url(re.compile(re.escape(SIGN_IN) + r"\?signed_out=1"))
    tab.go_back()
    tab.wait_for_load_state("load")
    # Not restored from the cache: asked again, the server sends the browser to sign in.
    assert tab.locator("form.edit-form").count() == 0 and tab.locator("#truong-signer").count() == 0
    assert tab.locator("h1").inner_text() == "Đăng nhập"
    tab.reload()
    assert re.search(re.escape(SIGN_IN) + r"\?next=", tab.url)
    assert tab.locator("h1").inner_text() == "Đăng nhập" and tab.locator("form.edit-form").count() == 0
