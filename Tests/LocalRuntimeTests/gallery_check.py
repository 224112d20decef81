"""Drives the gallery in a real headless Chromium (Debian's chromium and chromium-driver, through Selenium)
for GalleryEndToEndTests: sign up; upload a photo and twelve copies (one dropped on the page) and page
through them; search; see a bad field named; make a sepia 400 px variant, check its pixels in the page,
download and delete it; delete the image; upload a file too large for one request (presigned PUT) and
download it (streamed whole); a refused token signs the page out.

Usage: gallery_check.py BASE_URL PHOTO SCREENSHOT_DIR. Saves a screenshot per step in SCREENSHOT_DIR and
prints one JSON line, {"variant_id", "token", "mean_rgb", "variant_width", "large", "screenshots"}; exits 1
with the reason (and a screenshot of the failure) when a step does not happen.
"""

import base64
import json
import os
import shutil
import sys
import tempfile
import uuid

from PIL import Image
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, photo, shots = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
os.makedirs(shots, exist_ok=True)

options = Options()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"]:
    options.add_argument(flag)
# The driver Debian ships beside the browser: Selenium Manager would try to download one.
downloads = tempfile.mkdtemp()
options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
# The page re-renders lists (a refreshed variant list replaces its cards): a check that meets an element
# replaced under it looks again instead of failing.
wait = WebDriverWait(driver, 40, ignored_exceptions=[StaleElementReferenceException])
saved = []
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
        found[0].click()
        return True
    until(attempt, what)


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
    shot("library")
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

    # A bad field is named in the form: a width the API refuses.
    css("#t-resize-width").send_keys("99999")
    css("#make-variant").click()
    until(EC.text_to_be_present_in_element((By.ID, "transform-errors"), "resize.width"), "the refused width named")
    until(lambda d: css("#t-resize-width").get_attribute("aria-invalid") == "true", "the refused width marked")
    shot("refused-width")

    css("#t-resize-width").clear()
    css("#t-resize-width").send_keys("400")
    css("#t-filters-sepia").click()
    css("#make-variant").click()
    until(lambda d: image_loaded("#preview")(d) == 400, "a 400 px wide preview")
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
    click(f"{card} button.delete", "the variant's delete button")
    until(lambda d: not d.find_elements(By.CSS_SELECTOR, card), "the variant deleted")

    delete = css("#delete-image")
    delete.click()
    until(EC.text_to_be_present_in_element((By.ID, "delete-image"), "click again"), "the delete confirmation")
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
    # A token the service no longer takes (expired, or its key rotated) brings back the sign-in form.
    driver.execute_script(
        "const s = JSON.parse(sessionStorage.getItem('imagefunctions.session')); s.token = 'not.a.token';"
        "sessionStorage.setItem('imagefunctions.session', JSON.stringify(s)); location.hash = '#/';"
    )
    driver.refresh()
    until(EC.visibility_of_element_located((By.ID, "auth")), "the sign-in form after a refused token")
    print(json.dumps({"variant_id": variant_id, "token": token, "mean_rgb": mean, "variant_width": variant_width, "large": large, "screenshots": saved}))
finally:
    driver.quit()
    shutil.rmtree(copies, ignore_errors=True)
    shutil.rmtree(downloads, ignore_errors=True)
