"""Settings: My card and the messages of each stage, saved whole or not at all."""

from apptest import rows, run_page

from fieldkit import config

PAGE = "pages/settings.py"


def field(at, name):
    key = f"setting_{name}"
    return next(w for w in [*at.text_input, *at.text_area] if w.key == key)


def tap(at, label):
    next(b for b in at.get("form_submit_button") if b.label == label).click()
    at.run()
    assert not at.exception


def test_my_card_saves_only_what_changed_and_says_so_under_the_form(app_db):
    at = run_page(PAGE)
    field(at, "my_name").set_value("Sam Field")
    field(at, "my_email").set_value("Sam@FieldKit.example")
    tap(at, "Save my card")
    assert [s.value for s in at.success] == ["My card saved."]
    assert sorted(rows(app_db, "SELECT name, value FROM settings")) == [
        ("my_email", '"Sam@fieldkit.example"'), ("my_name", '"Sam Field"')]
    assert field(at, "my_email").proto.type == type(field(at, "my_email").proto).EMAIL


def test_a_bad_value_on_my_card_is_named_and_nothing_is_saved(app_db):
    at = run_page(PAGE)
    field(at, "my_name").set_value("Sam Field")
    field(at, "my_website").set_value("not a site")
    tap(at, "Save my card")
    assert at.error[0].value.startswith("Website")
    assert rows(app_db, "SELECT count(*) FROM settings") == [(0,)]
    assert field(at, "my_name").value == "Sam Field"  # what was typed stays


def test_each_stage_has_its_messages_and_a_save_keeps_the_defaults_defaults(app_db):
    at = run_page(PAGE)
    for stage in config.MESSAGE_STAGES:
        for channel in config.MESSAGE_CHANNELS:
            name = config.template_name(stage, channel)
            assert field(at, name).value == config.SETTINGS[name].default
    field(at, "template_keep_sms").set_value("Hi {first_name}, coffee soon? {my_name}")
    tap(at, "Save messages")
    assert [s.value for s in at.success] == ["Messages saved."]
    assert rows(app_db, "SELECT name FROM settings") == [("template_keep_sms",)]


def test_an_unknown_placeholder_is_refused(app_db):
    at = run_page(PAGE)
    field(at, "template_later_email").set_value("Hi {firstname}")
    tap(at, "Save messages")
    assert "unknown placeholder" in at.error[0].value
    assert rows(app_db, "SELECT count(*) FROM settings") == [(0,)]
