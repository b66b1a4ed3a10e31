"""The meeting server's API: tokens, malformed bodies, foreign sheets, idempotent station posts, sealed rounds,
review decisions flowing into the count."""

from __future__ import annotations

import base64
import json
import re
import shutil

import numpy as np
import pytest
from starlette.testclient import TestClient

from board.app import create_app
from meeting.folder import MeetingFolder
from meeting.store import now
from scanner.deck import Deck, camera
from scanner.reader import Rejected
from scanner.remote import WIRE_TYPE, encode_post
from scanner.session import Draft


@pytest.fixture
def served(printed, tmp_path):
    folder = tmp_path / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    app = create_app(folder)
    with TestClient(app) as client:
        yield folder, client, app.state.service.token


def station_body(folder, rng, key="k1", category="clean") -> dict:
    deck = Deck(folder)
    reader = deck.reader()
    while True:
        read = reader.read(camera(deck.fill(("CP", "QZ"), rng, category).image, rng, max_tilt=8))
        if not isinstance(read, Rejected):
            break
    d = Draft.from_read(read, key, "s2")
    return {"key": key, "station": "s2", "code": read.code, "states": d.states, "marks": json.loads(d.marks),
            "reasons": list(d.reasons), "fingerprint": {k: v.hex() for k, v in d.fingerprint.items()},
            "image": base64.b64encode(d.image).decode()}


def _readings(folder):
    store = MeetingFolder.open(folder).store()
    try:
        return store.readings("CP", with_images=True)
    finally:
        store.close()


def test_tokens_are_required_and_checked(served):
    folder, client, token = served
    assert client.get("/api/board").status_code == 200  # the board is public and read-only
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Bearer {token[:-1]}x"}):
        for method, url in (("post", "/api/readings"), ("get", "/api/review"), ("get", "/api/readings/1"),
                            ("post", "/api/readings/1/decision")):
            response = getattr(client, method)(url, headers=headers, **({"content": "{}"} if method == "post" else {}))
            assert response.status_code == 401 and "token" in response.json()["error"]
    assert _readings(folder) == []


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"key": "x"}),
                                  json.dumps({"key": "x", "code": "TK1:X", "states": {}, "marks": {}, "image": "!!"})])
def test_malformed_bodies_get_400_and_change_nothing(served, body):
    folder, client, token = served
    response = client.post("/api/readings", content=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.json()["error"]
    assert _readings(folder) == []


def test_station_post_is_checked_and_idempotent(served):
    folder, client, token = served
    auth = {"Authorization": f"Bearer {token}"}
    rng = np.random.default_rng(3)
    body = station_body(folder, rng)
    forged = dict(body, code=body["code"][:-1] + ("A" if body["code"][-1] != "A" else "B"))
    response = client.post("/api/readings", json=forged, headers=auth)
    assert response.status_code == 400 and response.json()["error"].startswith("bad_mac")
    first = client.post("/api/readings", json=body, headers=auth)
    assert first.status_code == 201 and first.json()["outcome"] == "counted"
    again = client.post("/api/readings", json=body, headers=auth)
    assert again.status_code == 200 and again.json()["outcome"] == "already_counted"
    assert len(_readings(folder)) == 1
    assert client.get("/api/stations").json()[0]["station"] == "s2"


def test_station_wire_format_raw_image(served):
    """What `tallykit scan --server` sends: a JSON line, a newline, the JPEG bytes. Same checks, same idempotency
    as the JSON form: the same reading in either form is stored once."""
    folder, client, token = served
    headers = {"Authorization": f"Bearer {token}", "Content-Type": WIRE_TYPE}
    body = station_body(folder, np.random.default_rng(5))
    image = base64.b64decode(body.pop("image"))
    for bad in (b"no newline at all", b"[1]\n" + image, b"{not json\n" + image,
                json.dumps(body).encode() + b"\n" + b"GIF89a not a jpeg"):
        response = client.post("/api/readings", content=bad, headers=headers)
        assert response.status_code == 400 and "malformed" in response.json()["error"], bad[:20]
    assert _readings(folder) == []
    first = client.post("/api/readings", content=encode_post(body, image), headers=headers)
    assert first.status_code == 201 and first.json()["outcome"] == "counted"
    stored = _readings(folder)
    assert len(stored) == 1 and stored[0]["image"] == image
    again = client.post("/api/readings", json=dict(body, image=base64.b64encode(image).decode()),
                        headers={"Authorization": f"Bearer {token}"})
    assert again.json()["outcome"] == "already_counted" and len(_readings(folder)) == 1


def test_sealed_round_refuses_readings(served):
    folder, client, token = served
    store = MeetingFolder.open(folder).store()
    store.record("seals", {"round_id": "CP", "sealed_at": now(), "operator": "t", "reason": "t", "digest": "x"}, "t",
                 "seal")
    store.close()
    body = station_body(folder, np.random.default_rng(4))
    response = client.post("/api/readings", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409 and "sealed" in response.json()["message"]
    assert _readings(folder) == []
    client.app.state.service.poll()  # the seal was written behind the server's back: it follows the audit log
    board = client.get("/api/board").json()
    assert {r["id"]: r["sealed"] for r in board["rounds"]} == {"YJ": False, "CP": True, "DW": False}


def test_review_decision_flows_into_the_count(served):
    folder, client, token = served
    auth = {"Authorization": f"Bearer {token}"}
    rng = np.random.default_rng(5)
    body = station_body(folder, rng, key="blank", category="blank")
    posted = client.post("/api/readings", json=body, headers=auth).json()
    assert posted["outcome"] == "review" and "blank" in posted["reasons"]
    queue = client.get("/api/review", headers=auth).json()
    assert [q["id"] for q in queue] == [posted["id"]]
    detail = client.get(f"/api/readings/{posted['id']}", headers=auth).json()
    assert detail["boxes"] and 0 <= detail["boxes"][0]["x"] <= 1
    assert client.get(f"/api/readings/{posted['id']}/image?token={token}").content[:2] == b"\xff\xd8"
    before = client.get("/api/board").json()["rounds"][1]["groups"][0]
    no_reason = client.post(f"/api/readings/{posted['id']}/decision", json={"decision": "accept", "operator": "李"},
                            headers=auth)
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["error"]
    ok = client.post(f"/api/readings/{posted['id']}/decision", headers=auth,
                     json={"decision": "accept", "reason": "空白票，计入", "operator": "李监票"})
    assert ok.status_code == 201
    after = client.get("/api/board").json()["rounds"][1]["groups"][0]
    assert (before["pending"], after["pending"]) == (1, 0)
    assert client.get("/api/review", headers=auth).json() == []
    store = MeetingFolder.open(folder).store()
    assert store.audit_rows()[-1]["action"] == "review.accept" and store.check_integrity().ok
    assert store.reading_counts() == {("CP", "QZ", "decided"): 1}  # `tallykit status` no longer lists it in review


def test_corrections_are_checked_against_the_paper(served):
    folder, client, token = served
    auth = {"Authorization": f"Bearer {token}"}
    body = station_body(folder, np.random.default_rng(6), key="c", category="blank")
    posted = client.post("/api/readings", json=body, headers=auth).json()
    url = f"/api/readings/{posted['id']}/decision"
    base = {"decision": "correct", "reason": "纸面为优秀", "operator": "李监票"}
    grades = {c: None for c in ["C01", "C02", "C03", "C04", "C05", "C06"]}
    for bad in ({"grades": dict(grades, C01="best")}, {"grades": dict(grades, C99="excellent")}, {"votes": {}}):
        response = client.post(url, json=dict(base, result=bad), headers=auth)
        assert response.status_code == 400, bad
    detail = client.get(f"/api/readings/{posted['id']}", headers=auth).json()
    assert detail["choices"]["grades"][0] == ["excellent", "优秀"]
    assert detail["choices"]["candidates"]["C01"] == "王建国"
    ok = client.post(url, json=dict(base, result={"grades": dict(grades, C01="excellent")}), headers=auth)
    assert ok.status_code == 201
    rows = client.get("/api/board").json()["rounds"][1]["rows"]
    assert next(r for r in rows if r["name"] == "王建国")["label"] == "100.00"


def test_group_commit_one_transaction_refuses_only_the_sheets_beyond_issued(served):
    """Posts arriving together are recorded in one transaction; a sheet beyond the ballots issued is refused on
    its own and the others are still recorded, each answered after the commit."""
    import asyncio

    from board.service import GroupCommit

    folder, client, _ = served
    service = client.app.state.service
    issued = service.store.ballot_count("CP", "QZ").issued
    body = station_body(folder, np.random.default_rng(6))
    before = len(_readings(folder))
    items = [service.prepare(dict(body, key=f"g{i}")) for i in range(issued - before + 2)]

    async def post_all():
        commit = GroupCommit(service)
        return await asyncio.gather(*(commit.record(item) for item in items))

    outcomes = asyncio.run(post_all())
    kinds = [o.kind for o in outcomes]
    assert kinds.count("refused") == 2 and all(k in ("counted", "review") for k in kinds[:-2])
    assert "only" in outcomes[-1].message and len(_readings(folder)) == issued
    assert service.store.check_integrity().ok


def test_write_in_names_are_checked_normalised_and_offered_again(printed, tmp_path, cli):
    """另选他人 at review: the post by its id or its printed name, a row the ballot has, a name; stored as one
    spelling, counted as a candidate, and offered for the next sheet of that post. Bad entries: 400, nothing."""
    folder = tmp_path / "village"
    shutil.copytree(printed["cunweihui"], folder)
    deck = Deck(folder)
    rng = np.random.default_rng(5)
    layout = deck.layouts[("XJ", "XM")]
    write_in = next(b.id for b in layout.pages[0].boxes if b.mark.kind == "write_in" and b.mark.section == "WY")
    photos = tmp_path / "photos"
    photos.mkdir()
    base = {"Z1/agree", "Z2/disagree", "F1/agree", "F2/disagree", "W1/agree", "W2/disagree", "W3/disagree",
            "W4/abstain"}
    for n, extra in enumerate(({"W4/abstain"}, {"W4/disagree"})):
        sheet = deck.mark(("XJ", "XM"), (base - {"W4/abstain"}) | extra | {write_in}, rng, names={"WY/1": "李四"})
        import cv2
        cv2.imwrite(str(photos / f"{n}.jpg"), camera(sheet.image, rng, max_tilt=6))
    assert cli("scan", folder, "--images", photos).exit_code == 0
    app = create_app(folder)
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {app.state.service.token}"}
        queue = client.get("/api/review", headers=auth).json()
        assert len(queue) == 2
        first, second = (q["id"] for q in queue)
        detail = client.get(f"/api/readings/{first}", headers=auth).json()
        assert ["WY", "委员", 1] in detail["choices"]["write_ins"]
        for names in (["李四"], [["主任/1", 1, "张三"]], [["XX", 1, "李四"]], [["WY", 3, "李四"]],
                      [["WY", 1, "  "]], [["WY", "x", "李四"]]):
            response = client.post(f"/api/readings/{first}/decision", headers=auth,
                                   json={"decision": "accept", "reason": "r", "operator": "o", "write_in_names": names})
            assert response.status_code == 400, names
        assert len(client.get("/api/review", headers=auth).json()) == 2  # nothing decided
        response = client.post(f"/api/readings/{first}/decision", headers=auth,
                               json={"decision": "accept", "reason": "写了李四", "operator": "监票人",
                                     "write_in_names": [["委员", 1, "李 四"]]})
        assert response.status_code == 201
        offered = client.get(f"/api/readings/{second}", headers=auth).json()["choices"]["typed_names"]
        assert offered["WY"][0] == "李四" and "唐小红" in offered["WY"]
        response = client.post(f"/api/readings/{second}/decision", headers=auth,
                               json={"decision": "accept", "reason": "写了李四", "operator": "监票人",
                                     "write_in_names": [["WY", 1, "李四"]]})
        assert response.status_code == 201
        assert client.get("/api/board").status_code == 200 and client.get("/api/results").status_code == 200
        board = client.get("/api/board").json()
        rows = next(r for r in board["rounds"] if r["id"] == "XJ")["rows"]
        assert any(r["name"] == "李四" and r["value"] == 2 for r in rows)  # one person, two votes


def test_changpiao_shows_the_last_sheet_after_a_restart(served):
    folder, client, token = served
    posted = client.post("/api/readings", json=station_body(folder, np.random.default_rng(6)),
                         headers={"Authorization": f"Bearer {token}"}).json()
    app = create_app(folder)  # the server restarted: the store, not memory, says what was read last
    with TestClient(app) as again:
        view = again.get("/api/changpiao").json()
        last = view["last"]
        assert last is not None and last["id"] == posted["id"] and last["round"] == "民主测评"
        assert view["columns"] == ["优秀", "称职", "基本称职", "不称职"]  # a 正 column for every grade
        assert all(sum(t["counts"]) == 1 for t in view["tallies"])  # the one sheet graded each candidate once


def test_review_reasons_are_words_in_the_meetings_language(served):
    folder, client, token = served
    auth = {"Authorization": f"Bearer {token}"}
    posted = client.post("/api/readings", json=station_body(folder, np.random.default_rng(5), key="bl",
                                                            category="blank"), headers=auth).json()
    queue = client.get("/api/review", headers=auth).json()
    assert queue[0]["reasons"] == ["blank"] and queue[0]["reason_words"] == ["空白票"]
    from meeting.lang import reason_words

    assert reason_words(client.app.state.service.meeting, "CP", ["marginal:C01/excellent", "possible_rescan:7"]) == [
        "标记过浅、过小或在方格外：王建国 优秀", "疑似重复扫描（#7）"]
    assert client.get(f"/api/readings/{posted['id']}", headers=auth).json()["reason_words"] == ["空白票"]


def test_the_station_address_is_shown_as_a_qr_code(printed, tmp_path):
    """`serve --host 0.0.0.0` prints the station address as a QR code in the terminal, and /stations shows it:
    both decode to the address."""
    import numpy as np

    from board.app import station_qr_text
    from scanner import qr

    url = "http://192.168.1.23:8000"
    rows = []  # the terminal's half blocks back to modules: █ both dark, ▀ top, ▄ bottom (dark on light)
    for line in station_qr_text(url).splitlines():
        rows.append([1 if ch in "█▀" else 0 for ch in line])
        rows.append([1 if ch in "█▄" else 0 for ch in line])
    width = max(len(r) for r in rows)
    modules = np.array([r + [0] * (width - len(r)) for r in rows], np.uint8)
    picture = np.kron(255 - 255 * modules, np.ones((8, 8), np.uint8)).astype(np.uint8)
    picture = np.pad(picture, 32, constant_values=255)
    assert qr.decode(picture) == url
    folder = tmp_path / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    with TestClient(create_app(folder, station_urls=(url,))) as client:
        listed = client.get("/api/station-urls").json()
        assert listed == [{"url": url, "qr": "/api/station-qr/0.svg"}]
        svg = client.get(listed[0]["qr"])
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in svg.content and b"<path" in svg.content
        assert client.get("/api/station-qr/1.svg").status_code == 404
    with TestClient(create_app(folder)) as client:  # served on this laptop only: nothing to show
        assert client.get("/api/station-urls").json() == []


def test_live_score_slips_show_each_speakers_score_as_soon_as_every_judge_is_in(cli, tmp_path):
    """现场亮分: a score round with `slips = true` prints one half-A4 slip per judge per candidate (signed each);
    the board shows a candidate's trimmed score once every judge's slip for them is read, and 评分中 k/N before."""
    import cv2
    import pypdfium2 as pdfium

    folder = tmp_path / "jingpin"
    assert cli("init", "-t", "jingpin-ceping", folder).exit_code == 0
    toml = folder / "meeting.toml"
    toml.write_text(toml.read_text().replace("trim_min_judges = 5  # 评委不少于5人时去分",
                                             "trim_min_judges = 5\nslips = true"))
    assert cli("check", folder).exit_code == 0
    assert cli("print", folder, "--round", "YJ").exit_code == 0
    deck = Deck(folder)
    layout = deck.layouts[("YJ", "PS")]
    candidates = deck.meeting.round("YJ").candidates
    assert layout.paper == "A5" and len(layout.pages) == len(candidates)
    for page, cid in zip(layout.pages, candidates, strict=True):  # one candidate per slip, each one signed
        assert {b.mark.candidate for b in page.boxes} == {cid}
        assert any(z.kind == "signature" for z in page.zones)
    doc = pdfium.PdfDocument(str(folder / "print" / "YJ-PS.pdf"))
    width, height = doc[0].get_size()
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 148)
    judges = MeetingFolder.open(folder).store().ballot_count("YJ", "PS").issued
    photos = tmp_path / "slips"
    photos.mkdir()
    rng = np.random.default_rng(5)
    first, second = candidates[0], candidates[1]
    for judge in range(judges):  # every judge's slip for the first speaker, three for the second
        for n, cid in enumerate((first, second)):
            if cid == second and judge >= 3:
                continue
            sheet = deck.fill(("YJ", "PS"), rng, "clean", copy=judge, page=n + 1)
            cv2.imwrite(str(photos / f"{judge}-{cid}.jpg"), camera(sheet.image, rng, max_tilt=10))
    result = cli("scan", folder, "--images", photos)
    assert result.exit_code == 0, result.output
    with TestClient(create_app(folder)) as client:
        board = client.get("/api/board").json()
    rows = {row["name"]: row for r in board["rounds"] if r["id"] == "YJ" for row in r["rows"]}
    name = {c: deck.meeting.candidate(c).name for c in candidates}
    assert rows[name[first]]["ready"] and re.fullmatch(r"\d+(\.\d+)?", rows[name[first]]["label"])
    assert not rows[name[second]]["ready"] and rows[name[second]]["label"] == f"评分中 3/{judges}"
    assert rows[name[candidates[2]]]["label"] == f"评分中 0/{judges}"
