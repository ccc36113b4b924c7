"""A hit's point opens the notice at that point, highlighted; links to the old #muc- anchors still land."""

import re

from tests.test_browser import browser  # noqa: F401 (fixtures: the real server in a real Chromium)
from tests.test_browser import page  # noqa: F401
from tests.test_browser import server  # noqa: F401

NOTICE = "/van-ban/000_0e1e5b514ef6e61b"
TARGET_BACKGROUND = "rgb(255, 246, 224)"  # static/style.css: .point:target


def _target(tab) -> dict:
    """The element the address opens at: its id, background, whether it is on screen, its marks."""
    return tab.evaluate("""() => {
        const el = document.querySelector(':target');
        if (!el) return null;
        const box = el.getBoundingClientRect();
        return {id: el.id, background: getComputedStyle(el).backgroundColor,
                onScreen: box.top >= 0 && box.top < window.innerHeight, marks: el.querySelectorAll('mark').length};
    }""")


def test_a_hit_point_opens_the_notice_at_that_point(server, page):  # noqa: F811
    page.goto(server + "/tim-kiem?q=" + "thi đua")
    label = page.locator(".hit .point-label").first
    anchor = label.get_attribute("href").rsplit("#", 1)[1]
    assert re.fullmatch(r"diem-[\w-]+", anchor) and label.inner_text().startswith("Điểm ")
    label.click()
    page.wait_for_url(re.compile(rf"/van-ban/[^?#]+\?q=[^#]+#{anchor}$"))
    target = _target(page)
    assert target["id"] == anchor and target["background"] == TARGET_BACKGROUND and target["onScreen"]
    assert target["marks"] > 0  # the query's words are marked inside the point


def test_old_point_links_land_on_the_renamed_point(server, page):  # noqa: F811
    for old, new in (("muc-2-3", "diem-2-3"), ("muc-2-2-2", "diem-2-2-2")):
        page.goto(f"{server}{NOTICE}?q=an+ninh#{old}")
        page.wait_for_function("hash => window.location.hash === hash", arg=f"#{new}")
        target = _target(page)
        assert target["id"] == new and target["background"] == TARGET_BACKGROUND and target["onScreen"]


def test_an_old_link_to_no_point_leaves_the_page_as_it_is(server, page):  # noqa: F811
    page.goto(f"{server}{NOTICE}#muc-9-9")
    page.wait_for_load_state("load")
    assert page.evaluate("window.location.hash") == "#muc-9-9"
    assert _target(page) is None


def test_points_open_highlighted_without_javascript(server, browser):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(f"{server}{NOTICE}#diem-2-4")
        target = _target(plain)  # evaluate runs even when the page's own scripts may not
        assert target["id"] == "diem-2-4" and target["background"] == TARGET_BACKGROUND and target["onScreen"]
    finally:
        context.close()
