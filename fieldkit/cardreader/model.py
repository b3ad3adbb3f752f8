"""What a read card is: its lines, its fields, and the error for a photo that cannot be read."""

from __future__ import annotations

from dataclasses import dataclass

from fieldkit import cards, normalise
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
