"""The card reader: typed lines to fields (no OCR), and a few photos read for real."""

import io
import threading

import pytest
from PIL import Image

from fieldkit import cardreader, cards
from fieldkit.cardreader import CardReadError, Line, ReadCard, fields_from_lines
from fieldkit.errors import FieldkitError
from tests import cardgen

# Type sizes in pixels, as a card photographed at about 1200 px wide shows them.
BIG, MID, SMALL = 56, 34, 26


def stack(*rows, left=60, top=40, gap=0.45):
    """Lines one under the other: each row is text, or (text, height), or (text, height, left)."""
    lines, y = [], top
    for row in rows:
        text, height, x = (row, SMALL, left) if isinstance(row, str) else \
            (*row, left) if len(row) == 2 else row
        lines.append(Line(text, x, y, len(text) * height * 0.55, height))
        y += height * (1 + gap)
    return lines


def read(*rows, region="US", **kwargs) -> ReadCard:
    return fields_from_lines(stack(*rows, **kwargs), region=region)


# ------------------------------------------------------------------ whole cards

def test_a_plain_card_gives_every_field():
    card = read(("ACME ROBOTICS", 44), ("Jane Doe", BIG), ("Head of Product", MID),
                "Mobile +1 415 555 0132", "jane.doe@acme-robotics.com",
                "www.acme-robotics.com", "linkedin.com/in/jane-doe-4b2a",
                "500 Howard Street, Suite 300", "San Francisco, CA 94105")
    assert (card.name, card.company, card.title) == ("Jane Doe", "ACME ROBOTICS",
                                                     "Head of Product")
    assert card.email == "jane.doe@acme-robotics.com"
    assert card.phones == ("+14155550132",)
    assert card.website == "https://www.acme-robotics.com"
    assert card.linkedin_url == "https://www.linkedin.com/in/jane-doe-4b2a"
    assert card.address == "500 Howard Street, Suite 300, San Francisco, CA 94105"
    assert card.guessed == ()
    assert card.read == ("name", "company", "title", "email", "phone", "linkedin_url",
                         "website", "note")


def test_a_card_with_no_name_line_reads_no_name():
    card = read(("Müller & Söhne GmbH", 48), ("Präzision seit 1952", MID),
                "Tel. +49 30 1234567", "info@mueller-soehne.de", "www.mueller-soehne.de",
                "Friedrichstraße 123", "10117 Berlin", region="DE")
    assert card.name is None
    assert card.company == "Müller & Söhne GmbH"
    assert card.title is None
    assert card.email == "info@mueller-soehne.de"
    assert card.phones == ("+49301234567",)
    assert card.address == "Friedrichstraße 123, 10117 Berlin"
    assert "name" not in card.read


def test_two_names_on_a_card_the_email_says_whose_it_is():
    card = read(("Brandt Logistik GmbH", 40), ("Anna Schmidt", BIG),
                ("Geschäftsführerin", MID), ("Peter Weber", BIG), ("Prokurist", MID),
                "Tel. +49 40 3070 5200", "peter.weber@brandt-logistik.de", region="DE")
    assert (card.name, card.title) == ("Peter Weber", "Prokurist")
    assert card.others == ("Anna Schmidt",)
    assert "Also on the card: Anna Schmidt" in card.note()


def test_two_names_and_no_email_the_first_is_the_card_s():
    card = read(("Anna Schmidt", BIG), ("Geschäftsführerin", MID), ("Peter Weber", BIG),
                ("Prokurist", MID), ("Brandt Logistik GmbH", 40), "Tel. 040 30705200",
                region="DE")
    assert (card.name, card.title, card.others) == ("Anna Schmidt", "Geschäftsführerin",
                                                    ("Peter Weber",))
    assert card.phones == ("+494030705200",)


def test_a_company_only_in_the_email_domain_is_guessed_from_it():
    card = read(("Jane Doe", BIG), ("Head of Sales", MID), "+44 20 7946 0958",
                "jane@northwind-analytics.co.uk")
    assert card.company == "Northwind Analytics"
    assert card.guessed == ("company",)
    assert (card.name, card.title) == ("Jane Doe", "Head of Sales")


def test_a_free_mail_domain_is_no_company():
    card = read(("Jane Doe", BIG), ("Independent Consultant", MID), "jane.doe@gmail.com")
    assert card.company is None and card.guessed == ()
    assert card.name == "Jane Doe"


def test_the_company_s_logo_and_its_full_name_the_full_name_wins():
    card = read(("NORDWIND", 60), ("Nordwind Energie GmbH", 24), ("Jürgen Weiß", BIG),
                ("Technischer Berater", MID), "j.weiss@nordwind.de", region="DE")
    assert (card.company, card.name) == ("Nordwind Energie GmbH", "Jürgen Weiß")


def test_a_tagline_in_capitals_is_neither_name_nor_company():
    card = read(("Voltaria", 48), ("Smart Energy Solutions", MID), ("Sofia Rossi", BIG),
                ("Key Account Manager", MID), "sofia.rossi@voltaria.it", region="IT")
    assert (card.name, card.company, card.title) == ("Sofia Rossi", "Voltaria",
                                                     "Key Account Manager")


def test_a_title_above_the_name_is_still_the_title():
    card = read(("Directrice générale", MID), ("Amélie Fournier", BIG),
                ("Atelier Moreau SAS", 40), "a.fournier@atelier-moreau.fr", region="FR")
    assert (card.name, card.title, card.company) == ("Amélie Fournier", "Directrice générale",
                                                     "Atelier Moreau SAS")


def test_two_columns_are_read_apart():
    left = stack(("Íñigo Núñez", BIG), ("Jefe de Producto", MID),
                 ("Soluciones Ibéricas S.L.", 34), top=60)
    right = stack("Móvil 612 34 56 78", "Tel. 912 34 56 78", "inunez@solib.es",
                  "Calle de Alcalá 45", "28014 Madrid", left=700, top=220)
    card = fields_from_lines(left + right, region="DE")
    assert (card.name, card.title, card.company) == ("Íñigo Núñez", "Jefe de Producto",
                                                     "Soluciones Ibéricas S.L.")
    assert card.phones == ("+34612345678", "+34912345678")  # Spanish: the .es domain says so
    assert card.address == "Calle de Alcalá 45, 28014 Madrid"


def test_a_name_and_title_on_one_line_are_parted():
    card = read(("Jane Doe, CEO", BIG), ("Acme Robotics Inc.", 30), "jane@acme.io")
    assert (card.name, card.title, card.company) == ("Jane Doe", "CEO", "Acme Robotics Inc.")
    card = read(("Jane Doe | Head of Product", BIG), "jane@acme.io")
    assert (card.name, card.title) == ("Jane Doe", "Head of Product")


def test_a_title_that_runs_on_to_the_next_line_is_read_whole():
    card = read(("ACME", 70), ("Jane Doe", 30), ("Senior Vice President,", 22),
                ("Global Sales & Marketing", 22), "jane.doe@acme.com")
    assert card.title == "Senior Vice President, Global Sales & Marketing"
    assert (card.name, card.company) == ("Jane Doe", "ACME")


def test_a_name_in_small_letters_on_a_personal_domain_is_no_company():
    card = read(("jane doe", 40), ("product designer", 26), "hello@janedoe.design",
                "janedoe.design")
    assert (card.name, card.title, card.company) == ("jane doe", "product designer", None)
    assert card.website == "https://janedoe.design"


def test_pieces_of_one_row_are_joined_and_far_ones_are_not():
    lines = [Line("Jane", 60, 100, 120, BIG), Line("Doe", 200, 102, 90, BIG),
             Line("Head of Product", 60, 170, 300, MID),
             Line("jane@acme.example", 700, 104, 300, SMALL)]
    card = fields_from_lines(lines, region="US")
    assert card.name == "Jane Doe"
    assert card.lines == ("Jane Doe", "jane@acme.example", "Head of Product")


def test_nothing_read_gives_an_empty_card():
    card = fields_from_lines([], region="US")
    assert card == ReadCard()
    assert card.read == () and card.form_fields() == {} and card.note() is None


def test_lines_of_noise_give_no_fields():
    card = read("~~ ::", "|", "°°°", ".")
    assert card.read == ()


# ------------------------------------------------------------------ titles and legal forms

@pytest.mark.parametrize("title", [
    "Chief Technology Officer", "VP Sales EMEA", "Senior Product Manager", "Founder & CEO",
    "Geschäftsführer", "Leiterin Vertrieb", "Softwareentwicklerin", "Bereichsleiter Einkauf",
    "Directrice générale", "Chef de projet", "Ingénieur d'affaires", "Chargée de communication",
    "Jefa de Producto", "Gerente de Proyectos", "Ejecutiva de Cuentas", "Directora Comercial",
    "Diretor Comercial", "Engenheira de Software", "Gestor de Projetos", "Sócio-Fundador",
    "Member of the Board", "Product Marketing",
])
def test_titles_in_five_languages_are_read_under_the_name(title):
    card = read(("Alex Moreno", BIG), (title, MID), ("Quantix Labs", 40),
                "alex.moreno@quantix.example")
    assert card.title == title
    assert card.name == "Alex Moreno"


@pytest.mark.parametrize("text", ["Innovation that moves you", "Since 1987", "Berlin",
                                  "Quantix Labs", "Jane Doe", "Rua Augusta 100"])
def test_lines_that_are_not_titles_score_below_a_title(text):
    assert cardreader.title_score(text) < 2


@pytest.mark.parametrize("company", [
    "Acme Inc.", "Acme, Inc.", "Acme Inc", "Acme LLC", "Acme Ltd", "Acme Ltd.", "Acme PLC",
    "Müller GmbH", "Bosch GmbH & Co. KG", "Siemens AG", "Telefónica S.A.", "Telefónica SA",
    "Soluciones S.L.", "Soluciones SLU", "Atelier SAS", "Atelier SARL", "Tecnologia Ltda.",
    "Tecnologia Lda.", "Sony K.K.", "Acme Pty Ltd", "Philips N.V.", "Acme B.V.",
    "Barilla S.p.A.", "Volvo AB", "Kone Oyj", "Maersk A/S",
])
def test_legal_forms_mark_a_company(company):
    assert cardreader.has_legal_form(company)


@pytest.mark.parametrize("text", ["Jane Doe", "Sales & Marketing", "Head of Sales",
                                  "SAP Consultant", "Asia Pacific", "Sascha Agner",
                                  "www.example.com", "Inca Trail Tours"])
def test_other_lines_have_no_legal_form(text):
    assert not cardreader.has_legal_form(text)


def test_a_legal_form_ocr_misread_is_put_right():
    card = read(("Dr. Léa Lefèvre", BIG), ("Responsable des achats", MID),
                ("Helvetron 5.A.", 36), "lea.lefevre@helvetron.fr", region="FR")
    assert card.company == "Helvetron S.A."
    assert card.name == "Dr. Léa Lefèvre"


# ------------------------------------------------------------------ phones

@pytest.mark.parametrize(("rows", "region", "phones"), [
    # National numbers in the user's own region; the mobile first.
    (["Tel. 030 123456", "Mobil 01512 3456789"], "DE", ("+4915123456789", "+4930123456")),
    # International numbers whatever the user's region.
    (["T +49 30 123456", "M +49 1512 3456789"], "US", ("+4915123456789", "+4930123456")),
    (["+49 (0)30 123456"], "US", ("+4930123456",)),
    (["Tél. 01 23 45 67 89", "Port. 06 12 34 56 78"], "FR", ("+33612345678", "+33123456789")),
    # National numbers of the card's own country, which its domain gives away.
    (["Tél. 01 23 45 67 89", "contact@atelier.fr"], "US", ("+33123456789",)),
    (["(201) 555-0123"], "DE", ("+12015550123",)),  # a US way of writing a number
    (["Cel. (11) 96123-4567"], "DE", ("+5511961234567",)),  # a Brazilian one
    (["Phone (201) 555-0123 · Cell (201) 555-0199"], "US", ("+12015550199", "+12015550123")),
    (["0121 234 5678", "London NW1 6XE", "United Kingdom"], "DE", ("+441212345678",)),
])
def test_phones_national_and_international(rows, region, phones):
    card = read(("Alex Moreno", BIG), *rows, region=region)
    assert card.phones == phones


def test_a_fax_is_not_a_phone_but_goes_to_the_note():
    card = read(("Alex Moreno", BIG), "Tel. +49 30 123456", "Fax +49 30 123457", region="DE")
    assert card.phones == ("+4930123456",)
    assert card.faxes == ("+4930123457",)
    assert card.note() == "Fax: +49 30 123457"


def test_a_number_with_no_region_to_read_it_in_is_left_out():
    card = read(("Alex Moreno", BIG), "Tel. 030 123456", region=None)
    assert card.phones == ()


# ------------------------------------------------------------------ what OCR gets wrong

def test_an_email_glued_to_a_link_is_parted():
    card = read(("Letícia Ribeiro", BIG), "ribeiro@evergreen.comwww.evergreen.com")
    assert card.email == "ribeiro@evergreen.com"
    assert card.website == "https://www.evergreen.com"


def test_spaces_around_the_at_sign_are_dropped():
    assert read(("Jane Doe", BIG), "E: jane.doe @ acme.example").email == "jane.doe@acme.example"


def test_a_capital_i_read_for_a_small_l_is_put_right_when_the_name_says_so():
    card = read(("Luís Carvalho", BIG), "E-mail: Icarvalho@meridian.com.br")
    assert card.email == "lcarvalho@meridian.com.br"
    assert read(("Ian Smith", BIG), "Ian@smith.example").email == "Ian@smith.example"


def test_a_name_read_without_its_space_is_parted_where_the_email_parts_it():
    card = read(("FRIEDERIKESCHÄFER", BIG), ("Projektleiterin", MID),
                "friederike.schaefer@orbital.de", region="DE")
    assert card.name == "FRIEDERIKE SCHÄFER"


@pytest.mark.parametrize("line", ["linkedin.com/in/jane-doe", "in/jane-doe",
                                  "www.linkedin.comin/jane-doe", "de.linkedin.com/in/jane-doe/"])
def test_linkedin_profiles_as_cards_print_them(line):
    card = read(("Jane Doe", BIG), line)
    assert card.linkedin_url == "https://www.linkedin.com/in/jane-doe"
    assert card.website is None


def test_labels_and_icons_in_front_of_details_are_not_a_name():
    card = read(("Jane Doe", BIG), ("Head of Product", MID), "☎ +1 201 555 0123",
                "✉ jane@acme.io", "🌐 acme.io")
    assert card.name == "Jane Doe"
    assert card.phones == ("+12015550123",)
    assert card.email == "jane@acme.io" and card.website == "https://acme.io"


# ------------------------------------------------------------------ what the form gets

def test_form_fields_clean_like_typed_ones_and_the_rest_goes_to_the_note():
    card = read(("Acme Robotics Inc.", 40), ("Jane Doe", BIG), ("Head of Product", MID),
                "T +1 201 555 0123", "M +1 201 555 0199", "Fax +1 201 555 0100",
                "jane@acme.example", "500 Howard Street, Suite 300", "San Francisco, CA 94105")
    fields = card.form_fields()
    assert fields == {
        "name": "Jane Doe", "company": "Acme Robotics Inc.", "title": "Head of Product",
        "email": "jane@acme.example", "phone": "+1 201-555-0199",
        "note": "Address: 500 Howard Street, Suite 300, San Francisco, CA 94105\n"
                "Phone: +1 201-555-0123\nFax: +1 201-555-0100"}
    stored = cards.clean(fields, phone_region="DE")  # the user's region does not matter
    assert (stored.phone, stored.email) == ("+12015550199", "jane@acme.example")


def test_as_dict_is_plain_data():
    card = read(("Jane Doe", BIG), "M +1 201 555 0199", "jane@acme.example")
    data = card.as_dict()
    assert data["name"] == "Jane Doe" and data["phones"] == ["+12015550199"]
    assert data["lines"] == ["Jane Doe", "M +1 201 555 0199", "jane@acme.example"]


# ------------------------------------------------------------------ photos

def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"Jane Doe\nHead of Product\n", "not an image"),
    (b"\x89PNG\r\n\x1a\n", "not an image"),
    (b"\xff" * (16 * 1024 * 1024), "at most 15 MB"),
])
def test_bytes_that_are_no_card_photo_raise_a_clear_error(data, words):
    with pytest.raises(CardReadError) as caught:
        cardreader.read(data, region="US")
    assert str(caught.value).startswith("Card photo: ") and words in str(caught.value)
    assert isinstance(caught.value, FieldkitError) and caught.value.field == "photo"


def test_a_decompression_bomb_is_refused_before_decoding():
    from test_photos import png_with_size

    with pytest.raises(CardReadError, match="too large"):
        cardreader.read(png_with_size(8000, 8000), region="US")


def test_a_blank_photo_reads_no_fields():
    assert cardreader.read(jpeg(Image.new("RGB", (800, 500), "white")), region="US") \
        .read == ()


@pytest.mark.parametrize("seed", [7, 13])  # a centred and a two-column card, both askew
def test_a_generated_card_photo_is_read(seed):
    made = cardgen.card(seed)
    card = cardreader.read(made.photo, region="DE")
    truth = made.truth
    assert (card.name, card.company, card.title, card.email, card.phones) == (
        truth.name, truth.company, truth.title, truth.email, truth.phones)


def test_the_engine_is_loaded_once_and_shared_by_threads():
    made = cardgen.card(7)
    results, engines = [], []

    def work():
        engines.append(cardreader.engine())
        results.append(cardreader.read(made.photo, region="DE").name)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [made.truth.name] * 2
    assert engines[0] is engines[1]
