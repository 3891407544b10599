/* Start Swagger UI on /api/docs/ (no inline script: the site's CSP forbids it).
 *
 * The settings come from the element's data-settings attribute. Requests to
 * the browser client carry the CSRF token, so "Try it out" can sign in and out.
 */
"use strict";

(function () {
  const element = document.getElementById("swagger-ui");
  const settings = JSON.parse(element.dataset.settings);
  // The token changes at sign-in: every authentication answer names the new one.
  let csrfToken = element.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  settings.requestInterceptor = function (request) {
    const path = new URL(request.url, window.location.href).pathname;
    if (csrfToken && path.startsWith("/api/browser/")) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  settings.responseInterceptor = function (response) {
    const meta = response.body && response.body.meta;
    if (meta && meta.csrf_token) {
      csrfToken = meta.csrf_token;
    }
    return response;
  };
  window.ui = SwaggerUIBundle(settings);
})();
