// Starts GOV.UK Frontend's components and makes "Exit this page" leave for real: her session
// ends on the server, and the page she left cannot be brought back by Back, reload or a
// restored tab.
import { ExitThisPage, initAll } from "../govuk/govuk-frontend.min.js";

// How long leaving waits for the server to end the session. The page is hidden at once;
// past this the browser leaves anyway (the keep-alive request still goes out).
const SIGN_OUT_WAIT_MS = 1500;
const HIDE_CLASS = "govuk-exit-this-page-hide-content";

// A POST with the page's CSRF token to /leave/ (base.html's hidden form, present only when
// someone is signed in). `keepalive` lets it finish after the page has gone; sendBeacon is the
// fallback for browsers without keep-alive fetch.
function endSession() {
  const form = document.querySelector("form.cairn-leave-form");
  if (!(form instanceof HTMLFormElement)) {
    return Promise.resolve();
  }
  const body = new FormData(form);
  try {
    return fetch(form.action, {
      method: "POST", body, keepalive: true, credentials: "same-origin",
      cache: "no-store", redirect: "manual",
    }).catch(() => navigator.sendBeacon(form.action, body));
  } catch (error) {
    navigator.sendBeacon(form.action, body);
    return Promise.resolve();
  }
}

// GOV.UK's component leaves by assigning window.location.href, which adds a history entry:
// pressing Back would bring the page straight back. Here the content is hidden, the session
// is ended, and the current entry is replaced. The triple-Shift shortcut calls the same method.
ExitThisPage.prototype.exitPage = function exitPage() {
  if (!this.$updateSpan || this.cairnLeaving) {
    return;
  }
  this.cairnLeaving = true;
  this.$updateSpan.textContent = "";
  document.body.classList.add(HIDE_CLASS);
  this.$overlay = document.createElement("div");
  this.$overlay.className = "govuk-exit-this-page-overlay";
  this.$overlay.setAttribute("role", "alert");
  this.$overlay.textContent = this.i18n.t("activated");
  document.body.appendChild(this.$overlay);
  const destination = this.$button.href;
  const wait = new Promise((resolve) => { window.setTimeout(resolve, SIGN_OUT_WAIT_MS); });
  Promise.race([endSession(), wait]).then(() => window.location.replace(destination));
};

initAll();

// No Cairn page is ever shown from the browser's memory (the back-forward cache): pages are
// sent `no-store`, and one restored anyway is hidden and fetched again, so the server decides
// (after Exit, it answers with the sign-in page). Registered after initAll, so it runs after
// the component's own pageshow handler, which would show the content again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    document.body.classList.add(HIDE_CLASS);
    window.location.reload();
  }
});
