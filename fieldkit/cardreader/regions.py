"""The countries a card's phone numbers are read in: the user's, then the card's language's."""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

from fieldkit.cardreader.contacts import _VANITY_TLDS
from fieldkit.cardreader.words import _fold, _words

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
