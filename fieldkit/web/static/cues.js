// What FieldKit's pages ask of the phone beyond Streamlit's widgets
// (fieldkit/cues.py): once a run has finished, a cue element drawn by the page
// brings an element's top to the top of the screen, scrolls back to the top, or
// focuses an input; a photo control keyed for the camera opens it with one tap; on a
// phone, the side menu closes once a page is picked in it; on a warm start the
// charts' code is fetched once the page is idle. __CUES__ is filled in by the server
// (fieldkit/web/shell.py) with the names both sides use.
"use strict";
(function (names) {
  const done = new Set(); // cue numbers acted on: each cue once
  const phone = () => window.innerWidth < names.phoneWidth;
  const main = () => document.querySelector('[data-testid="stMain"]');
  const keyed = (key) => document.querySelector(`.st-key-${CSS.escape(key)}`);

  // The visible band of the page: below Streamlit's header, above the bottom bar.
  function band() {
    const header = document.querySelector('[data-testid="stHeader"]');
    const bar = document.querySelector(`.${names.bottomBar}`);
    const top = header ? header.getBoundingClientRect().bottom : 0;
    const barTop = bar && bar.offsetParent ? bar.getBoundingClientRect().top : 0;
    return { top, bottom: barTop > top ? barTop : window.innerHeight };
  }

  // The element's top at the top of the visible band (``always``), or only when its
  // head (a name, a label and its input) is not on screen.
  function bringIntoView(element, always) {
    const scroller = main();
    if (!scroller) return;
    const { top, bottom } = band();
    const box = element.getBoundingClientRect();
    if (!always && box.top >= top && box.top + Math.min(box.height, 48) <= bottom) return;
    scroller.scrollBy({ top: box.top - top - 8 });
  }

  function act(cue) {
    const scroller = main();
    if (cue.hasAttribute(names.top) && scroller) scroller.scrollTo({ top: 0 });
    const view = cue.getAttribute(names.view);
    const target = view && keyed(view);
    if (target) bringIntoView(target, true);
    const focus = cue.getAttribute(names.focus);
    const field = focus && keyed(focus);
    const input = field && field.querySelector("input, textarea");
    if (input) {
      input.focus({ preventScroll: true });
      bringIntoView(field, false);
    }
  }

  function finished() {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute("data-test-script-state") === "notRunning";
  }

  function cues() {
    if (!finished()) return;
    for (const cue of document.querySelectorAll(`[${names.cue}]`)) {
      const number = cue.getAttribute(names.cue);
      if (done.has(number)) continue;
      done.add(number);
      // After the browser has laid the run's elements out.
      requestAnimationFrame(() => act(cue));
    }
  }

  function camera() {
    for (const input of document.querySelectorAll(`[class*="${names.camera}"] input[type=file]`)) {
      if (input.getAttribute("capture") !== "environment") {
        input.setAttribute("capture", "environment");
        input.setAttribute("accept", "image/*");
      }
    }
  }

  // A page picked in the side menu: on a phone the menu closes, as an app's does.
  document.addEventListener("click", (event) => {
    if (!phone() || !(event.target instanceof Element)) return;
    const sidebar = event.target.closest('[data-testid="stSidebar"]');
    if (!sidebar || !event.target.closest("a[href]")) return;
    const close = sidebar.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close) setTimeout(() => close.click(), 0);
  }, true);

  // On a warm start (the service worker answered), once a page other than capture's
  // has been idle a while over a fast link: the code of what a later page shows (the
  // charts), so it comes with it. Never at the booth nor on a slow or metered link: a
  // venue's Wi-Fi is for the cards.
  let fetched = false;
  function fastLink() {
    const link = navigator.connection;
    return Boolean(link) && link.effectiveType === "4g" && !link.saveData;
  }
  function later() {
    if (fetched || !finished() || !fastLink() || names.busyPages.includes(location.pathname)
        || !(navigator.serviceWorker && navigator.serviceWorker.controller)) {
      return;
    }
    fetched = true;
    setTimeout(() => {
      for (const file of names.later) import(file).catch(() => {}); // loaded again when needed
    }, names.idleMs);
  }

  const observer = new MutationObserver(() => {
    camera();
    cues();
    later();
  });
  document.addEventListener("DOMContentLoaded", () => {
    observer.observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["data-test-script-state"],
    });
  });
})(__CUES__);
