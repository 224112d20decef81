"""Checks recorded responses against the service's own OpenAPI document: the document must be a valid
OpenAPI 3.1 document, every (path, method, status) must be documented, and every JSON body must match its
schema, formats included (`date-time` by rfc3339-validator, `uuid`; a checker whose library is missing
would pass everything, so the script refuses to run without it).
Usage: openapi_check.py DOCUMENT.json SAMPLES.json; prints one line per problem, exits 1 on any."""
import json
import sys

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

document = json.load(open(sys.argv[1]))
samples = json.load(open(sys.argv[2]))
validate(document)
formats = Draft202012Validator.FORMAT_CHECKER
# A date-time without its offset is not RFC 3339; a checker that takes it has no library behind it.
if formats.conforms("2026-01-01T00:00:00", "date-time"):
    sys.exit("rfc3339-validator is not installed: date-time formats would go unchecked")
problems = []
for sample in samples:
    where = f'{sample["method"]} {sample["path"]} -> {sample["status"]}'
    operation = document["paths"].get(sample["path"], {}).get(sample["method"].lower())
    if operation is None:
        problems.append(f"{where}: route not documented")
        continue
    response = operation["responses"].get(str(sample["status"]))
    if response is None:
        problems.append(f"{where}: status not documented")
        continue
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].split("/")[-1]]
    if sample.get("body") is None:
        continue
    content = response.get("content", {})
    media = sample["content_type"].split(";")[0].strip()
    schema = (content.get(media) or {}).get("schema")
    if schema is None:
        problems.append(f"{where}: content type {media} not documented")
        continue
    rooted = dict(schema, components=document["components"])
    for error in Draft202012Validator(rooted, format_checker=formats).iter_errors(sample["body"]):
        problems.append(f"{where}: {error.message} at {list(error.absolute_path)}")
for problem in problems:
    print(problem)
print(f"{len(samples)} responses checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
