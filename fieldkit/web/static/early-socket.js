// Opens Streamlit's websocket while Streamlit's own scripts are still loading.
//
// On a venue's Wi-Fi a new connection and its upgrade cost two round trips
// (0.6 s at 300 ms), and Streamlit asks for its socket only once its half a
// megabyte of JavaScript has run (another 0.6 s on a phone). Opened here, at
// the top of the page, the two overlap: when Streamlit asks, it is handed
// this socket, already open or opening.
//
// The socket is the one Streamlit would open: the same URL and subprotocols
// (its name, then the XSRF cookie's token or its placeholder; a first
// connection has no session to resume). Streamlit's request is compared with
// it (the token without its mask), and anything else, or a socket that closed
// meanwhile, gets a socket of its own, as if this script were not there. It hands over once: after that,
// or after HAND_OVER_MS, WebSocket is the browser's own again.
"use strict";
(function () {
  const Native = window.WebSocket;
  const HAND_OVER_MS = 60000; // a first visit on a venue's Wi-Fi takes 10 s or more
  if (!Native) return;
  const url = location.origin.replace(/^http/, "ws") + "/_stcore/stream";
  // The cookie read as Streamlit reads it (the same pattern, the value as it stands).
  const xsrf = document.cookie.match(/\b_streamlit_xsrf=([^;]*)\b/);
  const protocols = ["streamlit", xsrf ? xsrf[1] : "PLACEHOLDER_AUTH_TOKEN"];
  let early;
  try {
    early = new Native(url, protocols);
    early.binaryType = "arraybuffer";
  } catch (error) {
    return; // no socket here (a blocked port, a policy): Streamlit opens its own
  }
  // What the server says before Streamlit listens is kept, and said again after.
  const heard = [];
  const keep = (event) => heard.push(event.data);
  early.addEventListener("message", keep);

  function restore() {
    if (window.WebSocket === Early) window.WebSocket = Native;
  }
  const unused = setTimeout(() => {
    restore();
    if (early.readyState <= Native.OPEN) early.close(1000);
  }, HAND_OVER_MS);

  // The token under Streamlit's XSRF cookie ("2|mask|masked token|time"): the server
  // masks it anew each time it sets the cookie, and compares only the token.
  function token(value) {
    const parts = value.replace(/^["']+|["']+$/g, "").split("|");
    if (parts.length !== 4 || parts[0] !== "2") return value;
    const mask = parts[1].match(/../g) || [];
    return (parts[2].match(/../g) || []).map((hex, i) => (parseInt(hex, 16)
      ^ parseInt(mask[i % mask.length], 16)).toString(16).padStart(2, "0")).join("");
  }

  function same(askedUrl, askedProtocols) {
    const asked = [].concat(askedProtocols || []);
    return String(askedUrl) === url && asked.length === protocols.length
      && asked[0] === protocols[0] && token(String(asked[1])) === token(protocols[1]);
  }

  function Early(askedUrl, askedProtocols) {
    restore();
    clearTimeout(unused);
    if (!new.target || !same(askedUrl, askedProtocols) || early.readyState > Native.OPEN) {
      if (early.readyState <= Native.OPEN) early.close(1000);
      return new Native(askedUrl, askedProtocols);
    }
    // Streamlit adds its listeners in the same task, right after this returns; a
    // microtask runs after them and before any other event of the socket, so what it
    // missed (the open, anything the server said) comes to it first and in order.
    const missedOpen = early.readyState === Native.OPEN;
    early.removeEventListener("message", keep);
    queueMicrotask(() => {
      if (missedOpen) early.dispatchEvent(new Event("open"));
      for (const data of heard) early.dispatchEvent(new MessageEvent("message", { data }));
    });
    return early;
  }
  Early.prototype = Native.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Early[name] = Native[name];
  window.WebSocket = Early;
})();
