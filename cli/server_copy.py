#!/usr/bin/env python3
"""Copy collections between any two servers that speak Chroma's HTTP API v2 (Vermilion or Chroma, either side), for
example to migrate off a running Chroma server. Standard library only.

Each collection is created on the target with the source's metadata and configuration, then its records are read
page by page with get (embeddings, documents, metadatas, uris) and written with upsert in batches no larger than the
target's max_batch_size. A small JSON state file (--state, default .vermilion-copy-state.json in the working folder)
records the collections done and the offset reached in the current one after every acknowledged batch; run the same
command again after an interruption and it continues there (the batch in flight is written again, which upsert makes
harmless). The state file is removed once the copy is complete. At the end every collection's count on the target is
compared with the source's; a mismatch exits with code 4.

Exit codes: 0 copied and verified; 1 a server refused or did not answer; 2 bad usage (a target collection that
already holds records, a state file of another copy); 4 counts differ after the copy; 130 interrupted.

  server_copy.py --from URL --to URL [--collection NAME ...] [--tenant T] [--database D]
                 [--to-tenant T] [--to-database D] [--api-key K | --from-key K --to-key K] [--batch N] [--state FILE]
"""
import argparse
import json
import os
import sys

from chroma_http import Api, ApiError, create_body, fail, portable_configuration, records_of
from progress_bar import Progress

DEFAULT_STATE = ".vermilion-copy-state.json"


class State:
    """The resumable part of a copy, saved atomically (write then rename) after every acknowledged batch."""

    def __init__(self, path, identity):
        self.path = path
        self.data = {"copy": identity, "done": {}, "current": None}
        if os.path.exists(path):
            with open(path) as f:
                saved = json.load(f)
            if saved.get("copy") != identity:
                fail(f"state file {path} belongs to another copy ({json.dumps(saved.get('copy'))}); "
                     "remove it or pass --state", 2)
            self.data = saved

    def save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def remove(self):
        if os.path.exists(self.path):
            os.remove(self.path)


def copy(source, target, names, batch, state):
    cols = [source.collection(n) or fail(f"collection {n} does not exist on the source", 2) for n in names] \
        if names else source.collections()
    counts = {c["name"]: source.count(c["id"]) for c in cols}
    current = state.data["current"]
    done_before = sum(counts.get(n, 0) for n in state.data["done"])
    if current:
        done_before += current["offset"]
    size = batch
    limit = target.max_batch_size()
    if limit:
        size = min(size, limit)
    target.ensure_database()
    progress = Progress(sum(counts.values()), done_before)
    mismatches = []
    for col in cols:
        name = col["name"]
        if name in state.data["done"]:
            continue
        resuming = current is not None and current["name"] == name
        offset = current["offset"] if resuming else 0
        dest = target.collection(name)
        if dest is None:
            dest = target.call("POST", "/collections",
                               create_body(name, col.get("metadata"), portable_configuration(col)))
        elif not resuming and target.count(dest["id"]) > 0:
            fail(f"collection {name} already exists on the target and holds records; copy does not merge into it "
                 "(delete it there, or leave it out with --collection)", 2)
        state.data["current"] = current = {"name": name, "offset": offset}
        state.save()
        for offset, page in source.pages(col["id"], size, offset):
            records = records_of(page)
            target.write(dest["id"], "upsert", records)
            current["offset"] = offset
            state.save()
            progress.advance(len(records), name)
        copied = target.count(dest["id"])
        if copied != counts[name]:
            mismatches.append(f"{name}: source {counts[name]}, target {copied}")
        state.data["done"][name] = copied
        state.data["current"] = current = None
        state.save()
    progress.finish()
    if mismatches:
        print("vermilion: counts differ after the copy (was the source written meanwhile?): " + "; ".join(mismatches),
              file=sys.stderr)
        raise SystemExit(4)
    state.remove()
    print(f"copied {len(cols)} collections, {sum(counts.values())} records; counts verified", file=sys.stderr)


def main(argv):
    p = argparse.ArgumentParser(prog="vermilion copy")
    p.add_argument("--from", dest="source", required=True, help="source server URL")
    p.add_argument("--to", dest="target", required=True, help="target server URL")
    p.add_argument("--collection", action="append", default=[], help="a collection to copy (repeatable; default all)")
    p.add_argument("--tenant", default="default_tenant")
    p.add_argument("--database", default="default_database")
    p.add_argument("--to-tenant", help="the target's tenant (default --tenant)")
    p.add_argument("--to-database", help="the target's database (default --database; created when missing)")
    p.add_argument("--api-key", default=os.environ.get("VERMILION_API_KEY"), help="key for both servers")
    p.add_argument("--from-key", help="key for the source (default --api-key)")
    p.add_argument("--to-key", help="key for the target (default --api-key)")
    p.add_argument("--batch", type=int, default=1000, help="records per page and write (capped by the target)")
    p.add_argument("--state", default=DEFAULT_STATE, help=f"resume state file (default ./{DEFAULT_STATE})")
    args = p.parse_args(argv)
    if args.batch < 1:
        fail("--batch must be at least 1", 2)
    source = Api(args.source, args.tenant, args.database, args.from_key or args.api_key)
    target = Api(args.target, args.to_tenant or args.tenant, args.to_database or args.database,
                 args.to_key or args.api_key)
    identity = {"from": source.base, "to": target.base, "collections": sorted(args.collection)}
    state = State(args.state, identity)
    try:
        copy(source, target, args.collection, args.batch, state)
    except ApiError as e:
        fail(f"{e}; run the same command again to continue from the last acknowledged batch"
             if os.path.exists(args.state) else str(e))
    except KeyboardInterrupt:
        fail("interrupted; run the same command again to continue from the last acknowledged batch", 130)


if __name__ == "__main__":
    main(sys.argv[1:])
