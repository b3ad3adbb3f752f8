"""Photo-like business cards with known truth, for the card reader's tests and benchmark.

``card(seed)`` draws one paper business card with Pillow (people, companies
and titles from several countries and languages, accents included; one or
two phones in national or international form; taglines, addresses and a
fax as distractors; one of several layouts) and photographs it: on a table,
turned, in perspective, blurred, dimmed and saved as a JPEG. The same seed
always gives the same card and the same bytes.

``Truth`` holds what a perfect reader returns, as written on the card
(phones as E.164, mobile first; the website as its host). Nothing in
fieldkit imports this module: the reader must not know its word lists.
"""

from __future__ import annotations

import io
import random
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import phonenumbers
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

PNF = phonenumbers.PhoneNumberFormat
PNT = phonenumbers.PhoneNumberType

# ------------------------------------------------------------------ fonts

_FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation",
              "/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto")
# (regular, bold, italic) file names of each family this machine may have.
_FAMILIES = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf"),
    ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf",
     "DejaVuSansCondensed-Oblique.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf"),
    ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf"),
    ("LiberationSansNarrow-Regular.ttf", "LiberationSansNarrow-Bold.ttf",
     "LiberationSansNarrow-Italic.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSans-Italic.ttf"),
    ("NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf"),
)


def _find(name: str) -> str | None:
    for folder in _FONT_DIRS:
        path = Path(folder) / name
        if path.exists():
            return str(path)
    return None


@lru_cache(maxsize=1)
def families() -> tuple[tuple[str | None, str | None, str | None], ...]:
    """The font families found on this machine; one of Pillow's own when none is."""
    found = []
    for family in _FAMILIES:
        paths = tuple(_find(name) for name in family)
        if paths[0]:
            found.append(tuple(p or paths[0] for p in paths))
    return tuple(found) or ((None, None, None),)


@lru_cache(maxsize=512)
def _font(path: str | None, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


# ------------------------------------------------------------------ people and companies

@dataclass(frozen=True)
class Country:
    region: str  # ISO code, for phonenumbers
    tld: str
    lang: str  # en, de, fr, es, pt
    country_line: str  # the country as an address line names it
    first: tuple[str, ...]
    last: tuple[str, ...]
    streets: tuple[str, ...]  # "{n}" is the house number
    cities: tuple[str, ...]  # postcode and city, as the country writes them
    national_prefix: str = ""


COUNTRIES = (
    Country("DE", "de", "de", "Deutschland",
            ("Jürgen", "Anna", "Sören", "Käthe", "Lukas", "Jörg", "Sabine", "Björn", "Ute",
             "Maximilian", "Friederike", "Tobias", "Mareike", "Özlem"),
            ("Müller", "Schäfer", "Weiß", "Krüger", "Hoffmann", "Groß", "Schröder", "Vogel",
             "Böhm", "Lehmann", "Köhler", "Becker", "Yılmaz", "Wagner"),
            ("Friedrichstraße {n}", "Am Sandtorkai {n}", "Königsallee {n}", "Hauptstr. {n}",
             "Lindenweg {n}"),
            ("10117 Berlin", "20457 Hamburg", "40212 Düsseldorf", "80331 München",
             "50667 Köln", "70173 Stuttgart")),
    Country("AT", "at", "de", "Österreich",
            ("Günther", "Theresia", "Florian", "Lena", "Matthäus"),
            ("Gruber", "Huber", "Pichler", "Moser", "Mayr", "Wimmer"),
            ("Mariahilfer Straße {n}", "Getreidegasse {n}", "Landstraße {n}"),
            ("1060 Wien", "5020 Salzburg", "4020 Linz")),
    Country("CH", "ch", "de", "Schweiz",
            ("Urs", "Regula", "Beat", "Nadine", "Reto"),
            ("Meier", "Keller", "Brunner", "Zürcher", "Bühler"),
            ("Bahnhofstrasse {n}", "Limmatquai {n}", "Rue du Rhône {n}"),
            ("8001 Zürich", "3011 Bern", "4051 Basel")),
    Country("FR", "fr", "fr", "France",
            ("Amélie", "François", "Hélène", "Jérôme", "Chloé", "Théo", "Léa", "Benoît",
             "Margaux", "Gaëlle"),
            ("Lefèvre", "Moreau", "Fournier", "Girard", "Mercier", "Dubois", "Béranger",
             "Châtelain", "Rousseau"),
            ("{n} rue de la Paix", "{n}, avenue des Ternes", "{n} boulevard Haussmann",
             "{n} quai de la Tournelle"),
            ("75002 Paris", "69003 Lyon", "13001 Marseille", "33000 Bordeaux",
             "31000 Toulouse")),
    Country("ES", "es", "es", "España",
            ("José", "María", "Íñigo", "Begoña", "Martín", "Lucía", "Sofía", "Álvaro",
             "Nuria"),
            ("García", "Fernández", "Martínez", "Muñoz", "Ibáñez", "Pérez", "Gómez",
             "Núñez", "Domínguez"),
            ("Calle de Alcalá {n}", "Paseo de Gracia {n}", "Av. Diagonal {n}",
             "C/ Serrano {n}"),
            ("28014 Madrid", "08008 Barcelona", "46002 Valencia", "41001 Sevilla")),
    Country("PT", "pt", "pt", "Portugal",
            ("João", "Inês", "Gonçalo", "Beatriz", "Tomás", "Leonor"),
            ("Gonçalves", "Conceição", "Simões", "Araújo", "Magalhães", "Lopes"),
            ("Rua Augusta {n}", "Av. da Liberdade {n}", "Rua de Santa Catarina {n}"),
            ("1100-053 Lisboa", "4000-447 Porto", "3000-150 Coimbra")),
    Country("BR", "com.br", "pt", "Brasil",
            ("Luís", "Thaís", "Flávia", "Júlio", "Caio", "Letícia", "Márcio"),
            ("Sebastião", "Brandão", "Assunção", "Ribeiro", "Carvalho", "Monteiro"),
            ("Av. Paulista, {n}", "Rua Oscar Freire, {n}", "Av. Atlântica, {n}"),
            ("01310-100 São Paulo - SP", "22021-001 Rio de Janeiro - RJ",
             "30130-010 Belo Horizonte - MG")),
    Country("US", "com", "en", "USA",
            ("Michael", "Jennifer", "Tyler", "Ashley", "DeShawn", "Megan", "Brandon",
             "Kimberly", "Connor", "Priya"),
            ("O'Brien", "Johnson", "McAllister", "Nguyen", "Washington", "Patel",
             "Thompson", "Rodriguez", "Sullivan"),
            ("{n} Howard Street, Suite 300", "{n} Market St", "{n} Fifth Avenue, Floor 12",
             "{n} Main Street"),
            ("San Francisco, CA 94105", "New York, NY 10017", "Austin, TX 78701",
             "Chicago, IL 60601", "Boston, MA 02110")),
    Country("GB", "co.uk", "en", "United Kingdom",
            ("Oliver", "Siobhan", "Harriet", "Rhys", "Niamh", "Callum"),
            ("Whitaker", "Fitzgerald", "Ashworth", "Pemberton", "MacLeod", "Hughes"),
            ("{n} Baker Street", "{n} King's Road", "Unit {n}, Riverside Park"),
            ("London NW1 6XE", "Manchester M1 1AE", "Edinburgh EH1 1YZ")),
)

_LEGAL = {
    "DE": ("GmbH", "AG", "GmbH & Co. KG", "SE", "KG"),
    "AT": ("GmbH", "AG", "OG"),
    "CH": ("AG", "GmbH", "SA"),
    "FR": ("SAS", "SARL", "S.A.", "SA"),
    "ES": ("S.L.", "S.A.", "SL", "S.L.U."),
    "PT": ("Lda.", "S.A.", "Unipessoal Lda."),
    "BR": ("Ltda.", "S.A.", "Ltda"),
    "US": ("Inc.", "LLC", "Corp.", "Inc"),
    "GB": ("Ltd", "Ltd.", "PLC", "LLP"),
}
# Company words: a made-up brand, then a sector in the card's language.
_BRANDS = ("Nordwind", "Aurelia", "Quantix", "Helvetron", "Brightwater", "Solaris", "Vectra",
           "Kestrel", "Lumina", "Ferrovia", "Altamira", "Bergmann", "Castell", "Delphin",
           "Evergreen", "Fjordlys", "Granito", "Horizonte", "Isarwerk", "Jacaranda",
           "Kobalt", "Lindqvist", "Meridian", "Novalis", "Orbital", "Pinnacle", "Rheintal",
           "Sequoia", "Tramonto", "Umbra", "Valverde", "Wavecrest", "Zephyr", "Écluse",
           "Élan", "Ondina", "Brisa", "Saúde", "Águia")
_SECTORS = {
    "en": ("Analytics", "Robotics", "Logistics", "Software", "Energy", "Health", "Capital",
           "Labs", "Systems", "Foods"),
    "de": ("Logistik", "Maschinenbau", "Software", "Energie", "Medizintechnik", "Bau",
           "Systeme", "Beratung"),
    "fr": ("Énergie", "Logistique", "Conseil", "Technologies", "Santé", "Ingénierie",
           "Solutions"),
    "es": ("Energía", "Logística", "Consultores", "Tecnología", "Soluciones", "Ingeniería"),
    "pt": ("Energia", "Logística", "Consultoria", "Tecnologia", "Soluções", "Engenharia"),
}
_TITLES = {
    "en": ("Chief Executive Officer", "Head of Product", "Senior Product Manager",
           "VP Sales EMEA", "Key Account Manager", "Software Engineer", "Founder & CEO",
           "Director of Marketing", "Business Development Manager", "CTO",
           "Partnerships Lead", "Regional Sales Director"),
    "de": ("Geschäftsführer", "Leiterin Vertrieb", "Produktmanagerin", "Projektleiter",
           "Softwareentwicklerin", "Key Account Manager", "Bereichsleiter Einkauf",
           "Vorstand", "Inhaberin", "Technischer Berater"),
    "fr": ("Directrice générale", "Chef de projet", "Responsable commercial",
           "Ingénieur d'affaires", "Directeur technique", "Chargée de communication",
           "Fondateur & Président", "Responsable des achats"),
    "es": ("Director General", "Jefa de Producto", "Responsable de Compras",
           "Ingeniero de Ventas", "Directora Comercial", "Gerente de Proyectos",
           "Fundador y CEO", "Ejecutiva de Cuentas"),
    "pt": ("Diretor Comercial", "Gerente de Produto", "Engenheira de Software",
           "Diretora Executiva", "Coordenador de Vendas", "Sócio-Fundador",
           "Analista de Marketing", "Gestor de Projetos"),
}
_TAGLINES = {
    "en": ("Smart Energy Solutions", "Moving Ideas Forward", "Engineering a cleaner tomorrow",
           "Your partner in digital growth", "Trusted since 1987"),
    "de": ("Ihr Partner für Logistik", "Qualität seit 1952", "Wir bewegen Europa",
           "Innovative Lösungen für morgen"),
    "fr": ("L'innovation au service de l'énergie", "Depuis 1978", "Ensemble, plus loin",
           "Votre partenaire de confiance"),
    "es": ("Soluciones que crecen contigo", "Innovación con propósito", "Desde 1965",
           "Energía para el futuro"),
    "pt": ("Tecnologia que transforma", "Inovação com propósito", "Desde 1991",
           "Juntos mais longe"),
}
_LABELS = {  # (office, mobile, fax, email, web) labels in the card's language
    "en": (("Tel", "T", "Phone", "Office", "Direct"), ("Mobile", "M", "Cell", "Mob."),
           ("Fax", "F"), ("Email", "E", "e-mail"), ("Web", "W")),
    "de": (("Tel.", "T", "Telefon", "Fon"), ("Mobil", "M", "Handy", "Mob."), ("Fax", "F"),
           ("E-Mail", "E", "Mail"), ("Web", "W", "Internet")),
    "fr": (("Tél.", "T", "Tel", "Fixe"), ("Mobile", "Port.", "M", "Portable"),
           ("Fax", "F"), ("E-mail", "Courriel", "E"), ("Web", "W", "Site")),
    "es": (("Tel.", "T", "Teléfono", "Tlf."), ("Móvil", "M", "Cel.", "Movil"), ("Fax", "F"),
           ("Email", "E", "Correo"), ("Web", "W")),
    "pt": (("Tel.", "T", "Telefone"), ("Telemóvel", "Cel.", "Celular", "M"), ("Fax", "F"),
           ("Email", "E", "E-mail"), ("Web", "W", "Site")),
}


def ascii_of(text: str) -> str:
    """The letters of ``text`` as an address writes them: Müller -> mueller, José -> jose."""
    text = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i")):
        text = text.replace(a, b)
    bare = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in bare if ch.isascii() and (ch.isalnum() or ch in "-"))


def _plain(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in bare if ch.isascii() and ch.isalnum())


# ------------------------------------------------------------------ truth

@dataclass(frozen=True)
class Truth:
    """What the card says, as a perfect reader returns it."""

    name: str | None
    company: str | None
    title: str | None
    email: str | None
    phones: tuple[str, ...]  # E.164, mobile first
    website: str | None  # the host: www.example.de
    linkedin_url: str | None  # https://www.linkedin.com/in/<name>
    region: str  # the card's country


@dataclass(frozen=True)
class GeneratedCard:
    seed: int
    layout: str
    truth: Truth
    photo: bytes  # JPEG, the photo of the card
    lines: tuple[str, ...]  # every text line drawn on the card


def _number(rng: random.Random, region: str, mobile: bool) -> phonenumbers.PhoneNumber:
    kinds = (PNT.MOBILE, PNT.FIXED_LINE_OR_MOBILE) if mobile else \
        (PNT.FIXED_LINE, PNT.FIXED_LINE_OR_MOBILE)
    example = phonenumbers.example_number_for_type(region, kinds[0])
    digits = str(example.national_number)
    keep = 3 if len(digits) > 7 else 2
    for _ in range(500):
        tail = "".join(rng.choice("0123456789") for _ in digits[keep:])
        number = phonenumbers.parse(f"+{example.country_code}{digits[:keep]}{tail}")
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in kinds:
            return number
    return example


def _written(rng: random.Random, number, own_country: bool) -> str:
    """The number as a card prints it: international or, at home, national."""
    if own_country and rng.random() < 0.5:
        text = phonenumbers.format_number(number, PNF.NATIONAL)
        if rng.random() < 0.3 and number.country_code in (49, 43):
            text = text.replace(" ", "/", 1)
        return text
    text = phonenumbers.format_number(number, PNF.INTERNATIONAL)
    style = rng.random()
    if style < 0.15 and number.country_code in (49, 43, 41, 44):
        head, _, rest = text.partition(" ")
        text = f"{head} (0){rest}"
    elif style < 0.3:
        text = text.replace(" ", "-") if number.country_code == 1 else text.replace(" ", ".")
        text = text.replace("+1-", "+1 ")
    return text


# ------------------------------------------------------------------ the card's content

@dataclass
class _Content:
    name: str | None
    title: str | None
    company: str  # the full name as printed
    logo: str | None  # a short brand mark above it, or None
    tagline: str | None
    contact: list[str]  # the contact lines, in print order
    address: list[str]
    second: tuple[str, str] | None  # a second person (name, title) sharing the card


def _content(rng: random.Random, country: Country) -> tuple[_Content, Truth]:
    lang = country.lang
    first, last = rng.choice(country.first), rng.choice(country.last)
    name = f"{first} {last}"
    roll = rng.random()
    if roll < 0.08:
        name = f"Dr. {name}"
    elif roll < 0.14:
        name = name.upper()
    title = rng.choice(_TITLES[lang]) if rng.random() < 0.92 else None
    brand = rng.choice(_BRANDS)
    sector = rng.choice(_SECTORS[lang if rng.random() < 0.7 else "en"])
    legal = rng.choice(_LEGAL[country.region])
    style = rng.random()
    if style < 0.15:
        company = f"{brand} {legal}"
    elif style < 0.75:
        company = f"{brand} {sector} {legal}"
    else:
        company = f"{brand} {sector}"
    logo = brand.upper() if rng.random() < 0.2 and company != brand else None

    tld = country.tld if rng.random() < 0.75 else "com"
    host_stem = ascii_of(brand) + (f"-{ascii_of(sector)}" if rng.random() < 0.4 and
                                   sector in company else "")
    domain = f"{host_stem}.{tld}"
    f, l_ = ascii_of(first), ascii_of(last.replace("'", ""))
    local = rng.choice((f"{f}.{l_}", f"{f[0]}.{l_}", f"{f[0]}{l_}", f, f"{f}_{l_}",
                        f"{l_}"))
    email = f"{local}@{domain}" if rng.random() < 0.93 else None
    website = f"www.{domain}" if rng.random() < 0.7 else None
    linkedin = f"{f}-{l_}-{rng.randrange(100, 999)}" if rng.random() < 0.2 else None

    office_l, mobile_l, fax_l, email_l, web_l = _LABELS[lang]
    labelled = rng.random() < 0.75
    phone_roll = rng.random()
    kinds = ["mobile"] if phone_roll < 0.35 else ["office"] if phone_roll < 0.6 \
        else ["office", "mobile"] if phone_roll < 0.85 else ["mobile", "office"]
    if len(kinds) == 2:
        labelled = True
    # Abroad a card prints international numbers; at home often national ones.
    phones, contact = [], []
    for kind in kinds:
        number = _number(rng, country.region, kind == "mobile")
        written = _written(rng, number, own_country=True)
        label = rng.choice(mobile_l if kind == "mobile" else office_l)
        phones.append((kind, phonenumbers.format_number(number, PNF.E164)))
        contact.append(f"{label}{rng.choice(('', ':', '.')) if len(label) > 1 else ''} "
                       f"{written}".replace("..", ".") if labelled else written)
    if rng.random() < 0.15:
        fax = _number(rng, country.region, False)
        contact.append(f"{rng.choice(fax_l)} {_written(rng, fax, own_country=True)}")
    if email:
        contact.append(f"{rng.choice(email_l)}: {email}" if labelled and rng.random() < 0.5
                       else email)
    if website:
        contact.append(f"{rng.choice(web_l)}: {website}" if labelled and rng.random() < 0.3
                       else website)
    if linkedin:
        contact.append(rng.choice(("linkedin.com/in/", "in/", "www.linkedin.com/in/"))
                       + linkedin)
    if len(contact) > 2 and rng.random() < 0.3:  # two short ones on one line
        i = rng.randrange(len(contact) - 1)
        contact[i:i + 2] = [f"{contact[i]}  ·  {contact[i + 1]}"]

    address = []
    if rng.random() < 0.7:
        street = rng.choice(country.streets).format(n=rng.randrange(2, 240))
        address = [street, rng.choice(country.cities)]
        if rng.random() < 0.35:
            address.append(country.country_line)
        if rng.random() < 0.3:
            address = [", ".join(address)]
    tagline = rng.choice(_TAGLINES[lang if rng.random() < 0.7 else "en"]) \
        if rng.random() < 0.45 else None

    second = None
    nameless = rng.random() < 0.04
    if not nameless and rng.random() < 0.06:
        other = f"{rng.choice(country.first)} {rng.choice(country.last)}"
        if _plain(other) != _plain(name):
            second = (other, rng.choice(_TITLES[lang]))
    if nameless:  # a company's card: no person on it, a general address
        name, title, linkedin = None, None, None
        office = _number(rng, country.region, False)
        phones = [("office", phonenumbers.format_number(office, PNF.E164))]
        contact = [f"{rng.choice(office_l)} {_written(rng, office, own_country=True)}"]
        if email:
            email = f"{rng.choice(('info', 'contact', 'kontakt', 'hello'))}@{domain}"
            contact.append(email)
        if website:
            contact.append(website)

    ordered = [p for k, p in phones if k == "mobile"] + [p for k, p in phones if k != "mobile"]
    truth = Truth(
        name=name, company=company, title=title, email=email, phones=tuple(ordered),
        website=website, linkedin_url=f"https://www.linkedin.com/in/{linkedin}"
        if linkedin else None, region=country.region)
    return _Content(name, title, company, logo, tagline, contact, address, second), truth


# ------------------------------------------------------------------ drawing

LAYOUTS = ("left", "centred", "two_columns", "colour_bar", "dark")
_INKS = ((25, 25, 30), (40, 40, 60), (20, 50, 90), (60, 30, 30), (30, 60, 40))
_ACCENTS = ((200, 60, 40), (20, 90, 170), (30, 130, 90), (140, 40, 120), (230, 140, 20),
            (0, 120, 140))


class _Pen:
    """Draws lines of text on the card at sizes relative to its width."""

    def __init__(self, image: Image.Image, family, ink, accent):
        self.image, self.draw = image, ImageDraw.Draw(image)
        self.family, self.ink, self.accent = family, ink, accent
        self.lines: list[str] = []
        self.boxes: list[tuple[float, float, float, float]] = []
        self.scale = 1.0

    def font(self, size: float, weight: int = 0) -> ImageFont.FreeTypeFont:
        return _font(self.family[weight],
                     max(8, round(size * self.scale * self.image.width / 1000)))

    def width(self, text: str, font) -> float:
        return self.draw.textlength(text, font=font)

    def text(self, xy, text: str, size: float, weight: int = 0, fill=None,
             anchor: str = "la") -> float:
        """Draw ``text``; returns the height it took, in pixels."""
        font = self.font(size, weight)
        self.draw.text(xy, text, font=font, fill=fill or self.ink, anchor=anchor)
        self.lines.append(text)
        self.boxes.append(self.draw.textbbox(xy, text, font=font, anchor=anchor))
        return font.size * 1.35

    def fits(self) -> bool:
        """Whether every line is on the card, clear of its edges and of every other line."""
        w, h = self.image.size
        edge = w * 0.025
        for i, (left, top, right, bottom) in enumerate(self.boxes):
            if left < edge or top < edge or right > w - edge or bottom > h - edge:
                return False
            for other in self.boxes[:i]:
                if left < other[2] and other[0] < right and top < other[3] \
                        and other[1] < bottom:
                    return False
        return True

    def block(self, x, y, rows, anchor="la") -> float:
        """Rows of (text, size, weight, fill) from (x, y) down; returns the y below them."""
        for text, size, weight, fill in rows:
            y += self.text((x, y), text, size, weight, fill, anchor)
        return y


def _rows_person(c: _Content, pen: _Pen, name_size: float, fill=None) -> list:
    rows = []
    if c.name:
        rows.append((c.name, name_size, 1, fill))
    if c.title:
        rows.append((c.title, name_size * 0.55, 0, fill))
    if c.second:
        rows.append((c.second[0], name_size * 0.85, 1, fill))
        rows.append((c.second[1], name_size * 0.5, 0, fill))
    return rows


def _rows_company(c: _Content, pen: _Pen, size: float, fill=None) -> list:
    rows = []
    if c.logo:
        rows.append((c.logo, size * 1.4, 1, fill or pen.accent))
    rows.append((c.company, size if not c.logo else size * 0.6, 1 if not c.logo else 0,
                 fill or (pen.accent if not c.logo else None)))
    if c.tagline:
        rows.append((c.tagline, size * 0.55, 2, fill))
    return rows


def _small(lines: list[str], size: float, fill=None) -> list:
    return [(line, size, 0, fill) for line in lines]


def _draw_card(rng: random.Random, c: _Content, layout: str) -> tuple[Image.Image, list[str]]:
    width = rng.choice((1050, 1100, 1004, 1200))
    height = round(width * rng.choice((0.571, 0.647, 0.6)))
    paper = (rng.randrange(240, 256), rng.randrange(238, 254), rng.randrange(232, 250))
    family = rng.choice(families())
    ink, accent = rng.choice(_INKS), rng.choice(_ACCENTS)
    if layout == "dark":
        paper, ink = (rng.randrange(15, 40), rng.randrange(20, 45), rng.randrange(35, 70)), \
            (240, 240, 235)
        accent = rng.choice(((240, 190, 80), (120, 200, 230), (240, 240, 235)))
    small = rng.uniform(25, 30)
    name_size = rng.uniform(50, 62)
    company_size = rng.uniform(34, 44)
    band = height * rng.uniform(0.26, 0.32)
    # As a designer would: smaller type until everything fits, and if small print
    # would get too small, no address and then no tagline.
    fewer = (c, replace(c, address=[]), replace(c, address=[], tagline=None))
    for content in fewer:
        for scale in (1.0, 0.9, 0.8, 0.72, 0.65):
            image = Image.new("RGB", (width, height), paper)
            pen = _Pen(image, family, ink, accent)
            pen.scale = scale
            _lay_out(pen, content, layout, small, name_size, company_size, band)
            if pen.fits():
                return image, pen.lines
    return image, pen.lines


def _lay_out(pen: _Pen, c: _Content, layout: str, small: float, name_size: float,
             company_size: float, band: float) -> None:
    width, height = pen.image.size
    size = small * pen.scale * width / 1000 * 1.35  # one line of small print
    contact = _small(c.contact, small)
    address = _small(c.address, small * 0.92)
    margin = width * 0.06
    if layout == "left" or layout == "dark":
        y = pen.block(margin, height * 0.08, _rows_company(c, pen, company_size))
        y = pen.block(margin, max(y + 20, height * 0.30), _rows_person(c, pen, name_size))
        bottom = contact + address
        pen.block(margin, max(y + 15, height * 0.95 - len(bottom) * size), bottom)
    elif layout == "centred":
        mid = width / 2
        y = pen.block(mid, height * 0.07, _rows_company(c, pen, company_size), anchor="ma")
        y = pen.block(mid, y + 18, _rows_person(c, pen, name_size), anchor="ma")
        pen.block(mid, y + 12, contact + address, anchor="ma")
    elif layout == "two_columns":
        y = pen.block(margin, height * 0.12, _rows_person(c, pen, name_size))
        pen.block(margin, y + 25, _rows_company(c, pen, company_size * 0.8))
        right = width - margin
        pen.block(right, height * 0.45, contact + address, anchor="ra")
    else:  # colour_bar: the company in white on a band of colour across the top
        pen.draw.rectangle((0, 0, width, band), fill=pen.accent)
        rows = _rows_company(c, pen, company_size, fill=(255, 255, 255))
        tagline = [(text, size_, weight, None) for text, size_, weight, _ in rows[2:]] \
            if c.logo else []
        rows = rows[:2] if c.logo else rows
        pen.block(margin, band * (0.22 if len(rows) < 2 else 0.08), rows)
        y = pen.block(margin, band + height * 0.05, tagline + _rows_person(c, pen, name_size))
        pen.block(margin, y + 10, contact + address)


# ------------------------------------------------------------------ the photo

def _perspective_coeffs(src, dst) -> list[float]:
    """Pillow's PERSPECTIVE coefficients that map ``dst`` points back to ``src``."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def _noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    """Grey noise around mid-grey, from ``rng`` (Pillow's own noise ignores any seed)."""
    values = np.random.default_rng(rng.randrange(2 ** 32)).normal(128, sigma, size[::-1])
    return Image.fromarray(values.clip(0, 255).astype(np.uint8), "L")


def _photograph(rng: random.Random, card: Image.Image) -> Image.Image:
    out_w, out_h = rng.choice(((1600, 1200), (1600, 1200), (1200, 1600), (1280, 960)))
    table = tuple(rng.randrange(60, 180) for _ in range(3))
    photo = Image.new("RGB", (out_w, out_h), table)
    noise = _noise(rng, (out_w // 4, out_h // 4), rng.uniform(10, 40)).resize(
        (out_w, out_h)).convert("RGB")
    photo = Image.blend(photo, noise, 0.15)
    # The card fills most of the frame, a little off centre, turned and in perspective.
    span = rng.uniform(0.72, 0.9) * min(out_w, out_h * card.width / card.height)
    w, h = span, span * card.height / card.width
    cx = out_w / 2 + rng.uniform(-0.04, 0.04) * out_w
    cy = out_h / 2 + rng.uniform(-0.04, 0.04) * out_h
    angle = np.radians(rng.uniform(-12, 12))
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = sx * w / 2, sy * h / 2
        # Perspective: one edge a little further from the camera than the other.
        x += rng.uniform(-0.04, 0.04) * w
        y += rng.uniform(-0.04, 0.04) * h
        corners.append((cx + x * np.cos(angle) - y * np.sin(angle),
                        cy + x * np.sin(angle) + y * np.cos(angle)))
    src = [(0, 0), (card.width, 0), (card.width, card.height), (0, card.height)]
    coeffs = _perspective_coeffs(src, corners)
    warped = card.transform((out_w, out_h), Image.Transform.PERSPECTIVE, coeffs,
                            Image.Resampling.BICUBIC)
    mask = Image.new("L", card.size, 255).transform((out_w, out_h),
                                                    Image.Transform.PERSPECTIVE, coeffs,
                                                    Image.Resampling.BILINEAR)
    shadow = Image.new("L", (out_w, out_h), 0)
    shadow.paste(mask.filter(ImageFilter.GaussianBlur(14)), (10, 14))
    photo = Image.composite(Image.new("RGB", photo.size, (20, 20, 20)), photo,
                            shadow.point(lambda v: v * 0.5))
    photo.paste(warped, (0, 0), mask)
    # Light: dim overall, brighter on one side.
    if rng.random() < 0.5:
        photo = ImageEnhance.Brightness(photo).enhance(rng.uniform(0.45, 0.85))
    gradient = Image.linear_gradient("L").resize((out_w, out_h)).rotate(
        rng.uniform(0, 360))
    photo = Image.composite(photo, ImageEnhance.Brightness(photo).enhance(0.7),
                            gradient.point(lambda v: 128 + v // 2))
    if rng.random() < 0.3:
        photo = ImageEnhance.Contrast(photo).enhance(rng.uniform(0.6, 0.9))
    blur = rng.choice((0, 0.6, 1.0, 1.4, 1.8))
    if blur:
        photo = photo.filter(ImageFilter.GaussianBlur(blur))
    grain = _noise(rng, (out_w, out_h), rng.uniform(4, 14)).convert("RGB")
    return Image.blend(photo, grain, 0.06)


def card(seed: int) -> GeneratedCard:
    """One business card photo with its truth; the same seed gives the same bytes."""
    rng = random.Random(seed)
    country = rng.choice(COUNTRIES)
    layout = LAYOUTS[seed % len(LAYOUTS)]
    content, truth = _content(rng, country)
    image, lines = _draw_card(rng, content, layout)
    photo = _photograph(rng, image)
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=rng.randrange(45, 88))
    return GeneratedCard(seed=seed, layout=layout, truth=truth, photo=out.getvalue(),
                         lines=tuple(lines))


def cards(count: int, first_seed: int = 0) -> list[GeneratedCard]:
    """``count`` cards from consecutive seeds: every layout in turn."""
    return [card(seed) for seed in range(first_seed, first_seed + count)]


def flat(seed: int) -> bytes:
    """The card of ``seed`` drawn flat and sharp, as a PNG (for a scan-like input)."""
    rng = random.Random(seed)
    country = rng.choice(COUNTRIES)
    content, _ = _content(rng, country)
    image, _ = _draw_card(rng, content, LAYOUTS[seed % len(LAYOUTS)])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
