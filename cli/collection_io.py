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
  collection_io.py export --out DIR [--database D]        every collection of the database, DIR/<name>.jsonl each
  collection_io.py import --file FILE [--name NEW_NAME] [--url U] [--tenant T] [--database D]
  collection_io.py import --dir DIR [--database D]         every file of such a folder (all checked first)
"""
import argparse
import hashlib
import json
import os
import sys

from chroma_http import Api, ApiError, create_body, fail, portable_configuration, records_of

FORMAT = "vermilion-collection"
FORMAT_VERSION = 1
PAGE = 100
BATCH = 100


class BadFile(Exception):
    pass


def export(api, name, out):
    col = api.collection(name)
    if col is None:
        fail(f"collection {name} does not exist in {api.tenant}/{api.database}")
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "name": col["name"], "metadata": col.get("metadata"),
              "configuration": portable_configuration(col), "dimension": col.get("dimension")}
    digest = hashlib.sha256()
    count = 0
    tmp = out + ".partial"
    with open(tmp, "wb") as f:
        def write(obj):
            line = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
            digest.update(line)
            f.write(line)

        write(header)
        for _, page in api.pages(col["id"], PAGE):
            for record in records_of(page):
                write(record)
                count += 1
        f.write((json.dumps({"end": True, "records": count, "sha256": digest.hexdigest()}) + "\n").encode())
    os.replace(tmp, out)
    expected = api.count(col["id"])
    if expected != count:
        fail(f"exported {count} records but the collection now counts {expected}; it changed during the export, "
             "export again")
    print(f"exported {count} records of {col['name']} to {out}", file=sys.stderr)


def export_database(api, out_dir):
    """Every collection of the database into out_dir, one export file <name>.jsonl each."""
    os.makedirs(out_dir, exist_ok=True)
    collections = api.collections()
    for col in collections:
        export(api, col["name"], os.path.join(out_dir, col["name"] + ".jsonl"))
    print(f"exported {len(collections)} collections of {api.tenant}/{api.database} to {out_dir}", file=sys.stderr)


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
    write_collection(api, header, records, name or header["name"])


def import_database(api, in_dir):
    """Every export file of a folder (as export --database writes it), each checked before anything is written."""
    files = sorted(f for f in os.listdir(in_dir) if f.endswith(".jsonl"))
    checked = []
    for f in files:
        try:
            checked.append(read_checked(os.path.join(in_dir, f)))
        except (BadFile, OSError) as e:
            print(f"vermilion: cannot import {os.path.join(in_dir, f)}: {e}; nothing was imported", file=sys.stderr)
            raise SystemExit(3) from None
    for header, records in checked:
        write_collection(api, header, records, header["name"])
    print(f"imported {len(checked)} collections into {api.tenant}/{api.database}", file=sys.stderr)


def write_collection(api, header, records, name):
    col = api.call("POST", "/collections", create_body(name, header.get("metadata"), header.get("configuration")))
    try:
        for start in range(0, len(records), BATCH):
            api.write(col["id"], "add", records[start:start + BATCH])
        count = api.count(col["id"])
        if count != len(records):
            fail(f"imported collection counts {count} records, the file holds {len(records)}")
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
            p.add_argument("--collection", help="one collection to FILE; without it, the whole database to folder "
                                                "FILE (one <name>.jsonl each)")
            p.add_argument("--out", required=True)
        else:
            source = p.add_mutually_exclusive_group(required=True)
            source.add_argument("--file")
            source.add_argument("--dir", help="a folder written by export without --collection")
            p.add_argument("--name")
    args = parser.parse_args(argv)
    api = Api(args.url, args.tenant, args.database, args.api_key)
    try:
        if args.command == "export" and args.collection:
            export(api, args.collection, args.out)
        elif args.command == "export":
            export_database(api, args.out)
        elif args.file:
            import_(api, args.file, args.name)
        else:
            import_database(api, args.dir)
    except ApiError as e:
        fail(str(e))


if __name__ == "__main__":
    main(sys.argv[1:])
