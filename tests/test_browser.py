"""The portal in a real headless Chromium (Debian's), against the real server on 127.0.0.1."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from indexer.build import BuildOptions
from indexer.build import build_index
from indexer.vocab import load_vocabulary
from tests.conftest import CORPUS
from tests.conftest import NOTICES
from tests.conftest import ROOT
from tests.conftest import read_seed
from tests.conftest import seed_names

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
COPIES = 60
UNITS = ["Huyện ủy Tuy Phong", "Huyện ủy Bắc Bình", "Thành ủy Phan Thiết", "Đảng ủy khối Doanh nghiệp"]

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is missing (Debian package chromium; `make test` installs it)", allow_module_level=True)

from playwright import sync_api  # noqa: E402 (after the check above, which explains a missing browser)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Build an index of 64 notices (seeds plus dated copies) and serve it with gunicorn."""
    folder = tmp_path_factory.mktemp("browser")
    corpus = folder / "corpus"
    shutil.copytree(NOTICES, corpus)
    for i in range(COPIES):
        seed = seed_names()[i % 4]
        (corpus / f"ban-sao-{i:02d}.txt").write_text(read_seed(seed) + f"\nBản sao số {i}.", encoding="utf-8")
        side = {"date": f"{2010 + i % 6}-{1 + i % 12:02d}-15", "units": [UNITS[i % len(UNITS)]]}
        (corpus / f"ban-sao-{i:02d}.meta.json").write_text(json.dumps(side, ensure_ascii=False), encoding="utf-8")
    index = folder / "index"
    build_index(BuildOptions(index=str(index), corpus=str(corpus)), load_vocabulary(CORPUS))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers", "2",
               "--bind", f"127.0.0.1:{port}", "portal:create_app()"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PORTAL_INDEX": str(index)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the portal did not start")
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="vi-VN")
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


def _total(page) -> int:
    return int(page.locator(".total strong").inner_text())


def _hit_ids(page) -> list[str]:
    return [re.search(r"/van-ban/([^?]+)", href).group(1)
            for href in page.locator(".hit h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")]


def _facet(page, block: str, value: str):
    return page.locator(f"section[aria-labelledby='facet-{block}'] > ul a.facet-item", has_text=value)


def test_search_two_facets_page_two_and_back(server, page):
    page.goto(server + "/")
    page.fill("#q-top", "dang vien")
    page.press("#q-top", "Enter")
    page.wait_for_url(re.compile(r"/tim-kiem\?q=dang\+vien$"))
    everything = _total(page)
    assert everything == 4 + COPIES
    _facet(page, "type", "Thông báo kết luận").click()
    page.wait_for_url(re.compile(r"type="))
    one = _total(page)
    _facet(page, "topic", "Xây dựng tổ chức cơ sở đảng").click()
    page.wait_for_url(re.compile(r"topic=.*type="))
    two = _total(page)
    assert everything > one >= two > 20
    assert page.locator("a.facet-item.selected").count() == 2
    page.click("text=Trang sau ›")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".pagination [aria-current=page]").inner_text() == "2"
    state = page.url
    first_on_page_2 = _hit_ids(page)[0]
    page.locator(".hit h3 a").first.click()
    page.wait_for_url(re.compile(rf"/van-ban/{first_on_page_2}\?"))
    assert page.locator("mark").count() > 0  # the search's terms are highlighted in the notice
    page.go_back()
    page.wait_for_url(state)
    assert _hit_ids(page)[0] == first_on_page_2
    assert page.locator("a.facet-item.selected").count() == 2
    assert _total(page) == two


def test_a_second_value_in_one_facet_widens_the_results(server, page):
    page.goto(server + "/tim-kiem?q=dang+vien")
    _facet(page, "unit", "Huyện ủy Tuy Phong").click()
    page.wait_for_url(re.compile(r"unit="))
    narrowed = _total(page)
    other = _facet(page, "unit", "Thành ủy Phan Thiết")
    expected = narrowed + int(other.locator(".count").inner_text())  # counted as if the unit filter were off
    other.click()
    page.wait_for_url(re.compile(r"unit=.*unit="))
    assert _total(page) == expected


def test_copied_link_reopens_the_same_results(server, browser, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(server + "/tim-kiem?q=ket+luan&year=2014&year=2015")
    page.click(".copy-link")
    page.wait_for_function("document.querySelector('.copy-link').textContent === 'Đã sao chép'")
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == server + "/tim-kiem?q=ket+luan&year=2014&year=2015"
    other = browser.new_context()
    try:
        fresh = other.new_page()
        fresh.goto(link)
        assert _total(fresh) == _total(page)
        assert _hit_ids(fresh) == _hit_ids(page)
    finally:
        other.close()


def test_saved_search_is_listed_after_a_reload(server, page):
    page.goto(server + "/tim-kiem?q=dan+van&sort=cu-nhat")
    page.once("dialog", lambda dialog: dialog.accept("Dân vận, cũ trước"))
    page.click(".save-search")
    page.wait_for_function("document.querySelector('.save-search').textContent === 'Đã lưu'")
    page.goto(server + "/")
    page.reload()
    saved = page.locator(".saved-list li a")
    assert saved.inner_text() == "Dân vận, cũ trước"
    assert saved.get_attribute("href") == server + "/tim-kiem?q=dan+van&sort=cu-nhat"
    page.click(".remove-saved")
    assert page.locator(".saved-list li").count() == 0
    assert page.locator(".saved-searches").is_hidden()


def test_pages_work_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + "/tim-kiem?q=tuy+phong")
        assert _total(page) > 0
        assert page.locator(".copy-link").is_hidden()  # shown only when the script can run it
        page.locator("section[aria-labelledby='facet-year'] a.facet-item").first.click()
        page.wait_for_url(re.compile(r"year="))
    finally:
        context.close()


def test_copy_citation_from_a_hit_and_from_the_notice(server, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.goto(server + "/tim-kiem?q=503-TB%2FTU")
    hit = page.locator(".hit").first
    citation = hit.locator(".citation-text").text_content()
    assert re.match(r"Thông báo số 503-TB/TU, ngày \d+/\d+/\d{4} của Tỉnh ủy Bình Thuận về ý kiến kết luận", citation)
    hit.locator("button.copy-citation").click()
    page.wait_for_function("document.querySelector('.hit .copy-citation').textContent === 'Đã chép'")
    assert page.evaluate("navigator.clipboard.readText()") == citation
    hit.locator("h3 a").click()
    page.wait_for_url(re.compile(r"/van-ban/"))
    assert page.locator("article .citation-text").text_content() == citation
    page.evaluate("navigator.clipboard.writeText('')")
    page.click("article button.copy-citation")
    page.wait_for_function("document.querySelector('article .copy-citation').textContent === 'Đã chép'")
    assert page.evaluate("navigator.clipboard.readText()") == citation


def test_without_a_clipboard_the_citation_is_selected(server, browser):
    context = browser.new_context(locale="vi-VN")
    try:
        # As on a plain-http intranet address, where browsers give pages no clipboard.
        context.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})")
        page = context.new_page()
        page.goto(server + "/van-ban/004_abab5fe7c577bb0b")
        page.click("article button.copy-citation")
        page.wait_for_function("document.querySelector('article .copy-citation').textContent !== 'Sao chép trích dẫn'")
        assert page.evaluate("String(window.getSelection())") == page.locator("article .citation-text").text_content()
        assert page.locator("article .copy-citation").text_content() in ("Đã chép", "Đã chọn, nhấn Ctrl+C để chép")
    finally:
        context.close()
