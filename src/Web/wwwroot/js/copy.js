// Copy buttons: <button data-copy="element-id"> copies that element's text (secrets shown once, enroll commands).
// One listener on the section, so buttons the server renders into it later (another post) work too; init returns
// the function that removes it (fleet.js calls it when the section leaves or is rendered anew).
async function copy(root, button) {
  const status = root.querySelector("[data-copy-status]");
  const source = document.getElementById(button.dataset.copy);
  const text = source?.textContent ?? "";
  try {
    await navigator.clipboard.writeText(text);
    if (status) status.textContent = "Copied.";
  } catch {
    // No clipboard access (plain http on another host): select the text so Ctrl+C works.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (status) status.textContent = "Selected: press Ctrl+C to copy.";
  }
}

export function init(root) {
  const onClick = (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (button && root.contains(button)) {
      copy(root, button);
    }
  };
  root.addEventListener("click", onClick);
  return () => root.removeEventListener("click", onClick);
}
