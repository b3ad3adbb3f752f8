// Registers FieldKit's service worker, which keeps the app shell on the phone.
// Browsers allow service workers only over HTTPS or on localhost; elsewhere
// FieldKit works as before, from the network. Registered once the page has
// loaded: installing fetches the shell, which must not compete with the page.
"use strict";
if ("serviceWorker" in navigator && window.isSecureContext) {
  const FIELDKIT = __FIELDKIT__; // the server's contract (fieldkit/web/browser.py)
  window.addEventListener("load", () => {
    navigator.serviceWorker.register(FIELDKIT.paths.sw, { scope: "/" }).catch((error) => {
      console.info("FieldKit works without its offline cache here:", error.message);
    });
  });
}
