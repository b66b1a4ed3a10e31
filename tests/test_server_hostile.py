"""Trust nothing a station or a reviewer sends: the server derives every count itself, no input crashes the count
or the projector, and no value a page shows can run as script. Each test is a defect found by probing."""

from __future__ import annotations

import base64
import copy
import json
import shutil
import sqlite3
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from archive.results import collect
from ballots.payload import Payload, encode, parse
from board.app import create_app
from meeting.folder import MeetingFolder
from scanner.interpret import from_states
from tests.test_board_api import _readings, station_body


@pytest.fixture(scope="module")
def body_base(printed, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "meeting"
    shutil.copytree(printed["jingpin-ceping"], folder)
    return folder, station_body(folder, np.random.default_rng(3))


@pytest.fixture
def served(body_base, tmp_path):
    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    app = create_app(folder)
    with TestClient(app) as client:
        yield folder, client, {"Authorization": f"Bearer {app.state.service.token}"}, copy.deepcopy(body_base[1])


def _stored_results(folder):
    return [json.loads(r["marks"])["result"] for r in _readings(folder)]


def _all_answer(client) -> None:
    for url in ("/api/board", "/api/results", "/api/changpiao"):
        assert client.get(url).status_code == 200, url


# -- 2: the server interprets the states; a posted result is never taken ----------------------------------------
def test_a_posted_result_is_ignored_and_the_states_are_interpreted_here(served):
    folder, client, auth, body = served
    states = body["states"]
    lies = [
        ({k: "empty" for k in states}, {"grades": {c: "excellent" for c in ("C01", "C02")}}),  # blank, "all 优秀"
        ({k: "marked" for k in states}, {"grades": {"C99": "excellent"}}),  # every box marked, a foreign candidate
    ]
    for i, (fake_states, fake_result) in enumerate(lies):
        lie = dict(body, key=f"lie{i}", states=fake_states, marks=dict(body["marks"], result=fake_result),
                   reasons=[])
        answer = client.post("/api/readings", json=lie, headers=auth).json()
        assert answer["outcome"] == "review", answer  # blank / overvoted: a person decides
        assert ("blank" in answer["reasons"]) if i == 0 else any(r.startswith("overvote:") for r in answer["reasons"])
    results = _stored_results(folder)
    assert all("C99" not in r["grades"] for r in results)
    assert all(v is None for v in results[0]["grades"].values())  # not "all 优秀"
    _all_answer(client)


def test_states_that_do_not_fit_the_layout_are_refused(served):
    folder, client, auth, body = served
    one = next(iter(body["states"]))
    for states in ({**body["states"], one: "ticked"}, {**body["states"], "C99/excellent": "marked"},
                   {k: v for k, v in body["states"].items() if k != one}, {**body["states"], one: ["marked", 1]},
                   {**body["states"], one: '"><img src=x onerror=alert(1)>'}):
        response = client.post("/api/readings", json=dict(body, states=states), headers=auth)
        assert response.status_code == 400, states
    for marks in ({"zones": {"../etc": 1}}, {"zones": [1]}):
        assert client.post("/api/readings", json=dict(body, marks=marks), headers=auth).status_code == 400
    for fingerprint in ({"C99/x": "00" * 64}, {one: "zz"}, {one: "00" * 3}):
        assert client.post("/api/readings", json=dict(body, fingerprint=fingerprint), headers=auth).status_code == 400
    assert _readings(folder) == []


def test_score_sheet_values_come_from_the_digit_boxes(printed, tmp_path):
    """A judge's sheet posted with score 1000000 or "abc" for a max-40 criterion: the server reads the digits."""
    folder = tmp_path / "m"
    shutil.copytree(printed["jingpin-ceping"], folder)
    from scanner.deck import Deck, camera
    from scanner.reader import Rejected
    from scanner.session import Draft

    deck = Deck(folder)
    reader = deck.reader()
    rng = np.random.default_rng(8)
    while True:
        read = reader.read(camera(deck.fill(("YJ", "PS"), rng, "clean").image, rng, max_tilt=5))
        if not isinstance(read, Rejected):
            break
    d = Draft.from_read(read, "j1", "s")
    marks = json.loads(d.marks)
    truth = copy.deepcopy(marks["result"])
    for scores in marks["result"]["scores"].values():
        for crit in scores:
            scores[crit] = "1000000" if crit == "NR" else "abc"
    body = {"key": "j1", "station": "s", "code": read.code, "states": d.states, "marks": marks,
            "image": base64.b64encode(d.image).decode()}
    app = create_app(folder)
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {app.state.service.token}"}
        answer = client.post("/api/readings", json=body, headers=auth)
        assert answer.status_code == 201, answer.json()
        stored = json.loads(MeetingFolder.open(folder).store().readings("YJ")[0]["marks"])["result"]
        assert stored == truth
        _all_answer(client)


# -- 3: no script from a station or reviewer runs in a page ---------------------------------------------------------
def test_pages_carry_a_strict_content_security_policy_and_no_inline_script(served):
    _folder, client, auth, body = served
    for url in ("/board", "/changpiao", "/review", "/stations", "/api/board", "/static/review.js"):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
            "script-src")[1].split(";")[0]
        assert response.headers["x-frame-options"] == "DENY" and response.headers["referrer-policy"] == "no-referrer"
        if url in ("/board", "/review"):
            assert "<script>" not in response.text and 'src="/static/' in response.text
    assert client.get("/static/nope.js").status_code == 404 and client.get("/nope").status_code == 404
    fills = dict(body["marks"], boxes={k: ["marked", '"><script>alert(1)</script>'] for k in body["states"]})
    posted = client.post("/api/readings", json=dict(body, key="x", marks=fills), headers=auth)
    assert posted.status_code == 201
    shown = client.get(f"/api/readings/{posted.json()['id']}", headers=auth).json()
    assert all(isinstance(b["fill"], float) and b["state"] in ("empty", "marginal", "marked") for b in shown["boxes"])


# -- 4: one post's failure is its own ------------------------------------------------------------------------------
def test_one_failing_post_does_not_fail_its_batch(served, monkeypatch):
    import asyncio

    from board.service import GroupCommit
    from scanner.session import ScanSession

    folder, client, _auth, body = served
    service = client.app.state.service
    real = ScanSession.record

    def record(self, draft):
        if draft.key.endswith(":bad"):
            real(self, draft)  # written, then the post fails: its savepoint must take the row back
            raise RuntimeError("boom")
        return real(self, draft)

    monkeypatch.setattr(ScanSession, "record", record)
    items = []
    rng = np.random.default_rng(11)
    for key in ("a", "bad", "c"):
        b = station_body(folder, rng, key=key) if key != "a" else dict(body, key="a")
        items.append(service.prepare(b, base64.b64decode(b["image"])))

    async def batch():
        commit = GroupCommit(service)
        return await asyncio.gather(*(commit.record(item) for item in items))

    outcomes = asyncio.run(batch())
    kinds = [getattr(o, "kind", type(o).__name__) for o in outcomes]
    assert kinds[0] in ("counted", "review") and kinds[2] in ("counted", "review") and kinds[1] == "ServerError"
    keys = {r["key"] for r in _readings(folder)}
    assert keys == {"station:s2:a", "station:s2:c"}  # the failed one left nothing; the others are stored


def test_a_round_added_while_serving_is_followed_without_a_restart(served, cli):
    folder, client, auth, _body = served
    toml = folder / "meeting.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text + '\n[[rounds]]\nid = "CP2"\nname = "民主测评（补充）"\nkind = "rating"\ngroups = ["QZ"]\n',
                    encoding="utf-8")
    assert cli("check", folder).exit_code == 0 and cli("print", folder, "--round", "CP2").exit_code == 0
    client.app.state.service.poll()
    assert any(r["id"] == "CP2" for r in client.get("/api/board").json()["rounds"])
    from scanner.deck import Deck, camera
    from scanner.reader import Rejected
    from scanner.session import Draft

    deck = Deck(folder)
    reader = deck.reader()
    rng = np.random.default_rng(2)
    read = None
    while not read or isinstance(read, Rejected):
        read = reader.read(camera(deck.fill(("CP2", "QZ"), rng, "clean").image, rng, max_tilt=5))
    d = Draft.from_read(read, "new", "s9")
    posted = client.post("/api/readings", headers=auth, json={
        "key": "new", "station": "s9", "code": read.code, "states": d.states, "marks": json.loads(d.marks),
        "image": base64.b64encode(d.image).decode()})
    assert posted.status_code == 201, posted.json()
    _all_answer(client)


# -- 5, 9: sizes, shapes, codes ----------------------------------------------------------------------------------
def test_huge_bodies_and_huge_images_are_refused_before_anything_is_stored(served):
    folder, client, auth, body = served
    huge = client.post("/api/readings", content=b"x" * (9 * 1024 * 1024), headers=auth)
    assert huge.status_code == 413
    bomb = b"\xff\xd8\xff\xc0\x00\x11\x08\xea\x60\xea\x60\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xd9"
    response = client.post("/api/readings", json=dict(body, image=base64.b64encode(bomb).decode()), headers=auth)
    assert response.status_code == 400 and "60000×60000" in response.json()["error"]
    deep = "[" * 100_000 + "]" * 100_000
    assert client.post("/api/readings", content=deep, headers=auth).status_code == 400
    assert client.post("/api/readings/1/decision", content=deep, headers=auth).status_code == 400
    assert _readings(folder) == []


def test_a_genuine_code_for_a_page_the_sheet_does_not_have_is_refused(served):
    folder, client, auth, body = served
    payload, _ = parse(body["code"])
    secret = MeetingFolder.open(folder).keys(MeetingFolder.open(folder).store()).hmac_secret
    forged = Payload(**{**payload.__dict__, "page": 9, "pages": 9})
    response = client.post("/api/readings", json=dict(body, code=encode(forged, secret)), headers=auth)
    assert response.status_code == 400 and "page 9" in response.json()["error"]


def test_the_same_key_with_another_sheet_is_a_conflict(served):
    folder, client, auth, body = served
    assert client.post("/api/readings", json=body, headers=auth).status_code == 201
    other = dict(body, states={k: "empty" for k in body["states"]})
    response = client.post("/api/readings", json=other, headers=auth)
    assert response.status_code == 409 and response.json()["outcome"] == "conflict"
    assert client.post("/api/readings", json=body, headers=auth).status_code == 200  # a true re-send
    assert len(_readings(folder)) == 1


# -- 6: live pages cannot starve the stations ---------------------------------------------------------------------
def test_event_streams_are_capped(body_base, tmp_path):
    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    app = create_app(folder, max_viewers=3, max_viewers_per_address=2)
    with TestClient(app) as client, client.stream("GET", "/events") as a, client.stream("GET", "/events") as b:
        assert a.status_code == 200 and b.status_code == 200
        third = client.get("/events")
        assert third.status_code == 503 and "too many" in third.json()["error"]
        auth = {"Authorization": f"Bearer {app.state.service.token}"}
        assert client.post("/api/readings", json=body_base[1], headers=auth).status_code == 201


# -- 7: decompression bombs in a batch scan ------------------------------------------------------------------------
def test_a_picture_claiming_a_huge_size_is_skipped_in_one_line(body_base, tmp_path, cli):
    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "0-bomb.jpg").write_bytes(b"\xff\xd8\xff\xc0\x00\x11\x08\xea\x60\xea\x60\x03\x01\x22\x00\x02\x11\x01"
                                        b"\x03\x11\x01" + b"\x00" * 600 + b"\xff\xd9")
    (photos / "1-sheet.jpg").write_bytes(base64.b64decode(body_base[1]["image"]))
    # a TIFF and a BMP whose headers claim 20,000 px square (400 MP, under OpenCV's own limit of 1,000 MP: a real
    # one of 4.7 MB was decoded, 0.9 GB)
    entries = [(256, 4, 1, 20000), (257, 4, 1, 20000), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1), (273, 4, 1, 200),
               (278, 4, 1, 20000), (279, 4, 1, 400_000_000)]
    ifd = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries) + b"\x00" * 4
    (photos / "2-bomb.tif").write_bytes(b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00" * 200)
    info = struct.pack("<IiiHHIIiiII", 40, 20000, 20000, 1, 8, 0, 0, 2835, 2835, 256, 0)
    (photos / "3-bomb.bmp").write_bytes(b"BM" + struct.pack("<IHHI", 1178, 0, 0, 1078) + info + b"\x00" * 1124)
    result = cli("scan", folder, "--images", photos)
    assert result.exit_code == 0
    assert "0-bomb.jpg" in result.stdout and "图片太大：60000×60000像素" in result.stdout
    for name in ("2-bomb.tif", "3-bomb.bmp"):
        assert f"{name}: 无法打开：图片太大：20000×20000像素" in result.stdout, result.stdout
    assert "1-sheet.jpg" in result.stdout and "Traceback" not in result.output


# -- 8: verify says what it can know ----------------------------------------------------------------------------------
def test_verify_names_the_key_and_a_reading_whose_result_is_not_its_marks(body_base, tmp_path, cli):
    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    assert cli("seal", folder, "--all").exit_code == 0
    bundle = next(p for p in (folder / "archive").iterdir() if p.is_dir())
    plain = cli("verify", bundle)
    assert plain.exit_code == 0 and "OK, signed by key" in plain.stdout and "compare" in plain.stdout.lower()
    zipped = tmp_path / "dup.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for p in sorted(bundle.rglob("*")):
            if p.is_file():
                z.write(p, f"b/{p.relative_to(bundle).as_posix()}")
        with pytest.warns(UserWarning):
            z.writestr("b/results.json", "{}")
    dup = cli("verify", zipped)
    assert dup.exit_code != 0 and "more than once" in dup.output


def test_verify_recomputes_each_reading_from_its_marks(body_base, tmp_path):
    from archive.bundle import Verification, _check_readings
    from meeting.store import Store

    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    app = create_app(folder)
    with TestClient(app) as client:
        auth = {"Authorization": f"Bearer {app.state.service.token}"}
        assert client.post("/api/readings", json=body_base[1], headers=auth).status_code == 201
    db = sqlite3.connect(folder / "meeting.db")
    db.execute("DROP TRIGGER IF EXISTS readings_no_update")
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'readings'"):
        db.execute(f"DROP TRIGGER {name}")
    marks = json.loads(db.execute("SELECT marks FROM readings").fetchone()[0])
    marks["result"]["grades"] = {c: "excellent" for c in marks["result"]["grades"]}
    db.execute("UPDATE readings SET marks = ?", [json.dumps(marks)])
    db.commit()
    db.close()
    store = Store.open(folder / "meeting.db")
    try:
        meeting = MeetingFolder.open(folder).accepted(store).meeting
        v = Verification()
        _check_readings(store, meeting, v)
    finally:
        store.close()
    assert any("its stored result is not what its marks say" in p for p in v.problems)


# -- 9: the smaller ones ---------------------------------------------------------------------------------------------
def test_a_deeply_nested_or_huge_meeting_file_is_one_line(tmp_path, cli, sample_text):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 20000 + "]" * 20000)
    result = cli("check", deep)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and "deeply" in result.stderr
    many = tmp_path / "many.toml"
    many.write_text(sample_text + "".join(f'\n[[candidates]]\nid = "X{i}"\nname = "某{i}"\npost = "ZC"\n'
                                          for i in range(600)))
    result = cli("check", many)
    assert result.exit_code == 2 and "at most 500" in result.stderr


def test_status_shows_sealed_rounds_as_sealed(body_base, tmp_path, cli):
    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    assert cli("seal", folder, "--all").exit_code == 0
    out = cli("status", folder).stdout
    assert "已封存" in out and "tallykit scan" not in out


def test_a_bundle_folder_left_by_a_killed_seal_is_removed_next_time(body_base, tmp_path, cli):
    folder = tmp_path / "meeting"
    shutil.copytree(body_base[0], folder)
    (folder / "archive" / ".bundle-killed").mkdir(parents=True)
    (folder / "archive" / ".bundle-killed" / "meeting.db").write_bytes(b"half")
    assert cli("seal", folder, "--all").exit_code == 0
    assert not list((folder / "archive").glob(".bundle-*"))


# -- the whole class: random posts and decisions never crash the count -------------------------------------------------
scalars = st.none() | st.booleans() | st.integers(-10**9, 10**9) | st.floats(allow_nan=False, allow_infinity=False)
json_values = st.recursive(scalars | st.text(max_size=30), lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_posts_and_decisions_never_break_the_count(body_base, data):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "meeting"
        shutil.copytree(body_base[0], folder)
        app = create_app(folder)
        with TestClient(app) as client:
            _random_session(folder, client, {"Authorization": f"Bearer {app.state.service.token}"},
                            copy.deepcopy(body_base[1]), data)


def _random_session(folder, client, auth, body, data) -> None:
    box_ids = sorted(body["states"])
    for _ in range(3):
        post = copy.deepcopy(body)
        post["key"] = data.draw(st.text(min_size=1, max_size=20))
        choice = data.draw(st.sampled_from(["states", "marks", "result", "fingerprint", "whole", "good"]))
        if choice == "states":
            post["states"] = data.draw(st.dictionaries(st.sampled_from(box_ids), st.sampled_from(
                ["empty", "marginal", "marked"]), min_size=len(box_ids)) | st.fixed_dictionaries(
                {b: st.sampled_from(["empty", "marginal", "marked"]) for b in box_ids}))
        elif choice == "marks":
            post["marks"] = data.draw(json_values)
        elif choice == "result":
            post["marks"] = dict(post["marks"], result=data.draw(json_values), boxes=data.draw(json_values))
        elif choice == "fingerprint":
            post["fingerprint"] = data.draw(json_values)
        elif choice == "whole":
            post = data.draw(st.dictionaries(st.sampled_from(["key", "code", "states", "marks", "image"]), json_values))
        response = client.post("/api/readings", json=post, headers=auth)
        assert response.status_code in (200, 201, 400, 409), response.text
    for q in client.get("/api/review", headers=auth).json()[:2]:
        decision = {"decision": data.draw(st.sampled_from(["accept", "correct", "void", "duplicate", "x"])),
                    "reason": "r", "operator": "o", "result": data.draw(json_values),
                    "write_in_names": data.draw(json_values)}
        response = client.post(f"/api/readings/{q['id']}/decision", json=decision, headers=auth)
        assert response.status_code in (201, 400, 409), response.text
    _all_answer(client)
    store = MeetingFolder.open(folder).store()
    try:
        meeting = MeetingFolder.open(folder).accepted(store).meeting
        collect(store, meeting)  # what `tallykit tally` computes
        layouts = store.layouts()
        from ballots.geometry import Layout

        for row in store.all_readings():
            layout = Layout.from_json(layouts[row["layout_hash"]]["layout"])
            marks = json.loads(row["marks"])
            states = {k: v[0] for k, v in marks["boxes"].items()}
            again = from_states(meeting.round(row["round_id"]), layout, layout.pages[row["page"] - 1], states,
                                marks["zones"])
            assert again.result == marks["result"]  # every stored result is the interpretation of its states
    finally:
        store.close()
