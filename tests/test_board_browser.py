"""The live pages in a real browser (Debian's chromium driven by playwright): the board follows a station's
post within a second, a review decision changes the board, the announcer reveals on a key press.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time

import cv2
import numpy as np
import pytest
import uvicorn

from board.app import create_app
from tests.printed import ARTIFACTS
from tests.test_board_api import station_body

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@contextlib.contextmanager
def _running(app):
    """An ASGI app on a free loopback port, in a thread: its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 10
        while not srv.started and time.time() < deadline:
            time.sleep(0.05)
        assert srv.started
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def serving(folder):
    """The meeting server on a free loopback port, in a thread: (base URL, token)."""
    app = create_app(folder, poll_seconds=0.05)
    with _running(app) as base:
        yield base, app.state.service.token


@pytest.fixture
def server(printed, tmp_path):
    folder = tmp_path / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    with serving(folder) as (base, token):
        yield folder, base, token


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or __import__("os").path.exists(CHROMIUM), "chromium missing: `make test` installs it"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _post(base, token, body):
    import httpx

    response = httpx.post(f"{base}/api/readings", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_board_follows_a_station_within_a_second(server, browser):
    from playwright.sync_api import expect

    folder, base, token = server
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.goto(f"{base}/board")
    progress = page.locator('.progress[data-round="CP"]')
    expect(progress).to_contain_text("群众代表 0/0/50")
    body = station_body(folder, np.random.default_rng(8))
    _post(base, token, body)
    started = time.perf_counter()
    expect(progress).to_contain_text("群众代表 1/1/50", timeout=1000)
    took = time.perf_counter() - started
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board.png"))
    assert took < 1.0

    changpiao = browser.new_page(viewport={"width": 1200, "height": 800})
    changpiao.goto(f"{base}/changpiao")
    expect(changpiao.locator("#last")).to_contain_text("民主测评")
    changpiao.screenshot(path=str(ARTIFACTS / "changpiao.png"))


def test_review_decision_changes_the_board(server, browser):
    from playwright.sync_api import expect

    folder, base, token = server
    rng = np.random.default_rng(9)
    posted = _post(base, token, station_body(folder, rng, key="b1", category="blank"))
    assert posted["outcome"] == "review"
    board = browser.new_page(viewport={"width": 1600, "height": 900})
    board.goto(f"{base}/board")
    progress = board.locator('.progress[data-round="CP"]')
    expect(progress).to_contain_text("待复核1")
    review = browser.new_page(viewport={"width": 1500, "height": 950})
    review.goto(f"{base}/review?token={token}")
    expect(review.locator("#head")).to_contain_text(f"#{posted['id']}")
    expect(review.locator("#sheet img")).to_be_visible()
    review.screenshot(path=str(ARTIFACTS / "review.png"))
    review.select_option('select[data-fix="grades/C01"]', "excellent")  # the paper shows 优秀 for 王建国
    review.fill("#reason", "纸面王建国为优秀，其余未填")
    review.fill("#operator", "李监票")
    review.click("#correct")
    expect(review.locator("#done")).to_contain_text("已记录")
    expect(review.locator("#history")).to_contain_text("更正后计入")  # decided sheets can be opened again
    expect(review.locator("#decide")).to_be_hidden()  # nothing left to decide: no buttons
    expect(progress).not_to_contain_text("待复核", timeout=1000)
    expect(board.locator('[data-block="CP"] [data-reveal]', has_text="王建国")).to_contain_text("100.00")


def test_announcer_reveals_one_by_one(server, browser):
    from playwright.sync_api import expect

    folder, base, token = server
    rng = np.random.default_rng(10)
    for i in range(3):
        _post(base, token, station_body(folder, rng, key=f"a{i}"))
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.goto(f"{base}/board")
    rows = page.locator("[data-reveal]")
    expect(rows.first).to_be_visible()
    first_round = page.locator("h2").first
    expect(first_round).to_contain_text("竞聘演讲")
    page.keyboard.press("a")
    hidden = page.locator("[data-reveal].hidden")
    expect(hidden).to_have_count(6)  # the first list (6 candidates) waits to be announced
    page.keyboard.press("ArrowRight")
    expect(hidden).to_have_count(5)
    page.keyboard.press(" ")
    expect(hidden).to_have_count(4)
    page.screenshot(path=str(ARTIFACTS / "announcer.png"))
    page.keyboard.press("Escape")
    expect(hidden).to_have_count(0)


def _counted_server(folder, cli):
    """A meeting folder with two sheets of every printed form read and every manual score entered, served."""
    from scanner.deck import Deck, camera
    from scanner.reader import Rejected

    deck = Deck(folder)
    reader = deck.reader()
    rng = np.random.default_rng(31)
    photos = folder.parent / "photos"
    photos.mkdir()
    n = 0
    for key, layout in sorted(deck.layouts.items()):
        for copy in range(2):
            for p in range(1, len(layout.pages) + 1):
                while True:
                    frame = camera(deck.fill(key, rng, "clean", copy=copy, page=p).image, rng, max_tilt=6)
                    if not isinstance(reader.read(frame), Rejected):
                        break
                cv2.imwrite(str(photos / f"{n:03d}.jpg"), frame)
                n += 1
    assert cli("scan", folder, "--images", photos).exit_code == 0
    for rnd in deck.meeting.rounds:
        if rnd.kind == "manual":
            for i, c in enumerate(rnd.candidates):
                assert cli("enter", folder, "-r", rnd.id, "-c", c, "-s", f"{80 + i}").exit_code == 0


@pytest.mark.parametrize("template", ["jingpin-ceping", "gongxuan-houbei", "cunweihui", "niandu-ceping", "manyidu"])
def test_every_board_fits_the_screen(printed, tmp_path, browser, cli, template):
    """At 1920×1080 and at 1024×768 (a hall projector) nothing is cut off: type scales down, and lists that still
    do not fit are shown a page at a time; a multi-post vote shows one list per post with its seats."""
    from playwright.sync_api import expect

    folder = tmp_path / "meeting"
    shutil.copytree(printed[template], folder)
    empty_app = create_app(folder)
    empty = empty_app.state.service.board()
    empty_app.state.service.close()
    assert all(not r["started"] for r in empty["rounds"] if r["groups"])  # nothing counted: nothing ranked
    _counted_server(folder, cli)
    with serving(folder) as (base, _token):
        for width, height in ((1920, 1080), (1024, 768)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/board")
            expect(page.locator("[data-reveal]").first).to_be_attached()
            page.wait_for_timeout(300)
            scroll = page.evaluate("Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
            assert scroll <= height + 1, (template, width, height, scroll)
            blocks = page.locator(".block")
            shown = page.locator(".block:visible")
            assert shown.count() >= 1 and blocks.count() >= 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"board-{template}-{width}x{height}.png"))
            if template == "cunweihui":
                headings = page.locator('[data-block="XJ"] h3')
                texts = [headings.nth(i).inner_text() for i in range(headings.count())]
                assert [t.split("（")[0] for t in texts] == ["主任", "副主任", "委员"] and "应选 3 人" in texts[2]
            page.close()


def test_the_years_ranking_on_the_projector_fits_and_is_revealed_from_the_last_place(browser, cli, tmp_path):
    """年底总排名 on the projector: every person visible at 1920×1080 and 1024×768 with no scrolling; A hides every
    rank, → shows one person at a time from the last place, ties marked."""
    from board.ledger_app import create_ledger_app

    folder = tmp_path / "year"
    assert cli("ledger", "init", folder, "-t", "ledger-shuangqianfen").exit_code == 0
    for person, points in (("P01", 380), ("P02", 395), ("P03", 395), ("P04", 200), ("P05", 310)):
        assert cli("ledger", "add", folder, "-p", person, "-c", "JL", "--points", str(points), "--date", "2027-11-01",
                   "--reason", "全年纪律").exit_code == 0
    with _running(create_ledger_app(folder)) as base:
        for width, height in ((1920, 1080), (1024, 768)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/ledger")
            page.wait_for_selector("#rows tr")
            assert page.locator("#rows tr").count() == 5
            assert page.evaluate("document.documentElement.scrollHeight") <= height
            box = page.locator("#rows tr").last.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height  # the last row is on screen
            first = page.locator("#rows tr").first.inner_text()
            assert "李晓梅" in first or "张伟" in first
            assert "并列" in first  # 395 and 395 share the first place
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"ledger-{width}.png"))
            page.keyboard.press("a")
            assert page.locator("#rows tr.hidden").count() == 5
            page.keyboard.press("ArrowRight")
            visible = page.locator("#rows tr:not(.hidden)")
            assert visible.count() == 1 and "刘芳" in visible.first.inner_text()  # the last place first
            page.keyboard.press("Escape")
            assert page.locator("#rows tr.hidden").count() == 0
            page.close()
