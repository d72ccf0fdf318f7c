// Runs first in <body>: tells GOV.UK Frontend's styles that its JavaScript will run.
// A file, not an inline snippet, because the Content-Security-Policy allows only 'self'.
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
