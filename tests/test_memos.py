"""fieldkit.memos: voice memos checked, kept with a card, listed, deleted, undone with it."""

import io
import wave

import pytest

from fieldkit import cards, memos, people
from fieldkit.errors import NotFound, ValidationError
from tests.factory import NOW, SETTINGS, save_card


def wav(seconds: float, rate: int = 16000) -> bytes:
    """Silence as the browser's audio input records it: 16-bit mono WAV."""
    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(b"\0\0" * int(rate * seconds))
    return out.getvalue()


def count(db, kind="voice_memo"):
    return db.execute("SELECT count(*) FROM attachments WHERE kind = ?", [kind]).fetchone()[0]


@pytest.mark.parametrize("data, mime", [
    (wav(1.5), "audio/wav"),
    (b"OggS\0\2" + bytes(40), "audio/ogg"),
    (b"\x1a\x45\xdf\xa3" + bytes(40), "audio/webm"),
    (b"\0\0\0\x20ftypM4A " + bytes(40), "audio/mp4"),
    (b"ID3\4\0" + bytes(40), "audio/mpeg"),
])
def test_recordings_are_recognised_by_their_bytes(data, mime):
    assert memos.prepare(data) == memos.Memo(mime, data)


@pytest.mark.parametrize("data, message", [
    (b"", r"^Voice memo: the recording is empty\.$"),
    (b"<html>not audio</html>", r"^Voice memo: this is not a recording"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), r"^Voice memo: this is not a recording"),
    (wav(140), r"^Voice memo: the recording is 4\.3 MB; at most 4 MB \(about 2 minutes\)\. "
               r"Record a shorter one\.$"),
])
def test_what_is_refused_says_why(data, message):
    with pytest.raises(ValidationError, match=message) as caught:
        memos.prepare(data)
    assert caught.value.field == "memo"


def test_a_two_minute_memo_fits():
    assert memos.prepare(wav(120)).mime == "audio/wav"


def test_length_of_a_wav_memo():
    assert memos.seconds(wav(12.5)) == pytest.approx(12.5)
    assert memos.seconds(wav(3, rate=48000)) == pytest.approx(3)
    assert memos.seconds(b"OggS" + bytes(40)) is None
    assert memos.seconds(b"RIFF\0\0\0\0WAVE") is None  # a header and nothing else


def test_add_list_and_delete(db):
    ada = save_card(db, "Ada")
    ben = save_card(db, "Ben")
    first = memos.add(db, ada, wav(1), now=NOW)
    second = memos.add(db, ada, wav(2), now=NOW)
    memos.add(db, ben, wav(1), now=NOW)
    listed = memos.of(db, ada)
    assert [(m["id"], m["mime"], m["created_at"]) for m in listed] == [
        (first, "audio/wav", "2026-03-10T14:00:00Z"), (second, "audio/wav", "2026-03-10T14:00:00Z")]
    assert listed[1]["data"] == wav(2)
    assert [m["id"] for m in people.person(db, ada)["memos"]] == [first, second]
    assert people.person(db, ada)["photos"] == []  # memos are not card photos
    assert memos.delete(db, ben, first) is False  # not Ben's
    assert memos.delete(db, ada, first) is True
    assert memos.delete(db, ada, first) is False  # already gone
    assert [m["id"] for m in memos.of(db, ada)] == [second]
    assert count(db) == 2


def test_add_to_nobody_or_too_long_stores_nothing(db):
    with pytest.raises(NotFound):
        memos.add(db, 999, wav(1))
    ada = save_card(db, "Ada")
    with pytest.raises(ValidationError):
        memos.add(db, ada, wav(140))
    assert count(db) == 0


def test_a_memo_saved_with_a_card_goes_with_its_undo(db):
    person_id = save_card(db, "Ada", memo=memos.prepare(wav(1)))
    assert [m["mime"] for m in memos.of(db, person_id)] == ["audio/wav"]
    (touch_id,) = db.execute("SELECT id FROM touches WHERE person_id = ?", [person_id]).fetchone()
    cards.undo_capture(db, touch_id)
    assert count(db) == 0


def test_a_memo_added_with_a_meeting_goes_with_its_undo_and_older_ones_stay(db):
    ada = save_card(db, "Ada", memo=memos.prepare(wav(1)))
    touch_id = cards.add_meeting(db, ada, cards.clean({"name": "Ada"}), settings=SETTINGS,
                                 memo=memos.prepare(wav(2)), now=NOW)
    assert len(memos.of(db, ada)) == 2
    cards.undo_capture(db, touch_id)
    assert [m["data"] for m in memos.of(db, ada)] == [wav(1)]


def test_deleting_a_person_deletes_their_memos(db):
    ada = save_card(db, "Ada", memo=memos.prepare(wav(1)))
    people.delete(db, ada)
    assert count(db) == 0
