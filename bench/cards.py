"""The card reader's part of the benchmark: accuracy, time per card, server memory.

Generates business-card photos with known truth (tests/cardgen.py), reads
each with ``fieldkit.cardreader.read`` in this process, and compares field
by field:

- name, company, title and email exactly as written on the card;
- phones as the list of E.164 numbers, mobile first, in full;
- the website by its host (``www.`` aside), the LinkedIn profile as its URL.

A field counts when the card prints it or the reader returned one (a field
read from nothing is wrong; a field left empty on a card without it is not
counted). Time per card is the wall time of ``read`` from the photo's bytes
to the fields, after one warm-up read (the engine's first load is timed on
its own). Memory: a real ``streamlit run`` of the app, its resident memory
before the first card is read on /capture and after reading several, in
Chromium (``server_memory``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

FIELDS = ("name", "company", "title", "email", "phones", "website", "linkedin_url")
REGION = "DE"  # the bench user's phone region: a trade fair in Germany
CARDS = 60


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = url.lower().split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def compare(truth, read) -> dict[str, bool | None]:
    """Each field: True right, False wrong, None when neither card nor reader has one."""
    out: dict[str, bool | None] = {}
    for name in FIELDS:
        want, got = getattr(truth, name), getattr(read, name)
        if name == "website":
            want, got = _host(want), _host(got)
        if name == "phones":
            want, got = tuple(want) or None, tuple(got) or None
        out[name] = None if want is None and got is None else want == got
    return out


def accuracy(count: int = CARDS, first_seed: int = 1000, say: Callable[[str], None] = print,
             show_misses: bool = False) -> dict:
    """Read ``count`` generated cards; per-field accuracy and seconds per card."""
    from fieldkit import cardreader
    from tests import cardgen

    start = time.perf_counter()
    cardreader.engine()
    load_s = time.perf_counter() - start
    warm = cardgen.card(first_seed - 1)
    cardreader.read(warm.photo, region=REGION)
    per_field = {name: [0, 0] for name in FIELDS}  # right, counted
    times, cpus, misses = [], [], []
    for seed in range(first_seed, first_seed + count):
        card = cardgen.card(seed)
        start, cpu = time.perf_counter(), time.process_time()
        read = cardreader.read(card.photo, region=REGION)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        for name, right in compare(card.truth, read).items():
            if right is None:
                continue
            per_field[name][1] += 1
            per_field[name][0] += right
            if not right:
                misses.append((seed, card.layout, name, getattr(card.truth, name),
                               getattr(read, name)))
        if show_misses and any(m[0] == seed for m in misses):
            for miss in (m for m in misses if m[0] == seed):
                say(f"    seed {miss[0]} ({miss[1]}) {miss[2]}: want {miss[3]!r}, "
                    f"read {miss[4]!r}")
            say(f"      lines: {list(read.lines)}")
    right = sum(r for r, _ in per_field.values())
    counted = sum(n for _, n in per_field.values())
    return {
        "cards": count,
        "fields": {name: {"right": r, "counted": n, "share": r / n if n else None}
                   for name, (r, n) in per_field.items()},
        "overall": right / counted if counted else None,
        "right": right, "counted": counted,
        "median_s": statistics.median(times), "max_s": max(times),
        "median_cpu_s": statistics.median(cpus),
        "engine_load_s": load_s,
        "misses": [list(m) for m in misses],
    }


def _rss_mb(pid: int) -> tuple[float, float]:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    values = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status
              if line.startswith(("VmRSS:", "VmHWM:"))}
    return values["VmRSS"], values["VmHWM"]


def server_memory(workdir: Path, chromium: str, count: int, say: Callable[[str], None]) -> dict:
    """Resident memory of a served app before and after reading ``count`` cards on /capture.

    Before: the app served and its home page open, the reader not loaded yet
    (it starts loading when /capture shows its form). After: ``count`` card
    photos uploaded and read on /capture, one after another, as a phone does.
    """
    from playwright.sync_api import sync_playwright

    from fieldkit import db
    from tests import cardgen
    from tests.browser import helpers, launcher

    path = workdir / "cards.db"
    with db.connect(path):
        pass
    photos = []
    for n in range(count):
        photo = workdir / f"card-{n}.jpg"
        photo.write_bytes(cardgen.card(2000 + n).photo)
        photos.append(photo)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=launcher.CHROMIUM_ARGS)
        server = launcher.Server(path, workdir / "cards.log")
        try:
            context = browser.new_context(**launcher.PHONE)
            page = context.new_page()
            server.wait_healthy(timeout=60)
            helpers.open_page(page, f"{server.url}/", timeout=60)
            time.sleep(1)
            before, _ = _rss_mb(server.process.pid)
            helpers.open_page(page, f"{server.url}/capture", timeout=60)
            page.get_by_text("Company, contact details, note, photo, voice memo").tap()
            for photo in photos:
                uploader = page.get_by_test_id("stFileUploader").filter(has_text="Card photo")
                uploader.locator("input[type=file]").set_input_files(str(photo))
                helpers.expect(uploader.get_by_text(photo.name)).to_be_visible()
                with helpers.rerun(page, timeout=60):
                    page.get_by_role("button", name="Read card").tap()
                helpers.expect(page.get_by_text("Read from the card")).to_be_visible()
            time.sleep(1)
            after, peak = _rss_mb(server.process.pid)
            context.close()
        finally:
            server.stop()
            browser.close()
    say(f"  server memory: {before:.0f} MB before, {after:.0f} MB after {count} cards, "
        f"peak {peak:.0f} MB")
    return {"before_mb": before, "after_mb": after, "peak_mb": peak,
            "growth_mb": after - before, "peak_growth_mb": peak - before}


def figures(workdir: Path, chromium: str | None, count: int, reads: int,
            say: Callable[[str], None]) -> tuple[list[dict], dict, list[str]]:
    """The card reader's figures for bench/run.py: (figures, details, parts not measured)."""
    say(f"  reading {count} generated cards (region {REGION})...")
    found = accuracy(count, say=say)
    for name, field in found["fields"].items():
        say(f"    {name:<13} {field['right']:>3} of {field['counted']:>3} right")
    say(f"  {found['right']} of {found['counted']} fields right "
        f"({100 * found['overall']:.1f}%); median {found['median_s']:.2f} s a card "
        f"(cpu {found['median_cpu_s']:.2f} s), engine loaded in {found['engine_load_s']:.2f} s")
    out = [
        dict(name=f"card fields right, {count} cards", median=100 * found["overall"], unit="%",
             target=None, least=95.0,
             note=f"{found['right']} of {found['counted']} fields printed or read"),
    ]
    for name, field in found["fields"].items():
        if field["counted"]:
            out.append(dict(name=f"  {name}", median=100 * field["share"], unit="%",
                            target=None, note=f"{field['right']} of {field['counted']}"))
    out += [
        dict(name="card read, per card", median=found["median_s"], unit="s", target=1.0,
             cpu=found["median_cpu_s"], note=f"slowest {found['max_s']:.2f} s"),
        dict(name="card reader loaded", median=found["engine_load_s"], unit="s", target=None,
             note="once per process, before the first read"),
    ]
    skipped = []
    memory = None
    if chromium is None:
        skipped.append("server memory with the card reader: no Chromium found")
    else:
        memory = server_memory(workdir, chromium, reads, say)
        out += [
            dict(name="server memory growth, reader loaded", median=memory["growth_mb"],
                 unit="MB", target=300.0,
                 note=f"{reads} cards read on /capture; {memory['before_mb']:.0f} MB before"),
            dict(name="  peak growth while reading", median=memory["peak_growth_mb"],
                 unit="MB", target=None, note="VmHWM against the same start"),
        ]
    details = {"accuracy": found, "memory": memory}
    return out, details, skipped
