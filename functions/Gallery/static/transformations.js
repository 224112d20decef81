// The transformation form as the API's `transformations` object, and a short description of one.
// Only what the form can know is checked here (a crop needs all four numbers); the service checks the rest
// and names each bad field in its 422.

/// `{transformations, problems}` from the form's named controls (`resize.width`, `filters.sepia`…).
export function transformationsOf(form) {
  const t = {};
  const problems = [];
  const value = (name) => form.elements.namedItem(name);
  const number = (name) => {
    const el = value(name);
    if (!el || el.value.trim() === "") return undefined;
    const n = Number(el.value);
    if (!Number.isFinite(n)) { problems.push(`${name}: must be a number`); return undefined; }
    return n;
  };
  const text = (name) => { const el = value(name); return el && el.value !== "" ? el.value : undefined; };
  const checked = (name) => { const el = value(name); return el ? el.checked : false; };

  const resize = { width: number("resize.width"), height: number("resize.height"), fit: text("resize.fit"), gravity: text("resize.gravity") };
  if (resize.width !== undefined || resize.height !== undefined) {
    if (resize.gravity && !resize.fit) resize.fit = "cover";
    t.resize = prune(resize);
  } else if (resize.fit || resize.gravity) {
    problems.push("resize: a fit or gravity needs a width or a height");
  }

  const crop = { x: number("crop.x"), y: number("crop.y"), width: number("crop.width"), height: number("crop.height") };
  const given = Object.values(crop).filter((v) => v !== undefined).length;
  if (given === 4) t.crop = crop;
  else if (given > 0) problems.push("crop: needs x, y, width and height");

  const rotate = number("rotate");
  if (rotate !== undefined && rotate % 360 !== 0) t.rotate = rotate;
  if (checked("flip")) t.flip = true;
  if (checked("mirror")) t.mirror = true;

  const filters = {};
  for (const name of ["grayscale", "sepia", "sharpen", "invert"]) if (checked(`filters.${name}`)) filters[name] = true;
  const blur = number("filters.blur");
  if (blur !== undefined) filters.blur = blur;
  if (Object.keys(filters).length) t.filters = filters;

  const watermark = { text: text("watermark.text"), position: text("watermark.position"), opacity: number("watermark.opacity") };
  if (watermark.text) t.watermark = prune(watermark);
  else if (watermark.position || watermark.opacity !== undefined) problems.push("watermark: a position or opacity needs a text");

  const format = text("format");
  if (format) t.format = format;
  const quality = number("quality");
  if (quality !== undefined) t.quality = quality;
  if (checked("compress")) t.compress = true;
  return { transformations: t, problems };
}

function prune(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== ""));
}

/// "400 wide, sepia, webp": what a variant's transformations do, in a few words.
export function describe(t) {
  if (Array.isArray(t.pipeline)) return t.pipeline.map(describe).join(" → ");
  const parts = [];
  if (t.crop) parts.push(`crop ${t.crop.width}×${t.crop.height} at ${t.crop.x},${t.crop.y}`);
  if (t.resize) {
    const { width, height, fit, gravity } = t.resize;
    parts.push(width && height ? `${width}×${height}${fit ? " " + fit : ""}${gravity ? " " + gravity : ""}` : width ? `${width} wide` : `${height} high`);
  }
  if (t.rotate) parts.push(`rotated ${t.rotate}°`);
  if (t.flip) parts.push("flipped");
  if (t.mirror) parts.push("mirrored");
  for (const [name, v] of Object.entries(t.filters || {})) parts.push(name === "blur" ? `blur ${v}` : name);
  if (t.watermark) parts.push(`“${t.watermark.text}”`);
  if (t.format) parts.push(t.format);
  if (t.quality) parts.push(`q ${t.quality}`);
  if (t.compress) parts.push("compressed");
  return parts.join(", ") || "unchanged";
}
