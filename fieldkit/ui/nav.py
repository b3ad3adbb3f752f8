"""The app's pages, in navigation order, with their URL paths."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    file: str
    title: str
    icon: str
    url_path: str  # "" is the home screen at /


# A page joins this list when it exists; the app never shows a placeholder.
PAGES = (
    PageSpec("pages/today.py", "Today", ":material/today:", ""),
    PageSpec("pages/capture.py", "Capture", ":material/person_add:", "capture"),
    PageSpec("pages/events.py", "Events", ":material/event:", "events"),
    PageSpec("pages/people.py", "People", ":material/group:", "people"),
    PageSpec("pages/queue.py", "Follow-ups", ":material/checklist:", "queue"),
    PageSpec("pages/calls.py", "Calls", ":material/call:", "calls"),
    PageSpec("pages/metrics.py", "Metrics", ":material/insights:", "metrics"),
    PageSpec("pages/data.py", "Data", ":material/database:", "data"),
    PageSpec("pages/settings.py", "Settings", ":material/settings:", "settings"),
)


def page(url_path: str) -> PageSpec | None:
    """The page at ``url_path`` if the app has it yet."""
    return next((p for p in PAGES if p.url_path == url_path), None)
