#!/usr/bin/env python3
"""Export a collection to a portable file and import it again, over Chroma's HTTP API v2 (so it works against
Vermilion and against a Chroma server alike). Standard library only.

File format (JSON Lines, UTF-8, one JSON object per line; documented in README "Export and import"):
  line 1      header  {"format": "vermilion-collection", "format_version": 1, "name", "metadata", "configuration",
                       "dimension"}
  lines 2..n  records {"id", "embedding", "document", "metadata", "uri"}   (in the collection's insertion order)
  last line   trailer {"end": true, "records": <count>, "sha256": <hex SHA-256 of every byte before this line>}

Import reads and checks the whole file (header, every line, count, checksum) before writing anything; a truncated or
corrupted file is refused with a message and exit code 3, and no collection is created. If a write fails midway the
collection it created is deleted again, so nothing is ever half-imported.

  collection_io.py export --collection NAME --out FILE [--url U] [--tenant T] [--database D]
  collection_io.py import --file FILE [--name NEW_NAME] [--url U] [--tenant T] [--database D]
"""
import argparse
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request

FORMAT = "vermilion-collection"
FORMAT_VERSION = 1
PAGE = 100
BATCH = 100


class BadFile(Exception):
    pass


class Api:
    def __init__(self, url, tenant, database, key):
        self.base = url.rstrip("/") + f"/api/v2/tenants/{tenant}/databases/{database}"
        self.key = key

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("content-type", "application/json")
        if self.key:
            req.add_header("x-chroma-token", self.key)
        try:
            with urllib.request.urlopen(req) as resp:
                text = resp.read().decode()
        except urllib.error.HTTPError as e:
            raise SystemExit(f"vermilion: {method} {path} failed with {e.code}: {e.read().decode()}") from None
        return json.loads(text) if text else None


def export(api, name, out):
    col = api.call("GET", f"/collections/{name}")
    config = col.get("configuration_json") or {}
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "name": col["name"], "metadata": col.get("metadata"),
              "configuration": {k: config[k] for k in ("hnsw", "spann") if config.get(k) is not None} or None,
              "dimension": col.get("dimension")}
    digest = hashlib.sha256()
    count = 0
    tmp = out + ".partial"
    with open(tmp, "wb") as f:
        def write(obj):
            line = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            digest.update(line)
            f.write(line)

        write(header)
        offset = 0
        while True:
            page = api.call("POST", f"/collections/{col['id']}/get", {
                "limit": PAGE, "offset": offset, "include": ["embeddings", "documents", "metadatas", "uris"]})
            ids = page["ids"]
            for i, rid in enumerate(ids):
                write({"id": rid, "embedding": page["embeddings"][i], "document": page["documents"][i],
                       "metadata": page["metadatas"][i], "uri": page["uris"][i]})
            count += len(ids)
            offset += len(ids)
            if len(ids) < PAGE:
                break
        f.write((json.dumps({"end": True, "records": count, "sha256": digest.hexdigest()}) + "\n").encode())
    os.replace(tmp, out)
    expected = api.call("GET", f"/collections/{col['id']}/count")
    if expected != count:
        raise SystemExit(f"vermilion: exported {count} records but the collection now counts {expected}; "
                         "it changed during the export, export again")
    print(f"exported {count} records of {col['name']} to {out}", file=sys.stderr)


def read_checked(path):
    """The header and records of an export file, after checking all of it; BadFile otherwise."""
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\n"):
        raise BadFile("the file is truncated (its last line is incomplete)")
    lines = raw.split(b"\n")[:-1]
    if len(lines) < 2:
        raise BadFile("the file is truncated (no header and trailer)")
    try:
        trailer = json.loads(lines[-1])
    except ValueError:
        raise BadFile("the file is truncated or corrupted (its last line is not a trailer)") from None
    if not isinstance(trailer, dict) or trailer.get("end") is not True:
        raise BadFile("the file is truncated (no trailer line at the end)")
    digest = hashlib.sha256()
    for line in lines[:-1]:
        digest.update(line + b"\n")
    if digest.hexdigest() != trailer.get("sha256"):
        raise BadFile("the file is corrupted (its SHA-256 does not match the trailer's)")
    try:
        header = json.loads(lines[0])
        records = [json.loads(line) for line in lines[1:-1]]
    except ValueError as e:
        raise BadFile(f"the file is corrupted ({e})") from None
    if header.get("format") != FORMAT:
        raise BadFile(f"not a {FORMAT} file")
    if header.get("format_version") != FORMAT_VERSION:
        raise BadFile(f"format version {header.get('format_version')} is not supported (this tool reads "
                      f"{FORMAT_VERSION})")
    if len(records) != trailer.get("records"):
        raise BadFile(f"the file holds {len(records)} records, its trailer says {trailer.get('records')}")
    return header, records


def import_(api, path, name):
    try:
        header, records = read_checked(path)
    except (BadFile, OSError) as e:
        print(f"vermilion: cannot import {path}: {e}; nothing was imported", file=sys.stderr)
        raise SystemExit(3) from None
    name = name or header["name"]
    body = {"name": name}
    if header.get("metadata"):
        body["metadata"] = header["metadata"]
    if header.get("configuration"):
        body["configuration"] = header["configuration"]
    col = api.call("POST", "/collections", body)
    try:
        for start in range(0, len(records), BATCH):
            batch = records[start:start + BATCH]
            body = {"ids": [r["id"] for r in batch], "embeddings": [r["embedding"] for r in batch]}
            for field, key in (("documents", "document"), ("metadatas", "metadata"), ("uris", "uri")):
                values = [r.get(key) for r in batch]
                if any(v is not None for v in values):
                    body[field] = values
            api.call("POST", f"/collections/{col['id']}/add", body)
        count = api.call("GET", f"/collections/{col['id']}/count")
        if count != len(records):
            raise SystemExit(f"vermilion: imported collection counts {count} records, the file holds {len(records)}")
    except BaseException:
        api.call("DELETE", f"/collections/{name}")
        print(f"vermilion: import failed; collection {name} was deleted again", file=sys.stderr)
        raise
    print(f"imported {len(records)} records into {name}", file=sys.stderr)


def main(argv):
    parser = argparse.ArgumentParser(prog="vermilion")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in ("export", "import"):
        p = sub.add_parser(command)
        p.add_argument("--url", default=os.environ.get("VERMILION_URL", "http://localhost:8000"))
        p.add_argument("--tenant", default="default_tenant")
        p.add_argument("--database", default="default_database")
        p.add_argument("--api-key", default=os.environ.get("VERMILION_API_KEY"))
        if command == "export":
            p.add_argument("--collection", required=True)
            p.add_argument("--out", required=True)
        else:
            p.add_argument("--file", required=True)
            p.add_argument("--name")
    args = parser.parse_args(argv)
    api = Api(args.url, args.tenant, args.database, args.api_key)
    if args.command == "export":
        export(api, args.collection, args.out)
    else:
        import_(api, args.file, args.name)


if __name__ == "__main__":
    main(sys.argv[1:])
