"""Uses the API through a client that openapi-python-client generated from the served /openapi.json, as a
new user would: register, the OAuth2 token form, upload (multipart and raw body), a JSON transform with named
pipeline steps, a URL transform, and downloads of the original and the variant, each checked with Pillow.
Usage: openapi_client_check.py BASE_URL TESTDATA_DIR (the generated package `client` on PYTHONPATH).
Prints one line per step; exits 1 at the first that fails."""
import io
import sys
import uuid

from PIL import Image as PILImage

from client import AuthenticatedClient, Client
from client.api.default import image, register, token, transform, transform_by_url, upload
from client.models import (Credentials, Image, Problem, Resize, ResizeStep, RotateStep, Session, Token,
                           TokenBody, TransformBody, Transformations, UploadFilesBody)
from client.types import File

base_url, testdata = sys.argv[1], sys.argv[2]


def check(step, condition, detail=""):
    print(f"{'ok' if condition else 'FAILED'}: {step}{': ' + str(detail) if detail and not condition else ''}")
    if not condition:
        sys.exit(1)


def size(data):
    with PILImage.open(io.BytesIO(data)) as decoded:
        return decoded.size, decoded.format


username, password = f"client-{uuid.uuid4().hex[:12]}", "a client's password"
anonymous = Client(base_url=base_url, raise_on_unexpected_status=True, timeout=60)
session = register.sync(client=anonymous, body=Credentials(username=username, password=password))
check("register returns a session", isinstance(session, Session), session)
granted = token.sync(client=anonymous, body=TokenBody(username=username, password=password))
check("the token form grants a bearer token", isinstance(granted, Token) and granted.access_token, granted)
api = AuthenticatedClient(base_url=base_url, token=granted.access_token, raise_on_unexpected_status=True, timeout=60)

dune = open(f"{testdata}/Dune.jpg", "rb").read()
form = UploadFilesBody(file=File(payload=io.BytesIO(dune), file_name="dune.jpg", mime_type="image/jpeg"))
uploaded = upload.sync(client=api, body=form)
check("multipart upload returns the image", isinstance(uploaded, Image) and uploaded.format_ == "jpeg", uploaded)
gulp = open(f"{testdata}/Gulp.png", "rb").read()
raw = upload.sync(client=api, body=File(payload=io.BytesIO(gulp), mime_type="image/png"), filename="gulp.png")
check("raw-body upload returns the image", isinstance(raw, Image) and raw.filename == "gulp.png", raw)

original = image.sync(uploaded.id, client=api)
check("the original downloads as bytes", isinstance(original, File), type(original))
original_size, original_format = size(original.payload.read())
check("the original decodes at its size", original_size == (uploaded.width, uploaded.height) and original_format == "JPEG",
      (original_size, original_format))

steps = Transformations(pipeline=[ResizeStep(resize=Resize(width=200)), RotateStep(rotate=90)])
made = transform.sync(raw.id, client=api, body=TransformBody(transformations=steps), prefer="wait=20")
check("a JSON transform with named steps is ready", isinstance(made, Image) and str(made.status) == "ready", made)
variant = image.sync(made.id, client=api)
check("the variant downloads as bytes", isinstance(variant, File), type(variant))
ratio = raw.height / raw.width
(w, h), _ = size(variant.payload.read())
check("the variant is resized, then turned", w == round(200 * ratio) and h == 200, (w, h))

# The generated client percent-encodes the path parameter, so its commas would arrive as %2C (a comma inside a
# value): options go as steps, `|` (%7C) between them, which in the fixed order is the same variant.
by_url = transform_by_url.sync(uploaded.id, "w_120|fmt_png", client=api)
check("a URL transform answers with image bytes", isinstance(by_url, File), by_url)
(w, h), kind = size(by_url.payload.read())
check("the URL transform's image is 120 px wide PNG", w == 120 and kind == "PNG", (w, h, kind))

missing = image.sync(uuid.UUID(int=0), client=api)
check("an unknown image is a problem", isinstance(missing, Problem) and missing.code == "not_found", missing)
print("generated client: every step passed")
