// Registers FieldKit's service worker, which keeps the app shell on the phone.
// Browsers allow service workers only over HTTPS or on localhost; elsewhere
// FieldKit works as before, from the network.
"use strict";

if ("serviceWorker" in navigator && window.isSecureContext) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
    console.info("FieldKit works without its offline cache here:", error.message);
  });
}
