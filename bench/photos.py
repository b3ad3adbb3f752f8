"""Image bombs at the API: a request of 20 cards whose photos decode to the most pixels allowed.

Each card's photo is the worst a phone could send within the limits: a PNG of 8 megapixels
(2828 x 2828, RGBA, decoded whole: 32 MB) in a file of about 25 kB, and every other one a JPEG
of 24 MP (6000 x 4000, decoded at half its size); plus the 7070 x 7070 PNG (50 MP in 212 kB)
that is refused. The request goes through FieldKit's API route (JSON parsed,
every card validated, its photo decoded and read by the card reader, stored), in a child
process whose peak memory is reset (``/proc/self/clear_refs``) once the card reader is loaded:
the growth is what the request itself costs.

    python -m bench.run --only photos
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEAK_GROWTH_MB = 200  # the bound for one request of 20 worst-case cards
CARDS = 20

_CHILD = textwrap.dedent('''
    import base64, io, json, sys, time, uuid
    from datetime import datetime, timezone
    from pathlib import Path
    from PIL import Image
    from starlette.applications import Starlette
    from starlette.testclient import TestClient
    from fieldkit import booth, cardreader, db as fdb
    from fieldkit.web import api
    from fieldkit.web.site import Site

    def status(key):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
        raise KeyError(key)

    def jpeg(width, height):
        out = io.BytesIO()
        Image.new("RGB", (width, height), (250, 250, 250)).save(out, "JPEG", quality=90)
        return base64.b64encode(out.getvalue()).decode()

    def png(width, height):
        out = io.BytesIO()
        Image.new("RGBA", (width, height), (250, 250, 250, 255)).save(out, "PNG", optimize=True)
        return base64.b64encode(out.getvalue()).decode()

    path = Path(sys.argv[1])
    with fdb.connect(path):
        pass
    web = TestClient(Starlette(routes=api.routes(Site({"FIELDKIT_DB": str(path)}))),
                     base_url="http://localhost")
    origin = {"origin": "http://localhost"}
    worst = [png(2828, 2828), jpeg(6000, 4000)]
    bomb = png(7070, 7070)
    now = datetime.now(timezone.utc).isoformat()

    def request(photos, count):
        return {"cards": [{"id": str(uuid.uuid4()), "captured_at": now,
                           "fields": {"name": f"Card {n}"}, "photo": photos[n % len(photos)]}
                          for n in range(count)]}

    # The reader loaded and once used on a photo of the size it reads (its buffers grown to it),
    # as in a server that has read a card before.
    cardreader.read(base64.b64decode(jpeg(1600, 1000)), region="US")
    Path("/proc/self/clear_refs").write_text("5")  # peak memory from here
    before = status("VmRSS")
    started = time.perf_counter()
    answer = web.post("/api/cards", json=request(worst, int(sys.argv[2])), headers=origin)
    seconds = time.perf_counter() - started
    growth = status("VmHWM") - before
    stored = [r["status"] for r in answer.json()["results"]]
    Path("/proc/self/clear_refs").write_text("5")
    before = status("VmRSS")
    started = time.perf_counter()
    refused = web.post("/api/cards", json=request([bomb], 1), headers=origin).json()["results"]
    bomb_seconds = time.perf_counter() - started
    bomb_growth = status("VmHWM") - before
    print(json.dumps({"status": answer.status_code, "stored": stored, "seconds": seconds,
                      "growth_mb": growth, "bomb": refused[0], "bomb_seconds": bomb_seconds,
                      "bomb_growth_mb": bomb_growth,
                      "body_kb": sum(map(len, worst)) * int(sys.argv[2]) / 2 / 1024}))
''')


def measure(workdir: Path, say) -> tuple[list[dict], dict]:
    """The figures of one 20-card request of worst-case photos, and of the refused bomb."""
    result = subprocess.run([sys.executable, "-c", _CHILD, str(workdir / "photos.db"), str(CARDS)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900, check=True)
    found = json.loads(result.stdout.strip().splitlines()[-1])
    say(f"  {CARDS} cards of the largest photos: {found['status']}, {found['stored'].count('stored')} stored, "
        f"{found['seconds']:.1f} s, peak growth {found['growth_mb']:.0f} MB; the 50 MP PNG: "
        f"{found['bomb']['status']} in {found['bomb_seconds'] * 1000:.0f} ms")
    assert found["stored"] == ["stored"] * CARDS, found["stored"]
    assert found["bomb"]["status"] == "invalid", found["bomb"]
    figures = [
        dict(name=f"API: {CARDS} cards of the largest photos, peak memory growth",
             median=found["growth_mb"], unit="MB", target=PEAK_GROWTH_MB, runs=[found["growth_mb"]],
             note=f"one request, {found['body_kb']:.0f} kB; read and stored in "
                  f"{found['seconds']:.1f} s"),
        dict(name="API: a 50 MP PNG of 212 kB, refused in", median=found["bomb_seconds"] * 1000,
             unit="ms", target=None, runs=[found["bomb_seconds"] * 1000],
             note=f"peak growth {found['bomb_growth_mb']:.0f} MB; was 6.2 s and +450 MB"),
    ]
    return figures, found
