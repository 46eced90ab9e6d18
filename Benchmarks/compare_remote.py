#!/usr/bin/env python3
"""Tessera's remote (push / clone) beside DVC's (push / pull) and the `aws s3 sync` floor, on the
70,000-file Fashion-MNIST PNG folder, all against one local SeaweedFS S3 server.

Run through Benchmarks/compare_remote.sh, which installs the tools, starts SeaweedFS on loopback with
S3 auth and calls this file with its endpoint and keys in the environment (AWS_ENDPOINT_URL,
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION). Standard library only.

    python3 Benchmarks/compare_remote.py --work DIR [--tessera PATH] [--reps 3] [--only tessera,dvc,floor]
                                         [--files N] [--out FILE.md] [--timeout SECONDS]

Every repetition uses fresh buckets (so a push really uploads everything) and fresh destination
folders; the parts are interleaved and rotated per repetition. Untimed set-up (copying the folder,
`dvc add`, `tessera add/commit`, making buckets) is left out of every number.
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.dont_write_bytecode = True

PARTS = ["tessera", "dvc", "floor"]
# (key, label) of the two timed steps of every part.
STEPS = {
    "floor": [("up", "aws s3 sync DIR s3://…"), ("down", "aws s3 sync s3://… EMPTY")],
    "dvc": [("up", "dvc push"), ("down", "dvc pull (fresh git clone, empty cache)")],
    "tessera": [("up", "tessera push origin"), ("down", "tessera clone")],
}


class StepFailed(Exception):
    pass


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def machine():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    fs = subprocess.run(["df", "-T", "/tmp"], capture_output=True, text=True).stdout.splitlines()[-1].split()[1]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem_kib / 2**20, 1), "tmp_filesystem": fs,
            "kernel": platform.release(), "python": platform.python_version()}


def fmt(x, digits=2):
    if x is None:
        return "failed"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}" if x >= 0.1 else f"{x:.3f}"


def tree_digest(folder, skip_dot_top=True):
    """{relative path: sha256 hex} of every file under folder, leaving out top-level dot entries
    (.tessera, .git, .dvc, .gitignore, …), which are the tools' own metadata, not the dataset."""
    found = {}
    for d, dirs, names in os.walk(folder):
        if skip_dot_top and d == folder:
            dirs[:] = [x for x in dirs if not x.startswith(".")]
            names = [x for x in names if not x.startswith(".")]
        for n in names:
            path = os.path.join(d, n)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return found


def list_digest(digests):
    """sha256 of the sorted file list and contents: one 'path<TAB>sha256(content)' line per file."""
    h = hashlib.sha256()
    for rel in sorted(digests):
        h.update(f"{rel}\t{digests[rel]}\n".encode())
    return h.hexdigest()


class Bench:
    def __init__(self, args):
        self.args = args
        self.tessera = os.path.abspath(args.tessera) if args.tessera else None
        self.work = os.path.abspath(args.work)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        home = os.path.join(self.work, "home")
        os.makedirs(os.path.join(home, ".config", "dvc"), exist_ok=True)
        with open(os.path.join(home, ".gitconfig"), "w") as f:
            f.write("[user]\n\tname = Remote Bench\n\temail = bench@example.invalid\n"
                    "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n")
        # DVC keeps a state database in a machine-wide cache folder (/var/tmp/dvc); keep it in ours.
        self.dvc_site = os.path.join(self.work, "dvc-site")
        with open(os.path.join(home, ".config", "dvc", "config"), "w") as f:
            f.write(f"[core]\n    analytics = false\n    site_cache_dir = {self.dvc_site}\n")
        self.env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                        DVC_NO_ANALYTICS="1", GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
        for var in ("GIT_DIR", "GIT_WORK_TREE", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE"):
            self.env.pop(var, None)
        self.endpoint = self.env["AWS_ENDPOINT_URL"]
        self.env.setdefault("AWS_DEFAULT_REGION", self.env.get("AWS_REGION", "us-east-1"))
        self.raw = {"runs": [], "errors": []}

    # -- running commands ---------------------------------------------------------------------------
    def run(self, cmd, cwd=None, log=None, timeout=None):
        """Runs cmd; returns (seconds, CompletedProcess). stdout+stderr go to the log file."""
        start = time.perf_counter()
        try:
            result = subprocess.run(cmd, cwd=cwd or self.work, env=self.env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, errors="replace",
                                    timeout=timeout or self.args.timeout)
        except subprocess.TimeoutExpired as e:
            seconds = time.perf_counter() - start
            result = subprocess.CompletedProcess(cmd, 124, (e.stdout or b"").decode(errors="replace")
                                                 if isinstance(e.stdout, bytes) else (e.stdout or ""),
                                                 f"timed out after {seconds:.0f} s")
        seconds = time.perf_counter() - start
        if log:
            with open(os.path.join(self.logs, log), "a") as f:
                f.write(f"$ {' '.join(cmd)}    # {seconds:.3f} s, exit {result.returncode}\n"
                        f"{result.stdout}{result.stderr}\n")
        return seconds, result

    def must(self, cmd, cwd=None, log=None):
        seconds, result = self.run(cmd, cwd, log)
        if result.returncode != 0:
            raise StepFailed(f"`{' '.join(cmd)}` exited {result.returncode}: "
                             f"{(result.stderr or result.stdout).strip()[-1500:]}")
        return result.stdout

    def timed(self, cmd, cwd, log):
        seconds, result = self.run(cmd, cwd, log)
        if result.returncode != 0:
            raise StepFailed(f"`{' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd))}` "
                             f"exited {result.returncode} after {seconds:.1f} s: "
                             f"{(result.stderr.strip() or result.stdout.strip())[-1500:]}")
        return seconds

    def aws(self, *args):
        return ["aws", "--endpoint-url", self.endpoint, *args]

    def make_bucket(self, bucket, log):
        self.must(self.aws("s3", "mb", f"s3://{bucket}"), log=log)

    def bucket_usage(self, bucket, log):
        """(objects, bytes) in the bucket, from `aws s3 ls --recursive` (one line per object)."""
        out = self.must(self.aws("s3", "ls", "--recursive", f"s3://{bucket}"))
        objects = 0
        size = 0
        for line in out.splitlines():
            parts = line.split(None, 3)
            if len(parts) == 4 and parts[2].isdigit():
                objects += 1
                size += int(parts[2])
        with open(os.path.join(self.logs, log), "a") as f:
            f.write(f"# s3://{bucket}: {objects} objects, {size} bytes\n")
        return objects, size

    # -- the dataset --------------------------------------------------------------------------------
    def make_dataset(self):
        full = os.path.join(self.work, "fashion-mnist-full")
        how = None
        if self.tessera:
            try:
                help_text = self.must([self.tessera, "--help"])
                if re.search(r"^\s+import\s", help_text, re.M):
                    self.must([self.tessera, "import", "fashion-mnist", "--out", full], log="dataset.log")
                    how = "tessera import fashion-mnist"
            except StepFailed as e:
                print(f"  tessera import failed ({e}); using make_fashion_mnist_pngs.py", file=sys.stderr)
                shutil.rmtree(full, ignore_errors=True)
        if how is None:
            how = "Benchmarks/make_fashion_mnist_pngs.py"
            self.must([sys.executable, os.path.join(HERE, "make_fashion_mnist_pngs.py"), full], log="dataset.log")
        src = full
        if self.args.files:
            # A spread-out subset (every k-th file in sorted order), for quick runs at small scale.
            files = sorted(os.path.relpath(os.path.join(d, n), full) for d, _, ns in os.walk(full) for n in ns)
            step = max(1, len(files) // self.args.files)
            chosen = files[::step][:self.args.files]
            src = os.path.join(self.work, "fashion-mnist")
            for rel in chosen:
                os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
                shutil.copy2(os.path.join(full, rel), os.path.join(src, rel))
            shutil.rmtree(full)
            how += f", subset of {len(chosen)} files (--files)"
        self.src = src
        self.digests = tree_digest(src, skip_dot_top=False)
        self.dataset = {"made_by": how, "files": len(self.digests),
                        "bytes": sum(os.path.getsize(os.path.join(src, r)) for r in self.digests),
                        "disk_kib": self.du(src), "list_sha256": list_digest(self.digests)}

    def du(self, path):
        out = subprocess.run(["du", "-sk", path], capture_output=True, text=True, check=True).stdout
        return int(out.split()[0])

    def copy_tree(self, dst):
        os.makedirs(dst)
        subprocess.run(["cp", "-a", self.src + "/.", dst], check=True)
        subprocess.run(["sync"], check=True)

    def check(self, folder, row, what):
        """The downloaded folder must hold exactly the source's files with the source's bytes."""
        found = tree_digest(folder)
        row["files_down"] = len(found)
        row["down_list_sha256"] = list_digest(found)
        if found == self.digests:
            row["verified"] = True
            return
        missing = len(set(self.digests) - set(found))
        extra = len(set(found) - set(self.digests))
        wrong = sum(1 for k in found if k in self.digests and found[k] != self.digests[k])
        raise StepFailed(f"{what} left {len(found)} files: {missing} of the source's missing, {extra} extra, "
                         f"{wrong} with wrong bytes")

    # -- the three parts ----------------------------------------------------------------------------
    def part_floor(self, rep, row, base, log):
        bucket = f"bench-floor-r{rep}"
        row["bucket"] = bucket
        self.make_bucket(bucket, log)
        row["up"] = self.timed(self.aws("s3", "sync", "--only-show-errors", self.src, f"s3://{bucket}/data"),
                               base, log)
        row["objects"], row["bytes_stored"] = self.bucket_usage(bucket, log)
        fresh = os.path.join(base, "fresh")
        row["down"] = self.timed(self.aws("s3", "sync", "--only-show-errors", f"s3://{bucket}/data", fresh),
                                 base, log)
        self.check(fresh, row, "aws s3 sync down")

    def dvc_template(self):
        """One git+DVC repository around the dataset, `dvc add`ed once (untimed); each repetition works
        on a copy of it, so its push starts from the same state."""
        if getattr(self, "_dvc_template", None):
            return self._dvc_template
        repo = os.path.join(self.work, "dvc-template")
        os.makedirs(repo)
        subprocess.run(["cp", "-a", self.src, os.path.join(repo, "data")], check=True)
        for cmd in (["git", "init", "-q"], ["dvc", "init", "-q"], ["dvc", "add", "-q", "data"],
                    ["git", "add", "-A"], ["git", "commit", "-q", "-m", "v1"]):
            self.must(cmd, repo, log="dvc-template.log")
        self._dvc_template = repo
        return repo

    def part_dvc(self, rep, row, base, log):
        bucket = f"bench-dvc-r{rep}"
        row["bucket"] = bucket
        template = self.dvc_template()
        self.make_bucket(bucket, log)
        repo = os.path.join(base, "repo")
        subprocess.run(["cp", "-a", template, repo], check=True)
        shutil.rmtree(os.path.join(repo, ".dvc", "tmp"), ignore_errors=True)
        shutil.rmtree(self.dvc_site, ignore_errors=True)
        for cmd in (["dvc", "remote", "add", "-d", "s3", f"s3://{bucket}/store"],
                    ["dvc", "remote", "modify", "s3", "endpointurl", self.endpoint],
                    ["git", "add", "-A"], ["git", "commit", "-q", "-m", "remote"]):
            self.must(cmd, repo, log)
        subprocess.run(["sync"], check=True)
        row["up"] = self.timed(["dvc", "push", "-q"], repo, log)
        row["objects"], row["bytes_stored"] = self.bucket_usage(bucket, log)
        clone = os.path.join(base, "clone")
        self.must(["git", "clone", "-q", repo, clone], base, log)
        if os.path.exists(os.path.join(clone, ".dvc", "cache")):
            raise StepFailed("the fresh clone already has a .dvc/cache")
        row["down"] = self.timed(["dvc", "pull", "-q"], clone, log)
        self.check(os.path.join(clone, "data"), row, "dvc pull")

    def part_tessera(self, rep, row, base, log):
        if not self.tessera:
            raise StepFailed("no tessera binary")
        t = self.tessera
        bucket = f"bench-tessera-r{rep}"
        row["bucket"] = bucket
        self.make_bucket(bucket, log)
        repo = os.path.join(base, "repo")
        self.copy_tree(repo)
        for cmd in ([t, "init"], [t, "add"], [t, "commit", "-m", "v1"]):
            self.must(cmd, repo, log)
        meta = os.path.join(base, "meta.git")
        url = f"s3://{bucket}/ds"
        self.must([t, "remote", "add", "origin", url, "--git", meta], repo, log)
        subprocess.run(["sync"], check=True)
        row["up"] = self.timed([t, "push", "origin"], repo, log)
        row["objects"], row["bytes_stored"] = self.bucket_usage(bucket, log)
        row["meta_git_kib"] = self.du(meta) if os.path.exists(meta) else None
        clone = os.path.join(base, "clone")
        try:
            row["down"] = self.timed([t, "clone", url, clone], base, log)
        except StepFailed as first:
            # The descriptor in the bucket should name the git remote; if this build still needs it
            # spelled out, say so and time the clone with --git.
            shutil.rmtree(clone, ignore_errors=True)
            row["clone_without_git_failed"] = str(first)
            print(f"  tessera clone without --git failed; retrying with --git: {first}", file=sys.stderr)
            row["down"] = self.timed([t, "clone", url, clone, "--git", meta], base, log)
            row["clone_needed_git_flag"] = True
        self.check(clone, row, "tessera clone")

    def run_part(self, part, rep):
        base = os.path.join(self.work, "run", part)
        shutil.rmtree(base, ignore_errors=True)
        os.makedirs(base)
        log = f"{part}-{rep}.log"
        row = {"tool": part, "rep": rep, "loadavg_before": loadavg()}
        print(f"  rep {rep} {part} ...", file=sys.stderr, flush=True)
        try:
            getattr(self, f"part_{part}")(rep, row, base, log)
        except (StepFailed, subprocess.CalledProcessError, OSError) as error:
            row["error"] = str(error)
            self.raw["errors"].append({"tool": part, "rep": rep, "error": str(error)})
            print(f"  rep {rep} {part}: FAILED: {error}", file=sys.stderr)
        finally:
            row["loadavg_after"] = loadavg()
            if not self.args.keep:
                shutil.rmtree(base, ignore_errors=True)
        self.raw["runs"].append(row)
        shown = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()
                 if k in ("up", "down", "objects", "bytes_stored", "files_down", "verified")}
        print(f"  rep {rep} {part}: {shown}", file=sys.stderr, flush=True)

    # -- versions -----------------------------------------------------------------------------------
    def versions(self):
        v = {}
        for name, cmd in (("aws", ["aws", "--version"]), ("dvc", ["dvc", "--version"]),
                          ("weed", ["weed", "version"])):
            _, r = self.run(cmd)
            text = (r.stdout + r.stderr).strip().splitlines()
            v[name] = (f"{name} {text[0]}" if name != "aws" else text[0]) if r.returncode == 0 and text \
                else f"{name} unavailable"
        try:
            import importlib.metadata as md
            v["dvc-s3"] = "dvc-s3 " + md.version("dvc-s3") + ", s3fs " + md.version("s3fs")
        except Exception as e:  # noqa: BLE001
            v["dvc-s3"] = f"unavailable: {e}"
        if self.tessera:
            try:
                v["tessera"] = "tessera " + self.must([self.tessera, "--version"]).strip()
            except StepFailed as e:
                v["tessera"] = f"unavailable: {e}"
        return v

    def settings(self):
        s = {}
        _, r = self.run(["aws", "configure", "get", "default.s3.max_concurrent_requests"])
        s["aws_max_concurrent_requests"] = r.stdout.strip() or "10 (awscli default)"
        s["dvc_jobs"] = f"{4 * (os.cpu_count() or 1)} (DVC's default: 4 x cores)"
        return s

    # -- the whole run ------------------------------------------------------------------------------
    def go(self):
        args = self.args
        self.raw["started"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        self.raw["uptime_start"] = uptime()
        self.raw["machine"] = machine()
        self.raw["versions"] = self.versions()
        self.raw["settings"] = self.settings()
        self.raw["tessera_binary"] = self.tessera
        self.raw["endpoint"] = self.endpoint
        self.raw["server"] = args.server or ""
        self.raw["parts"] = args.only
        print("making the dataset ...", file=sys.stderr, flush=True)
        self.make_dataset()
        self.raw["dataset"] = self.dataset
        print(f"  {self.dataset}", file=sys.stderr, flush=True)
        for rep in range(args.reps):
            order = args.only[rep % len(args.only):] + args.only[:rep % len(args.only)]
            for part in order:
                self.run_part(part, rep)
        self.raw["uptime_end"] = uptime()
        self.raw["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        return self.raw


def median_of(raw, tool, key):
    values = [r[key] for r in raw["runs"] if r["tool"] == tool and "error" not in r and r.get(key) is not None]
    return (statistics.median(values), values) if values else (None, [])


def report(raw, args):
    parts = raw["parts"]
    med = {p: {k: median_of(raw, p, k)[0] for k in ("up", "down", "objects", "bytes_stored")} for p in parts}
    vals = {p: {k: median_of(raw, p, k)[1] for k in ("up", "down")} for p in parts}
    ds = raw["dataset"]
    lines = []
    w = lines.append
    w(f"# Remote benchmark: Tessera push/clone beside DVC push/pull and aws s3 sync ({raw['started'][:10]})")
    w("")
    w(f"Fashion-MNIST as {ds['files']:,} PNG files ({ds['bytes'] / 2**20:.1f} MiB of bytes, "
      f"{ds['disk_kib'] / 1024:.0f} MiB on disk), made by {ds['made_by']}. One SeaweedFS server on loopback "
      f"({raw['endpoint']}, S3 with signature auth), started by the script. Median wall-clock seconds of "
      f"{args.reps} repetition{'s' if args.reps != 1 else ''}; every repetition uses fresh buckets and fresh destination folders, parts "
      f"rotated per repetition.")
    w("")
    m = raw["machine"]
    w(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, /tmp on {m['tmp_filesystem']}, "
      f"Linux {m['kernel']}. Client and server share the 2 cores (and the machine other jobs), so the numbers "
      f"are noisy:")
    w(f"- uptime at start: `{raw['uptime_start']}`")
    w(f"- uptime at end: `{raw['uptime_end']}`")
    w("")
    w("Versions: " + "; ".join(raw["versions"].values()) + (f". Tessera binary: `{raw['tessera_binary']}`."
                                                             if raw["tessera_binary"] else "."))
    st = raw["settings"]
    w(f"Settings: awscli `s3.max_concurrent_requests` = {st['aws_max_concurrent_requests']}; "
      f"DVC jobs = {st['dvc_jobs']}; SeaweedFS: `{raw['server']}`.")
    w("")
    w("| tool | upload | s (median) | download | s (median) | S3 objects | bytes stored (MiB) | runs (up / down) |")
    w("|---|---|---|---|---|---|---|---|")
    names = {"floor": "floor (aws s3 sync)", "dvc": "dvc", "tessera": "tessera"}
    for p in parts:
        (ku, lu), (kd, ld) = STEPS[p]
        runs = " / ".join(", ".join(fmt(x) for x in vals[p][k]) or "-" for k in ("up", "down"))
        obj = f"{med[p]['objects']:,.0f}" if med[p]["objects"] is not None else "n/a"
        size = fmt(med[p]["bytes_stored"] / 2**20, 1) if med[p]["bytes_stored"] is not None else "n/a"
        w(f"| {names[p]} | `{lu}` | {fmt(med[p]['up'])} | `{ld}` | {fmt(med[p]['down'])} | {obj} | {size} | "
          f"{runs} |")
    w("")

    def ratio(a, b):
        return a / b if a and b else None

    if "tessera" in parts:
        t = med["tessera"]
        w("Ratios (above 1: Tessera is faster by that factor):")
        w("")
        w("| against | push / upload | clone / download |")
        w("|---|---|---|")
        for p in parts:
            if p == "tessera":
                continue
            cells = []
            for k in ("up", "down"):
                r = ratio(med[p][k], t[k])
                cells.append(f"{r:.2f}x" if r else "n/a")
            w(f"| {names[p]} | {cells[0]} | {cells[1]} |")
        w("")
        w("Targets (the issue: at least 5x faster than DVC, close to the floor):")
        w("")
        for k, what in (("up", "push at least 5x faster than `dvc push`"),
                        ("down", "clone at least 5x faster than `dvc pull`")):
            r = ratio(med.get("dvc", {}).get(k), t[k])
            w(f"- {what}: " + (f"{r:.1f}x — {'met' if r >= 5 else 'NOT met'}" if r else "n/a"))
        for k, what in (("up", "push beside the upload floor"), ("down", "clone beside the download floor")):
            r = ratio(t[k], med.get("floor", {}).get(k))
            w(f"- {what}: " + (f"{r:.2f}x the floor's time" if r else "n/a"))
        w("")
    elif "dvc" in parts and "floor" in parts:
        w("DVC beside the floor (no Tessera in this run):")
        w("")
        for k, what in (("up", "`dvc push` time / floor upload time"), ("down", "`dvc pull` time / floor download time")):
            r = ratio(med["dvc"][k], med["floor"][k])
            w(f"- {what}: " + (f"{r:.2f}x" if r else "n/a"))
        w("")
    rows = [r for r in raw["runs"] if r.get("verified")]
    w(f"Completeness: every download/pull/clone is checked to hold exactly the source's {ds['files']:,} files with "
      f"the source's bytes (sha256 of each file; the sorted 'path, sha256' list hashes to "
      f"`{ds['list_sha256'][:16]}…` for the source); {len(rows)} of {len(raw['runs'])} runs passed.")
    notes = [r for r in raw["runs"] if r.get("clone_needed_git_flag")]
    if notes:
        w("")
        w(f"Note: `tessera clone URL DIR` without `--git` failed in {len(notes)} run(s), which were timed with "
          f"`--git PATH` (first error: {notes[0]['clone_without_git_failed'][:300]}).")
    w("")
    w("What each row runs (untimed set-up left out: copies of the folder, bucket creation with `aws s3 mb`, "
      "`dvc add`, `tessera init/add/commit`, `tessera remote add`, `git clone` of the DVC repository):")
    w("")
    w("- floor: `aws s3 sync DIR s3://bench-floor-rN/data`, then `aws s3 sync s3://bench-floor-rN/data FRESH` into "
      "a folder that does not exist yet. One object per file.")
    w("- dvc: a git+DVC repository around the folder (`git init; dvc init; dvc add data; git commit`), "
      "`dvc remote add -d s3 s3://bench-dvc-rN/store; dvc remote modify s3 endpointurl …`, timed `dvc push`; then "
      "`git clone` of that repository (empty .dvc/cache) and timed `dvc pull` there (download into the cache, "
      "then copy into the workspace). Credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.")
    w("- tessera: `tessera init; add; commit -m v1` in a copy of the folder, "
      "`tessera remote add origin s3://bench-tessera-rN/ds --git RUN/meta.git`, timed `tessera push origin`; "
      "then timed `tessera clone s3://bench-tessera-rN/ds FRESH` (S3 settings from AWS_ENDPOINT_URL, "
      "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION). The bare git repository holding the version metadata "
      "is on the local disk and not counted in the S3 columns.")
    w("- S3 objects and bytes stored: `aws s3 ls --recursive` of the bucket right after the push/upload (object "
      "count and the sum of object sizes).")
    if raw["errors"]:
        w("")
        w("Failures:")
        for e in raw["errors"]:
            w(f"- {e['tool']} repetition {e['rep']}: {e['error'][:1500].replace(chr(10), ' ')}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Tessera's remote beside DVC's and aws s3 sync.")
    parser.add_argument("--work", required=True, help="an empty scratch folder (the .sh makes it)")
    parser.add_argument("--tessera", default=os.environ.get("TESSERA", os.path.join(ROOT, ".build/release/tessera")))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default=",".join(PARTS), help="comma list of tessera,dvc,floor")
    parser.add_argument("--files", type=int, default=0, help="use a spread-out subset of N files (quick runs)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before one command is killed")
    parser.add_argument("--server", default="", help="the SeaweedFS command line, for the report")
    parser.add_argument("--out", default=None)
    parser.add_argument("--keep", action="store_true", help="keep run folders (the .sh keeps --work)")
    args = parser.parse_args()
    args.only = [p.strip() for p in args.only.split(",") if p.strip()]
    for p in args.only:
        if p not in PARTS:
            parser.error(f"--only: unknown part {p!r} (known: {', '.join(PARTS)})")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if not os.environ.get("AWS_ENDPOINT_URL"):
        parser.error("AWS_ENDPOINT_URL is not set (run through compare_remote.sh)")
    if args.tessera and not os.access(args.tessera, os.X_OK):
        if "tessera" in args.only:
            parser.error(f"--tessera: {args.tessera} is not an executable")
        args.tessera = None
    if args.out is None:
        stem = f"remote-{datetime.date.today().isoformat()}"
        if args.files:
            stem += f"-{args.files}files"
        args.out = os.path.join(ROOT, "Benchmarks", "results", stem + ".md")
    bench = Bench(args)
    raw = bench.go()
    text = report(raw, args)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    json_path = os.path.splitext(args.out)[0] + ".json"
    with open(json_path, "w") as f:
        json.dump(raw, f, indent=1)
    sys.stdout.write(text)
    print(f"\nwrote {args.out} and {json_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
