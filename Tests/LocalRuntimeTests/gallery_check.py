"""Drives the gallery in a real headless Chromium (Debian's chromium and chromium-driver, through Selenium)
for GalleryEndToEndTests, 1440 px wide: sign up; upload a photo and twelve copies (one dropped on the page)
and page through them, every tile shown (display renditions, which cost the user nothing); search; type a
width slowly and see the live preview follow, storing nothing (previews that the service refuses for now are
tried again); see a bad field named for people; make a sepia 400 px variant, check its pixels in the page,
download it, and delete it after a confirmation; delete the image, likewise; upload a file too large for one
request (presigned PUT) and download it (streamed whole). Then the same pages at 768 and 390 px: the grid's
columns, no sideways scrolling, and the preview in view while a field is changed. axe-core (through
axe-selenium-python) checks the library and the image page at 1440 and 390 px. Last, a refused token signs
the page out.

Usage: gallery_check.py BASE_URL PHOTO SCREENSHOT_DIR. Saves a screenshot per step in SCREENSHOT_DIR and
prints one JSON line, {"variant_id", "token", "mean_rgb", "variant_width", "large", "retries", "layout",
"axe", "screenshots"}; exits 1 with the reason (and a screenshot of the failure) when a step does not happen.
"""

import base64
import json
import os
import shutil
import sys
import tempfile
import uuid

from PIL import Image
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, photo, shots = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
os.makedirs(shots, exist_ok=True)

options = Options()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1440,1000"]:
    options.add_argument(flag)
# The driver Debian ships beside the browser: Selenium Manager would try to download one.
downloads = tempfile.mkdtemp()
options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
# The page re-renders lists (a refreshed variant list replaces its cards): a check that meets an element
# replaced under it looks again instead of failing.
wait = WebDriverWait(driver, 40, ignored_exceptions=[StaleElementReferenceException])
saved = []
audits = {}
layout = {}
copies = tempfile.mkdtemp()


def shot(name):
    path = os.path.join(shots, f"{len(saved) + 1:02d}-{name}.png")
    driver.save_screenshot(path)
    saved.append(path)


def css(selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def until(condition, what):
    try:
        return wait.until(condition)
    except Exception:
        shot("failed")
        logs = [entry["message"] for entry in driver.get_log("browser")] if hasattr(driver, "get_log") else []
        text = driver.execute_script("return document.getElementById('view').innerText")[-600:]
        raise SystemExit(f"gallery_check: {what} did not happen; page text ends {text!r}; browser console: {logs}")


def click(selector, what):
    """Clicks what the selector names once it is there and enabled, found afresh on every try: an element held
    across a re-render is stale, so the test waits for the state it needs, never for an element it kept."""
    def attempt(d):
        found = d.find_elements(By.CSS_SELECTOR, selector)
        if not found or not found[0].is_enabled():
            return False
        # In the middle of the window, as a person would have it before clicking: at a narrow width the pinned
        # preview covers the top of the window.
        d.execute_script("arguments[0].scrollIntoView({block: 'center'})", found[0])
        try:
            found[0].click()
        except ElementClickInterceptedException:
            return False
        return True
    until(attempt, what)


def accessibility(name):
    """axe-core's serious and critical findings on the page as it is, by rule: [] when there are none."""
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    found = [
        {"rule": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]
    audits[name] = {"violations": found, "passes": len(results["passes"])}
    return found


def columns(selector):
    return driver.execute_script(
        "return new Set([...document.querySelectorAll(arguments[0])].map(e => Math.round(e.getBoundingClientRect().left))).size",
        selector,
    )


def overflow():
    return driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def d_exists(selector):
    return bool(driver.find_elements(By.CSS_SELECTOR, selector))


def image_loaded(selector):
    script = "const i = document.querySelector(arguments[0]); return !!i && i.complete && i.naturalWidth > 0 ? i.naturalWidth : 0"
    return lambda d: d.execute_script(script, selector) or False


try:
    driver.get(base + "/")
    until(EC.visibility_of_element_located((By.ID, "auth")), "the sign-in form")
    shot("sign-in")
    username = f"gallery-{uuid.uuid4().hex[:8]}"
    css("#username").send_keys(username)
    css("#password").send_keys("gallery password")
    css("#signup").click()
    until(EC.visibility_of_element_located((By.ID, "dropzone")), "the library after signing up")
    until(EC.text_to_be_present_in_element((By.ID, "whoami"), username), "the user's name in the header")

    # Upload through the file input the drop zone wraps (WebDriver cannot drag files from the desktop): the
    # photo, then twelve copies under other names in one go, so the library has a second page.
    css("#file").send_keys(photo)
    until(EC.text_to_be_present_in_element((By.ID, "upload-status"), "Uploaded"), "the upload")
    until(image_loaded("#grid .thumb img"), "the thumbnail in the grid")
    until(EC.text_to_be_present_in_element((By.ID, "page-info"), "1 image"), "the count of one image")
    names = [os.path.join(copies, f"copy-{n:02d}.jpg") for n in range(1, 12)]
    for name in names:
        shutil.copyfile(photo, name)
    css("#file").send_keys("\n".join(names))
    until(EC.text_to_be_present_in_element((By.ID, "upload-status"), "Uploaded copy-11.jpg"), "eleven uploads")
    # The twelfth is dropped on the drop zone, as a person drags a file there: a drop event carrying the file.
    with open(photo, "rb") as f:
        encoded = base64.b64encode(f.read()).decode()
    driver.execute_script(
        """const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], 'copy-12.jpg', {type: 'image/jpeg'}));
        const zone = document.getElementById('dropzone');
        for (const type of ['dragenter', 'dragover', 'drop'])
          zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));""",
        encoded,
    )
    until(EC.text_to_be_present_in_element((By.ID, "page-info"), "Page 1 of 2 · 13 images"), "two pages of 13 images")
    until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid .thumb")) == 12, "a full first page")
    # Every tile shown: the tiles are display renditions, which spend none of the user's transforms allowance.
    until(lambda d: d.execute_script(
        "return [...document.querySelectorAll('#grid .thumb img')].every(i => i.complete && i.naturalWidth > 0)"), "all twelve tiles shown")
    if driver.find_elements(By.CSS_SELECTOR, "#grid img.broken"):
        raise SystemExit("gallery_check: a tile could not be shown")
    layout["columns_1440"] = columns("#grid .thumb")
    shot("library")
    accessibility("library-1440")
    css("#next").click()
    until(EC.text_to_be_present_in_element((By.ID, "page-info"), "Page 2 of 2"), "the second page")
    until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid .thumb")) == 1, "one image on the second page")
    # Newest first: the photo uploaded first is the one left for the second page.
    until(EC.text_to_be_present_in_element((By.ID, "grid"), os.path.basename(photo)), "the first upload on page 2")
    css("#prev").click()
    until(EC.text_to_be_present_in_element((By.ID, "page-info"), "Page 1 of 2"), "back to the first page")

    search = css("#search")
    search.send_keys("no-such-name")
    until(EC.visibility_of_element_located((By.ID, "empty")), "an empty search")
    search.clear()
    search.send_keys(os.path.basename(photo)[:3].lower())
    # The grid before the search has loaded thumbnails too: wait for the searched one alone.
    until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid .thumb")) == 1 and image_loaded("#grid .thumb img")(d), "the photo found by search")

    click("#grid .thumb", "the photo's tile")
    until(EC.visibility_of_element_located((By.ID, "transform-form")), "the image page")
    until(image_loaded("#original"), "the image on its page")
    shot("image-page")

    # The preview follows the form as a person types, slowly, and stores nothing: no variant is listed after it.
    until(EC.text_to_be_present_in_element((By.ID, "variants"), "No variants yet"), "the empty variants list")
    width = css("#t-resize-width")
    for typed, expected in [("3", 3), ("0", 30), ("0", 300)]:
        width.send_keys(typed)
        until(lambda d, e=expected: image_loaded("#preview")(d) == e and f"({e} ×" in css("#preview-status").text, f"a {expected} px preview")
    # The preview sits beside the controls at this width.
    layout["preview_beside_1440"] = driver.execute_script(
        "const f = document.getElementById('transform-form').getBoundingClientRect(), p = document.getElementById('preview-pane').getBoundingClientRect();"
        "return p.left >= f.right - 1 && p.top < f.bottom")
    until(EC.text_to_be_present_in_element((By.ID, "variants"), "No variants yet"), "nothing stored by the previews")
    shot("live-preview")
    accessibility("image-page-1440")

    # A bad field is named for people and marked in the form, and no stale preview stays on screen.
    width.clear()
    width.send_keys("99999")
    until(EC.text_to_be_present_in_element((By.ID, "transform-errors"), "Resize: width"), "the refused width named")
    until(lambda d: css("#t-resize-width").get_attribute("aria-invalid") == "true", "the refused width marked")
    until(lambda d: not css("#preview").is_displayed(), "the old preview taken away")
    shot("refused-width")
    retries_seen = int(driver.execute_script("return Number(document.body.dataset.retries || 0)") or 0)

    css("#t-resize-width").clear()
    css("#t-resize-width").send_keys("400")
    css("#t-filters-sepia").click()
    css("#make-variant").click()
    until(lambda d: css("#preview").get_attribute("data-variant") and image_loaded("#preview")(d) == 400, "the 400 px variant made and shown")
    until(EC.text_to_be_present_in_element((By.ID, "variants"), "400 wide, sepia"), "the variant in the list")
    until(image_loaded("#variants .variant img"), "the variant's image in the list")
    variant_id = css("#preview").get_attribute("data-variant")
    mean = driver.execute_script(
        """const i = document.getElementById('preview'), c = document.createElement('canvas');
        c.width = i.naturalWidth; c.height = i.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(i, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data, s = [0, 0, 0];
        for (let k = 0; k < d.length; k += 4) { s[0] += d[k]; s[1] += d[k + 1]; s[2] += d[k + 2]; }
        const n = d.length / 4; return s.map(v => v / n);"""
    )
    token = driver.execute_script("return JSON.parse(sessionStorage.getItem('imagefunctions.session')).token")
    shot("sepia-variant")

    # The variant in the list: download it (the file is the 400 px variant), then delete it.
    card = f'#variants .variant[data-id="{variant_id}"]'
    click(f'{card}[data-status="ready"] button.download', "the ready variant's download button")
    variant_file = os.path.join(downloads, f"{os.path.splitext(os.path.basename(photo))[0]}-{variant_id[:8]}.jpeg")
    until(lambda d: os.path.exists(variant_file) and os.path.getsize(variant_file) > 0, "the variant downloaded")
    with Image.open(variant_file) as image:
        variant_width = image.size[0]
    # Deleting asks first: one click arms the button, which says what will go; the second deletes.
    click(f"{card} button.delete", "the variant's delete button")
    until(lambda d: "Click again" in css(f"{card} button.delete").text, "the variant's delete confirmation")
    if not d_exists(card):
        raise SystemExit("gallery_check: the variant went before the confirmation")
    click(f"{card} button.delete", "the variant's delete confirmed")
    until(lambda d: not d.find_elements(By.CSS_SELECTOR, card), "the variant deleted")

    delete = css("#delete-image")
    delete.click()
    until(EC.text_to_be_present_in_element((By.ID, "delete-image"), "Click again"), "the delete confirmation")
    delete.click()
    until(EC.text_to_be_present_in_element((By.ID, "page-info"), "Page 1 of 1 · 12 images"), "the library without the photo")
    until(lambda d: os.path.basename(photo) not in css("#grid").text, "the photo gone from the grid")
    shot("deleted")

    # A photo too large for one request: a noise PNG (incompressible, so also stored over the 4,706,304 bytes
    # a buffered answer may carry) goes through the presigned PUT, and its download streams back whole.
    big = os.path.join(copies, "noise.png")
    Image.frombytes("RGB", (1400, 1200), os.urandom(1400 * 1200 * 3)).save(big, compress_level=1)
    big_size = os.path.getsize(big)
    css("#file").send_keys(big)
    until(EC.text_to_be_present_in_element((By.ID, "upload-status"), "Uploaded noise.png"), "the presigned upload")
    until(EC.text_to_be_present_in_element((By.ID, "page-info"), "13 images"), "the large image in the library")
    search = css("#search")
    search.clear()
    search.send_keys("noise")
    until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid .thumb")) == 1 and image_loaded("#grid .thumb img")(d), "the large image found")
    click("#grid .thumb", "the large image's tile")
    until(image_loaded("#original"), "the large image on its page")
    css("#download-original").click()
    downloaded = os.path.join(downloads, "noise.png")
    until(lambda d: os.path.exists(downloaded) and os.path.getsize(downloaded) > 4_706_304, "the large original downloaded")
    shot("large-image")
    with Image.open(downloaded) as image:
        large = {"uploaded_bytes": big_size, "downloaded_bytes": os.path.getsize(downloaded), "size": list(image.size)}
    # The account page: the usage, and an API key made (its secret shown once) and revoked after a confirmation.
    click("#account-link", "the account link")
    until(EC.text_to_be_present_in_element((By.ID, "usage-facts"), "Variants made this month"), "the usage")
    usage_text = css("#usage-facts").text
    css("#key-name").send_keys("thumbnail renderer")
    click('input[name=scope][value="images:read"]', "the images:read scope")
    click("#make-key", "the make-key button")
    until(lambda d: (css("#key-secret").get_attribute("value") or "").startswith("ifk_") if d_exists("#key-secret") else False, "the new key's secret")
    key_secret = css("#key-secret").get_attribute("value")
    until(EC.text_to_be_present_in_element((By.ID, "keys"), "thumbnail renderer"), "the key in the list")
    if key_secret[-20:] in css("#keys").text:
        raise SystemExit("gallery_check: the key list shows the secret")
    shot("account")
    accessibility("account-1440")
    click("#key-table button.revoke", "the revoke button")
    until(EC.text_to_be_present_in_element((By.ID, "keys"), "Click again"), "the revoke confirmation")
    click("#key-table button.revoke", "the revoke confirmed")
    until(EC.visibility_of_element_located((By.ID, "no-keys")), "the key revoked")

    # The same pages narrower: a tablet's 768 px and a phone's 390 px.
    for w in (768, 390):
        driver.set_window_size(w, 900)
        driver.get(base + "/#/")
        until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#grid .thumb")) == 12, f"the library at {w} px")
        until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('#grid .thumb img')].every(i => i.complete && i.naturalWidth > 0)"), f"the tiles at {w} px")
        layout[f"columns_{w}"] = columns("#grid .thumb")
        layout[f"overflow_library_{w}"] = overflow()
        shot(f"library-{w}")
        if w == 390:
            accessibility("library-390")
        click("#grid .thumb", f"a tile at {w} px")
        until(image_loaded("#original"), f"the image page at {w} px")
        # A field far down the form: the preview stays in view while it is changed.
        quality = css("#t-quality")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", quality)
        quality.send_keys("40")
        until(lambda d: image_loaded("#preview")(d) > 0 and "Preview:" in css("#preview-status").text, f"the preview at {w} px")
        layout[f"preview_in_view_{w}"] = driver.execute_script(
            "const p = document.getElementById('preview').getBoundingClientRect();"
            "return p.top >= 0 && p.bottom <= window.innerHeight && p.height > 40")
        layout[f"overflow_image_{w}"] = overflow()
        shot(f"image-page-{w}")
        if w == 390:
            accessibility("image-page-390")
            # On a phone too: a quick second change meets the preview limit and is tried again; a variant is
            # made, followed until ready, and deleted only after its confirmation.
            quality.send_keys(Keys.BACK_SPACE, "5")
            until(lambda d: "q 45" in css("#preview-status").text, "the second preview at 390 px")
            layout["retries_390"] = int(driver.execute_script("return Number(document.body.dataset.retries || 0)") or 0)
            # A refused value is named in the form's words here too, then put right.
            quality.send_keys(Keys.BACK_SPACE, Keys.BACK_SPACE, "0")
            until(EC.text_to_be_present_in_element((By.ID, "transform-errors"), "Output: quality"), "the refused quality named at 390 px")
            until(lambda d: quality.get_attribute("aria-invalid") == "true", "the refused quality marked at 390 px")
            quality.send_keys(Keys.BACK_SPACE, "45")
            until(lambda d: "q 45" in css("#preview-status").text and quality.get_attribute("aria-invalid") is None, "the preview back at 390 px")
            click("#make-variant", "make variant at 390 px")
            until(lambda d: css("#preview").get_attribute("data-variant"), "the variant made at 390 px")
            phone_variant = f'#variants .variant[data-id="{css("#preview").get_attribute("data-variant")}"]'
            click(f'{phone_variant}[data-status="ready"] button.delete', "the variant's delete button at 390 px")
            until(lambda d: "Click again" in css(f"{phone_variant} button.delete").text, "the delete confirmation at 390 px")
            click(f"{phone_variant} button.delete", "the delete confirmed at 390 px")
            until(lambda d: not d.find_elements(By.CSS_SELECTOR, phone_variant), "the variant deleted at 390 px")
        if w == 390:
            driver.get(base + "/#/account")
            until(EC.text_to_be_present_in_element((By.ID, "usage-facts"), "Variants made this month"), "the usage at 390 px")
            layout["overflow_account_390"] = overflow()
            shot("account-390")
            accessibility("account-390")
    driver.set_window_size(1440, 1000)

    # A token the service no longer takes (expired, or its key rotated) brings back the sign-in form.
    driver.execute_script(
        "const s = JSON.parse(sessionStorage.getItem('imagefunctions.session')); s.token = 'not.a.token';"
        "sessionStorage.setItem('imagefunctions.session', JSON.stringify(s)); location.hash = '#/';"
    )
    driver.refresh()
    until(EC.visibility_of_element_located((By.ID, "auth")), "the sign-in form after a refused token")
    print(json.dumps({
        "variant_id": variant_id, "token": token, "mean_rgb": mean, "variant_width": variant_width, "large": large,
        "retries": retries_seen, "layout": layout, "axe": audits, "screenshots": saved,
        "usage_text": usage_text, "revoked_key": key_secret,
    }))
finally:
    driver.quit()
    shutil.rmtree(copies, ignore_errors=True)
    shutil.rmtree(downloads, ignore_errors=True)
