vcl 4.1;
# The cache tier in front of local-runtime, as CloudFront is in front of the functions in AWS (see
# infra/template.yaml). `infra/dev/cache up` fills in the backend. It keeps only what the functions mark
# `public` (signed transformation URLs), never an answer to a request with a bearer header or a cookie, never an
# error; concurrent misses of one URL wait for a single origin request (Varnish's request coalescing); every
# answer says HIT or MISS in X-Cache, with Age. DELETE /images/{id} bans the image's URLs (BAN, below).

import std;

backend runtime {
    .host = "@BACKEND_HOST@";
    .port = "@BACKEND_PORT@";
    .connect_timeout = 2s;
    # A new variant is made within the request: the functions answer within their 29 s.
    .first_byte_timeout = 35s;
    .between_bytes_timeout = 35s;
}

# Who may ban: the functions, on this machine.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (!client.ip ~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # One image: its bytes, its signed transformation URLs, under both spellings of the path.
        if (req.http.X-Ban-Image !~ "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$") {
            return (synth(400, "X-Ban-Image must be an image id"));
        }
        ban("obj.http.X-Url ~ ^/images?/" + req.http.X-Ban-Image + "([/?]|$)");
        return (synth(204, "Banned"));
    }
    # fmt_auto answers vary with Accept: only which of AVIF and WebP it admits matters, so the cache keeps at
    # most four copies of a URL, not one per browser's Accept string.
    if (req.url ~ "^/images/[^/?]+/t/") {
        set req.http.X-Accept-Avif = "";
        set req.http.X-Accept-Webp = "";
        if (req.http.Accept ~ "(?i)image/avif\s*(,|;|$)" && req.http.Accept !~ "(?i)image/avif\s*;[^,]*q=0(\.0*)?\s*(,|;|$)") {
            set req.http.X-Accept-Avif = "image/avif";
        }
        if (req.http.Accept ~ "(?i)image/webp\s*(,|;|$)" && req.http.Accept !~ "(?i)image/webp\s*;[^,]*q=0(\.0*)?\s*(,|;|$)") {
            set req.http.X-Accept-Webp = "image/webp";
        }
        set req.http.Accept = regsub(req.http.X-Accept-Avif + "," + req.http.X-Accept-Webp, "^,|,$", "");
        if (req.http.Accept == "") {
            unset req.http.Accept;
        }
        unset req.http.X-Accept-Avif;
        unset req.http.X-Accept-Webp;
    }
    # Everything else as Varnish's built-in rules say: only GET and HEAD are looked up, and a request with
    # Authorization or Cookie goes to the functions every time.
}

sub vcl_backend_response {
    # For bans that need no request (the ban lurker can test stored objects by it).
    set beresp.http.X-Url = bereq.url;
    if (beresp.status != 200 || beresp.http.Cache-Control !~ "(?i)(^|[,\s])public([,\s]|$)") {
        # Not kept; remembered for a moment as "do not wait for another request", so that misses of an
        # uncacheable URL are not queued behind each other.
        set beresp.uncacheable = true;
        set beresp.ttl = 5s;
        return (deliver);
    }
    # No grace: an expired signed URL's answer is not served while it is refreshed.
    set beresp.grace = 0s;
}

# The functions did not answer (local-runtime stopped or restarting): the contract's 503, as a problem document.
sub vcl_backend_error {
    set beresp.status = 503;
    set beresp.http.Content-Type = "application/problem+json";
    set beresp.http.Retry-After = "1";
    set beresp.uncacheable = true;
    set beresp.ttl = 0s;
    synthetic({"{"code":"unavailable","detail":"The functions behind the cache did not answer; try again shortly.","status":503,"title":"Service Unavailable","type":"https://imagefunctions.dev/problems/unavailable" }"});
    return (deliver);
}

# A ban's answer, and the 400 and 403 of a refused one, as problem documents too.
sub vcl_synth {
    if (resp.status == 204) {
        return (deliver);
    }
    set resp.http.Content-Type = "application/problem+json";
    synthetic({"{"code":"bad_request","detail":""} + resp.reason + {"","status":"} + resp.status + {","title":"Refused","type":"https://imagefunctions.dev/problems/bad-request" }"});
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.X-Url;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "MISS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
