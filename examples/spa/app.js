/* A single-page app on authsite's JSON API, browser client, in plain JS.
 *
 * The browser keeps the session cookie (HttpOnly). The CSRF cookie is
 * HttpOnly too, so the CSRF token comes from the API itself: meta.csrf_token
 * of GET /config and of every authentication answer. It changes at sign-in.
 */
"use strict";

const API = "/api/browser/v1";
let csrfToken = null;

async function call(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRFToken"] = csrfToken;
  const response = await fetch(API + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (answer.meta && answer.meta.csrf_token) csrfToken = answer.meta.csrf_token;
  return answer;
}

const $ = (id) => document.getElementById(id);

function say(text) {
  $("status").textContent = text || "";
}

function errorsOf(answer) {
  return (answer.errors || []).map((error) => error.message).join(" ");
}

function show(view) {
  for (const id of ["login", "code", "account"]) $(id).hidden = id !== view;
}

async function showAccount(user) {
  $("who").textContent = user.display;
  const answer = await call("GET", "/auth/sessions");
  const list = $("sessions");
  list.replaceChildren();
  for (const session of answer.data) {
    const item = document.createElement("li");
    item.textContent = `${session.device}, ${session.ip || "unknown address"}`;
    if (session.is_current) {
      item.classList.add("current");
      item.append(" (this browser)");
    }
    list.append(item);
  }
  show("account");
}

/* Follow an authentication answer: signed in, a pending stage, or signed out. */
async function follow(answer) {
  if (answer.status === 200) return showAccount(answer.data.user);
  const pending = (answer.data && answer.data.flows || []).find((flow) => flow.is_pending);
  if (pending && pending.id === "mfa_authenticate") {
    show("code");
    $("code-input").focus();
    return;
  }
  show("login");
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await call("POST", "/auth/login", {
    username: $("username").value,
    password: $("password").value,
  });
  $("password").value = "";
  say(answer.status === 400 || answer.status === 429 ? errorsOf(answer) : "");
  await follow(answer);
});

$("code").addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await call("POST", "/auth/2fa/authenticate", { code: $("code-input").value });
  $("code-input").value = "";
  say(answer.errors ? errorsOf(answer) : "");
  if (answer.status !== 400 && answer.status !== 429) await follow(answer);
});

$("logout").addEventListener("click", async () => {
  const answer = await call("DELETE", "/auth/session");
  say("You have been signed out.");
  await follow(answer);
});

(async function start() {
  await call("GET", "/config");
  await follow(await call("GET", "/auth/session"));
})();
