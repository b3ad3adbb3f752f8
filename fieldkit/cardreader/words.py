"""Words on a card: folding, spelling variants, title words, legal forms of companies, addresses."""

from __future__ import annotations

import re
import unicodedata


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
