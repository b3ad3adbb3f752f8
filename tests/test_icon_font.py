"""The icon font a phone downloads: only the icons FieldKit can show, every one of them."""

import io
import time
from pathlib import Path

import pytest
import streamlit
from fontTools.ttLib import TTFont
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from fieldkit.web import icon_font

REPO = Path(__file__).resolve().parents[1]
FONTS = sorted((Path(streamlit.__file__).parent / "static" / "static" / "media")
               .glob("MaterialSymbols-*.woff2"))


@pytest.fixture(scope="module")
def font_data():
    assert FONTS, "Streamlit's Material Symbols font is missing"
    return FONTS[0].read_bytes()


def spelt(data: bytes) -> dict[str, str]:
    return icon_font.ligatures(TTFont(io.BytesIO(data)))


def test_every_icon_fieldkit_names_is_in_the_subset_including_icons_with_two_names(font_data):
    names = icon_font.icon_names([REPO / "pages", REPO / "fieldkit"])
    assert {"location_on", "save", "restore"} <= names
    full = spelt(font_data)
    # location_on draws the glyph named "place": matching glyph names would lose it.
    assert full["location_on"] == full["place"] != "location_on"
    cut = TTFont(io.BytesIO(icon_font.subset(font_data, names)))
    kept = icon_font.ligatures(cut)
    known = {name for name in names if name in full}
    assert known and set(kept) >= known
    for name in known:  # the subset renames glyphs: compare what they draw
        assert cut["glyf"][kept[name]].numberOfContours > 0
    # Two names share a glyph in the subset exactly when they did in the font.
    assert ({(a, b) for a in known for b in known if kept[a] == kept[b]}
            == {(a, b) for a in known for b in known if full[a] == full[b]})


def test_the_subset_leaves_out_icons_nobody_names_and_is_a_fraction_of_the_font(font_data):
    cut = icon_font.subset(font_data, {"save", "location_on"})
    kept = spelt(cut)
    assert {"save", "location_on", "place"} <= set(kept)  # place: the same glyph
    assert "home" not in kept and "delete" not in kept
    assert len(cut) < len(font_data) / 10


def test_icon_names_are_read_from_python_and_javascript_only(tmp_path):
    (tmp_path / "a.py").write_text('st.button("Go", icon=":material/rocket_launch:")')
    (tmp_path / "b.js").write_text('icon:"material/bolt"')
    (tmp_path / "c.txt").write_text(":material/ignored:")
    assert icon_font.icon_names([tmp_path]) == {"rocket_launch", "bolt"}


def test_the_middleware_answers_the_font_with_its_subset_once_and_revalidates(font_data, tmp_path):
    (tmp_path / "page.py").write_text('icon=":material/location_on:"')
    path = "/static/media/" + FONTS[0].name
    served = []

    async def original(request):
        served.append(request.url.path)
        return Response(font_data, media_type="font/woff2", headers={"etag": '"abc"'})

    inner = Starlette(routes=[Route(path, original), Route("/other", original)])
    client = TestClient(icon_font.IconFont(inner, sources=[tmp_path]))
    first = client.get(path)
    assert first.status_code == 200 and len(first.content) < len(font_data) / 10
    assert "location_on" in spelt(first.content)
    assert int(first.headers["content-length"]) == len(first.content)
    assert first.headers["etag"] == '"abc-fieldkit"'
    again = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(path).content == first.content
    assert served == [path]  # cut once, then kept
    assert client.get("/other").content == font_data  # other paths pass through


def test_the_font_is_cut_as_the_server_starts_before_anyone_asks(font_data, tmp_path):
    # The first phone after a start no longer waits for the cut (three seconds on 2 cores).
    (tmp_path / "page.py").write_text('icon=":material/location_on:"')
    (tmp_path / "static" / "media").mkdir(parents=True)
    (tmp_path / "static" / "media" / FONTS[0].name).write_bytes(font_data)
    path = "/static/media/" + FONTS[0].name
    served = []

    async def original(request):
        served.append(request.url.path)
        return Response(font_data, media_type="font/woff2")

    inner = Starlette(routes=[Route(path, original)])
    with TestClient(icon_font.IconFont(inner, sources=[tmp_path], root=tmp_path)) as client:
        for _ in range(500):  # the server is up; nobody has asked yet
            if served:
                break
            time.sleep(0.02)
        assert served == [path]
        for _ in range(500):
            if path in client.app._kept:
                break
            time.sleep(0.02)
        first = client.get(path)
    assert "location_on" in spelt(first.content) and len(first.content) < len(font_data) / 10
    assert served == [path]  # the request was answered from the cut made at start

