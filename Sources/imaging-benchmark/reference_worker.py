"""The reference side of imaging-benchmark: pyvips (the same system libvips, in-process, operation cache off)
and Pillow (draft + LANCZOS, as thumbor does). Reads one JSON command per line on stdin, answers one JSON
line on stdout, so start-up is never timed and both sides run interleaved."""
import io
import json
import sys
import time

import pyvips
from PIL import Image

pyvips.cache_set_max(0)
cache = {}


def source(path):
    if path not in cache:
        with open(path, "rb") as f:
            cache[path] = f.read()
    return cache[path]


def run_pyvips(data, task, is_png):
    image = pyvips.Image.thumbnail_buffer(data, 800, height=10_000_000)
    if task == "resize":
        return image.write_to_buffer(".png" if is_png else ".jpg", **({} if is_png else {"Q": 80}), strip=True)
    # As in our pipeline: a rotation needs the (small) thumbnail in memory, since it decodes in one pass.
    image = image.colourspace("b-w").copy_memory().rot90()
    return image.write_to_buffer(".webp", Q=80, strip=True)


def run_pillow(data, task, is_png):
    image = Image.open(io.BytesIO(data))
    width, height = image.size
    target = (800, max(1, round(height * 800 / width)))
    image.draft("RGB", target)
    image = image.resize(target, Image.LANCZOS)
    out = io.BytesIO()
    if task == "resize":
        if is_png:
            image.save(out, "PNG")
        else:
            image.convert("RGB").save(out, "JPEG", quality=80)
    else:
        image.convert("L").transpose(Image.ROTATE_270).save(out, "WEBP", quality=80)
    return out.getvalue()


for line in sys.stdin:
    command = json.loads(line)
    if command["op"] == "run":
        data = source(command["path"])
        is_png = command["path"].lower().endswith(".png")
        run = run_pyvips if command["lib"] == "pyvips" else run_pillow
        start = time.perf_counter()
        out = run(data, command["task"], is_png)
        elapsed = (time.perf_counter() - start) * 1000
        if command.get("save"):
            with open(command["save"], "wb") as f:
                f.write(out)
        print(json.dumps({"ms": elapsed, "bytes": len(out)}), flush=True)
    elif command["op"] == "make-large":
        # The largest image the default limits admit: 50 MP (8660 x 5770), noise so nothing compresses away.
        # Mild noise keeps it photo-like and under the 25 MB byte limit.
        image = pyvips.Image.gaussnoise(8660, 5770, mean=128, sigma=12).gaussblur(0.8).cast("uchar")
        image = image.bandjoin([image.rot180(), image.flip("horizontal")]).copy(interpretation="srgb")
        image.jpegsave(command["path"], Q=80)
        print(json.dumps({"ok": True}), flush=True)
