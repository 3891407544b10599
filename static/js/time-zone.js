/* Propose the browser's time zone for a signed-in user who has none yet.
 *
 * Included only then (templates/base.html); the script element's
 * data-url names the endpoint. The request is a form POST with the CSRF
 * token of the page's sign-out form (the CSRF cookie is HttpOnly). The
 * server keeps a zone the user already has, and refuses unknown names.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!script || !zone || !token || !window.fetch) return;
  var body = new URLSearchParams();
  body.set("time_zone", zone);
  fetch(script.dataset.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": token.value },
    body: body,
  }).catch(function () {});
})();
