"""What FieldKit relies on inside Streamlit, each pinned: at an upgrade, the first test to fail
names the internal that changed (the list, with what uses each: docs/architecture.md)."""

import re
from pathlib import Path

import pytest
import streamlit
from streamlit import file_util
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime import Runtime
from streamlit.web.server import server_util
from streamlit.web.server.starlette import starlette_app_utils, starlette_routes, starlette_websocket

from fieldkit.web import doors, shell

STATIC = Path(file_util.get_static_dir())
BUNDLE = "\n".join(path.read_text(encoding="utf-8", errors="replace")
                   for path in (STATIC / "static" / "js").glob("*.js"))


def test_the_version_is_the_one_these_pins_were_checked_on():
    # A new Streamlit: read docs/architecture.md's list, then raise this.
    assert streamlit.__version__ == "1.67.0"


def test_the_page_is_index_html_in_the_static_folder_and_loads_hashed_files():
    page = (STATIC / "index.html").read_bytes()
    assert shell.is_streamlit_page(page)
    assert shell.static_files(page) and all(
        (STATIC / path.lstrip("/")).is_file() for path in shell.static_files(page))


@pytest.mark.parametrize("name", ["window.__streamlit", "BACKEND_BASE_URL", "HOST_CONFIG",
                                  "allowedOrigins", "useExternalAuthToken"])
def test_the_page_reads_the_base_url_script_names(name):
    # shell.BASE_URL_SCRIPT sets them before Streamlit's scripts run.
    assert name.split(".")[-1] in BUNDLE


@pytest.mark.parametrize("selector", ["stApp", "data-test-connection-state", "CONNECTED",
                                      "data-test-script-state", "notRunning", "stMain",
                                      "stDialog"])
def test_the_marks_connection_js_and_the_browser_tests_read_are_still_written(selector):
    assert selector in BUNDLE


def test_the_websocket_path_subprotocol_and_xsrf_placeholder_early_socket_js_copies():
    assert "_stcore/stream" in BUNDLE and doors.STREAM_PATH == "/_stcore/stream"
    # new WebSocket(url, ["streamlit", token or placeholder, last session id?])
    assert re.search(r"new WebSocket\(\w+,\[[`\"']streamlit[`\"'],\.\.\.\w+\]\)", BUNDLE)
    assert re.search(r"[`\"']_streamlit_xsrf[`\"']", BUNDLE)
    assert re.search(r"\?\?[`\"']PLACEHOLDER_AUTH_TOKEN[`\"']", BUNDLE)


def test_the_xsrf_cookie_is_version_mask_token_time():
    # early-socket.js compares tokens without their mask.
    token = starlette_app_utils.generate_xsrf_token_string()
    assert re.fullmatch(r"2\|[0-9a-f]{8}\|[0-9a-f]+\|\d+", token)
    assert starlette_app_utils.decode_xsrf_token_string(token)


def test_the_widget_files_are_named_after_the_widget():
    # shell.widget_entries finds them by name for preload-widgets.js.
    assert len(shell.widget_entries()) == len(shell.WIDGETS)


def test_the_routes_fieldkit_guards_are_where_doors_guards_them():
    assert "/" + starlette_routes._ROUTE_UPLOAD_FILE.split("{")[0] == doors.UPLOAD_PREFIX
    assert "/" + starlette_routes.ROUTE_METRICS == doors.METRICS_PATH
    assert f"/{starlette_routes.BASE_ROUTE_MEDIA}/" == doors.MEDIA_PREFIX


def test_the_runtime_answers_what_uploads_asks():
    # fieldkit/web/uploads.py: Runtime.exists/instance, is_active_session, uploaded_file_mgr.
    for name in ("exists", "instance", "is_active_session", "uploaded_file_mgr"):
        assert hasattr(Runtime, name), name


def test_the_messages_doors_reads_and_blanks():
    assert "clear_cache" in BackMsg.DESCRIPTOR.fields_by_name
    new_session = ForwardMsg.DESCRIPTOR.fields_by_name["new_session"].message_type
    assert "main_script_path" in new_session.fields_by_name
    initialize = new_session.fields_by_name["initialize"].message_type
    assert {"environment_info", "user_info", "session_id"} <= set(initialize.fields_by_name)
    # The page reads the user's install ids: they must be there, even empty.
    assert "installationIdV3" in BUNDLE


def test_the_provider_cookie_is_read_as_streamlit_reads_it():
    # fieldkit/web/streamlit_account.py (its round trip: test_web_doors.py).
    assert server_util.AUTH_COOKIE_NAME == "_streamlit_user"
    assert callable(starlette_websocket._get_signed_cookie_with_chunks)
    assert callable(starlette_websocket.get_cookie_secret)


def _marks(text: str) -> set[str]:
    """The data-testid values (or their start or end) a style sheet or script selects."""
    return set(re.findall(r"data-testid[\^$*]?=\\?[\"']([\w-]+)", text))


@pytest.mark.parametrize("name", ["phone.css", "cues.js"])
def test_the_marks_phone_css_and_cues_js_select_are_still_written(name):
    from fieldkit.web import browser
    marks = _marks(browser.static_text(name))
    assert marks  # the pattern still finds them
    assert sorted(mark for mark in marks if mark not in BUNDLE) == []


def test_a_keyed_element_carries_its_key_as_a_class():
    assert re.search(r"[`\"']st-key-[`\"']", BUNDLE) or "st-key-${" in BUNDLE


def test_a_sessions_first_element_walks_the_stack_once_to_check_for_a_repl():
    # ui/warm.py fills inspect's module map at start so that this walk is quick.
    import inspect

    from streamlit import delta_generator, env_util
    assert "env_util.is_repl()" in inspect.getsource(delta_generator._maybe_print_use_warning)
    assert "inspect.stack()" in inspect.getsource(env_util.is_repl)
