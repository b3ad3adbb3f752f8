// On a page the service worker answered (FieldKit opened before, its shell
// kept on the phone): load the code of the widgets FieldKit's pages show
// (text inputs, pills, toggles, the uploader…) from the phone's cache while
// the websocket opens, instead of after the page's run has named them: the
// form then appears as soon as it arrives. Run once Streamlit's own scripts
// have (DOMContentLoaded), so they never wait for these; on a first visit
// nothing is asked, the network being busy with Streamlit's own files.
// __FILES__ is filled in by the server (fieldkit/web/shell.py, WIDGETS).
"use strict";
(function (files) {
  if (!(navigator.serviceWorker && navigator.serviceWorker.controller)) return;
  document.addEventListener("DOMContentLoaded", () => {
    for (const file of files) {
      import(file).catch(() => {}); // Streamlit loads it again when it needs it
    }
  });
})(__FILES__);
