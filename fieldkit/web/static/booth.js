// The booth (/booth): cards taken with or without a network.
//
// A saved card goes to the outbox (outbox.js, IndexedDB) with its own id and
// the moment it was taken, both made here on the phone; the outbox sends it
// when it can: now, when the network comes back, every 30 s while cards wait,
// and through Background Sync (the service worker) where the browser has it.
// The server validates; this page only insists on a name. User text is
// always set as text, never as markup.
"use strict";
(function () {
  const outbox = self.FieldkitOutbox;
  const { kinds: KINDS, limits: LIMITS } = outbox.FIELDKIT; // the server's contract
  const SYNC_EVERY_MS = 30000;
  const FIELDS = outbox.FIELDKIT.fields; // typed as text; kind and important are picked
  const NO_EVENT = { event: null };
  const $ = (id) => document.getElementById(id);
  const form = $("card");

  let booth = NO_EVENT;
  let kind = "";
  let photo = null; // the card photo, base64 JPEG
  let editing = null; // the card being fixed, after the server refused it
  let signIn = null; // where the server sends this phone to sign in before it takes cards
  let reachable = null; // whether the server answered the last time it was asked
  let timer = null;

  // ---- What the server says: the event checked in to.

  async function loadBooth() {
    const kept = await outbox.meta("booth").catch(() => null);
    if (kept) showBooth(kept);
    try {
      const response = await fetch(outbox.FIELDKIT.paths.booth_state,
        { credentials: "same-origin", cache: "no-store" });
      reachable = true;
      if (response.status === 401) {
        signIn = outbox.signInLink(await response.json().catch(() => null));
        await outbox.forget(); // signed out (here or everywhere): keep nothing the server told
        showBooth(NO_EVENT);
      } else if (response.ok) {
        const info = await response.json();
        signIn = null;
        showBooth(info);
        await outbox.setMeta("booth", info); // for the next time there is no network
      }
    } catch (error) {
      reachable = false; // no network: what was kept last time stands
    }
    render();
  }

  function showBooth(info) {
    booth = { ...NO_EVENT, ...info };
    const event = $("event");
    event.classList.toggle("event", Boolean(booth.event));
    event.textContent = booth.event
      ? `At ${booth.event.name} — cards are tied to it`
      : "Not checked in: cards have no event.";
    event.title = event.textContent; // one line on the page; a long name is cut there
  }

  // The kinds and each field's most characters, as the server checks them.
  function buildForm() {
    const pills = $("kinds");
    for (const { value, label } of KINDS) {
      const pill = document.createElement("button");
      pill.type = "button";
      pill.setAttribute("role", "radio");
      pill.dataset.value = value;
      pill.textContent = label;
      pills.append(pill);
    }
    setKind(kind);
    for (const name of FIELDS) $(name).maxLength = LIMITS.text[name];
  }

  // One tap picks a kind; a second tap on it picks none (the server's "other").
  function setKind(value) {
    kind = value;
    for (const pill of $("kinds").children) {
      pill.setAttribute("aria-checked", String(pill.dataset.value === value));
    }
  }
  $("kinds").addEventListener("click", (event) => {
    const pill = event.target.closest("button");
    if (pill) setKind(pill.dataset.value === kind ? "" : pill.dataset.value);
  });

  // ---- The card photo: shrunk on the phone, so the outbox and the upload stay small.

  function readImage(file) {
    return new Promise((resolve, reject) => {
      const image = new Image();
      const url = URL.createObjectURL(file);
      image.onload = () => { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = () => { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
      image.src = url;
    });
  }

  function toBase64(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",")[1]);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(blob);
    });
  }

  // A JPEG of at most PHOTO_SIDE px a side (browsers draw it upright, per its EXIF),
  // at a lower quality when needed to fit the server's limit; no EXIF data survives.
  async function shrink(file) {
    const image = await readImage(file);
    const scale = Math.min(1, LIMITS.photo_side / Math.max(image.naturalWidth, image.naturalHeight));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(image.naturalWidth * scale);
    canvas.height = Math.round(image.naturalHeight * scale);
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    let blob = null;
    for (const quality of [0.85, 0.7, 0.5]) {
      blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
      if (blob && blob.size <= LIMITS.photo_bytes) break;
    }
    if (!blob) throw new Error("unreadable");
    return toBase64(blob);
  }

  function showPhoto(data) {
    photo = data;
    $("photo-kept").hidden = !data;
    $("photo-label").textContent = data ? "Card photo: take another" : "Card photo: take one";
    if (data) $("photo-preview").src = `data:image/jpeg;base64,${data}`;
    else $("photo-preview").removeAttribute("src");
  }

  $("photo").addEventListener("change", async () => {
    const file = $("photo").files[0];
    $("photo").value = "";
    if (!file) return;
    note("Reading the photo…");
    try {
      showPhoto(await shrink(file));
      note("");
    } catch (error) {
      note("This photo could not be read. Take it again, or save the card without it.");
    }
  });
  $("photo-remove").addEventListener("click", () => showPhoto(null));

  // ---- The form.

  function note(text) {
    $("form-note").textContent = text;
    $("form-note").hidden = !text;
  }

  function read() {
    const fields = {};
    for (const name of FIELDS) fields[name] = $(name).value.trim();
    fields.kind = kind;
    fields.important = $("important").checked;
    return fields;
  }

  function fill(card) {
    for (const name of FIELDS) $(name).value = card ? card.fields[name] || "" : "";
    $("important").checked = Boolean(card && card.fields.important);
    setKind(card ? card.fields.kind || "" : "");
    showPhoto(card ? card.photo || null : null);
    editing = card;
    $("save").textContent = card ? "Save changes" : "Save card";
    $("cancel").hidden = !card;
    $("name-error").hidden = true;
    $("name").removeAttribute("aria-invalid");
  }


  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = read();
    if (!fields.name) {
      $("name-error").hidden = false;
      $("name").setAttribute("aria-invalid", "true");
      $("name").focus();
      return;
    }
    // A fixed card keeps its id and the moment it was taken at (which says its event).
    const card = editing
      ? { id: editing.id, captured_at: editing.captured_at, fields, photo }
      : { id: outbox.uuid(), captured_at: new Date().toISOString(), fields, photo };
    try {
      await outbox.put(card);
    } catch (error) {
      note(`Not saved: this phone's storage refused the card (${error && error.name}).`);
      return;
    }
    fill(null);
    note("");
    $("more").open = false;
    $("saved").textContent = `Saved ${fields.name} on this phone.`;
    $("saved").hidden = false;
    $("name").focus();
    render();
    backgroundSync();
    sync();
  });

  form.addEventListener("input", () => { $("saved").hidden = true; });
  $("cancel").addEventListener("click", () => { fill(null); note(""); });

  // ---- What waits and what went.

  function when(iso) {
    const date = new Date(iso);
    const today = date.toDateString() === new Date().toDateString();
    return date.toLocaleString([], today
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" })
      .replace(/\s/g, "\u00a0"); // "04:59 AM" kept on one line
  }

  function item(name, detail) {
    const li = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = name;
    const what = document.createElement("span");
    what.className = "when";
    what.textContent = ` · ${detail}`;
    li.append(who, what);
    return li;
  }

  function button(text, kindOf, action) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = kindOf;
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function fix(card) {
    fill(card);
    note(`Fixing ${card.fields.name}. The server said: ${card.message}`);
    // The field the server named, when it is one of the form's.
    const field = FIELDS.includes(card.field) ? card.field : "name";
    $("more").open = field !== "name" || FIELDS.slice(1).some((name) => card.fields[name])
      || Boolean(card.photo);
    window.scrollTo(0, 0);
    $(field).focus();
  }

  async function discard(card) {
    const name = card.fields.name;
    if (!confirm(`Discard the card of ${name}? It is not on the server and cannot come back.`)) return;
    await outbox.discard(card.id);
    if (editing && editing.id === card.id) fill(null);
    render();
  }

  function label(value) {
    const found = KINDS.find((k) => k.value === value);
    return found ? found.label : "";
  }

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  let rendering = null;
  function render() {
    // One render at a time; a change during one is drawn right after it.
    rendering = (rendering || Promise.resolve()).then(draw).catch((error) => console.error(error));
    return rendering;
  }

  async function draw() {
    const [waiting, synced, last] = await Promise.all(
      [outbox.cards(), outbox.meta("synced"), outbox.meta("last")]);
    const refused = waiting.filter((card) => card.message).length;
    const status = $("status");
    status.textContent = "";
    status.className = "status";
    status.hidden = !waiting.length && !signIn && reachable !== false;
    if (!waiting.length && !signIn && reachable === false) {
      status.append("No connection: cards saved here wait on this phone until it is back.");
    }
    if (waiting.length) {
      let text = `${plural(waiting.length, "card", "cards")} not yet on the server`;
      if (refused) text += ` (${refused} to fix)`;
      status.append(text);
    }
    const goes = waiting.length - refused === 1 ? "it goes" : "they go";
    const wantsSignIn = signIn || (waiting.length && last && last.state === "signin"
      && (last.sign_in || outbox.signInLink(null)));
    if (wantsSignIn) {
      status.append(waiting.length ? ". " : "");
      const link = document.createElement("a");
      link.href = wantsSignIn;
      link.textContent = "Sign in to send";
      status.append(link, waiting.length ? `: ${goes} once this phone is signed in.` : ".");
    } else if (waiting.length > refused && last && last.state === "offline") {
      status.append(`: no connection; ${goes} when the network is back.`);
    } else if (waiting.length > refused && last && last.state === "error") {
      status.append(`. ${last.message}`);
    } else if (waiting.length) {
      status.append(".");
    }

    $("waiting-section").hidden = !waiting.length;
    $("waiting-title").textContent = `Not yet on the server (${waiting.length})`;
    const list = $("waiting");
    list.textContent = "";
    for (const card of waiting) {
      const li = item(card.fields.name, [label(card.fields.kind), card.fields.company,
        card.photo ? "photo" : "", when(card.captured_at)].filter(Boolean).join(" · "));
      if (card.message) {
        const problem = document.createElement("p");
        problem.className = "problem";
        problem.textContent = card.message;
        const row = document.createElement("div");
        row.className = "row";
        row.append(button("Fix", "primary", () => fix(card)),
          button("Discard", "secondary", () => discard(card)));
        li.append(problem, row);
      }
      list.append(li);
    }

    const went = synced || [];
    $("synced-section").hidden = !went.length;
    const done = $("synced");
    done.textContent = "";
    for (const card of went) {
      done.append(item(card.name, `taken ${when(card.captured_at)}, sent ${when(card.synced_at)}`
        + (card.review ? " · maybe someone you know: see Review" : "")));
    }

    // Every 30 s while a card could go; none while only fixes wait.
    const sendable = waiting.length > refused;
    if (sendable && !timer) timer = setInterval(sync, SYNC_EVERY_MS);
    if (!sendable && timer) { clearInterval(timer); timer = null; }
  }

  // ---- Sending.

  async function sync() {
    const outcome = await outbox.sync().catch((error) => ({ state: "error", message: String(error) }));
    if (!outcome.asked) return render(); // nothing could go: the server was not asked
    if (outcome.state === "signin") signIn = outcome.sign_in;
    else if (outcome.state === "done") signIn = null;
    reachable = outcome.state !== "offline";
    render();
  }

  // The service worker sends the outbox when the network is back, even if this page is closed.
  function backgroundSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register(outbox.SYNC_TAG))
      .catch(() => {}); // no Background Sync here: the page's own syncs remain
  }

  // The worker, or another tab, changed the outbox (this page's own changes are not echoed).
  if (outbox.changes) outbox.changes.onmessage = render;
  // Back online, or back on screen: ask the server again (the event may have changed), then send.
  const refresh = () => loadBooth().then(sync);
  window.addEventListener("online", refresh);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  buildForm();
  showBooth(NO_EVENT);
  render();
  refresh();
})();
