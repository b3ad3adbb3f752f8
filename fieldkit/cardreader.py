"""Reading a paper business card from a photo: lines of text, then the card's fields.

Two steps, each testable on its own:

1. ``ocr_lines(image)``: the text lines RapidOCR finds in the photo, each with
   its box turned upright (a card photographed askew gives level lines).
   The engine (ONNX models inside the rapidocr wheel; nothing is downloaded)
   is loaded on first use and kept for the life of the process.
2. ``fields_from_lines(lines, region=...)``: a pure function from lines to a
   ``ReadCard``. Email addresses, links and phone numbers are found by their
   form and checked by the same rules as typed ones (fieldkit.normalise);
   the name, company and title by cues and layout: the size of the type,
   title words in English, German, French, Spanish and Portuguese, legal
   forms of companies, the email address's domain and local part, and which
   line stands under which.

``read(data, region=...)`` does both for the bytes of an uploaded photo.
Nothing here writes anything: the capture form fills its empty fields from
a ReadCard and the user saves the card as a typed one.
"""

from __future__ import annotations

import logging
import re
import statistics
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import phonenumbers
from PIL import Image

from fieldkit import cards, normalise, photos
from fieldkit.errors import ValidationError

# The photo is read at most 1280 px a side (small print on a card that fills
# the frame stays legible) and text is found on a copy at most 736 px a side
# (detection time grows with the pixel count; measured in bench/README.md).
MAX_SIDE = 1280
DETECT_SIDE = 736
# The card fields a photo of a paper card can fill, in the order of a card.
FIELDS = tuple(spec.name for spec in cards.FIELDS if spec.paper)


class CardReadError(ValidationError):
    """The photo cannot be read as a card (empty, too large, not an image)."""

    def __init__(self, message: str, field: str | None = "photo"):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Line:
    """One line of text on the card and its upright box, in pixels (y grows downwards)."""

    text: str
    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def middle(self) -> float:
        return self.top + self.height / 2


@dataclass(frozen=True)
class ReadCard:
    """What a card says, as far as it could be read; None where it says nothing."""

    name: str | None = None
    company: str | None = None
    title: str | None = None
    email: str | None = None
    phones: tuple[str, ...] = ()  # E.164, mobile first
    website: str | None = None
    linkedin_url: str | None = None
    address: str | None = None  # as printed, its lines joined with ", "
    faxes: tuple[str, ...] = ()  # E.164
    others: tuple[str, ...] = ()  # other people's names on the same card
    guessed: tuple[str, ...] = ()  # fields not printed as such (a company from a domain)
    lines: tuple[str, ...] = ()  # every line read, top to bottom

    @property
    def read(self) -> tuple[str, ...]:
        """The names of the card fields this read fills (see ``form_fields``)."""
        return tuple(self.form_fields())

    def note(self) -> str | None:
        """What the card says that has no field of its own, for the card's note."""
        parts = []
        if self.address:
            parts.append(f"Address: {self.address}")
        parts += [f"Phone: {normalise.phone_display(p)}" for p in self.phones[1:]]
        parts += [f"Fax: {normalise.phone_display(p)}" for p in self.faxes]
        if self.others:
            parts.append("Also on the card: " + ", ".join(self.others))
        return "\n".join(parts) or None

    def form_fields(self) -> dict[str, str]:
        """The card fields this read fills, as the capture form takes them.

        The phone is the first (mobile first) in international form; the
        others, a fax and the address go to the note.
        """
        values = {"name": self.name, "company": self.company, "title": self.title,
                  "email": self.email,
                  "phone": normalise.phone_display(self.phones[0]) if self.phones else None,
                  "linkedin_url": self.linkedin_url, "website": self.website,
                  "note": self.note()}
        return {name: values[name] for name in FIELDS if values[name]}

    def as_dict(self) -> dict:
        """The read as plain data, for JSON."""
        return {"name": self.name, "company": self.company, "title": self.title,
                "email": self.email, "phones": list(self.phones), "website": self.website,
                "linkedin_url": self.linkedin_url, "address": self.address,
                "faxes": list(self.faxes), "others": list(self.others),
                "guessed": list(self.guessed), "lines": list(self.lines)}


# ================================================================== the photo

_engine = None
_engine_lock = threading.Lock()  # one engine per process
_read_lock = threading.Lock()  # one read at a time: a call keeps state on the engine


def engine():
    """The OCR engine, loaded on first use and kept (about half a second to load)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr import RapidOCR

                # Its INFO lines name each model file on every load.
                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                _engine = RapidOCR(params={
                    "Global.log_level": "warning",
                    # Text is found on a smaller copy and read from the full photo.
                    "Det.limit_type": "max", "Det.limit_side_len": DETECT_SIDE,
                    # A line at a time: as fast on a CPU, and a third less memory at
                    # the peak than six at once (bench/README.md).
                    "Rec.rec_batch_num": 1, "Cls.cls_batch_num": 1})
    return _engine


def warm_up() -> None:
    """Load the engine in the background, once: the first card read then waits less."""
    if _engine is None and not _engine_lock.locked():
        threading.Thread(target=engine, name="cardreader-warm-up", daemon=True).start()


def load(data: bytes) -> Image.Image:
    """The photo in ``data``, upright and at most MAX_SIDE a side; CardReadError if unreadable."""
    return photos.load(data, label="Card photo", field="photo", error=CardReadError,
                       side=MAX_SIDE).convert("RGB")


def readable(image: Image.Image) -> Image.Image:
    """An upright photo already decoded, as the reader reads it: RGB, at most MAX_SIDE a side."""
    image = image.convert("RGB")  # a copy: the caller's image is left as it was
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def ocr_lines(image: Image.Image) -> list[Line]:
    """The text lines in ``image``, their boxes turned level with the card's own text."""
    import numpy as np

    with _read_lock:
        try:
            result = engine()(np.asarray(image))
        finally:
            # onnxruntime frees a read's buffers (a few hundred MB) into the heap.
            photos.release_memory()
    if result.boxes is None or not len(result.txts):
        return []
    return upright(result.txts, result.boxes)


def upright(texts: Sequence[str], boxes) -> list[Line]:
    """Lines from quadrilaterals (top-left, top-right, bottom-right, bottom-left).

    A card photographed at an angle gives boxes tilted alike: each is turned
    back by the typical tilt of the long ones, so that lines on one row share
    a top and a column shares a left edge.
    """
    import numpy as np

    quads = np.asarray(boxes, dtype=float).reshape(-1, 4, 2)
    top_edge = quads[:, 1] - quads[:, 0]
    lengths = np.hypot(top_edge[:, 0], top_edge[:, 1])
    angles = np.arctan2(top_edge[:, 1], top_edge[:, 0])
    long = lengths >= np.median(lengths)
    tilt = float(np.median(angles[long])) if long.any() else 0.0
    cos, sin = np.cos(-tilt), np.sin(-tilt)
    turned = quads @ np.array([[cos, sin], [-sin, cos]])
    lines = []
    for text, quad, points in zip(texts, quads, turned):
        height = (np.hypot(*(quad[3] - quad[0])) + np.hypot(*(quad[2] - quad[1]))) / 2
        left, right = points[:, 0].min(), points[:, 0].max()
        middle = points[:, 1].mean()
        lines.append(Line(str(text), float(left), float(middle - height / 2),
                          float(right - left), float(height)))
    return lines


def read(data: bytes, *, region: str | None) -> ReadCard:
    """Read the card in a photo; phone numbers without +country are read in ``region``.

    Raises CardReadError for bytes that are not a readable image. A photo in
    which nothing can be read gives a ReadCard with no fields.
    """
    return fields_from_lines(ocr_lines(load(data)), region=region)


def read_image(image: Image.Image, *, region: str | None) -> ReadCard:
    """Read the card in a photo already decoded and turned upright (``photos.load``)."""
    return fields_from_lines(ocr_lines(readable(image)), region=region)


# ================================================================== words

def _fold(text: str) -> str:
    """Lower case without accents: "Geschäftsführer" -> "geschaftsfuhrer"."""
    bare = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in bare if not unicodedata.combining(ch))


def _spellings(word: str) -> set[str]:
    """The ways an address may write a word: müller -> {muller, mueller}."""
    low = word.casefold()
    german = low.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return {re.sub(r"[^a-z0-9]", "", _fold(w)) for w in (low, german)} - {""}


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", _fold(text))


_WORD = re.compile(r"[^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?", re.UNICODE)


def _words(text: str) -> list[str]:
    return [_fold(w).strip(".") for w in _WORD.findall(text)]


# Job titles in English, German, French, Spanish and Portuguese. A title
# names a role; department words alone count for less.
_ROLE_WORDS = set("""
ceo cto cfo coo cmo cio cpo cso cro cco chro vp svp evp avp md gm
chief officer president vice director head manager lead leader founder cofounder co-founder
owner partner principal engineer developer designer architect analyst consultant specialist
coordinator administrator assistant associate executive representative advisor adviser
strategist scientist researcher intern supervisor secretary treasurer chairman chairwoman
chairperson editor journalist reporter correspondent recruiter attorney lawyer counsel
accountant auditor broker buyer technician professor lecturer evangelist ambassador
producer planner controller trainer coach expert officer superintendent programmer
member
geschaftsfuhrer geschaftsfuhrerin geschaeftsfuehrer leiter leiterin leitung inhaber inhaberin
vorstand vorstandin prokurist prokuristin referent referentin sachbearbeiter
sachbearbeiterin gesellschafter gesellschafterin grunder grunderin mitgrunder direktor
direktorin prasident prasidentin vorsitzender vorsitzende kaufmann kauffrau assistent
assistentin mitarbeiter mitarbeiterin berater beraterin ingenieur ingenieurin entwickler
entwicklerin
directeur directrice pdg dg gerant gerante responsable chef cheffe ingenieure charge chargee
fondateur fondatrice cofondateur cofondatrice associe associee conseiller conseillere
consultante developpeur developpeuse attache attachee technicien technicienne assistante
delegue deleguee adjoint adjointe acheteur acheteuse analyste architecte juriste avocat
avocate stagiaire gestionnaire coordinateur coordinatrice administrateur administratrice
dirigeant dirigeante presidente
directora gerente jefe jefa ingeniero ingeniera fundador fundadora cofundador cofundadora
consultor consultora ejecutivo ejecutiva desarrollador desarrolladora coordinador
coordinadora socio socia asesor asesora tecnico tecnica administrador administradora
asistente delegado delegada encargado encargada vicepresidente vicepresidenta arquitecto
arquitecta abogado abogada contador contadora representante gestor gestora especialista
subdirector subdirectora consejero consejera vendedor vendedora directivo directiva analista
diretor diretora engenheiro engenheira socio-fundador socia-fundadora coordenador
coordenadora desenvolvedor desenvolvedora executivo executiva assessor assessora chefe
supervisora advogado advogada arquiteto arquiteta programador programadora estagiario
estagiaria
""".split())
# German compounds end in a role: Softwareentwicklerin, Bereichsleiter, Produktmanagerin.
_ROLE_ENDINGS = ("leiter", "leiterin", "manager", "managerin", "entwickler", "entwicklerin",
                 "berater", "beraterin", "ingenieur", "ingenieurin", "fuhrer", "fuhrerin",
                 "fuehrer", "referent", "referentin", "assistent", "assistentin", "direktor",
                 "direktorin", "architekt", "architektin", "techniker", "technikerin",
                 "spezialist", "spezialistin", "experte", "expertin", "vorstand", "kaufmann",
                 "kauffrau", "verantwortlicher", "beauftragter", "beauftragte", "arzt",
                 "arztin")
_DEPARTMENT_WORDS = set("""
sales marketing product products business development operations account accounts key
senior junior regional global technical commercial strategy strategic partnerships
partnership engineering finance purchasing procurement communications communication hr
human resources customer success support software research innovation digital it data
export international emea dach apac americas europe latam of and for de des du la le et y e
vertrieb einkauf verkauf marketing technik entwicklung personal kundenservice aussendienst
innendienst technischer technische kaufmannischer kaufmannische
commercial commerciale achats ventes projet produit affaires communication generale general
generale ventas compras proyectos proyecto producto cuentas comercial general
vendas compras projetos projeto produto contas geral executiva executivo
""".split())
_ROLE_PHRASES = ("head of", "vice president", "key account", "chef de projet", "chef de produit",
                 "business development", "account executive", "managing director",
                 "directeur general", "director general", "socio fundador")


def title_score(text: str) -> float:
    """How much ``text`` reads like a job title: 2 or more for one role word."""
    words = _words(text)
    if not words:
        return 0.0
    score = 0.0
    for word in words:
        for part in word.split("-"):
            if part in _ROLE_WORDS or part.endswith(_ROLE_ENDINGS) and len(part) > 6:
                score += 2.0
            elif part in _DEPARTMENT_WORDS:
                score += 0.3
    folded = " ".join(words)
    score += sum(2.0 for phrase in _ROLE_PHRASES if phrase in folded)
    # A long sentence with one role word in it is a tagline, not a title.
    return score if len(words) <= 7 else score / 2


# Legal forms of companies, as printed: at the end of the name, or before a comma.
_LEGAL_FORMS = (
    r"Inc\.?|Incorporated|L\.?L\.?C\.?|L\.?L\.?P\.?|L\.?P\.|Ltd\.?|Limited|P\.?L\.?C\.?|Corp\.?"
    r"|Corporation|Co\.|Company|GmbH(?:\s*&\s*Co\.?\s*KG(?:aA)?)?|gGmbH|mbH|AG|KGaA|KG|OHG|OG"
    r"|GbR|e\.\s?K\.|e\.\s?V\.|SE|UG(?:\s*\(haftungsbeschränkt\))?|S\.?\s?A\.?\s?S\.?|SAS|S\.?A\.?"
    r"|SARL|S\.à\s?r\.l\.|EURL|SNC|SCI|S\.?L\.?U?\.?|S\.?\s?Coop\.?|Ltda\.?|Lda\.?|Unipessoal"
    r"|EIRELI|S/A|S\.?p\.?A\.?|S\.?r\.?l\.?|B\.?V\.?|N\.?V\.?|A/S|ASA|AS|AB|Oy|Oyj|K\.?K\.?"
    r"|Kabushiki Kaisha|Pty\.? Ltd\.?|Pte\.? Ltd\.?|S\.? de R\.?L\.?|S\.?A\.? de C\.?V\.?"
    r"|sp\. z o\.o\.|s\.r\.o\.|a\.s\.|Kft\.?|Zrt\.?|d\.o\.o\.")
_LEGAL = re.compile(rf"(?:^|[\s,])(?:{_LEGAL_FORMS})(?=$|[\s,)])")


def _legal_misread(text: str) -> str:
    """``text`` with a legal form OCR misread put right: "Helvetron 5.A." -> "Helvetron S.A."."""
    head, _, last = text.rpartition(" ")
    if not head or not any(ch.isdigit() for ch in last):
        return text
    fixed = last.translate(str.maketrans("501", "SOl"))
    return f"{head} {fixed}" if _LEGAL.search(f" {fixed}") and not _LEGAL.search(text) \
        else text


def has_legal_form(text: str) -> bool:
    """Whether ``text`` names a company by its legal form (GmbH, S.L., Inc., K.K., ...)."""
    return bool(_LEGAL.search(text.strip()))


# Words that name what a company does, not a person.
_BUSINESS_WORDS = set("""
solutions solution systems system services service consulting consultants consultancy group
technologies technology tech software energy digital global partners labs lab studio studios
design logistics engineering international holding holdings capital ventures media health
healthcare bank banking insurance marketing industries industry manufacturing analytics
robotics networks network security data cloud mobility foods food pharma pharmaceuticals
medical bio biotech company corporation enterprises trading agency atelier works
automation automotive transport freight shipping press publishing foundation institute
university hospital clinic laboratory laboratories associates law legal finance financial
investments invest sports textiles print coffee hotel hotels travel construction properties
traders
real estate architects electric electronics power solar wind water motors machines tools
innovation innovations interactive creative brands communications consulting partner
gruppe energie logistik beratung technik maschinenbau medizintechnik bau systeme immobilien
versicherung verlag stiftung institut universitat klinik werk werke handel druck reisen
elektro elektronik anlagenbau gesellschaft dienstleistungen agentur
groupe energie logistique conseil technologies sante ingenierie solutions agence
laboratoire universite institut batiment assurances banque
grupo energia logistica consultores consultoria tecnologia soluciones ingenieria servicios
sistemas construcciones agencia laboratorio universidad instituto seguros banco
solucoes engenharia servicos construcoes universidade saude
""".split())
# Small words between the parts of a name: Ludwig van Beethoven, Ana de la Cruz.
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "do", "dos",
              "du", "la", "le", "y", "e", "bin", "ibn", "al", "el", "ten", "ter", "zu", "st"}
_HONORIFICS = {"dr", "prof", "dipl", "ing", "mag", "mr", "mrs", "ms", "mx", "sr", "sra", "srta",
               "dna", "dona", "don", "mme", "mlle", "m", "hr", "fr", "dott", "dra", "eng",
               "lic", "phd", "mba", "msc", "bsc", "ma", "ba", "cpa", "pe", "jr", "iii",
               "ii", "esq"}
# Mailboxes of a company rather than of a person.
_ROLE_MAILBOXES = {"info", "contact", "contacto", "contato", "kontakt", "office", "sales",
                   "hello", "hallo", "hola", "ola", "bonjour", "mail", "email", "service",
                   "team", "admin", "support", "vertrieb", "geral", "atendimento", "ventas",
                   "enquiries", "inquiries", "welcome", "post", "buero", "bureau", "accueil",
                   "marketing", "press", "presse", "prensa", "imprensa", "jobs", "careers"}
_FREE_MAIL = {"gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "live", "msn", "aol",
              "icloud", "me", "mac", "gmx", "web", "t-online", "freenet", "posteo", "mailbox",
              "protonmail", "proton", "pm", "orange", "free", "laposte", "sfr", "wanadoo",
              "libero", "tiscali", "terra", "uol", "bol", "ig", "zoho", "yandex", "mail", "qq",
              "163", "126", "naver", "hey", "fastmail", "tutanota", "seznam", "wp", "o2",
              "btinternet", "sky", "comcast", "att", "verizon", "sbcglobal", "bigpond",
              "bluewin", "sapo", "movistar", "telefonica", "arcor", "online"}

# Lines of an address: street words, post codes as countries write them, countries.
_STREET = re.compile(
    r"(?i)(?:stra(?:ß|ss)e\b|str\.|strasse|gasse|weg\b|allee\b|platz\b|ring\b|damm\b|ufer\b"
    r"|chaussee|street\b|\bst\.?(?=[\s,]|$)|\bave(?:nue)?\b|\broad\b|\brd\.?\b|\bblvd\b"
    r"|boulevard|\blane\b|\bdrive\b|\bway\b|\bplace\b|\bplaza\b|\bsquare\b|\bsuite\b|\bfloor\b"
    r"|\bunit\b|\bbuilding\b|\bp\.?\s?o\.?\s?box\b|\bpostfach\b|\brue\b|\bquai\b|\bchemin\b"
    r"|\bimpasse\b|\bcours\b|\bétage\b|\bcedex\b|\bbp\s?\d|\bcalle\b|\bc/|\bavda?\.|\bav\.|"
    r"\bavenida\b|\bpaseo\b|\bplanta\b|\bpiso\b|\bapartado\b|\bcarrer\b|\brua\b|\btravessa\b"
    r"|\blargo\b|\bpraça\b|\bandar\b|\bsala\b|\bcep\b|\bvia\b|\bviale\b|\bpiazza\b|\bcorso\b)")
_POSTCODE = re.compile(
    r"\b\d{5}-\d{3}\b|\b\d{4}-\d{3}\b|\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b|\b(?:[A-Z]{1,2}-)?\d{4,5}\s+[^\W\d_]{2,}")
_COUNTRIES = set("""
deutschland germany allemagne alemania alemanha osterreich austria autriche schweiz suisse
switzerland suiza svizzera france frankreich francia franca espana spain spanien espagne
espanha portugal brasil brazil brasilien bresil usa u.s.a. america uk england scotland wales
italia italy italien nederland netherlands belgique belgium belgien luxembourg danmark
denmark sverige sweden norge norway suomi finland polska poland ireland mexico argentina
chile colombia peru canada japan australia india china singapore
""".split()) | {"united states", "united kingdom", "great britain", "reino unido",
                "estados unidos", "états-unis", "etats-unis", "vereinigte staaten"}


def address_score(text: str) -> float:
    """How much ``text`` reads like a line of a postal address."""
    score = 0.0
    if _STREET.search(text):
        score += 1.5 + (0.5 if re.search(r"\d", text) else 0)
    if _POSTCODE.search(text):
        score += 2.0
    folded = _fold(text).strip(" ,.")
    parts = {p.strip(" .") for p in re.split(r"[,\-–/|]", folded)}
    if folded in _COUNTRIES or parts & _COUNTRIES:
        score += 2.0
    return score


# Labels in front of a number, an address or a link, in five languages.
_MOBILE_LABEL = re.compile(r"(?i)(?:^|\b)(?:m|mob|mobil|mobile|mobiel|cell|cellular|handy|"
                           r"gsm|port|portable|movil|móvil|cel|celular|telemovel|telemóvel|"
                           r"tlm|tlm\.|natel)\W*$")
_FAX_LABEL = re.compile(r"(?i)(?:^|\b)(?:f|fax|telefax|fx)\W*$")
_LABELS = set("""
t tel tél tel. phone fon telefon telephone téléphone telefono teléfono telefone tlf fixe
direct office bureau büro buero zentrale main m mob mobil mobile cell handy gsm port portable
movil móvil cel celular telemovel telemóvel tlm natel f fax telefax e email e-mail mail courriel
correo w web www internet site website url linkedin in p
""".split())


# ================================================================== contact details

_EMAIL = re.compile(r"[\w.%+'\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}", re.UNICODE)
_LINKEDIN = re.compile(r"(?i)(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/?in/[^\s,;|·•]+"
                       r"|(?<![\w/.])in/[\w\-%]{2,}")
_HOST = re.compile(r"(?i)(?<![\w@.\-/])(?:https?://)?(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+"
                   r"[a-z]{2,}(?:/[^\s,;|·•]*)?")
_COMMON_TLDS = {"com", "net", "org", "info", "biz", "io", "ai", "app", "dev", "tech", "online",
                "site", "store", "shop", "global", "group", "solutions", "agency", "digital",
                "cloud", "studio", "design", "consulting", "eu", "co", "me", "tv", "company",
                "energy", "law", "legal", "health", "media", "network", "systems", "ventures",
                "capital", "partners", "software", "berlin", "hamburg", "paris", "swiss"}
# Country codes that sell as brands (.io, .ai, .co, ...) and say nothing of a country.
_VANITY_TLDS = {"io", "ai", "co", "me", "tv", "ly", "fm", "gg", "sh", "ac", "cc", "ws", "to",
                "la", "am", "im", "is", "it", "so", "st", "vc", "nu", "eu", "af", "ag", "ad"}
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "gob", "gv"}


@dataclass
class _Found:
    """The contact details found in one line, and what of the line is left."""

    emails: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # LinkedIn profiles
    sites: list[str] = field(default_factory=list)
    # (e164, kind): "mobile" or "fax" as labelled, "mobile number" unlabelled, or ""
    phones: list[tuple[str, str]] = field(default_factory=list)
    rest: str = ""


def _email_text(text: str) -> str:
    # OCR puts spaces around the @ now and then, and drops the space (or the
    # dot between them) that parts an address from a link printed after it.
    if "@" in text:
        text = re.sub(r"\s*@\s*", "@", text)
    return re.sub(r"(?i)(?<=[a-z0-9])(?=www\.|https?://)", " ", text)


def _checked(rule, value):
    try:
        return rule(value)
    except ValidationError:
        return None


def _host(url: str) -> str:
    host = re.sub(r"(?i)^https?://", "", url).split("/", 1)[0].lower()
    return host


def _stem(host: str) -> str | None:
    """The name a host is registered under: shop.acme-robotics.co.uk -> acme-robotics."""
    labels = [p for p in host.lower().removeprefix("www.").split(".") if p]
    if len(labels) < 2:
        return None
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL:
        return labels[-3]
    return labels[-2]


def _site(candidate: str) -> str | None:
    host = _host(candidate)
    tld = host.rsplit(".", 1)[-1]
    plain = not re.match(r"(?i)https?://|www\.", candidate)
    if plain and not (len(tld) == 2 or tld in _COMMON_TLDS):
        return None
    if plain and len(host.split(".")[0]) < 2:
        return None
    return _checked(normalise.website, candidate.rstrip(".,;:"))


def _phones(text: str, regions: Sequence[str | None]) -> list[tuple[int, int, str, str]]:
    """(start, end, e164, label kind) of each phone number in ``text``, in order."""
    found: list[tuple[int, int, str, str]] = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region,
                                                     leniency=phonenumbers.Leniency.VALID):
            if any(match.start < end and start < match.end for start, end, _, _ in found):
                continue
            e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            e164 = _checked(lambda v: normalise.phone(v, None), e164)
            if e164 is None:
                continue
            before = text[:match.start]
            # The label is what stands between the previous number and this one.
            before = before[max((end for _, end, _, _ in found if end <= match.start),
                                default=0):]
            kind = "fax" if _FAX_LABEL.search(before) else \
                "mobile" if _MOBILE_LABEL.search(before) else ""
            if not kind and phonenumbers.number_type(match.number) == \
                    phonenumbers.PhoneNumberType.MOBILE:
                kind = "mobile number"  # not labelled, but a mobile network's number
            found.append((match.start, match.end, e164, kind))
    return sorted(found)


def _contacts(text: str, regions: Sequence[str | None]) -> _Found:
    found = _Found()
    text = _email_text(text)
    spans: list[tuple[int, int]] = []
    for match in _EMAIL.finditer(text):
        email = _checked(normalise.email, match.group().strip(".-'"))
        if email:
            found.emails.append(email)
            spans.append(match.span())
    for match in _LINKEDIN.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in spans):
            continue
        # OCR drops the slash of "linkedin.com/in" now and then.
        value = re.sub(r"(?i)linkedin\.comin/", "linkedin.com/in/", match.group())
        if value.lower().startswith("in/"):
            value = "linkedin.com/" + value
        profile = _checked(normalise.linkedin, value.rstrip(".,;:"))
        if profile:
            found.links.append(profile)
            spans.append(match.span())
    for match in _HOST.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in spans):
            continue
        site = _site(match.group())
        if site:
            found.sites.append(site)
            spans.append(match.span())
    blanked = "".join(" " if any(s <= i < e for s, e in spans) else ch
                      for i, ch in enumerate(text))
    for start, end, e164, kind in _phones(blanked, regions):
        found.phones.append((e164, kind))
        spans.append((start, end))
    if not spans:
        found.rest = " ".join(text.split())
        return found
    rest = "".join(" " if any(s <= i < e for s, e in spans) else ch
                   for i, ch in enumerate(text))
    # What is left beside the details: their labels and separators go.
    words = [w for w in rest.split()
             if _fold(w).strip(".-:|·•,;/") not in _LABELS and re.search(r"\w", w)]
    found.rest = " ".join(words).strip(" -–|·•,;:/")
    return found


# ================================================================== regions

_COUNTRY_REGIONS = {
    "deutschland": "DE", "germany": "DE", "allemagne": "DE", "alemania": "DE",
    "alemanha": "DE", "osterreich": "AT", "austria": "AT", "autriche": "AT", "schweiz": "CH",
    "suisse": "CH", "switzerland": "CH", "suiza": "CH", "svizzera": "CH", "france": "FR",
    "frankreich": "FR", "francia": "FR", "franca": "FR", "espana": "ES", "spain": "ES",
    "spanien": "ES", "espagne": "ES", "espanha": "ES", "portugal": "PT", "brasil": "BR",
    "brazil": "BR", "brasilien": "BR", "bresil": "BR", "usa": "US", "u.s.a.": "US",
    "united states": "US", "estados unidos": "US", "uk": "GB", "united kingdom": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "reino unido": "GB", "italia": "IT", "italy": "IT", "italien": "IT", "nederland": "NL",
    "netherlands": "NL", "belgique": "BE", "belgium": "BE", "belgien": "BE",
    "luxembourg": "LU", "danmark": "DK", "denmark": "DK", "sverige": "SE", "sweden": "SE",
    "norge": "NO", "norway": "NO", "suomi": "FI", "finland": "FI", "polska": "PL",
    "poland": "PL", "ireland": "IE", "mexico": "MX", "argentina": "AR", "chile": "CL",
    "colombia": "CO", "peru": "PE", "canada": "CA", "japan": "JP", "australia": "AU",
    "india": "IN", "singapore": "SG", "china": "CN",
}


# Ways of writing a number or an address that only one country has.
_NUMBER_STYLES = (
    (re.compile(r"\(\d{3}\)\s?\d{3}[-.\s]\d{4}\b"), "US"),  # (415) 555-0132
    (re.compile(r"\(\d{2}\)\s?\d{4,5}-\d{4}\b"), "BR"),  # (11) 99241-1578
    (re.compile(r",\s[A-Z]{2}\s\d{5}(?:-\d{4})?\b"), "US"),  # Boston, MA 02110
)


# Words only one of the five languages uses on a card, and where it is spoken.
_LANGUAGE_REGIONS = {"en": ("US", "GB"), "de": ("DE", "AT", "CH"), "fr": ("FR", "BE", "CH"),
                     "es": ("ES", "MX"), "pt": ("PT", "BR")}


def _by_word(table: dict[str, str]) -> dict[str, tuple[str, ...]]:
    words: dict[str, tuple[str, ...]] = {}
    for lang, text in table.items():
        for word in text.split():
            words[_fold(word)] = (*words.get(_fold(word), ()), lang)
    return words


_LANGUAGE_MARKERS = _by_word({
    "en": "the and of for your our since street suite floor phone cell office direct head "
          "chief officer founder sales",
    "de": "und für der die das ihr wir seit telefon mobil handy straße strasse gasse "
          "platz geschäftsführer leiter leiterin vertrieb einkauf fon",
    "fr": "et le les des du au votre depuis tél portable fixe courriel rue boulevard quai "
          "directeur directrice chef chargé chargée ingénieur",
    "es": "y el los las con móvil tlf teléfono correo calle paseo jefe jefa "
          "ingeniero ingeniera ventas compras",
    "pt": "com que telefone telemóvel celular rua diretor diretora engenheiro "
          "engenheira gestor vendas sócio juntos",
})
_LEGAL_REGIONS = ((re.compile(r"\bLtda\b"), "BR"), (re.compile(r"\bLda\b"), "PT"),
                  (re.compile(r"\bS\.?L\.?U?\.?(?=$|[\s,])"), "ES"),
                  (re.compile(r"\b(?:SARL|SAS)\b"), "FR"),
                  (re.compile(r"\b(?:Inc|LLC)\b"), "US"), (re.compile(r"\bK\.K\."), "JP"),
                  (re.compile(r"\bPty\.? Ltd\b"), "AU"), (re.compile(r"\bGmbH\b"), "DE"))


def card_regions(texts: Iterable[str], region: str | None) -> list[str | None]:
    """Where the card's numbers without +country are from, most likely first.

    A card printed for its own country writes national numbers: its
    international numbers, its country line, its web domains and the way
    it writes numbers say which country that is. The user's own region
    comes after them, and after that the countries the card's language and
    its company's legal form suggest. None stands for no region at all
    (only numbers with +country are read).
    """
    votes: dict[str, int] = {}
    for text in texts:
        for match in phonenumbers.PhoneNumberMatcher(text, None):
            code = phonenumbers.region_code_for_number(match.number)
            if code and code != "001":
                votes[code] = votes.get(code, 0) + 2
        for host in re.findall(r"(?i)(?:@|www\.|https?://)([\w.\-]+\.[a-z]{2,})", text):
            tld = host.lower().rsplit(".", 1)[-1]
            code = "GB" if tld == "uk" else tld.upper()
            if tld not in _VANITY_TLDS and code in phonenumbers.SUPPORTED_REGIONS:
                votes[code] = votes.get(code, 0) + 1
        folded = _fold(text).strip(" ,.")
        for part in {folded, *(p.strip(" .") for p in re.split(r"[,\-–/|]", folded))}:
            if part in _COUNTRY_REGIONS:
                votes[_COUNTRY_REGIONS[part]] = votes.get(_COUNTRY_REGIONS[part], 0) + 2
        for pattern, code in _NUMBER_STYLES:
            if pattern.search(text):
                votes[code] = votes.get(code, 0) + 1
    user = region.upper() if isinstance(region, str) else None
    user = user if user in phonenumbers.SUPPORTED_REGIONS else None
    ranked = sorted(votes, key=lambda code: -votes[code])
    # Last, for numbers no region above makes valid: the countries of the
    # card's language and of its company's legal form.
    hints: dict[str, int] = {}
    for text in texts:
        for word in _words(text):
            for lang in _LANGUAGE_MARKERS.get(word, ()):
                for rank, code in enumerate(_LANGUAGE_REGIONS[lang]):
                    hints[code] = hints.get(code, 0) + 10 - rank
        for pattern, code in _LEGAL_REGIONS:
            if pattern.search(text):
                hints[code] = hints.get(code, 0) + 20
    fallback = sorted(hints, key=lambda code: -hints[code])
    return list(dict.fromkeys([*ranked, user, *fallback]))


# ================================================================== layout

def _rows(lines: Sequence[Line]) -> list[Line]:
    """Lines that OCR cut in pieces joined again: pieces on one row, close together."""
    pieces = sorted((line for line in lines if line.text.strip()), key=lambda x: x.left)
    rows: list[Line] = []
    for piece in pieces:
        for i, row in enumerate(rows):
            overlap = min(row.bottom, piece.bottom) - max(row.top, piece.top)
            gap = piece.left - row.right
            if (overlap >= 0.6 * min(row.height, piece.height)
                    and max(row.height, piece.height) <= 1.35 * min(row.height, piece.height)
                    and -0.5 * row.height <= gap <= 1.2 * max(row.height, piece.height)):
                top, bottom = min(row.top, piece.top), max(row.bottom, piece.bottom)
                rows[i] = Line(f"{row.text} {piece.text}", row.left, top,
                               max(row.right, piece.right) - row.left, bottom - top)
                break
        else:
            rows.append(Line(" ".join(piece.text.split()), piece.left, piece.top,
                             piece.width, piece.height))
    return sorted(rows, key=lambda x: (x.top, x.left))


_PARTS = re.compile(r"\s+[|·•–—]\s+|\s{3,}")


def _parts(line: Line) -> list[Line]:
    """A line of several things ("Jane Doe | CEO") as one line per thing, each in its place."""
    text = line.text
    cuts = [m.span() for m in _PARTS.finditer(text)]
    # "Jane Doe, CEO": a name, then a title after a comma.
    head, comma, tail = text.partition(", ")
    if not cuts and comma and _name_tokens(head) and title_score(tail) >= 2:
        cuts = [(len(head), len(head) + 2)]
    if not cuts:
        return [line]
    per_char = line.width / max(len(text), 1)
    out, start = [], 0
    for cut_start, cut_end in [*cuts, (len(text), len(text))]:
        piece = text[start:cut_start].strip()
        if piece:
            out.append(Line(piece, line.left + start * per_char, line.top,
                            len(piece) * per_char, line.height))
        start = cut_end
    return out


def _reading_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom, and the lines of one row (each within the first's height) left to right."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda x: x.middle):
        if rows and rows[-1][0].top <= line.middle <= rows[-1][0].bottom:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda x: x.left)]


def _below(upper: Line, lower: Line) -> bool:
    """Whether ``lower`` stands under ``upper`` in the same column, a line or so apart."""
    gap = lower.top - upper.bottom
    if not -0.3 * upper.height <= gap <= 1.6 * max(upper.height, lower.height):
        return False
    return (abs(upper.left - lower.left) < upper.height
            or abs(upper.right - lower.right) < upper.height
            or abs((upper.left + upper.right) - (lower.left + lower.right)) < 2 * upper.height)


def _under(upper: Line, lines: Iterable[Line]) -> Line | None:
    """The line right under ``upper`` in its column, if any."""
    return min((line for line in lines if line is not upper and _below(upper, line)),
               key=lambda line: line.top, default=None)


# ================================================================== names and companies

def _name_tokens(text: str) -> list[str] | None:
    """The words of ``text`` if it is shaped like a person's name, else None."""
    main = text.split(",")[0].strip()
    tokens = main.split()
    if not 2 <= len(tokens) <= 6 or any(ch.isdigit() for ch in main):
        return None
    names = []
    for token in tokens:
        bare = _fold(token).strip(".")
        if bare in _HONORIFICS or bare.replace("-", "").replace(".", "") in _HONORIFICS \
                or token.lower() in ("dipl.-ing.", "dr.-ing."):
            continue
        if bare in _PARTICLES and token[:1].islower():
            continue
        if not re.fullmatch(r"[^\W\d_]+(?:['’\-.][^\W\d_]+)*\.?", token):
            return None
        if not token[0].isupper():
            return None
        if len(token.rstrip(".")) == 1 and not token.endswith("."):
            return None  # a lone letter: a label or a stray mark
        names.append(token.rstrip("."))
    if len(names) < 2 and not (names and len(tokens) >= 2):
        return None
    return names


def _unglued(text: str, locals_: Sequence[str]) -> str:
    """A name OCR read without its space put right where the email parts it.

    "FRIEDERIKESCHÄFER" with friederike.schaefer@ gives "FRIEDERIKE SCHÄFER".
    """
    if " " in text.strip() or not text.isalpha() or len(text) < 6:
        return text
    for local in locals_:
        parts = [p for p in re.split(r"[._\-+]", local.lower()) if p.isalpha()]
        if len(parts) != 2:
            continue
        for cut in range(2, len(text) - 1):
            if parts[0] in _spellings(text[:cut]) and parts[1] in _spellings(text[cut:]):
                return f"{text[:cut]} {text[cut:]}"
    return text


def _mail_match(names: Sequence[str], local: str) -> float:
    """How well a mailbox matches a name: jane.doe, jdoe, j.doe, doe for Jane Doe."""
    local = local.lower()
    if not names or local in _ROLE_MAILBOXES:
        return 0.0
    parts = [p for p in re.split(r"[._\-+]", local) if p]
    squashed = "".join(parts)
    spelt = [_spellings(n) for n in names]
    first, last = spelt[0], spelt[-1]
    if any(f in parts for f in first) and any(s in parts for s in last):
        return 1.0
    if any(squashed in (f + s, s + f, f[:1] + s, s + f[:1]) for f in first for s in last):
        return 1.0
    if any(squashed == w for ws in spelt for w in ws):
        return 0.7
    if any(len(s) >= 3 and s in squashed for s in last):
        return 0.6
    if any(len(w) >= 3 and w in squashed for ws in spelt for w in ws):
        return 0.5
    return 0.0


def _domain_match(text: str, stems: Sequence[str]) -> float:
    """How well a line matches the company's web domain: 1 when it names it."""
    line = _squash(_LEGAL.sub(" ", text))
    words = [w for w in (_squash(w) for w in text.split()) if len(w) >= 3]
    best = 0.0
    for stem in stems:
        plain = stem.replace("-", "")
        variants = {plain} | {_squash(p) for p in _spellings(stem)}
        if not line:
            continue
        if any(v and (v in line or (len(line) >= 4 and line in v)) for v in variants):
            best = max(best, 1.0)
        elif words and words[0] in plain:
            best = max(best, 0.8)
        elif any(p in words for p in stem.split("-") if len(p) >= 3) \
                or any(w in plain for w in words if len(w) >= 4):
            best = max(best, 0.6)
        elif len(plain) >= 3 and "".join(w[0] for w in words) == plain:
            best = max(best, 0.8)
    return best


# Words a slogan speaks to the reader with: "Your partner in...", "Ihr Partner für...".
_SLOGAN_WORDS = {"your", "our", "we", "you", "ihr", "ihre", "ihren", "wir", "unser", "unsere",
                 "votre", "vos", "notre", "nos", "nous", "su", "sus", "nuestro", "nuestra",
                 "seu", "sua", "nosso", "nossa", "since", "seit", "depuis", "desde"}


def _slogan(text: str) -> bool:
    """Whether ``text`` speaks to the reader, as a slogan does (and a title never)."""
    return (text.rstrip().endswith(("!", "…")) or text.startswith(("“", '"', "«", "„"))
            or any(w in _SLOGAN_WORDS for w in _words(text)))


def _tagline(text: str) -> bool:
    """Whether ``text`` reads like a slogan rather than a name or a company."""
    words = text.split()
    small = sum(1 for w in words if w[:1].islower())
    return (len(words) >= 5 or text.rstrip().endswith(".") and len(words) >= 3
            or len(words) >= 3 and small >= 2 or _slogan(text))


@dataclass
class _Candidate:
    line: Line
    text: str
    size: float  # the line's height against the card's typical line
    names: list[str] | None
    title: float
    legal: bool
    business: bool
    address: float
    tagline: bool
    domain: float = 0.0
    mail: float = 0.0
    personal: bool = False  # the web domain is the person's name
    scores: dict[str, float] = field(default_factory=dict)


def _candidates(rows: Sequence[tuple[Line, str]], typical: float, stems: Sequence[str],
                locals_: Sequence[str], slugs: Sequence[str]) -> list[_Candidate]:
    out = []
    for line, text in rows:
        if sum(ch.isalpha() for ch in text) < 2:
            continue
        words = _words(text)
        names = _name_tokens(text)
        if names is None and text.islower():
            # "jane doe", as some designers print it: a name if the address says so.
            names = _name_tokens(text.title())
            if names and not any(_mail_match(names, local) >= 0.6 for local in locals_) \
                    and _squash(text) not in stems:
                names = None
        cand = _Candidate(
            line=line, text=text, size=line.height / typical, names=names,
            title=title_score(text), legal=has_legal_form(text),
            business=any(w in _BUSINESS_WORDS for w in words), address=address_score(text),
            tagline=_tagline(text), domain=_domain_match(text, stems))
        if names:
            cand.mail = max([_mail_match(names, local) for local in locals_]
                            + [0.9 * _mail_match(names, slug) for slug in slugs], default=0.0)
            # janedoe.design: a person's own domain names them, not a company.
            cand.personal = any(_squash(" ".join(names)) == s.replace("-", "") for s in stems)
        out.append(cand)
    return out


def _size_bonus(size: float, weight: float) -> float:
    return max(-2.0, min(2.5, (size - 1.0) * weight))


def _name_score(c: _Candidate) -> float:
    if not c.names:
        return -99.0
    score = 1.0 + 4.0 * c.mail + _size_bonus(c.size, 3.0)
    if c.business:
        score -= 3.0
    if c.legal:
        score -= 5.0
    if c.title >= 2:
        score -= 4.0
    if c.address >= 1.5:
        score -= 4.0
    if c.domain and c.mail < 0.6 and not c.personal:
        score -= 2.5 * c.domain
    if c.tagline:
        score -= 2.0
    if c.text.isupper() and len(c.names) < 2:
        score -= 1.0
    return score


def _company_score(c: _Candidate) -> float:
    score = 4.0 * c.legal + 3.0 * c.domain + 1.5 * c.business + _size_bonus(c.size, 1.5)
    if c.title >= 2:
        score -= 3.0
    if c.address >= 1.5:
        score -= 4.0
    if c.tagline:
        score -= 2.5
    if c.names and not c.business and not c.legal and c.domain < 0.8:
        score -= 1.0
    if c.mail >= 0.6:
        score -= 3.0
    return score


def _company_from_domain(stems: Sequence[str]) -> str | None:
    for stem in stems:
        words = [w for w in stem.split("-") if w]
        if words and len(stem) >= 3:
            return " ".join(w[:1].upper() + w[1:] for w in words)
    return None


# ================================================================== lines to fields

def fields_from_lines(lines: Sequence[Line], *, region: str | None) -> ReadCard:
    """What a card's lines say: a pure function, the core of the card reader.

    ``region`` is the user's phone region, used for numbers without +country
    when the card itself does not say where it is from.
    """
    rows = _reading_order([part for row in _rows(lines) for part in _parts(row)])
    if not rows:
        return ReadCard()
    regions = card_regions([row.text for row in rows], region)
    found = [(row, _contacts(row.text, regions)) for row in rows]
    emails = list(dict.fromkeys(e for _, f in found for e in f.emails))
    links = list(dict.fromkeys(x for _, f in found for x in f.links))
    email_hosts = {e.rsplit("@", 1)[1].lower() for e in emails}
    sites = [s for s in dict.fromkeys(s for _, f in found for s in f.sites)]
    # A site that is only an email's domain printed again is still the website.
    phones: list[tuple[str, str]] = []
    for _, f in found:
        for e164, kind in f.phones:
            if e164 not in (p for p, _ in phones):
                phones.append((e164, kind))

    stems = [s for s in (_stem(h) for h in [*email_hosts, *(_host(s) for s in sites)])
             if s and s not in _FREE_MAIL]
    stems = list(dict.fromkeys(stems))
    locals_ = [e.rsplit("@", 1)[0] for e in emails]
    slugs = [x.rstrip("/").rsplit("/", 1)[-1] for x in links]
    text_rows = [(row, _unglued(_legal_misread(f.rest), [*locals_, *slugs]))
                 for row, f in found if f.rest]
    typical = statistics.median(row.height for row in rows)
    cands = _candidates(text_rows, typical, stems, locals_, slugs)
    for c in cands:
        c.scores = {"name": _name_score(c), "company": _company_score(c)}
    # A title right under a name makes it more of a name.
    by_line = {id(c.line): c for c in cands}
    for c in cands:
        if c.names:
            under = by_line.get(id(_under(c.line, (x.line for x in cands))))
            if under is not None and under.title >= 2:
                c.scores["name"] += 1.0

    name = max((c for c in cands if c.scores["name"] >= 1.0),
               key=lambda c: c.scores["name"], default=None)
    rest = [c for c in cands if c is not name]
    company = max((c for c in rest if c.scores["company"] >= 1.0),
                  key=lambda c: c.scores["company"], default=None)
    rest = [c for c in rest if c is not company]
    title = _title(name, rest, cands)
    title_text, used = _title_text(title, rest) if title else (None, [])
    rest = [c for c in rest if c not in used]
    guessed: list[str] = []
    if company is None and not stems:
        # No cue at all: a short line that is nothing else is the company.
        company = max((c for c in rest if c.scores["company"] >= -1.5 and not c.tagline
                       and c.address < 1.5 and c.title < 2 and len(c.text.split()) <= 6),
                      key=lambda c: c.scores["company"], default=None)
        rest = [c for c in rest if c is not company]
    company_text = company.text if company else None
    if company_text is None:
        own = {_squash(" ".join(name.names))} if name is not None and name.names else set()
        company_text = _company_from_domain([s for s in stems if s.replace("-", "") not in own])
        if company_text:
            guessed.append("company")
    address = [c for c in rest if c.address >= 1.5]
    # A city or country line right under an address line belongs to it, and
    # so does a street with its number right over one.
    for c in rest:
        if c in address or c.title >= 2 or len(c.text.split()) > 6:
            continue
        if any(_below(a.line, c.line) for a in address) and not c.names \
                or any(_below(c.line, a.line) for a in address) \
                and re.search(r"\d", c.text):
            address.append(c)
    address.sort(key=lambda c: (c.line.top, c.line.left))
    others = [c.text for c in rest if c not in address and name is not None
              and c.scores["name"] >= 1.0 and c.size >= 0.8 * name.size]
    ordered = [p for p, kind in phones if kind == "mobile"] + \
        [p for p, kind in phones if kind == "mobile number"] + \
        [p for p, kind in phones if kind == ""]
    return ReadCard(
        name=name.text if name else None,
        company=company_text,
        title=title_text,
        email=_pick_email(emails, name),
        phones=tuple(ordered),
        website=sites[0] if sites else None,
        linkedin_url=links[0] if links else None,
        address=", ".join(c.text for c in address) or None,
        faxes=tuple(p for p, kind in phones if kind == "fax"),
        others=tuple(others),
        guessed=tuple(guessed),
        lines=tuple(row.text for row in rows),
    )


def _title(name: _Candidate | None, cands: Sequence[_Candidate],
           every: Sequence[_Candidate]) -> _Candidate | None:
    """The title: a line of role words, the one right under the name first."""
    lines = [c.line for c in every]
    first = _under(name.line, lines) if name is not None else None
    second = _under(first, lines) if first is not None else None
    best, best_score = None, 0.0
    for c in cands:
        # Right under the name, department words alone make a title too.
        departments = c.line is first and _department_only(c.text)
        if c.title < 2 and not departments or c.address >= 1.5 or c.legal \
                or _slogan(c.text):
            continue
        score = max(c.title, 2.0)
        if c.line is first:
            score += 4.0
        elif c.line is second:
            score += 2.0
        elif name is not None and _under(c.line, lines) is name.line:
            score += 1.0
        if score > best_score:
            best, best_score = c, score
    return best


_GOES_ON = re.compile(r"(?:[,&/+\-–]|\b(?:and|und|et|y|e|of|for|de|für))$", re.IGNORECASE)


def _title_text(title: _Candidate, cands: Sequence[_Candidate]) -> tuple[str, list]:
    """A title's words, with the next line's when the title runs on to it ("..., EMEA")."""
    text, used = title.text, [title]
    if _GOES_ON.search(text):
        nxt = _under(title.line, [c.line for c in cands])
        follow = next((c for c in cands if c.line is nxt), None)
        if follow is not None and not follow.names and follow.address < 1.5 \
                and not follow.legal and abs(follow.line.height - title.line.height) \
                <= 0.2 * title.line.height:
            text, used = f"{text} {follow.text}", [title, follow]
    return text, used


def _department_only(text: str) -> bool:
    words = [w for w in _words(text) if w not in ("of", "and", "for", "de", "des", "du", "la",
                                                  "le", "et", "y", "e", "und", "fur")]
    return bool(words) and len(words) <= 5 and all(w in _DEPARTMENT_WORDS for w in words)


def _pick_email(emails: Sequence[str], name: _Candidate | None) -> str | None:
    """The person's email: the one that matches their name, else the first.

    OCR reads a small l as a capital I now and then (Icarvalho@ for
    lcarvalho@): where that makes the address match the name, it is put right.
    """
    if not emails:
        return None
    if name is None or not name.names:
        return emails[0]
    names = name.names

    def mended(email: str) -> str:
        local, _, domain = email.rpartition("@")
        if "I" not in local:
            return email
        other = _checked(normalise.email, local.replace("I", "l") + "@" + domain)
        return other if other and _mail_match(names, other.rpartition("@")[0]) \
            > _mail_match(names, local) else email

    return max((mended(e) for e in emails),
               key=lambda e: _mail_match(names, e.rpartition("@")[0]))
