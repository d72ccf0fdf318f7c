// Drawing helper for the redaction page: drag across the picture to fill in the next empty
// area's four numbers, in pixels of the upright picture (the size the server measured, in
// the container's data-width and data-height). Areas typed or drawn are shown over the
// picture. Without this script the number boxes work on their own.
const MAX_AREAS = 200;
const PARTS = ["x", "y", "width", "height"];

const box = document.querySelector("[data-redact-image]");
const rows = document.querySelector("[data-redact-rows]");
const count = document.querySelector("[data-redact-count]");
const status = document.querySelector("[data-redact-status]");
const fullWidth = box ? Number(box.dataset.width) : 0;
const fullHeight = box ? Number(box.dataset.height) : 0;

if (box && rows && count && fullWidth > 0 && fullHeight > 0) {
  const image = box.querySelector("img");
  const allRows = () => Array.from(rows.querySelectorAll("[data-redact-row]"));
  const inputs = (row) => PARTS.map((part) => row.querySelector(`input[name$="_${part}"]`));
  const isEmpty = (row) => inputs(row).every((input) => input.value.trim() === "");

  box.classList.add("cairn-redact--drawing");
  document.querySelectorAll(".cairn-redact__js-only").forEach((element) => {
    element.hidden = false;
  });

  // Pixels of the picture per pixel on screen.
  const scale = () => fullWidth / image.getBoundingClientRect().width;

  const drawArea = ([x, y, width, height], label) => {
    const area = document.createElement("div");
    area.className = "cairn-redact__area";
    area.setAttribute("aria-hidden", "true");
    const perPixel = scale();
    area.style.left = `${x / perPixel}px`;
    area.style.top = `${y / perPixel}px`;
    area.style.width = `${width / perPixel}px`;
    area.style.height = `${height / perPixel}px`;
    area.textContent = label;
    box.appendChild(area);
    return area;
  };

  const redraw = () => {
    box.querySelectorAll(".cairn-redact__area").forEach((area) => area.remove());
    allRows().forEach((row, index) => {
      const values = inputs(row).map((input) => Number.parseInt(input.value, 10));
      if (values.every((value) => Number.isFinite(value) && value >= 0)) {
        drawArea(values, String(index + 1));
      }
    });
  };

  const addRow = () => {
    const existing = allRows();
    const number = existing.length + 1;
    if (number > MAX_AREAS) {
      return null;
    }
    const row = existing[existing.length - 1].cloneNode(true);
    row.querySelector("legend").textContent = `Area ${number}`;
    row.querySelectorAll(".govuk-error-message").forEach((element) => element.remove());
    row.querySelectorAll(".govuk-form-group--error").forEach((element) => {
      element.classList.remove("govuk-form-group--error");
    });
    row.querySelectorAll("input").forEach((input) => {
      const part = input.name.split("_").pop();
      input.name = `area_${number}_${part}`;
      input.id = `id_area_${number}_${part}`;
      input.value = "";
      input.classList.remove("govuk-input--error");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll("label").forEach((label) => {
      label.htmlFor = `id_area_${number}_${label.htmlFor.split("_").pop()}`;
    });
    rows.appendChild(row);
    count.value = String(number);
    return row;
  };

  const fill = (rectangle) => {
    const row = allRows().find(isEmpty) || addRow();
    if (!row) {
      return;
    }
    inputs(row).forEach((input, index) => {
      input.value = String(rectangle[index]);
    });
    redraw();
    if (status) {
      const number = allRows().indexOf(row) + 1;
      status.textContent = `Area ${number}: ${rectangle[0]} from the left, ${rectangle[1]} `
        + `from the top, ${rectangle[2]} wide, ${rectangle[3]} high.`;
    }
  };

  // A point of the picture, in its own pixels, kept inside it.
  const pointOf = (event) => {
    const rect = image.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - rect.left, 0), rect.width);
    const y = Math.min(Math.max(event.clientY - rect.top, 0), rect.height);
    return { x: (x * fullWidth) / rect.width, y: (y * fullHeight) / rect.height };
  };

  const rectangleOf = (a, b) => {
    const left = Math.max(0, Math.floor(Math.min(a.x, b.x)));
    const top = Math.max(0, Math.floor(Math.min(a.y, b.y)));
    const right = Math.min(fullWidth, Math.ceil(Math.max(a.x, b.x)));
    const bottom = Math.min(fullHeight, Math.ceil(Math.max(a.y, b.y)));
    return [left, top, right - left, bottom - top];
  };

  let start = null;
  let sketch = null;
  const stop = () => {
    start = null;
    if (sketch) {
      sketch.remove();
      sketch = null;
    }
  };

  image.addEventListener("dragstart", (event) => event.preventDefault());
  box.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) {
      return;
    }
    event.preventDefault();
    box.setPointerCapture(event.pointerId);
    start = pointOf(event);
    sketch = drawArea([start.x, start.y, 0, 0], "");
  });
  box.addEventListener("pointermove", (event) => {
    if (!start) {
      return;
    }
    sketch.remove();
    sketch = drawArea(rectangleOf(start, pointOf(event)), "");
  });
  box.addEventListener("pointerup", (event) => {
    if (!start) {
      return;
    }
    const rectangle = rectangleOf(start, pointOf(event));
    stop();
    if (rectangle[2] >= 2 && rectangle[3] >= 2) {
      fill(rectangle);
    }
  });
  box.addEventListener("pointercancel", stop);
  rows.addEventListener("input", redraw);
  window.addEventListener("resize", redraw);
  if (image.complete) {
    redraw();
  } else {
    image.addEventListener("load", redraw);
  }
}
