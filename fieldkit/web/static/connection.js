// On Streamlit's pages: what FieldKit does when the connection to its server drops.
//
// Streamlit marks its root with the connection's state; when it is not
// CONNECTED for a while, a small banner offers the booth (/booth), which
// takes cards with no network. A Save card tapped meanwhile is stopped, and the card
// goes to the phone's outbox instead (the booth's way to the server, once), the form
// saying so; only when it cannot be kept there does it say "Not saved yet". Signing out
// while the outbox holds cards asks first. Cards waiting from the booth are
// sent from here too, and the booth learns the event checked in to.
// A deferred file of its own (the page's CSP allows no other inline
// script), polling one attribute twice a second: it never holds Streamlit up.
"use strict";
(function () {
  const FIELDKIT = __FIELDKIT__; // the server's contract (fieldkit/web/browser.py)
  const GRACE_MS = 2000; // a blip shorter than this shows nothing
  const LOOK_EVERY_MS = 500;
  const SIGN_OUT = ["Sign out this device", "Sign out everywhere"];
  let lostSince = null;
  let banner = null;
  let notSaved = false;
  let kept = null; // the name of the card last kept on the phone, while the banner says so
  let confirmed = null; // a sign-out button let through once, after the question
  let loaded = false; // the page is up: FieldKit's own requests may start

  function connected() {
    const app = document.querySelector("[data-testid=stApp]");
    return !app || app.getAttribute("data-test-connection-state") === "CONNECTED";
  }

  // A button's own words, without the icon's ligature Streamlit puts before them.
  function said(button, words) {
    const text = button.textContent.trim();
    return words.find((w) => text === w || text.endsWith(w));
  }

  function show() {
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "fieldkit-offline";
      banner.setAttribute("role", "status");
      // At the top, over Streamlit's header (at the bottom it would hide a Save button),
      // and over any dialog.
      banner.style.cssText = "position:fixed;left:0;right:0;top:0;z-index:2147483647;"
        + "padding:calc(0.6rem + env(safe-area-inset-top)) 1rem 0.6rem;"
        + "background:#fff7e0;color:#5c3c00;border-bottom:1px solid #e8c66a;"
        + "font:1rem/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif";
      document.body.append(banner);
    }
    banner.textContent = "";
    if (kept) {
      const strong = document.createElement("strong");
      strong.textContent = `Kept on this phone: ${kept}. `;
      banner.append(strong, "It goes to the server by itself when the connection is back; "
        + "take the next card in ");
    } else if (notSaved) {
      const strong = document.createElement("strong");
      strong.textContent = "Not saved yet — no connection. ";
      banner.append(strong, "What you typed stays here; tap Save again when the connection "
        + "is back, or ");
    } else {
      banner.append("No connection — cards can still be taken: ");
    }
    const link = document.createElement("a");
    link.href = FIELDKIT.paths.booth;
    link.textContent = kept ? "the booth" : notSaved ? "open the booth" : "Open the booth";
    link.style.cssText = `color:${FIELDKIT.theme_colour};font-weight:600`;
    banner.append(link, notSaved || kept ? "." : "");
    banner.hidden = false;
  }

  // Streamlit's own "Connection error" dialog says less, and hides the form and what was
  // typed in it: set aside while the banner shows (Streamlit removes it once connected).
  function quietStreamlit() {
    for (const dialog of document.querySelectorAll("[data-testid=stDialog]")) {
      if (dialog.textContent.trim().startsWith("Connection error")) dialog.style.display = "none";
    }
    // A modal hides the rest of the page from screen readers; the banner must be heard.
    banner.removeAttribute("aria-hidden");
    banner.inert = false;
  }

  function hide() {
    notSaved = false;
    kept = null;
    if (banner) banner.hidden = true;
  }

  function reconnected() {
    lostSince = null;
    waitingSince = null;
    hide();
    sync();
  }

  setInterval(() => {
    if (connected()) {
      if (lostSince !== null) reconnected();
      learn();
    } else if (lostSince === null) {
      lostSince = Date.now();
    } else if (Date.now() - lostSince > GRACE_MS) {
      if (!banner || banner.hidden) show();
      quietStreamlit();
    }
  }, LOOK_EVERY_MS);

  // Save card while disconnected: the tap would go nowhere (or, worse, later), so it is
  // stopped here, and the card goes to the outbox. Pointer events too: Streamlit may
  // have disabled the button (then the pointer's release is the tap).
  function onSave(event) {
    const button = event.target.closest && event.target.closest("button");
    if (!button || connected() || !said(button, ["Save card"])) return;
    if (event.type === "click") {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
    if (lostSince === null) lostSince = Date.now();
    if (event.type === "click" || button.disabled) keepOnPhone();
  }

  // ---- The capture form kept on the phone (its widgets are keyed by field and form).

  function widget(field, form) {
    return document.querySelector(`.st-key-${FIELDKIT.capture_key}_${field}_${form}`);
  }

  // The form on screen, as the outbox keeps a card: every field the server takes.
  function captureCard() {
    const prefix = `st-key-${FIELDKIT.capture_key}_name_`;
    const name = document.querySelector(`[class*="${prefix}"]`);
    if (!name) return null;
    const form = [...name.classList].find((c) => c.startsWith(prefix)).slice(prefix.length);
    const fields = {};
    for (const field of FIELDKIT.card_fields) {
      const box = widget(field, form);
      if (!box) continue;
      if (field === "kind") {
        const pill = box.querySelector("[role=radio][aria-checked=true]");
        const label = pill ? pill.textContent.trim() : "";
        const found = FIELDKIT.kinds.find((k) => label === k.label || label.endsWith(k.label));
        if (found) fields.kind = found.value;
      } else if (field === "important") {
        const toggle = box.querySelector("input[type=checkbox]");
        fields.important = Boolean(toggle && toggle.checked);
      } else {
        const input = box.querySelector("input, textarea");
        if (input && input.value.trim()) fields[field] = input.value.trim();
      }
    }
    return { form, fields };
  }

  // What was typed goes, as after a Save: React takes a value set this way as typed.
  function emptyForm(form) {
    for (const field of FIELDKIT.card_fields) {
      const box = widget(field, form);
      if (!box) continue;
      if (field === "kind") {
        const pill = box.querySelector("[role=radio][aria-checked=true]");
        if (pill) pill.click();
      } else if (field === "important") {
        const toggle = box.querySelector("input[type=checkbox]");
        if (toggle && toggle.checked) toggle.click();
      } else {
        const input = box.querySelector("input, textarea");
        if (!input || !input.value) continue;
        const proto = input.tagName === "TEXTAREA" ? HTMLTextAreaElement : HTMLInputElement;
        Object.getOwnPropertyDescriptor(proto.prototype, "value").set.call(input, "");
        input.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }
  }


  // The tap never reached the server (it was stopped here): the card is the phone's to
  // send, under an id of its own, taken now; the booth's outbox sends it once. A second
  // tap while the first is being kept (the form not yet emptied) keeps nothing more.
  let keeping = false;
  async function keepOnPhone() {
    if (keeping) return;
    keeping = true;
    try {
      await keepTheForm();
    } finally {
      keeping = false;
    }
  }

  async function keepTheForm() {
    const found = captureCard();
    if (!found || !found.fields.name) {
      notSaved = true; // nothing to keep (no name yet): the form says what it needs
      show();
      return;
    }
    let card;
    try {
      const box = await loadOutbox();
      card = { id: box.uuid(), captured_at: new Date().toISOString(), fields: found.fields,
        photo: null };
      await box.put(card);
    } catch (error) {
      notSaved = true; // no outbox here (no IndexedDB): what was typed stays
      show();
      return;
    }
    kept = card.fields.name;
    notSaved = false;
    emptyForm(found.form);
    show();
  }
  window.addEventListener("click", onSave, true);
  window.addEventListener("pointerup", onSave, true);

  // Save card while Streamlit still believes it is connected: on a venue's Wi-Fi a
  // websocket can die without a word, and the tap then waits in it (landing late) or
  // is lost. A tap that got through makes the server run the page, which Streamlit
  // marks on its root; with no run within ANSWER_MS, say "Not saved yet" (what was
  // typed stays) until a run comes (the tap landed) or the connection is back.
  // A reconnection can be over between two looks of the loop above (a socket closed
  // and opened again within half a second): the attribute's every change is watched too,
  // so "Not saved yet" never outlives the connection it was about.
  const ANSWER_MS = 5000;
  let waitingSince = null;
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.attributeName === "data-test-connection-state") {
        if (change.oldValue !== "CONNECTED" && connected() && (lostSince !== null || notSaved)) {
          reconnected();
        }
      } else if (waitingSince !== null) {
        waitingSince = null;
        if (notSaved && connected()) hide();
      }
    }
  }).observe(document.documentElement, {
    subtree: true, attributes: true, attributeOldValue: true,
    attributeFilter: ["data-test-script-state", "data-test-connection-state"],
  });
  window.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("button");
    if (!button || !connected() || !said(button, ["Save card"])) return;
    const tapped = Date.now();
    waitingSince = tapped;
    setTimeout(() => {
      if (waitingSince !== tapped) return; // answered, or another tap is being watched
      notSaved = true;
      show();
    }, ANSWER_MS);
  }, true);
  // Enter in a form's field submits it, as Save does.
  window.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || connected() || !event.target.closest) return;
    const inForm = event.target.closest("[data-testid=stForm]");
    if (inForm && event.target.tagName === "INPUT") {
      event.preventDefault();
      event.stopImmediatePropagation();
      keepOnPhone();
    }
  }, true);

  // ---- The outbox (outbox.js, loaded after the page: Streamlit comes first).

  let outbox = null;
  function loadOutbox() {
    if (!outbox) {
      outbox = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = FIELDKIT.paths.outbox;
        script.onload = () => resolve(self.FieldkitOutbox);
        script.onerror = reject;
        document.head.append(script);
      });
      outbox.catch(() => { outbox = null; });
    }
    return outbox;
  }

  // Cards left from the booth go as soon as this page has the server.
  async function sync() {
    if (!navigator.onLine) return;
    const box = await loadOutbox().catch(() => null);
    if (box && (await box.count())) await box.sync();
  }

  // The booth ties a card to the event checked in to when the phone last reached the
  // server: asked again on each page opened (checking in is done on one), at least
  // once a minute, and kept in the outbox's store.
  const LEARN_EVERY_MS = 60000;
  let learnt = { path: null, at: 0 };
  // Only on a page drawn for a signed-in browser: a page that shows the sign-in link (or
  // has not finished drawing) would only be told 401.
  function signedInPage() {
    const app = document.querySelector("[data-testid=stApp]");
    return app && app.getAttribute("data-test-script-state") === "notRunning"
      && document.querySelector("[data-testid=stMain] h1")
      && !document.querySelector(`a[href^="${FIELDKIT.paths.sign_in}"]`);
  }

  async function learn() {
    const now = Date.now();
    if (!loaded || document.hidden || !navigator.onLine || !signedInPage()
      || (learnt.path === location.pathname && now - learnt.at < LEARN_EVERY_MS)) return;
    learnt = { path: location.pathname, at: now };
    try {
      const response = await fetch(FIELDKIT.paths.booth_state,
        { credentials: "same-origin", cache: "no-store" });
      if (response.ok) await (await loadOutbox()).setMeta("booth", await response.json());
      else if (response.status === 401) await (await loadOutbox()).forget();
    } catch (error) {
      // Asked again on the next page.
    }
  }

  // Signing out leaves the cards on this phone with no way to send them: ask first.
  window.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest("button");
    if (!button || !said(button, SIGN_OUT)) return;
    if (confirmed === button) {
      confirmed = null;
      return; // asked already: Streamlit takes this click
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    let waiting = 0;
    try {
      waiting = await (await loadOutbox()).count();
    } catch (error) {
      waiting = 0; // no outbox on this phone (no IndexedDB): nothing to lose
    }
    const cards = waiting === 1 ? "1 card on this phone is" : `${waiting} cards on this phone are`;
    if (waiting && !confirm(`${cards} not yet on the server. Sign out anyway?`)) return;
    try {
      await (await loadOutbox()).forget(); // the booth shows nothing of the server's any more
    } catch (error) {
      // No outbox on this phone: nothing kept to forget.
    }
    confirmed = button;
    button.click();
  }, true);

  window.addEventListener("online", sync);
  window.addEventListener("load", () => setTimeout(() => { loaded = true; sync(); }, 1000));
})();
