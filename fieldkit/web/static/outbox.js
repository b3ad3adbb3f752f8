// FieldKit's outbox: cards taken on this phone, kept in IndexedDB until the server has them.
//
// One file for every place a sync can start: the booth page (/booth), the
// script on Streamlit's pages (connection.js) and the service worker
// (importScripts, for Background Sync). So a card is sent by the same code
// wherever it goes, and is removed from the phone only once the server
// answered "stored" or "already" for its id. The server is idempotent by
// that id: a card sent twice (an answer lost on the way back) is stored once.
"use strict";
(function (scope) {
  const FIELDKIT = __FIELDKIT__; // the server's contract (fieldkit/web/browser.py)
  const DB_NAME = "fieldkit";
  const DB_VERSION = 1;
  const CARDS = "outbox"; // the cards not yet on the server, by id
  const META = "meta"; // small things kept between visits: the booth's settings, what synced
  const SYNC_TAG = "fieldkit-outbox"; // Background Sync's tag, and the lock's name
  const MAX_CARDS = FIELDKIT.limits.cards_per_request;
  // The server's limit for a request, less a kilobyte for the JSON around the cards.
  const MAX_BYTES = FIELDKIT.limits.request_bytes - 1024;
  const { stored: STORED, already: ALREADY, invalid: INVALID } = FIELDKIT.statuses;
  const RECENT = 5; // synced cards remembered (name and time only)
  const changes = "BroadcastChannel" in scope ? new BroadcastChannel(SYNC_TAG) : null;

  let opening = null;
  function open() {
    if (!opening) {
      opening = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, DB_VERSION);
        request.onupgradeneeded = () => {
          request.result.createObjectStore(CARDS, { keyPath: "id" });
          request.result.createObjectStore(META);
        };
        request.onsuccess = () => {
          const db = request.result;
          // A newer FieldKit in another tab wants to upgrade: let it.
          db.onversionchange = () => { db.close(); opening = null; };
          resolve(db);
        };
        request.onerror = () => { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  // One transaction over `names`; `work` gets their stores and returns the request whose
  // result is wanted. Resolves once the transaction is committed, never earlier.
  async function transaction(names, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(names, mode);
      const request = work(...names.map((name) => tx.objectStore(name)));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }

  function changed() {
    if (changes) changes.postMessage("changed");
  }

  // The cards waiting, oldest first.
  async function cards() {
    const all = await transaction([CARDS], "readonly", (store) => store.getAll());
    return all.sort((a, b) => (a.captured_at < b.captured_at ? -1 : 1));
  }

  function count() {
    return transaction([CARDS], "readonly", (store) => store.count());
  }

  // Keeps a card (a new one, or one fixed after the server refused it).
  async function put(card) {
    await transaction([CARDS], "readwrite", (store) => store.put(card));
    changed();
  }

  async function discard(id) {
    await transaction([CARDS], "readwrite", (store) => store.delete(id));
    changed();
  }

  function meta(key) {
    return transaction([META], "readonly", (store) => store.get(key));
  }

  async function setMeta(key, value) {
    await transaction([META], "readwrite", (store) => store.put(value, key));
    changed();
  }

  // What the server told this phone (the event checked in to, the names of the cards it
  // took, the last answer): not for a phone that is signed out. The cards still waiting
  // stay; they are this phone's own, not yet sent, and signing out asked about them first.
  const TOLD = ["booth", "synced", "last"];
  async function forget() {
    await transaction([META], "readwrite", (store) => { for (const key of TOLD) store.delete(key); });
    changed();
  }

  // What the server is sent for a card: only the fields of the contract. The event is the
  // one checked in to when the card was taken, which the server knows.
  function wire(card) {
    return { id: card.id, captured_at: card.captured_at, fields: card.fields,
      photo: card.photo || null };
  }

  // Requests of at most MAX_CARDS cards and MAX_BYTES of JSON each (a photo is the bulk).
  function batches(list) {
    const out = [];
    let batch = [];
    let bytes = 0;
    for (const card of list) {
      const size = JSON.stringify(wire(card)).length + 1;
      if (batch.length && (batch.length === MAX_CARDS || bytes + size > MAX_BYTES)) {
        out.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(card);
      bytes += size;
    }
    if (batch.length) out.push(batch);
    return out;
  }

  // One request. {state: "ok", results} or why not: "offline" (no answer at all),
  // "signin" (401, with the server's link to sign in), "error" (its message and status).
  async function post(batch) {
    let response;
    try {
      response = await fetch(FIELDKIT.paths.cards, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        // Pages say "no-referrer", which would send "Origin: null"; the server checks the origin.
        referrerPolicy: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ cards: batch.map(wire) }),
      });
    } catch (error) {
      return { state: "offline" };
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      // Not FieldKit's answer (a hall's Wi-Fi login page, a proxy's error): nothing was stored.
    }
    if (response.status === 401) return { state: "signin", sign_in: signInLink(body) };
    if (response.ok && body && Array.isArray(body.results)) return { state: "ok", results: body.results };
    const message = (body && typeof body.error === "string" && body.error)
      || `The server answered ${response.status}; the cards stay on this phone.`;
    return { state: "error", status: response.status, message };
  }

  // The server's answer to one request, written in one transaction: stored cards leave
  // the phone (their name and time go to the recent list), refused ones keep its message.
  // A card the answer does not name stays as it was, for the next sync.
  async function settle(batch, results) {
    const byId = new Map(batch.map((card) => [card.id, card]));
    const stored = [];
    const refused = [];
    for (const result of results) {
      const card = result && byId.get(result.id);
      if (!card) continue;
      if (result.status === STORED || result.status === ALREADY) {
        stored.push({ id: card.id, name: card.fields.name, captured_at: card.captured_at,
          synced_at: new Date().toISOString(), review: Boolean(result.review) });
      } else if (result.status === INVALID) {
        refused.push({ ...card, message: result.message || "The server refused this card.",
          field: result.field || null });
      }
    }
    const recent = stored.reverse().concat((await meta("synced")) || []).slice(0, RECENT);
    await transaction([CARDS, META], "readwrite", (store, metaStore) => {
      for (const card of stored) store.delete(card.id);
      for (const card of refused) store.put(card);
      metaStore.put(recent, "synced");
    });
    changed();
    return stored.length;
  }

  // Sends every card that is not waiting for a fix. Returns {state, sent, asked} (asked:
  // requests made; none when nothing could go); it is also kept (meta "last"), so a page
  // shows what a sync in the worker found.
  async function sendAll() {
    const waiting = (await cards()).filter((card) => !card.message);
    const queue = batches(waiting);
    let outcome = { state: "done", sent: 0, asked: 0 };
    while (queue.length) {
      const batch = queue.shift();
      const answer = await post(batch);
      outcome.asked += 1;
      if (answer.state === "ok") {
        outcome.sent += await settle(batch, answer.results);
      } else if (answer.state === "error" && (answer.status === 400 || answer.status === 413)) {
        // One card spoils a request: send them one by one, and keep the message with that card.
        if (batch.length > 1) queue.unshift(...batch.map((card) => [card]));
        else await settle(batch, [{ id: batch[0].id, status: INVALID, message: answer.message }]);
      } else {
        outcome = { ...answer, sent: outcome.sent, asked: outcome.asked };
        break;
      }
    }
    outcome.at = new Date().toISOString();
    if (outcome.state === "signin") await forget(); // signed out, here or everywhere
    await setMeta("last", outcome);
    return outcome;
  }

  // One sync at a time: a flag in this page or worker, and a Web Lock between the page and
  // the worker where the browser has one. A second call joins the sync under way.
  let sending = null;
  function sync() {
    if (!sending) {
      const run = () => sendAll();
      const locked = scope.navigator && navigator.locks ? navigator.locks.request(SYNC_TAG, run) : run();
      sending = locked.finally(() => { sending = null; });
    }
    return sending;
  }

  // A card's id, made on the phone; by hand where crypto.randomUUID is missing (a page
  // served over plain HTTP).
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // Where the server sends a phone to sign in (its 401 says so); the contract's own before
  // the server was asked.
  function signInLink(body) {
    const link = body && typeof body.sign_in === "string" ? body.sign_in : "";
    return link.startsWith("/") && !link.startsWith("//") ? link : FIELDKIT.paths.sign_in_from_booth;
  }

  scope.FieldkitOutbox = { SYNC_TAG, FIELDKIT, cards, count, put, discard, meta, setMeta, forget,
    signInLink, sync, uuid, changes };
})(self);
