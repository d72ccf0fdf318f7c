// Follows a background import: polls its status (counts only) and opens the review page
// when it is finished. Without JavaScript the page's "Check progress" button does the same.
const box = document.getElementById("import-progress");
const label = document.getElementById("import-progress-label");
if (box && label) {
  const url = box.dataset.statusUrl;
  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const state = await response.json();
        if (state.next_url) {
          // The file needs an answer first (how its dates are written).
          window.location.replace(state.next_url);
          return;
        }
        if (state.finished) {
          window.location.replace(state.review_url || window.location.href);
          return;
        }
        label.textContent = state.total ? `${state.label}: ${state.done} of ${state.total}` : state.label;
      }
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(poll, 2000);
  };
  window.setTimeout(poll, 1000);
}
