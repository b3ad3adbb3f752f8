// FieldKit's service worker: the app shell from the phone's own cache.
//
// Served at /sw.js (scope /) with VERSION and SHELL filled in by the server:
// VERSION changes whenever FieldKit or Streamlit's page does, which makes
// the browser install this worker again and the old cache go.
//
// What it caches is the shell only: Streamlit's page and its hashed static
// files, and the booth (/booth, its scripts, the icons and manifest), which
// takes cards with no network. Never anything personal: the websocket (not
// a fetch at all), /_stcore/*, /media/*, uploads, /api/* answers and
// FieldKit's other routes all go to the network untouched.
//
// When the server cannot be reached, /capture opens the booth instead, and
// so does any page when no shell is kept yet. The booth's cards wait in the
// outbox (outbox.js, shared with the pages), which Background Sync sends
// from here when the network is back, even with no FieldKit tab open.
"use strict";

const FIELDKIT = __FIELDKIT__; // the server's contract (fieldkit/web/browser.py)
importScripts(FIELDKIT.paths.outbox);

const VERSION = "__VERSION__";
const SHELL = __SHELL__; // the hashed files the page itself loads
const OFFLINE = __OFFLINE__; // the booth and what it needs: FieldKit's own files, this version's
const CACHE = `fieldkit-shell-${VERSION}`;
const PAGE = "/"; // every page URL is the same Streamlit page: kept once
const BOOTH = FIELDKIT.paths.booth;
// FieldKit's own pages (not Streamlit's): always from the network, never the shell.
const OWN_PAGES = [FIELDKIT.paths.sign_in, FIELDKIT.paths.api];

self.addEventListener("install", (event) => {
  // Streamlit's page loads some sixty files from /static/: where the browser can, it
  // answers them from this version's cache itself, without a round through this
  // script for each (Chromium's static routes); a file not kept comes from the network.
  if (event.addRoutes) {
    event.addRoutes({ condition: { urlPattern: `${FIELDKIT.paths.static}*` },
      source: { cacheName: CACHE } })
      .catch(() => {}); // the fetch handler below does the same, a little slower
  }
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL);
      // Fresh from the server, not from the browser's HTTP cache: they are this version's.
      await cache.addAll(OFFLINE.map((path) => new Request(path, { cache: "reload" })));
      const asked = Date.now();
      const page = await fetch(PAGE, { credentials: "same-origin" });
      if (isShell(page)) await keep(page, Date.now() - asked);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("fieldkit-shell-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// Streamlit's page (not a sign-in page, an error or a redirect).
function isShell(response) {
  return response.ok && !response.redirected && response.headers.get(FIELDKIT.headers.shell) === "1";
}

// Content-hashed, so a cached copy is never stale.
function isHashedStatic(url) {
  return url.pathname.startsWith(FIELDKIT.paths.static);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isHashedStatic(url) || OFFLINE.includes(url.pathname)) {
    // The booth's files change only with a new version, which caches them again.
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" && !OWN_PAGES.some((p) => url.pathname.startsWith(p))) {
    event.respondWith(networkFirst(request, url));
  }
  // Anything else (/_stcore, /media, uploads, /api, /sign-in) is not
  // answered here: the browser asks the server as if there were no worker.
});

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// How long the page may take before the kept one is shown. On a good
// network the page arrives well within it; on a venue's Wi-Fi (a third of a
// second per round trip, often neither answering nor failing) the phone
// opens from its own copy, and the fresh one is kept for the next time.
const PAGE_PATIENCE_MS = 150;
// After a page that came later than that, waiting the full patience again
// would only delay the kept one: the next page waits just long enough for a
// network that is plainly gone (offline, refused) to say so.
const SLOW_PATIENCE_MS = 30;
const TOOK = FIELDKIT.headers.took; // how long the kept page took to come, on the kept copy

async function networkFirst(request, url) {
  const asked = Date.now();
  const fromNetwork = fetch(request).then(async (response) => {
    // A proxy whose FieldKit is down answers for it: the server cannot be reached either.
    if (response.status >= 502 && response.status <= 504) throw new Error(`${response.status}`);
    if (isShell(response)) await keep(response.clone(), Date.now() - asked);
    return response;
  });
  const kept = await caches.match(PAGE, { cacheName: CACHE });
  // No server: /capture becomes the booth, which takes cards offline; so does any page
  // when there is no shell to show. Other pages open from the shell, which offers the booth.
  const unreachable = url.pathname === FIELDKIT.paths.capture || !kept ? booth : () => kept;
  const answer = fromNetwork.catch(unreachable);
  if (!kept) return answer; // nothing to show early: wait, or the booth
  const slow = Number(kept.headers.get(TOOK)) > PAGE_PATIENCE_MS;
  const patience = slow ? SLOW_PATIENCE_MS : PAGE_PATIENCE_MS;
  const late = new Promise((resolve) => setTimeout(() => resolve(kept), patience));
  return Promise.race([answer, late]);
}

// The page, kept with how long it took to come (the body is read: the page is small).
async function keep(response, took) {
  const headers = new Headers(response.headers);
  headers.set(TOOK, String(took));
  const copy = new Response(await response.arrayBuffer(), {
    status: response.status, statusText: response.statusText, headers,
  });
  await (await caches.open(CACHE)).put(PAGE, copy);
}

async function booth() {
  return (await caches.match(BOOTH, { cacheName: CACHE })) || Response.error();
}

// Background Sync: the outbox is sent by the same code as the booth's own syncs.
self.addEventListener("sync", (event) => {
  if (event.tag !== FieldkitOutbox.SYNC_TAG) return;
  event.waitUntil(FieldkitOutbox.sync().then((outcome) => {
    // Failing makes the browser try again later; a sign-in needs the user, not a retry.
    if (outcome.state === "offline") throw new Error("FieldKit's server cannot be reached");
  }));
});
