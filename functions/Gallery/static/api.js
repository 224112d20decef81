// The HTTP API, as the gallery uses it: same origin, bearer token, problem+json errors turned into
// ApiError (code, message and the fields a 422 names).

const TOKEN_KEY = "imagefunctions.session";

/// The largest image sent in one request: API Gateway takes 6 MB events and the body goes base64 (README,
/// "Functions"); larger files go through the presigned upload route.
export const DIRECT_UPLOAD_LIMIT = 4_500_000;
/// Tries of a request the service refused for now (429, 503), and the longest wait between two.
const RETRIES = 4;
const MAX_WAIT_SECONDS = 8;

/// The wait before try `attempt + 1`: the answer's Retry-After, else 1, 2, 4 s; at most MAX_WAIT_SECONDS.
async function backOff(attempt, retryAfter, onWait) {
  const seconds = Math.min(retryAfter || 2 ** attempt, MAX_WAIT_SECONDS);
  onWait?.(seconds);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || "http_" + status;
    this.fields = Array.isArray(problem.errors) ? problem.errors : [];
  }
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { title: `${response.status} ${response.statusText}` };
  }
}

export class Api {
  constructor() {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    this.session = saved ? JSON.parse(saved) : null;
    /// Called when the service refuses the token (expired, or the key rotated): the page asks to sign in.
    this.onSignedOut = null;
  }

  get signedIn() {
    return this.session !== null && Date.now() < this.session.expiresAt;
  }

  signOut() {
    this.session = null;
    sessionStorage.removeItem(TOKEN_KEY);
  }

  async #authenticate(path, username, password) {
    const reply = await this.json("POST", path, { username, password }, { anonymous: true });
    this.session = { token: reply.token, username: reply.user.username, expiresAt: Date.now() + reply.expires_in * 1000 };
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(this.session));
  }

  signUp(username, password) { return this.#authenticate("/register", username, password); }
  signIn(username, password) { return this.#authenticate("/login", username, password); }

  headers(extra = {}) {
    return this.session ? { Authorization: `Bearer ${this.session.token}`, ...extra } : extra;
  }

  /// fetch, again after a 429 or 503 as the answer's Retry-After says (else 1, 2, 4 s), up to four tries in
  /// about 15 s: a refused request did nothing, so trying it again is safe. `onWait(seconds)` is told of each
  /// wait, so the page can say so.
  async fetchRetrying(path, init, { onWait } = {}) {
    let response;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      try {
        response = await fetch(path, init);
      } catch {
        throw new ApiError(0, { title: "the service could not be reached" });
      }
      if ((response.status !== 429 && response.status !== 503) || attempt === RETRIES - 1) return response;
      await backOff(attempt, Number(response.headers.get("Retry-After")), onWait);
    }
    return response;
  }

  /// A request whose answer is JSON (or nothing, for 204). Throws ApiError for 4xx and 5xx.
  async json(method, path, body, { anonymous = false, headers = {}, onWait } = {}) {
    const init = { method, headers: anonymous ? { ...headers } : this.headers(headers) };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    const response = await this.fetchRetrying(path, init, { onWait });
    if (response.status === 401 && !anonymous) {
      this.signOut();
      this.onSignedOut?.();
    }
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    return response.status === 204 ? null : response.json();
  }

  /// The bytes of an image or a variant, as a Blob; a variant still being made is waited for.
  async blob(path, { attempts = 30, onWait } = {}) {
    for (let i = 0; i < attempts; i++) {
      const response = await this.fetchRetrying(path, { headers: this.headers() }, { onWait });
      if (response.status === 202) {
        const wait = Number(response.headers.get("Retry-After") || 1);
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 5) * 1000));
        continue;
      }
      if (!response.ok) throw new ApiError(response.status, await problemOf(response));
      return response.blob();
    }
    throw new ApiError(504, { title: "the image was not ready in time" });
  }

  /// What `transformations` make of image `id`, rendered and stored nowhere: `{blob, width, height}`.
  async preview(id, transformations, { onWait } = {}) {
    const init = { method: "POST", headers: this.headers({ "Content-Type": "application/json" }), body: JSON.stringify({ transformations }) };
    const response = await this.fetchRetrying(`/images/${id}/preview`, init, { onWait });
    if (!response.ok) throw new ApiError(response.status, await problemOf(response));
    return {
      blob: await response.blob(),
      width: Number(response.headers.get("X-Image-Width")),
      height: Number(response.headers.get("X-Image-Height")),
    };
  }

  /// Uploads `file`, reporting progress as a fraction; answers the new `Image`. Each request is tried again
  /// after a 429 or 503 as `fetchRetrying` does (a refused upload stored nothing), telling `onWait(seconds)`.
  async upload(file, onProgress, onWait) {
    if (file.size <= DIRECT_UPLOAD_LIMIT) {
      const path = `/images?filename=${encodeURIComponent(file.name)}`;
      return this.#send("POST", path, file, this.headers({ "Content-Type": file.type || "application/octet-stream" }), onProgress, onWait);
    }
    // Larger files: a presigned PUT straight to the object store, then the service checks what arrived.
    const started = await this.json("POST", "/images/uploads", { size_bytes: file.size, filename: file.name }, { onWait });
    await this.#send("PUT", started.upload_url, file, started.headers || {}, onProgress, onWait);
    return this.json("POST", started.complete_url, undefined, { onWait });
  }

  /// `#sendOnce`, again after a 429 or 503 as `fetchRetrying` waits.
  async #send(method, url, body, headers, onProgress, onWait) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#sendOnce(method, url, body, headers, onProgress);
      } catch (error) {
        if ((error.status !== 429 && error.status !== 503) || attempt === RETRIES - 1) throw error;
        await backOff(attempt, error.retryAfter, onWait);
      }
    }
  }

  /// XMLHttpRequest, not fetch: only it reports upload progress.
  #sendOnce(method, url, body, headers, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      for (const [name, value] of Object.entries(headers)) {
        // The browser sets these itself and refuses to be told.
        if (!["content-length", "host"].includes(name.toLowerCase())) xhr.setRequestHeader(name, value);
      }
      xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
      xhr.onload = () => {
        let reply = null;
        try { reply = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { reply = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(reply);
        else {
          const error = new ApiError(xhr.status, reply || { title: `${xhr.status} ${xhr.statusText}` });
          error.retryAfter = Number(xhr.getResponseHeader("Retry-After")) || 0;
          reject(error);
        }
      };
      xhr.onerror = () => reject(new ApiError(0, { title: "the upload did not reach the server" }));
      xhr.send(body);
    });
  }
}
