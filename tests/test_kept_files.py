"""fieldkit.web.kept_files: what a start made of Streamlit's files (compressed scripts, the
icon font's cut) is read back by the next start instead of made again."""

import brotli
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from fieldkit.web import compress, icon_font, kept_files
from tests.test_icon_font import FONTS, spelt

SCRIPT = b"console.log('FieldKit kept');\n" * 500
PATH = "/static/js/index.abc123.js"


@pytest.fixture
def brotli_calls(monkeypatch):
    """Every brotli compression made, by the size of what it compressed."""
    calls: list[int] = []
    real = compress.ENCODERS["br"]

    def counted(data):
        calls.append(len(data))
        return real(data)
    monkeypatch.setitem(compress.ENCODERS, "br", counted)
    return calls


def started(kept_in, body=SCRIPT):
    """A server start: the middleware compresses PATH before anyone asks; the client."""
    async def static(request):
        return Response(body, media_type="text/javascript", headers={"etag": '"abc"'})
    app = Starlette(routes=[Route("/static/{rest:path}", static)], middleware=[
        Middleware(compress.StaticCompression, warm=[PATH], kept_in=kept_in)])
    return TestClient(app, base_url="http://localhost")


def fetched(web):
    """PATH as a phone gets it: brotli on the wire (the client decodes it)."""
    answer = web.get(PATH, headers={"accept-encoding": "br"})
    assert answer.status_code == 200 and answer.headers["content-encoding"] == "br"
    return answer


def test_a_restart_serves_what_the_first_start_compressed_without_compressing(
        tmp_path, brotli_calls):
    with started(tmp_path / "kept") as web:
        first = fetched(web)
    assert brotli_calls == [len(SCRIPT)]
    assert len(list((tmp_path / "kept").iterdir())) == 1
    with started(tmp_path / "kept") as web:
        again = fetched(web)
    assert brotli_calls == [len(SCRIPT)]  # read back, not compressed again
    (kept,) = (tmp_path / "kept").iterdir()
    assert first.content == again.content == SCRIPT
    assert int(again.headers["content-length"]) == len(kept.read_bytes())  # the kept bytes


def test_changed_bytes_are_compressed_anew_and_kept_beside(tmp_path, brotli_calls):
    with started(tmp_path / "kept") as web:
        fetched(web)
    newer = SCRIPT + b"// a newer Streamlit\n"
    with started(tmp_path / "kept", body=newer) as web:
        assert fetched(web).content == newer
    assert brotli_calls == [len(SCRIPT), len(newer)]
    assert len(list((tmp_path / "kept").iterdir())) == 2


@pytest.mark.parametrize("damage", [b"", b"not brotli at all", "truncated", "another file's"])
def test_a_kept_file_that_is_not_the_compressed_script_is_made_again(tmp_path, brotli_calls,
                                                                     damage):
    with started(tmp_path / "kept") as web:
        fetched(web)
    (kept,) = (tmp_path / "kept").iterdir()
    whole = kept.read_bytes()
    kept.write_bytes({"truncated": whole[: len(whole) // 2],
                      "another file's": brotli.compress(b"alert(1)")}.get(damage, damage))
    with started(tmp_path / "kept") as web:
        assert fetched(web).content == SCRIPT
    assert len(brotli_calls) == 2
    assert kept.read_bytes() == whole  # put right for the next start


def test_a_folder_that_cannot_be_written_still_serves_compressed(tmp_path, brotli_calls):
    (tmp_path / "kept").write_text("a file where the folder would be")
    for _ in range(2):
        with started(tmp_path / "kept") as web:
            assert fetched(web).content == SCRIPT
    assert len(brotli_calls) == 2  # made each start, as without a folder
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # and nothing left lying around


def test_nothing_is_kept_without_a_folder(tmp_path, brotli_calls):
    with started(None) as web:
        fetched(web)
    assert brotli_calls == [len(SCRIPT)] and list(tmp_path.iterdir()) == []


def test_the_icon_fonts_cut_is_read_back_at_the_next_start(tmp_path, monkeypatch):
    font_data = FONTS[0].read_bytes()
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "page.py").write_text('icon=":material/location_on:"')
    path = "/static/media/" + FONTS[0].name
    cuts = []
    real = icon_font.subset

    def counted(data, names):
        cuts.append(sorted(names))
        return real(data, names)
    monkeypatch.setattr(icon_font, "subset", counted)

    async def original(request):
        return Response(font_data, media_type="font/woff2")
    inner = Starlette(routes=[Route(path, original)])
    answers = []
    for _ in range(2):
        with TestClient(icon_font.IconFont(inner, sources=[tmp_path / "code"],
                                           kept_in=tmp_path / "kept")) as web:
            answers.append(web.get(path).content)
    assert len(cuts) == 1 and answers[0] == answers[1]
    assert "location_on" in spelt(answers[1]) and len(answers[1]) < len(font_data) / 10
    # A new icon in the code is another cut, not the kept one.
    (tmp_path / "code" / "more.py").write_text('icon=":material/bolt:"')
    with TestClient(icon_font.IconFont(inner, sources=[tmp_path / "code"],
                                       kept_in=tmp_path / "kept")) as web:
        assert "bolt" in spelt(web.get(path).content)
    assert len(cuts) == 2


@pytest.mark.parametrize("environ, expected", [
    ({"FIELDKIT_CACHE": "/srv/cache", "XDG_CACHE_HOME": "/x"}, "/srv/cache"),
    ({"FIELDKIT_CACHE": "  ", "XDG_CACHE_HOME": "/x"}, "/x/fieldkit"),
    ({"XDG_CACHE_HOME": "/x"}, "/x/fieldkit"),
])
def test_the_folder_is_chosen_by_the_environment(environ, expected):
    assert str(kept_files.folder(environ)) == expected


def test_without_a_choice_the_folder_is_in_the_users_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert kept_files.folder({}) == tmp_path / ".cache" / "fieldkit"


def test_names_change_with_any_source_and_cannot_be_made_to_collide():
    assert kept_files.name_for("br11", b"ab", b"c") != kept_files.name_for("br11", b"a", b"bc")
    assert kept_files.name_for("br11", b"x") != kept_files.name_for("gzip9", b"x")
    assert kept_files.name_for("br11", b"x") == kept_files.name_for("br11", b"x")


def test_prepared_ahead_of_time_a_first_start_makes_nothing(tmp_path, brotli_calls, monkeypatch):
    """`python -m fieldkit.web.prepare` (make run, at install) makes what a start would:
    the first start after it serves Streamlit's real files compressed and the icon font
    cut, without compressing or cutting anything itself."""
    from starlette.staticfiles import StaticFiles

    from fieldkit.web import prepare
    from fieldkit.web.routes import shell_files

    page = prepare.streamlit_page()
    scripts, fonts = prepare.prepare(tmp_path / "kept")
    assert scripts > 40 and fonts == 1 and len(brotli_calls) == scripts
    brotli_calls.clear()
    monkeypatch.setattr(icon_font, "subset", lambda *a: pytest.fail("cut again"))
    warm = shell_files(page.read_bytes())
    app = Starlette(routes=[Route("/", lambda r: Response("page"))], middleware=[
        Middleware(compress.StaticCompression, warm=warm, kept_in=tmp_path / "kept"),
        Middleware(icon_font.IconFont, sources=prepare.icon_sources(), root=page.parent,
                   kept_in=tmp_path / "kept")])
    app.mount("/static", StaticFiles(directory=page.parent / "static"))
    with TestClient(app, base_url="http://localhost") as web:
        scripts_served = [path for path in warm if path.endswith(".js") and (
            page.parent / path.lstrip("/")).stat().st_size >= compress.MINIMUM_BYTES]
        assert len(scripts_served) > 40
        for path in scripts_served:
            answer = web.get(path, headers={"accept-encoding": "br"})
            assert answer.headers.get("content-encoding") == "br", path
            assert answer.content == (page.parent / path.lstrip("/")).read_bytes()
        (font,) = (page.parent / "static" / "media").glob("MaterialSymbols-*.woff2")
        assert len(web.get(f"/static/media/{font.name}").content) < font.stat().st_size / 10
    assert brotli_calls == []
