"""tests/cardgen.py: the generated business cards are the same for a seed, and true to their truth."""

import io

import phonenumbers
from PIL import Image

from tests import cardgen


def test_a_seed_gives_the_same_card_every_time():
    first, again = cardgen.card(11), cardgen.card(11)
    assert first.photo == again.photo and first.truth == again.truth
    assert cardgen.card(12).photo != first.photo


def test_every_layout_comes_in_turn_as_a_photo():
    made = cardgen.cards(5, first_seed=40)
    assert [c.layout for c in made] == list(cardgen.LAYOUTS)
    for card in made:
        with Image.open(io.BytesIO(card.photo)) as photo:
            assert photo.format == "JPEG" and max(photo.size) in (1280, 1600)


def test_the_truth_is_what_the_card_prints():
    for card in cardgen.cards(10, first_seed=100):
        printed = "\n".join(card.lines)
        truth = card.truth
        for value in (truth.name, truth.company, truth.title, truth.email, truth.website):
            assert value is None or value in printed, (card.seed, value)
        assert truth.phones, card.seed
        for number in truth.phones:
            parsed = phonenumbers.parse(number)
            assert phonenumbers.is_valid_number(parsed)
            # Printed nationally or internationally, the digits are on the card.
            national = str(parsed.national_number)
            assert national[-4:] in printed.replace(" ", "").replace("-", "").replace(".", "")
