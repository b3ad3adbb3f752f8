"""Deterministic import files for the benchmark: LinkedIn CSV and vCard.

Names and companies come from the sample's own lists, so a share of the rows
match people already in the heavy database (same name and company), as a
real second address book would; the rest are new.
"""

from __future__ import annotations

import base64
import csv
import io
import random
from datetime import date, timedelta

from fieldkit import sample

LINKEDIN_PREAMBLE = (
    'Notes:\n"When exporting your connection data, you may notice that some of the '
    'email addresses are missing."\n\n'
)


def _people(count: int, seed: str):
    rng = random.Random(seed)
    for n in range(count):
        first, last = rng.choice(sample.FIRST_NAMES), rng.choice(sample.LAST_NAMES)
        company = rng.choice(sample.COMPANIES + sample.COMPETITORS)
        slug = f"{first}-{last}-{n}".lower().replace("'", "").replace(" ", "-")
        slug = slug.encode("ascii", "ignore").decode()
        yield rng, n, first, last, company, slug


def linkedin_csv(rows: int = 10_000) -> bytes:
    """A Connections.csv of ``rows`` connections, as LinkedIn exports it."""
    out = io.StringIO()
    out.write(LINKEDIN_PREAMBLE)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["First Name", "Last Name", "URL", "Email Address", "Company",
                     "Position", "Connected On"])
    start = date(2015, 1, 1)
    for rng, _, first, last, company, slug in _people(rows, "bench-linkedin"):
        email = f"{slug}@{company.split()[0].lower()}.example" if rng.random() < 0.3 else ""
        title = rng.choice(sample.TITLES[rng.choice(list(sample.TITLES))])
        day = start + timedelta(days=rng.randrange(4000))
        writer.writerow([first, last, f"https://www.linkedin.com/in/{slug}", email, company,
                         title, day.strftime("%d %b %Y")])
    return out.getvalue().encode("utf-8")


def vcards(cards: int = 5_000) -> bytes:
    """A phone's .vcf export of ``cards`` vCard 3.0 cards, one in twenty with a photo.

    Each card holds several values, as an address book's do (six and a half
    on average): one to three emails, two to four numbers (the first
    preferred, one card in ten with a number written so that it does not
    validate), most a postal address and some a second, a web address, a
    LinkedIn profile, all labelled by TYPE or by an iPhone's X-ABLabel.
    """
    photo = base64.b64encode(sample.card_photo_png()).decode()
    lines = []
    for rng, n, first, last, company, slug in _people(cards, "bench-vcard"):
        domain = company.split()[0].lower()
        lines += ["BEGIN:VCARD", "VERSION:3.0", f"N:{last};{first};;;", f"FN:{first} {last}",
                  f"ORG:{company};", f"TITLE:{rng.choice(sample.TITLES['customer'])}"]
        item = 0
        emails = rng.choice((1, 1, 2, 2, 3))
        lines.append(f"EMAIL;type=INTERNET;type=WORK;type=pref:{slug}@example.com")
        if emails > 1:
            lines.append(f"EMAIL;type=INTERNET;type=HOME:{slug}@mail.example")
        if emails > 2:
            item += 1
            lines += [f"item{item}.EMAIL;type=INTERNET:{slug}@{domain}.example",
                      f"item{item}.X-ABLabel:Conference"]
        # Numbers of this card alone: exchange and line from its number n.
        exchange, line = 200 + n // 10_000, n % 10_000
        lines.append(f"TEL;type=CELL;type=VOICE;type=pref:+1 415 {exchange} {line:04d}")
        lines.append(f"TEL;type=WORK;type=VOICE:+1 (650) {exchange}-{line:04d}")
        if rng.random() < 0.5:
            lines.append(f"TEL;type=WORK;type=FAX:+1 650 {exchange + 100} {line:04d}")
        if rng.random() < 0.3:
            item += 1
            lines += [f"item{item}.TEL:+1 650-{exchange + 200}-{line:04d} x{n % 90 + 10}",
                      f"item{item}.X-ABLabel:_$!<AssistantPhone>!$_"]
        if rng.random() < 0.1:
            lines.append(f"TEL;type=HOME:{exchange + 300}-{line:04d}")  # no area code
        city = rng.choice(sample.CITIES)
        if rng.random() < 0.7:
            lines.append(f"ADR;type=WORK;type=pref:;;{rng.randint(1, 999)} Market Street\\n"
                         f"Floor {rng.randint(1, 30)};{city[0]};;{rng.randint(10000, 99999)};"
                         f"{city[2]}")
        if rng.random() < 0.2:
            item += 1
            lines += [f"item{item}.ADR:;;{rng.randint(1, 99)} Garden Road;{city[0]};;;"
                      f"{city[2]}", f"item{item}.X-ABLabel:Holiday flat"]
        if rng.random() < 0.6:
            item += 1
            lines += [f"item{item}.URL:https://{domain}.example/team/{slug}",
                      f"item{item}.X-ABLabel:_$!<HomePage>!$_"]
        if rng.random() < 0.3:
            item += 1
            lines += [f"item{item}.URL:https://www.linkedin.com/in/{slug}",
                      f"item{item}.X-ABLabel:LinkedIn"]
        if rng.random() < 0.2:
            lines.append(f"NOTE:{rng.choice(sample.NOTES)}")
        if rng.random() < 0.1:
            lines.append("CATEGORIES:" + ",".join(rng.sample(sample.TAGS, 2)))
        if rng.random() < 0.05:
            lines.append(f"PHOTO;ENCODING=b;TYPE=PNG:{photo}")
        lines.append("END:VCARD")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
