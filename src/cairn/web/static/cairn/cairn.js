// Starts GOV.UK Frontend's components and makes "Exit this page" leave no trace in history.
import { ExitThisPage, initAll } from "../govuk/govuk-frontend.min.js";

// GOV.UK's component leaves by assigning window.location.href, which adds a history entry:
// pressing Back would bring the Cairn page straight back. Replacing the current entry
// instead means Back cannot return to the page that was exited. Everything else (the
// overlay, the triple-Shift shortcut) is the component's own behaviour.
ExitThisPage.prototype.exitPage = function exitPage() {
  if (!this.$updateSpan) {
    return;
  }
  this.$updateSpan.textContent = "";
  document.body.classList.add("govuk-exit-this-page-hide-content");
  this.$overlay = document.createElement("div");
  this.$overlay.className = "govuk-exit-this-page-overlay";
  this.$overlay.setAttribute("role", "alert");
  this.$overlay.textContent = this.i18n.t("activated");
  document.body.appendChild(this.$overlay);
  window.location.replace(this.$button.href);
};

initAll();
