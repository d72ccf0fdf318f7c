// Follows a pack being made: polls its status (counts only) and reloads the page when it is
// ready, to show the download. Without JavaScript the page's "Check progress" button does it.
const box = document.getElementById("pack-progress");
const label = document.getElementById("pack-progress-label");
if (box && label) {
  const url = box.dataset.statusUrl;
  const poll = async () => {
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const state = await response.json();
        if (state.finished) {
          window.location.reload();
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
