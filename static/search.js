// The search page: Pagefind's UI over the prebuilt index. Result addresses come from the site root;
// the site may be served under a sub-path, so the root is taken from this script's data-site-root.
(function () {
  "use strict";
  function start() {
    var script = document.querySelector("script[data-site-root]");
    var fallback = document.getElementById("search-fallback");
    if (typeof PagefindUI === "undefined" || location.protocol === "file:") {
      return; // the plain lists below stay the way to find things
    }
    var root = new URL(script.getAttribute("data-site-root"), location.href);
    var base = root.pathname.replace(/index\.html$/, "");
    // A large site's index comes in shards (data-merge: their folders); Pagefind merges them into one.
    var merged = (script.getAttribute("data-merge") || "").split(/\s+/).filter(Boolean).map(function (folder) {
      return { bundlePath: new URL(folder, location.href).pathname.replace(/\/?$/, "/") };
    });
    new PagefindUI({ element: "#search", baseUrl: base, showSubResults: true, showImages: false,
                     resetStyles: false, mergeIndex: merged });
    if (fallback) fallback.hidden = true;
    var q = new URLSearchParams(location.search).get("q");
    var input = document.querySelector("#search input");
    if (input) {
      input.setAttribute("aria-label", document.getElementById("search").getAttribute("data-label"));
      if (q) { input.value = q; input.dispatchEvent(new Event("input", { bubbles: true })); }
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
