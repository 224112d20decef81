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

/// What the service's codes mean to a person using the page (the API's own texts are written for programs).
const FRIENDLY = {
  rate_limited: "The service is busy with your earlier requests. Please try again in a moment.",
  unavailable: "The service is briefly unavailable. Please try again in a moment.",
  unsupported_format: "That file is not an image the service can read (JPEG, PNG, WebP, GIF, AVIF, HEIF or TIFF).",
  payload_too_large: "That file is too large: the limit is 25 MB.",
  image_too_large: "That image has too many pixels: the limit is 50 megapixels, and 16,384 pixels a side.",
  corrupt_image: "That image is damaged or incomplete, so it cannot be read.",
  quota_exceeded: "Your storage is full. Delete some images to make room.",
  not_found: "That image no longer exists.",
  original_missing: "This image's file is missing from storage.",
  username_taken: "That username is taken. Please choose another.",
  insufficient_scope: "This session may not do that.",
  http_0: "The service could not be reached. Check your connection and try again.",
};

/// "Resize: width" for `transformations.resize.width`: the form's own words for a field the API names.
function labelOf(path) {
  const name = path.replace(/^transformations\./, "").replace(/^options\./, "");
  for (const [legend, fields] of FIELDS) {
    const found = fields.find(([field]) => field === name);
    if (found) return legend === found[1] ? legend : `${legend}: ${found[1].toLowerCase()}`;
  }
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/[._]/g, " ");
}

function sentence(text) {
  const t = String(text).trim();
  return t ? t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? "" : ".") : "";
}

function message(error) {
  if (!(error instanceof ApiError)) return "Something went wrong. Please try again.";
  if (error.fields.length) return error.fields.map((f) => `${labelOf(f.field)}: ${f.message}`).join("; ");
  if (error.code === "unauthorized" && error.status === 401 && !api.signedIn) return sentence(error.message);
  return FRIENDLY[error.code] || sentence(error.message);
}

/// How many times the page waited for a busy service and tried again (tests read it).
function noteRetry() {
  document.body.dataset.retries = String(Number(document.body.dataset.retries || 0) + 1);
}

/// Shows `url` in `img`; a failed load (the service busy or briefly down) is tried again after 1, 2, 4 s.
function showImage(img, url, name) {
  let tries = 0;
  img.addEventListener("error", () => {
    if (tries >= 3) { img.alt = `${name} could not be shown`; img.classList.add("broken"); return; }
    const delay = 1000 * 2 ** tries++;
    noteRetry();
    // The same URL again (a signed one takes no other parameter); a failed answer was not kept.
    setTimeout(() => { img.removeAttribute("src"); img.src = url; }, delay);
  });
  img.src = url;
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
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return n >= 1e3 ? `${Math.round(n / 1e3)} kB` : `${n} bytes`;
}

// ------------------------------------------------------------------------------------------ header

function renderHeader() {
  const who = document.getElementById("whoami"), out = document.getElementById("signout");
  const account = document.getElementById("account-link");
  who.hidden = out.hidden = account.hidden = !api.signedIn;
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
  const progress = h("progress", { id: "upload-progress", max: 1, value: 0, hidden: true, "aria-label": "Upload progress" });
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
      status.classList.remove("error");
      status.textContent = `Uploading ${file.name} (${index + 1} of ${list.length}, ${formatBytes(file.size)})`;
      try {
        await api.upload(file, (fraction) => { progress.value = fraction; }, (seconds) => {
          noteRetry();
          status.textContent = `The service is busy; trying ${file.name} again in ${seconds} s`;
        });
        status.textContent = `Uploaded ${file.name}`;
      } catch (error) {
        status.textContent = `${file.name} was not uploaded. ${message(error)}`;
        status.classList.add("error");
        progress.hidden = true;
        return;
      }
    }
    progress.hidden = true;
    refresh(1);
  }

  const search = h("input", { id: "search", type: "search", placeholder: "Search by file name", "aria-label": "Search by file name", value: query });
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
      grid.replaceChildren(h("p", { class: "error", role: "alert" }, message(error)));
      return;
    }
    grid.replaceChildren(...(result.items.length ? result.items.map(thumbnail) : [h("p", { id: "empty" }, q ? "No image matches." : "No images yet.")]));
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    pager.replaceChildren(
      h("button", { id: "prev", type: "button", disabled: page <= 1, onclick: () => refresh(page - 1) }, "Previous"),
      h("span", { id: "page-info" }, `Page ${page} of ${pages} · ${result.total} image${result.total === 1 ? "" : "s"}`),
      h("button", { id: "next", type: "button", disabled: page >= pages, onclick: () => refresh(page + 1) }, "Next"));
  }

  /// A tile shows the image's display rendition: a signed URL of the service's own, so it needs no header,
  /// costs the user nothing and is kept by the browser and the cache tier.
  function thumbnail(image) {
    const img = h("img", { alt: image.filename, width: 200, height: 200, decoding: "async" });
    if (image.display_urls) showImage(img, image.display_urls.thumbnail, image.filename);
    else load(img, `/images/${image.id}`);
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
    show(h("p", { class: "error", role: "alert" }, message(error)), h("a", { href: "#/" }, "Back to the library"));
    return;
  }
  const original = h("img", { id: "original", alt: image.filename });
  original.style.background = image.dominant_color || "";
  if (image.display_urls) showImage(original, image.display_urls.large, image.filename);
  else load(original, `/images/${id}`);
  const facts = [
    ["Size", `${image.width} × ${image.height}`], ["Format", image.format], ["Bytes", formatBytes(image.size_bytes)],
    ["Colour space", image.color_space], ["Frames", image.frame_count], ["Dominant colour", image.dominant_color],
    ["Uploaded", new Date(image.created_at).toLocaleString()],
  ].filter(([, v]) => v !== undefined && v !== null);

  const errors = h("ul", { id: "transform-errors", class: "error", role: "alert" });
  const previewStatus = h("p", { id: "preview-status", role: "status" }, "Change a field to see a preview.");
  const preview = h("img", { id: "preview", alt: "preview of the transformations", hidden: true });
  const variantStatus = h("p", { id: "variant-status", role: "status" });
  const makeButton = h("button", { id: "make-variant", type: "submit" }, "Make variant");
  // Submitting stores the variant; changing a field only previews it (stored nowhere, on its own allowance).
  const form = h("form", { id: "transform-form", class: "card controls", "aria-label": "Transformations", onsubmit: (e) => { e.preventDefault(); clearTimeout(timer); makeVariant(); } },
    ...FIELDS.map(([legend, fields]) => h("fieldset", {}, h("legend", {}, legend), ...fields.map(field))),
    h("div", { class: "row" }, makeButton,
      h("button", { type: "reset", onclick: () => setTimeout(() => { clearMarks(); errors.replaceChildren(); hidePreview("Change a field to see a preview."); }) }, "Clear")),
    variantStatus, errors);
  let timer;
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(renderPreview, 600); });

  const variants = h("div", { id: "variants", class: "grid" });
  const deleteButton = confirmingButton({ id: "delete-image" }, "Delete image", "Delete the image and all its variants? Click again", async () => {
    await api.json("DELETE", `/images/${id}`);
    location.hash = "#/";
  });

  show(h("section", { id: "image-page" },
    h("div", { class: "row" }, h("a", { href: "#/" }, "← Library"), h("h1", {}, image.filename)),
    h("div", { class: "editor" },
      form,
      h("figure", { id: "preview-pane", class: "preview" }, preview, h("figcaption", {}, previewStatus)),
      h("div", { class: "original-pane" }, original,
        h("dl", { id: "meta" }, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))])),
        h("div", { class: "row" }, h("button", { id: "download-original", type: "button", onclick: () => download(`/images/${id}`, image.filename) }, "Download original"), deleteButton))),
    h("h2", {}, "Variants"), variants));

  function clearMarks() {
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  function hidePreview(text) {
    preview.hidden = true;
    preview.removeAttribute("src");
    delete preview.dataset.variant;
    previewStatus.textContent = text;
  }

  /// Names each refused field in the list and marks it in the form.
  function showErrors(error, lines = []) {
    errors.replaceChildren(...[...lines, message(error)].map((p) => h("li", {}, p)));
    if (error instanceof ApiError) {
      for (const f of error.fields) {
        const el = form.elements.namedItem(f.field.replace(/^transformations\./, ""));
        if (el && el.setAttribute) el.setAttribute("aria-invalid", "true");
      }
    }
  }

  /// What the form says now, or null (with the problems shown) when it cannot be asked for.
  function currentTransformations() {
    const { transformations, problems } = transformationsOf(form);
    clearMarks();
    errors.replaceChildren(...problems.map((p) => h("li", {}, sentence(p))));
    if (problems.length) { hidePreview("No preview until the fields above are complete."); return null; }
    if (Object.keys(transformations).length === 0) { hidePreview("Change a field to see a preview."); return null; }
    return transformations;
  }

  function showBlob(blob) {
    const url = URL.createObjectURL(blob);
    blobURLs.push(url);
    preview.src = url;
    preview.hidden = false;
  }

  let sequence = 0;
  /// The live preview: rendered by the service and stored nowhere.
  async function renderPreview() {
    const mine = ++sequence;
    const transformations = currentTransformations();
    if (!transformations) return;
    previewStatus.textContent = "Rendering the preview…";
    try {
      const result = await api.preview(id, transformations, { onWait: (seconds) => {
        noteRetry();
        if (mine === sequence) previewStatus.textContent = `The service is busy; trying again in ${seconds} s…`;
      } });
      if (mine !== sequence) return;
      showBlob(result.blob);
      delete preview.dataset.variant;
      previewStatus.textContent = `Preview: ${describe(transformations)} (${result.width} × ${result.height}). Nothing is saved until you choose Make variant.`;
    } catch (error) {
      if (mine !== sequence) return;
      hidePreview("No preview: see the message above the button.");
      showErrors(error);
    }
  }

  /// "Make variant": the variant stored, shown once it is made, and listed below.
  async function makeVariant() {
    const mine = ++sequence;
    const transformations = currentTransformations();
    if (!transformations) return;
    makeButton.disabled = true;
    variantStatus.textContent = "Making the variant…";
    try {
      const variant = await api.json("POST", `/images/${id}/transform`, { transformations }, {
        headers: { Prefer: "wait=20" },
        onWait: (seconds) => { noteRetry(); variantStatus.textContent = `The service is busy; trying again in ${seconds} s…`; },
      });
      if (variant.status === "failed") throw new ApiError(422, { code: variant.error?.code, detail: variant.error?.message || "the transformation failed" });
      const blob = await api.blob(`/images/${variant.id}`);
      if (mine === sequence) {
        showBlob(blob);
        preview.dataset.variant = variant.id;
        previewStatus.textContent = `Variant: ${describe(transformations)} (${variant.width ?? "?"} × ${variant.height ?? "?"}, ${variant.format ?? ""}).`;
      }
      variantStatus.textContent = "Variant made; it is in the list below.";
      refreshVariants();
    } catch (error) {
      variantStatus.textContent = "";
      showErrors(error);
    } finally {
      makeButton.disabled = false;
    }
  }

  let following;
  /// The list, followed while a variant in it is still being made (every 1.5 s, for at most a minute).
  async function refreshVariants(checks = 0) {
    clearTimeout(following);
    let result;
    try {
      result = await api.json("GET", `/images/${id}/variants?limit=100`);
    } catch (error) {
      variants.replaceChildren(h("p", { class: "error", role: "alert" }, message(error)));
      return;
    }
    variants.replaceChildren(...(result.items.length ? result.items.map(variantCard) : [h("p", { id: "no-variants" }, "No variants yet.")]));
    const pending = result.items.some((v) => v.status === "queued" || v.status === "processing");
    if (pending && checks < 40 && view.contains(variants)) following = setTimeout(() => refreshVariants(checks + 1), 1500);
  }

  function variantCard(variant) {
    const words = describe(variant.transformations || {});
    const img = h("img", { alt: words });
    if (variant.status === "ready") load(img, `/images/${variant.id}`);
    const size = variant.width ? `${variant.width} × ${variant.height}` : variant.status === "failed" ? "not made" : "being made…";
    const card = h("div", { class: "thumb variant", dataset: { id: variant.id, status: variant.status } },
      img,
      h("span", { class: "caption" }, `${words} · ${size}${variant.format ? " · " + variant.format : ""}`),
      h("div", { class: "row" },
        h("button", { type: "button", class: "download", disabled: variant.status !== "ready", onclick: () => download(`/images/${variant.id}`, `${image.filename.replace(/\.[^.]*$/, "")}-${variant.id.slice(0, 8)}.${variant.format || "img"}`) }, "Download"),
        confirmingButton({ class: "delete" }, "Delete", "Delete this variant? Click again", async () => {
          await api.json("DELETE", `/images/${variant.id}`);
          refreshVariants();
        })));
    if (variant.status === "failed" && variant.error) card.append(h("span", { class: "error" }, message(new ApiError(422, { code: variant.error.code, detail: variant.error.message }))));
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
      errors.replaceChildren(h("li", {}, `The download failed. ${message(error)}`));
    }
  }

  refreshVariants();
}

/// A delete button that asks first: the first click arms it and says what will go, the second does it; left
/// alone for 6 s it disarms.
function confirmingButton(attributes, label, question, action) {
  const button = h("button", { type: "button", class: `danger ${attributes.class || ""}`.trim(), id: attributes.id }, label);
  let disarm;
  button.addEventListener("click", async () => {
    if (button.dataset.armed !== "yes") {
      button.dataset.armed = "yes";
      button.textContent = question;
      disarm = setTimeout(() => { delete button.dataset.armed; button.textContent = label; }, 6000);
      return;
    }
    clearTimeout(disarm);
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      button.disabled = false;
      delete button.dataset.armed;
      button.textContent = `Not deleted. ${message(error)}`;
    }
  });
  return button;
}

// ------------------------------------------------------------------------------------------ account

const SCOPES = [
  ["images:read", "Read: list images and variants, fetch their bytes and metadata"],
  ["images:write", "Write: upload and delete images"],
  ["transform", "Transform: make variants, queued or by URL"],
  ["sign", "Sign: sign transformation URLs for <img> tags"],
];

/// The account page: what the user holds and has made, and the API keys servers use instead of a password.
async function accountView() {
  const usageCard = h("section", { id: "usage", class: "card", "aria-labelledby": "usage-title" }, h("h2", { id: "usage-title" }, "Usage"), h("p", {}, "Loading…"));
  const keyList = h("div", { id: "keys" });
  const keyErrors = h("ul", { id: "key-errors", class: "error", role: "alert" });
  const secretBox = h("div", { id: "new-key", role: "status" });
  const name = h("input", { id: "key-name", name: "name", required: true, maxlength: 100 });
  const expires = h("input", { id: "key-expires", name: "expires_at", type: "date" });
  const form = h("form", { id: "key-form", class: "card", "aria-labelledby": "keys-title", onsubmit: (e) => { e.preventDefault(); makeKey(); } },
    h("h2", { id: "keys-title" }, "API keys"),
    h("p", {}, "A key lets a server use the API without a password. Give it only the scopes it needs; you can revoke it at any time."),
    h("label", {}, "Name", name),
    h("fieldset", {}, h("legend", {}, "Scopes"),
      ...SCOPES.map(([scope, words]) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "scope", value: scope }), words))),
    h("label", {}, "Expires (optional)", expires),
    h("div", { class: "row" }, h("button", { id: "make-key", type: "submit" }, "Make key")),
    keyErrors, secretBox);
  show(h("section", { id: "account-page" },
    h("div", { class: "row" }, h("a", { href: "#/" }, "← Library"), h("h1", {}, "Usage and API keys")),
    usageCard, form, keyList));

  async function refreshUsage() {
    try {
      const u = await api.json("GET", "/usage");
      const limit = (l) => l ? `${l.remaining} of ${l.burst} left now${l.remaining < l.burst ? `, all back in ${l.reset_seconds} s` : ""}` : "no limit";
      const rows = [
        ["Originals", `${u.originals.count} · ${formatBytes(u.originals.bytes)}`],
        ["Variants", `${u.variants.count} · ${formatBytes(u.variants.bytes)}`],
        ["Storage", u.quota_bytes ? `${formatBytes(u.stored_bytes)} of ${formatBytes(u.quota_bytes)}` : `${formatBytes(u.stored_bytes)} (no quota)`],
        ["Variants made this month", String(u.transforms.count)],
        ["New variants", limit(u.rate_limits.transforms)],
        ["Uploads", limit(u.rate_limits.uploads)],
        ["Previews", limit(u.rate_limits.previews)],
      ];
      const children = [h("h2", { id: "usage-title" }, "Usage"), h("dl", { id: "usage-facts" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))];
      if (u.quota_bytes) {
        children.push(h("progress", { id: "quota", max: u.quota_bytes, value: Math.min(u.stored_bytes, u.quota_bytes), "aria-label": "Storage used" }));
      }
      usageCard.replaceChildren(...children);
    } catch (error) {
      usageCard.replaceChildren(h("h2", { id: "usage-title" }, "Usage"), h("p", { class: "error", role: "alert" }, message(error)));
    }
  }

  async function refreshKeys() {
    let result;
    try {
      result = await api.json("GET", "/api-keys");
    } catch (error) {
      keyList.replaceChildren(h("p", { class: "error", role: "alert" }, message(error)));
      return;
    }
    if (!result.items.length) { keyList.replaceChildren(h("p", { id: "no-keys" }, "No API keys yet.")); return; }
    keyList.replaceChildren(h("table", { id: "key-table" },
      h("caption", {}, "Your API keys"),
      h("thead", {}, h("tr", {}, ...["Name", "Key", "Scopes", "Made", "Last used", "Expires", ""].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...result.items.map((key) => h("tr", { dataset: { id: key.id } },
        h("td", {}, key.name), h("td", {}, h("code", {}, `${key.prefix}_…`)), h("td", {}, key.scopes.join(", ")),
        h("td", {}, new Date(key.created_at).toLocaleDateString()),
        h("td", {}, key.last_used_at ? new Date(key.last_used_at).toLocaleString() : "never"),
        h("td", {}, key.expires_at ? new Date(key.expires_at).toLocaleDateString() : "never"),
        h("td", {}, confirmingButton({ class: "revoke" }, "Revoke", "Revoke this key? Servers using it stop working. Click again", async () => {
          await api.json("DELETE", `/api-keys/${key.id}`);
          refreshKeys();
        })))))));
  }

  async function makeKey() {
    keyErrors.replaceChildren();
    secretBox.replaceChildren();
    const scopes = [...form.querySelectorAll("input[name=scope]:checked")].map((el) => el.value);
    if (!scopes.length) { keyErrors.replaceChildren(h("li", {}, "Choose at least one scope.")); return; }
    const body = { name: name.value.trim(), scopes };
    // The end of the chosen day, in the user's own time zone.
    if (expires.value) body.expires_at = new Date(`${expires.value}T23:59:59`).toISOString();
    try {
      const key = await api.json("POST", "/api-keys", body);
      const secret = h("input", { id: "key-secret", readonly: true, value: key.secret, "aria-label": "The new key", size: 70 });
      const copy = h("button", { type: "button", onclick: async () => {
        try { await navigator.clipboard.writeText(key.secret); copy.textContent = "Copied"; } catch { secret.select(); copy.textContent = "Press Ctrl+C to copy"; }
      } }, "Copy");
      secretBox.replaceChildren(h("p", {}, h("strong", {}, "Copy this key now: it is shown only once."), " Send it as ", h("code", {}, "Authorization: Bearer <key>"), "."),
        h("div", { class: "row" }, secret, copy));
      form.reset();
      refreshKeys();
    } catch (error) {
      keyErrors.replaceChildren(h("li", {}, message(error)));
    }
  }

  await Promise.all([refreshUsage(), refreshKeys()]);
}

// ------------------------------------------------------------------------------------------ routes

function route() {
  renderHeader();
  if (!api.signedIn) { signInView(); return; }
  const hash = location.hash || "#/";
  const image = hash.match(/^#\/images\/([0-9a-f-]{36})$/);
  if (image) { imageView(image[1]); return; }
  if (hash === "#/account") { accountView(); return; }
  const params = new URLSearchParams(hash.split("?")[1] || "");
  libraryView(Math.max(1, Number(params.get("page")) || 1), params.get("q") || "");
}

api.onSignedOut = route;
window.addEventListener("hashchange", route);
route();
