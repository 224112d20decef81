// The gallery: sign up or in, upload, the library as a grid, an image page with every transformation.
// Plain modules, no build step. Views are functions of the hash route (#/, #/images/{id}) that fill <main>.

import { Api, ApiError } from "./api.js";
import { transformationsOf, describe } from "./transformations.js";

const api = new Api();
const view = document.getElementById("view");
const PAGE_SIZE = 12;
/// Blob URLs of the view on screen, revoked when it is replaced.
let blobURLs = [];

/// Builds an element: h("p", {class: "x", onclick: f}, "text", child…).
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return element;
}

function show(...children) {
  for (const url of blobURLs) URL.revokeObjectURL(url);
  blobURLs = [];
  view.replaceChildren(...children);
}

function message(error) {
  if (error instanceof ApiError) {
    const fields = error.fields.map((f) => `${f.field}: ${f.message}`);
    return fields.length ? `${error.message} (${fields.join("; ")})` : error.message;
  }
  return String(error);
}

/// Fills `img` with the bytes at `path` (the API needs the bearer header, which <img src> cannot send).
async function load(img, path) {
  try {
    const url = URL.createObjectURL(await api.blob(path));
    blobURLs.push(url);
    img.src = url;
  } catch (error) {
    img.alt = `not shown: ${message(error)}`;
    img.classList.add("broken");
  }
}

function formatBytes(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

// ------------------------------------------------------------------------------------------ header

function renderHeader() {
  const who = document.getElementById("whoami"), out = document.getElementById("signout");
  who.hidden = out.hidden = !api.signedIn;
  who.textContent = api.signedIn ? api.session.username : "";
}

document.getElementById("signout").addEventListener("click", () => {
  api.signOut();
  location.hash = "#/";
  route();
});

// ------------------------------------------------------------------------------------------ sign in

function signInView() {
  const error = h("p", { id: "auth-error", class: "error", role: "alert" });
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true, minlength: 3 });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true, minlength: 8 });
  async function submit(event, signUp) {
    event.preventDefault();
    if (!form.reportValidity()) return;
    error.textContent = "";
    try {
      await (signUp ? api.signUp(username.value, password.value) : api.signIn(username.value, password.value));
      route();
    } catch (e) {
      error.textContent = message(e);
    }
  }
  const form = h("form", { id: "auth", class: "card", onsubmit: (e) => submit(e, false) },
    h("h1", {}, "Sign in or sign up"),
    h("label", {}, "Username", username),
    h("label", {}, "Password (at least 8 characters)", password),
    h("div", { class: "row" },
      h("button", { id: "signin", type: "submit" }, "Sign in"),
      h("button", { id: "signup", type: "button", onclick: (e) => submit(e, true) }, "Sign up")),
    error);
  show(form);
}

// ------------------------------------------------------------------------------------------ library

async function libraryView(page, query) {
  const status = h("p", { id: "upload-status", role: "status" });
  const progress = h("progress", { id: "upload-progress", max: 1, value: 0, hidden: true });
  const input = h("input", { id: "file", type: "file", accept: "image/*", multiple: true, onchange: () => uploadAll(input.files) });
  const drop = h("div", { id: "dropzone", class: "dropzone", tabindex: 0 },
    h("p", {}, "Drop images here, or ", h("label", { class: "link" }, "choose files", input)), progress, status);
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadAll(e.dataTransfer.files); });

  async function uploadAll(files) {
    const list = [...files];
    input.value = "";  // so that choosing the same file again is a change too
    for (const [index, file] of list.entries()) {
      progress.hidden = false;
      progress.value = 0;
      status.textContent = `Uploading ${file.name} (${index + 1} of ${list.length}, ${formatBytes(file.size)})`;
      try {
        await api.upload(file, (fraction) => { progress.value = fraction; });
        status.textContent = `Uploaded ${file.name}`;
      } catch (error) {
        status.textContent = `${file.name} was refused: ${message(error)}`;
        status.classList.add("error");
        progress.hidden = true;
        return;
      }
    }
    progress.hidden = true;
    refresh(1);
  }

  const search = h("input", { id: "search", type: "search", placeholder: "Search by file name", value: query });
  let timer;
  search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => refresh(1), 300); });
  const grid = h("div", { id: "grid", class: "grid" });
  const pager = h("nav", { id: "pager", class: "row" });
  show(h("section", {}, drop, h("div", { class: "row" }, h("h1", {}, "Library"), search), grid, pager));

  async function refresh(newPage) {
    page = newPage;
    const q = search.value.trim();
    history.replaceState(null, "", `#/?page=${page}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    let result;
    try {
      result = await api.json("GET", `/images?page=${page}&limit=${PAGE_SIZE}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    } catch (error) {
      grid.replaceChildren(h("p", { class: "error" }, message(error)));
      return;
    }
    grid.replaceChildren(...(result.items.length ? result.items.map(thumbnail) : [h("p", { id: "empty" }, q ? "No image matches." : "No images yet.")]));
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    pager.replaceChildren(
      h("button", { id: "prev", type: "button", disabled: page <= 1, onclick: () => refresh(page - 1) }, "Previous"),
      h("span", { id: "page-info" }, `Page ${page} of ${pages} · ${result.total} image${result.total === 1 ? "" : "s"}`),
      h("button", { id: "next", type: "button", disabled: page >= pages, onclick: () => refresh(page + 1) }, "Next"));
  }

  function thumbnail(image) {
    const img = h("img", { alt: image.filename, width: 240, height: 240 });
    img.style.background = image.dominant_color || "";
    load(img, `/images/${image.id}/t/w_240,h_240,fit_cover`);
    return h("a", { class: "thumb", href: `#/images/${image.id}`, dataset: { id: image.id } },
      img, h("span", { class: "caption" }, image.filename));
  }

  await refresh(page);
}

// ------------------------------------------------------------------------------------------ image page

const FIELDS = [
  ["Resize", [
    ["resize.width", "Width", "number", { min: 1, max: 8192 }],
    ["resize.height", "Height", "number", { min: 1, max: 8192 }],
    ["resize.fit", "Fit", ["", "fill", "cover", "contain", "inside"]],
    ["resize.gravity", "Gravity (cover)", ["", "centre", "north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest", "smart", "entropy"]],
  ]],
  ["Crop", [
    ["crop.x", "X", "number", { min: 0 }], ["crop.y", "Y", "number", { min: 0 }],
    ["crop.width", "Width", "number", { min: 1 }], ["crop.height", "Height", "number", { min: 1 }],
  ]],
  ["Orientation", [
    ["rotate", "Rotate (degrees clockwise)", "number", { step: "any" }],
    ["flip", "Flip (upside down)", "checkbox"], ["mirror", "Mirror (left to right)", "checkbox"],
  ]],
  ["Filters", [
    ["filters.grayscale", "Grayscale", "checkbox"], ["filters.sepia", "Sepia", "checkbox"],
    ["filters.sharpen", "Sharpen", "checkbox"], ["filters.invert", "Invert", "checkbox"],
    ["filters.blur", "Blur (sigma 0.3-100)", "number", { min: 0.3, max: 100, step: "any" }],
  ]],
  ["Watermark", [
    ["watermark.text", "Text", "text", { maxlength: 200 }],
    ["watermark.position", "Position", ["", "bottom-right", "bottom-left", "top-right", "top-left", "center"]],
    ["watermark.opacity", "Opacity (0-1)", "number", { min: 0, max: 1, step: 0.05 }],
  ]],
  ["Output", [
    ["format", "Format", ["", "jpeg", "png", "webp", "avif", "heif", "gif", "tiff"]],
    ["quality", "Quality (1-100)", "number", { min: 1, max: 100 }],
    ["compress", "Compress", "checkbox"],
  ]],
];

function field([name, label, type, attributes = {}]) {
  const id = "t-" + name.replace(".", "-");
  let control;
  if (Array.isArray(type)) {
    control = h("select", { id, name }, ...type.map((v) => h("option", { value: v }, v || "default")));
  } else {
    control = h("input", { id, name, type, ...attributes });
  }
  return type === "checkbox" ? h("label", { class: "check" }, control, label) : h("label", {}, label, control);
}

async function imageView(id) {
  let image;
  try {
    image = await api.json("GET", `/images/${id}/metadata`);
  } catch (error) {
    show(h("p", { class: "error" }, message(error)), h("a", { href: "#/" }, "Back to the library"));
    return;
  }
  const original = h("img", { id: "original", alt: image.filename });
  original.style.background = image.dominant_color || "";
  load(original, `/images/${id}/t/w_1024,h_1024,fit_inside`);
  const facts = [
    ["Size", `${image.width} × ${image.height}`], ["Format", image.format], ["Bytes", formatBytes(image.size_bytes)],
    ["Colour space", image.color_space], ["Frames", image.frame_count], ["Dominant colour", image.dominant_color],
    ["Uploaded", new Date(image.created_at).toLocaleString()],
  ].filter(([, v]) => v !== undefined && v !== null);

  const errors = h("ul", { id: "transform-errors", class: "error", role: "alert" });
  const previewStatus = h("p", { id: "preview-status", role: "status" }, "Change a field to see the result.");
  const preview = h("img", { id: "preview", alt: "preview of the variant", hidden: true });
  // Submitting makes the variant now: a live-preview run still pending would make it a second time and
  // re-render the variant list under the reader's pointer.
  const form = h("form", { id: "transform-form", class: "card", onsubmit: (e) => { e.preventDefault(); clearTimeout(timer); makeVariant(); } },
    ...FIELDS.map(([legend, fields]) => h("fieldset", {}, h("legend", {}, legend), ...fields.map(field))),
    h("div", { class: "row" }, h("button", { id: "make-variant", type: "submit" }, "Make variant"),
      h("button", { type: "reset", onclick: () => setTimeout(() => { errors.replaceChildren(); previewStatus.textContent = "Change a field to see the result."; preview.hidden = true; }) }, "Clear")),
    errors);
  let timer;
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(makeVariant, 700); });

  const variants = h("div", { id: "variants", class: "grid" });
  const deleteButton = h("button", { id: "delete-image", type: "button", class: "danger" }, "Delete image");
  deleteButton.addEventListener("click", async () => {
    if (deleteButton.dataset.armed !== "yes") {
      deleteButton.dataset.armed = "yes";
      deleteButton.textContent = "Delete it and every variant: click again";
      return;
    }
    try {
      await api.json("DELETE", `/images/${id}`);
      location.hash = "#/";
    } catch (error) {
      deleteButton.textContent = `Not deleted: ${message(error)}`;
    }
  });

  show(h("section", { id: "image-page" },
    h("div", { class: "row" }, h("a", { href: "#/" }, "← Library"), h("h1", {}, image.filename)),
    h("div", { class: "columns" },
      h("div", {}, original, h("dl", { id: "meta" }, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])),
        h("div", { class: "row" }, h("button", { id: "download-original", type: "button", onclick: () => download(`/images/${id}`, image.filename) }, "Download original"), deleteButton)),
      h("div", {}, form, h("figure", { class: "preview" }, preview, h("figcaption", {}, previewStatus)))),
    h("h2", {}, "Variants"), variants));

  let sequence = 0;
  /// The preview is the variant itself: made once for these transformations, then served from the store.
  async function makeVariant() {
    const mine = ++sequence;
    const { transformations, problems } = transformationsOf(form);
    errors.replaceChildren(...problems.map((p) => h("li", {}, p)));
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    if (problems.length) return;
    if (Object.keys(transformations).length === 0) { previewStatus.textContent = "Change a field to see the result."; preview.hidden = true; return; }
    previewStatus.textContent = "Making the variant…";
    try {
      const variant = await api.json("POST", `/images/${id}/transform`, { transformations }, { headers: { Prefer: "wait=20" } });
      if (variant.status === "failed") throw new ApiError(422, { detail: variant.error ? variant.error.message : "the transformation failed" });
      const blob = await api.blob(`/images/${variant.id}`);
      if (mine !== sequence) return;
      const url = URL.createObjectURL(blob);
      blobURLs.push(url);
      preview.src = url;
      preview.hidden = false;
      preview.dataset.variant = variant.id;
      previewStatus.textContent = `${describe(transformations)} → ${variant.width ?? "?"} × ${variant.height ?? "?"}, ${variant.format ?? ""}`;
      refreshVariants();
    } catch (error) {
      if (mine !== sequence) return;
      previewStatus.textContent = "No preview.";
      errors.replaceChildren(h("li", {}, message(error)));
      if (error instanceof ApiError) {
        for (const f of error.fields) {
          const name = f.field.replace(/^transformations\./, "");
          const el = form.elements.namedItem(name);
          if (el && el.setAttribute) el.setAttribute("aria-invalid", "true");
        }
      }
    }
  }

  async function refreshVariants() {
    let result;
    try {
      result = await api.json("GET", `/images/${id}/variants?limit=100`);
    } catch (error) {
      variants.replaceChildren(h("p", { class: "error" }, message(error)));
      return;
    }
    variants.replaceChildren(...(result.items.length ? result.items.map(variantCard) : [h("p", {}, "No variants yet.")]));
  }

  function variantCard(variant) {
    const img = h("img", { alt: describe(variant.transformations || {}) });
    if (variant.status === "ready") load(img, `/images/${variant.id}`);
    const size = variant.width ? `${variant.width} × ${variant.height}` : variant.status;
    const card = h("div", { class: "thumb variant", dataset: { id: variant.id, status: variant.status } },
      img,
      h("span", { class: "caption" }, `${describe(variant.transformations || {})} · ${size}${variant.format ? " · " + variant.format : ""}`),
      h("div", { class: "row" },
        h("button", { type: "button", class: "download", disabled: variant.status !== "ready", onclick: () => download(`/images/${variant.id}`, `${image.filename.replace(/\.[^.]*$/, "")}-${variant.id.slice(0, 8)}.${variant.format || "img"}`) }, "Download"),
        h("button", { type: "button", class: "delete danger", onclick: async (event) => {
          try {
            await api.json("DELETE", `/images/${variant.id}`);
            refreshVariants();
          } catch (error) {
            event.target.textContent = `Not deleted: ${message(error)}`;
          }
        } }, "Delete")));
    if (variant.status === "failed" && variant.error) card.append(h("span", { class: "error" }, variant.error.message));
    return card;
  }

  async function download(path, name) {
    try {
      const url = URL.createObjectURL(await api.blob(path));
      const a = h("a", { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (error) {
      errors.replaceChildren(h("li", {}, `Download failed: ${message(error)}`));
    }
  }

  refreshVariants();
}

// ------------------------------------------------------------------------------------------ routes

function route() {
  renderHeader();
  if (!api.signedIn) { signInView(); return; }
  const hash = location.hash || "#/";
  const image = hash.match(/^#\/images\/([0-9a-f-]{36})$/);
  if (image) { imageView(image[1]); return; }
  const params = new URLSearchParams(hash.split("?")[1] || "");
  libraryView(Math.max(1, Number(params.get("page")) || 1), params.get("q") || "");
}

api.onSignedOut = route;
window.addEventListener("hashchange", route);
route();
