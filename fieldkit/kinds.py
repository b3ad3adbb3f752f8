"""The product's vocabularies: kinds of relationship, events, touches, channels.

Keys are what the database stores; values are what the user reads.
"""

PERSON_KINDS: dict[str, str] = {
    "customer": "Customer",
    "prospect": "Prospect",
    "competitor": "Competitor",
    "vendor": "Vendor",
    "partner": "Partner",
    "colleague": "Colleague",
    "press": "Press / analyst",
    "other": "Other",
}

EVENT_KINDS: dict[str, str] = {
    "trade_show": "Trade show",
    "conference": "Conference",
    "seminar": "Seminar",
    "meetup": "Meetup",
    "customer_visit": "Customer visit",
    "internal": "Internal",
}

# A touch is one thing that happened with a person. "met" is the new card;
# "attempt" is outbound with no answer; "dialog" is two-way; "state" records
# a change to the follow-up (snooze, let go, reopen, declined, undo).
TOUCH_KINDS: dict[str, str] = {
    "met": "Met",
    "attempt": "Attempt",
    "dialog": "Dialog",
    "note": "Note",
    "state": "Change",
}

CHANNELS: dict[str, str] = {
    "in_person": "In person",
    "email": "Email",
    "sms": "Text message",
    "message": "Chat message",
    "linkedin": "LinkedIn",
    "call": "Phone call",
    "voicemail": "Voicemail",
    "video": "Video call",
    "coffee": "Coffee",
    "meeting": "Meeting",
    "other": "Other",
}

FOLLOWUP_REASONS: dict[str, str] = {
    "ladder": "Until a dialog",
    "keep_in_touch": "Keep in touch",
    "next_step": "Next step",
}

PERSON_STATUSES: dict[str, str] = {
    "active": "Active",
    "let_go": "Let go",
    "declined": "Declined",
    "merged": "Merged",
}
