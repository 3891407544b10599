/* Passkeys (WebAuthn) in the browser: no framework, no inline script.
 *
 * Each element with data-passkey runs one ceremony:
 *   data-passkey="register"  a form: on submit, create a passkey and send it
 *                            with the form's name field;
 *   data-passkey="get"       a button: sign in, answer the code step or
 *                            confirm it's you with a passkey;
 *   data-conditional         (with "get") also offer the passkeys in the
 *                            username field's autofill (conditional mediation).
 * Its data attributes give the JSON endpoints (data-options-url,
 * data-verify-url), the ids of fields whose values go along (data-fields;
 * data-options-fields for the options request), the element that announces
 * errors (data-error-id: it is given role=alert with its message), the one
 * shown when the browser has no WebAuthn (data-unsupported-id) and the
 * translated messages (data-msg-cancelled, data-msg-failed). Requests are
 * POST with the CSRF token of the page's form in the X-CSRFToken header
 * (the CSRF cookie is HttpOnly). The server answers {"redirect": url} or
 * {"error": message}.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : []
      }
    };
  }

  function assertionJSON(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null
      }
    };
  }

  /* Raised for a refusal the server explained; its message is shown as is. */
  function ServerError(message, redirect) {
    this.message = message;
    this.redirect = redirect;
  }

  /* The CSRF cookie is HttpOnly: the token comes from the page's forms. */
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(element, url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        throw new ServerError(data.error || element.dataset.msgFailed, data.redirect);
      });
    });
  }

  function fields(element, attribute) {
    var values = {};
    var ids = element.dataset[attribute || "fields"] || "";
    ids.split(/\s+/).filter(Boolean).forEach(function (id) {
      var field = document.getElementById(id);
      if (!field) return;
      values[field.name] = field.type === "checkbox" ? field.checked : field.value;
    });
    return values;
  }

  function errorBox(element) {
    return document.getElementById(element.dataset.errorId);
  }

  function showError(element, error) {
    var box = errorBox(element);
    var message;
    if (error instanceof ServerError) {
      message = error.message;
      if (error.redirect) {
        window.setTimeout(function () { window.location.assign(error.redirect); }, 1500);
      }
    } else if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
      message = element.dataset.msgCancelled;
    } else {
      message = element.dataset.msgFailed;
    }
    if (!box) return;
    // Made an alert as the message arrives: an alert added with its text
    // is announced, and an empty one never stands in the page's way.
    box.textContent = "";
    box.setAttribute("role", "alert");
    box.textContent = message;
  }

  function clearError(element) {
    var box = errorBox(element);
    if (!box) return;
    box.removeAttribute("role");
    box.textContent = "";
  }

  function finish(data) {
    window.location.assign(data.redirect);
  }

  /* The pending autofill request, aborted before a button starts its own. */
  var conditional = null;

  function abortConditional() {
    if (conditional) {
      conditional.abort();
      conditional = null;
    }
  }

  function getPasskey(element, mediation) {
    var controller = null;
    return post(element, element.dataset.optionsUrl).catch(function (error) {
      error.beforeChoosing = true;
      throw error;
    }).then(function (json) {
      var request = { publicKey: requestOptions(json) };
      if (mediation) {
        controller = new AbortController();
        conditional = controller;
        request.mediation = mediation;
        request.signal = controller.signal;
      }
      return navigator.credentials.get(request);
    }).then(function (credential) {
      if (controller && conditional === controller) conditional = null;
      var body = fields(element);
      body.credential = assertionJSON(credential);
      return post(element, element.dataset.verifyUrl, body);
    });
  }

  function setBusy(button, busy) {
    if (!button) return;
    button.disabled = busy;
    button.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function setUpGet(element) {
    var button = element.querySelector("button");
    element.hidden = false;
    button.addEventListener("click", function () {
      abortConditional();
      clearError(element);
      setBusy(button, true);
      getPasskey(element, null).then(finish, function (error) {
        setBusy(button, false);
        showError(element, error);
        if (element.hasAttribute("data-conditional")) startConditional(element);
      });
    });
    if (element.hasAttribute("data-conditional")) startConditional(element);
  }

  function startConditional(element) {
    var check = window.PublicKeyCredential.isConditionalMediationAvailable;
    if (!check) return;
    check.call(window.PublicKeyCredential).then(function (available) {
      if (!available) return;
      getPasskey(element, "conditional").then(finish, function (error) {
        // An aborted autofill request is the button taking over, and one
        // that failed before anyone chose a passkey bothers nobody: say
        // nothing (the button still works and says what went wrong).
        if (error && (error.name === "AbortError" || error.beforeChoosing)) return;
        showError(element, error);
      });
    });
  }

  function setUpRegister(form) {
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearError(form);
      setBusy(button, true);
      post(form, form.dataset.optionsUrl, fields(form, "optionsFields")).then(function (json) {
        return navigator.credentials.create({ publicKey: creationOptions(json) });
      }).then(function (credential) {
        var body = fields(form);
        body.credential = registrationJSON(credential);
        return post(form, form.dataset.verifyUrl, body);
      }).then(finish, function (error) {
        setBusy(button, false);
        showError(form, error);
      });
    });
  }

  function start() {
    var supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-passkey]").forEach(function (element) {
      if (!supported) {
        var note = document.getElementById(element.dataset.unsupportedId);
        if (note) note.hidden = false;
        return;
      }
      if (element.dataset.passkey === "register") setUpRegister(element);
      else if (element.dataset.passkey === "get") setUpGet(element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
