#!/usr/bin/env python3
"""Tessera's store beside git, git-lfs, DVC and Oxen on the 70,000-file Fashion-MNIST PNG folder.

Run through Benchmarks/compare_store.sh, which installs the tools, compiles the hash floor and calls
this file. Standard library only. What is measured, per tool, is written into the report itself
(see MEASUREMENTS below); README.md beside this file explains how to read it.

    python3 Benchmarks/compare_store.py --floor-bin PATH [--tessera PATH] [--reps 3] [--out FILE.md]
                                        [--scale 1000000] [--tools tessera,git,...] [--keep]
    python3 Benchmarks/compare_store.py oxen OP ...     (the Oxen driver, see OxenDriver below)
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
from make_fashion_mnist_pngs import CLASSES, grey_png  # noqa: E402

DATA_DIRS = ["train", "test"]
CHANGED_FILES = 600
NEW_FILES = 100
MEASUREMENTS = [
    ("add", "init + add + commit, 70,000 files"),
    ("status", "no-op status"),
    ("status_monitor", "no-op status, file monitor on³"),
    ("change", "commit after 1% change (600 modified, 100 new)"),
    ("change_all", "another 1% change, one command⁴"),
    ("checkout", "checkout v1 into an empty folder"),
]
# ext4 without a journal (this machine's /) skips, when it allocates an inode, those freed in the last 60 s, or in
# the last 360 s while their inode-table block is dirty (fs/ext4/ialloc.c, recently_deleted) -- and the checkout
# dirties those blocks itself with its first allocations, so a sync beforehand does not help. After deleting
# 70,000 files every new file scans past thousands of them: a checkout after a 61 s wait measured 3-26 s for the
# same tessera binary on an idle machine (perf: recently_deleted, find_get_block_common, rwsem spinning; 47 s of
# system time on 2 cores), 2.3 s after 365 s. So no folder is deleted during a repetition: old folders are moved
# to a trash folder, emptied when the next repetition starts, and each checkout waits until that is this old.
DELETION_SETTLE_SECONDS = 361


# ---------------------------------------------------------------------------------------------------
# Oxen driver. The PyPI package `oxenai` ships only Python bindings (oxen/oxen_py.abi3.so, the Rust
# liboxen the `oxen` CLI is built on) and no `oxen` executable; the CLI itself is distributed as a
# prebuilt binary outside PyPI, which this machine cannot fetch. So each Oxen step runs in its own
# process through these bindings, and reports the seconds spent inside the liboxen call, which leaves
# out the ~0.3 s Python start-up and `import oxen` a native CLI would not pay (that favours Oxen).
# ---------------------------------------------------------------------------------------------------
def oxen_driver(argv):
    started = time.perf_counter()
    import oxen
    from oxen import user
    imported = time.perf_counter()
    op, args = argv[0], argv[1:]
    repo = oxen.Repo(".")
    t0 = time.perf_counter()
    code = 0
    if op == "version":
        print(oxen.__version__)
    elif op == "config":
        user.config_user(args[0], args[1])
    elif op == "init":
        repo.init()
    elif op == "add":
        for path in args:
            repo.add(path)
    elif op == "commit":
        repo.commit(args[0])
    elif op == "status":
        print(repo.status())
    elif op == "clean":
        status = repo.status()
        if not status.is_clean():
            print(status)
            code = 1
    elif op == "head":
        print(repo.log()[0].id)
    elif op == "restore":
        for path in args[1:]:
            repo.restore(path, source=args[0])
    else:
        sys.exit(f"oxen driver: unknown operation {op!r}")
    t1 = time.perf_counter()
    print(f"OXEN-SECONDS {t1 - t0:.6f} STARTUP {imported - started:.6f}")
    sys.exit(code)


# ---------------------------------------------------------------------------------------------------
# Tools: the commands of each measurement, run in the repository folder (the dataset's root, holding
# train/ and test/). Every list is run in order and timed as a whole.
# ---------------------------------------------------------------------------------------------------
class Tool:
    name = ""
    store_paths = []

    def __init__(self, bench):
        self.bench = bench

    def add_commit(self):
        raise NotImplementedError

    def status(self):
        raise NotImplementedError

    def tag_v1(self):
        raise NotImplementedError

    def change_commit(self):
        raise NotImplementedError

    def checkout_v1(self):
        raise NotImplementedError

    def is_clean(self, repo):
        raise NotImplementedError

    def version(self):
        raise NotImplementedError


class Git(Tool):
    name = "git"
    store_paths = [".git"]

    def add_commit(self):
        return [["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "v1"]]

    def status(self):
        return [["git", "status"]]

    def tag_v1(self):
        return [["git", "tag", "v1"]]

    def change_commit(self):
        return [["git", "add", "-A"], ["git", "commit", "-q", "-m", "v2"]]

    def checkout_v1(self):
        return [["git", "checkout", "-q", "-f", "v1"]]

    def is_clean(self, repo):
        return self.bench.output(["git", "status", "--porcelain"], repo).strip() == ""

    def version(self):
        return self.bench.output(["git", "--version"]).strip()


class GitLFS(Git):
    name = "git-lfs"

    def add_commit(self):
        return [["git", "init", "-q"], ["git", "lfs", "install", "--local"], ["git", "lfs", "track", "*.png"],
                ["git", "add", "-A"], ["git", "commit", "-q", "-m", "v1"]]

    def version(self):
        return self.bench.output(["git", "lfs", "version"]).strip()


class DVC(Tool):
    name = "dvc"
    # .dvc/cache holds every version's files; .git holds the .dvc pointer files.
    store_paths = [".git", ".dvc"]

    def add_commit(self):
        return [["git", "init", "-q"], ["dvc", "init", "-q"], ["dvc", "add", "-q"] + DATA_DIRS,
                ["git", "add", "train.dvc", "test.dvc", ".gitignore"], ["git", "commit", "-q", "-m", "v1"]]

    def status(self):
        return [["dvc", "status"]]

    def tag_v1(self):
        return [["git", "tag", "v1"]]

    def change_commit(self):
        return [["dvc", "add", "-q"] + DATA_DIRS, ["git", "add", "train.dvc", "test.dvc"],
                ["git", "commit", "-q", "-m", "v2"]]

    def checkout_v1(self):
        # git brings back v1's .dvc pointers, dvc materialises the data they name from .dvc/cache.
        return [["git", "checkout", "-q", "-f", "v1"], ["dvc", "checkout", "-q", "--force"]]

    def is_clean(self, repo):
        dvc = self.bench.output(["dvc", "status"], repo)
        git = self.bench.output(["git", "status", "--porcelain"], repo)
        return "up to date" in dvc and git.strip() == ""

    def version(self):
        return "dvc " + self.bench.output(["dvc", "--version"]).strip()


class Oxen(Tool):
    name = "oxen"
    store_paths = [".oxen"]

    def driver(self, *args):
        return [sys.executable, os.path.abspath(__file__), "oxen", *args]

    def add_commit(self):
        return [self.driver("init"), self.driver("add", "."), self.driver("commit", "v1")]

    def status(self):
        return [self.driver("status")]

    def tag_v1(self):
        return []

    def after_v1(self, repo):
        # Oxen has no tags; the restore names v1 by its commit id.
        self.v1 = self.bench.output(self.driver("head"), repo).split()[0]

    def change_commit(self):
        return [self.driver("add", "."), self.driver("commit", "v2")]

    def checkout_v1(self):
        # `checkout <v1>` refuses in an emptied tree: it reports v2's modified files, now deleted, as
        # local changes it would overwrite. `restore --source <v1>` materialises the same 70,000 files
        # (HEAD stays at v2).
        return [self.driver("restore", self.v1, *DATA_DIRS)]

    def is_clean(self, repo):
        return subprocess.run(self.driver("clean"), cwd=repo, env=self.bench.env,
                              stdout=subprocess.DEVNULL).returncode == 0

    def version(self):
        return "oxenai " + self.bench.output(self.driver("version")).split()[0] + " (Python bindings; no CLI)"


class Tessera(Tool):
    name = "tessera"
    store_paths = [".tessera"]

    def t(self, *args):
        return [self.bench.tessera, *args]

    def add_commit(self):
        return [self.t("init"), self.t("add"), self.t("commit", "-m", "v1")]

    def status(self):
        return [self.t("status")]

    def tag_v1(self):
        return [self.t("tag", "v1")]

    def start_monitor(self, repo):
        """Untimed set-up, like enabling git's fsmonitor: start the monitor, and one status (its first answer is
        "compare everything", which records the snapshot later answers build on)."""
        self.bench.output(self.t("monitor", "start"), repo)
        self.bench.output(self.t("status"), repo)

    def stop_monitor(self, repo):
        self.bench.output(self.t("monitor", "stop"), repo)

    def change_commit(self):
        return [self.t("add"), self.t("commit", "-m", "v2")]

    def change_commit_all(self):
        """Tessera's one-command form of the same step (git's `commit -a` would miss the new files)."""
        return [self.t("commit", "--all", "-m", "v3")]

    def checkout_v1(self):
        return [self.t("checkout", "v1", "--force", "--link", self.bench.args.tessera_link)]

    def is_clean(self, repo):
        report = json.loads(self.bench.output(self.t("status", "--json"), repo))
        lists = [report.get("untracked", [])]
        for group in ("staged", "unstaged"):
            lists += list(report.get(group, {}).values())
        return all(len(entries) == 0 for entries in lists)

    def version(self):
        return "tessera " + self.bench.output(self.t("--version")).strip()


TOOLS = {cls.name: cls for cls in (Tessera, Git, GitLFS, DVC, Oxen)}


class StepFailed(Exception):
    pass


# ---------------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.args = args
        self.tessera = os.path.abspath(args.tessera)
        self.work = tempfile.mkdtemp(prefix="tessera-store-bench.", dir="/tmp")
        self.last_deletion = time.monotonic()  # what was deleted on this machine just before is unknown
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs)
        home = os.path.join(self.work, "home")
        os.makedirs(os.path.join(home, ".config", "dvc"))
        with open(os.path.join(home, ".gitconfig"), "w") as f:
            # No automatic gc: after a 70,000-file commit git forks `gc --auto` into the background, which packs
            # and deletes the loose objects while later steps (and other tools) are being timed.
            f.write("[user]\n\tname = Store Bench\n\temail = bench@example.invalid\n"
                    "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
                    "[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n")
        # DVC keeps a state database in a machine-wide cache folder (/var/tmp/dvc); keep it in ours.
        with open(os.path.join(home, ".config", "dvc", "config"), "w") as f:
            f.write(f"[core]\n    analytics = false\n    site_cache_dir = {self.work}/dvc-site\n")
        self.env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
                        DVC_NO_ANALYTICS="1", GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
        self.env.pop("GIT_DIR", None)
        self.env.pop("GIT_WORK_TREE", None)
        self.raw = {"runs": [], "errors": []}

    def output(self, cmd, cwd=None):
        result = subprocess.run(cmd, cwd=cwd or self.work, env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            raise StepFailed(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr.strip()[-400:]}")
        return result.stdout

    def timed(self, steps, cwd, log_name):
        """Runs the commands in order; returns (wall seconds, seconds inside Oxen's calls or None)."""
        inner = None
        with open(os.path.join(self.logs, log_name), "a") as log:
            start = time.perf_counter()
            for cmd in steps:
                result = subprocess.run(cmd, cwd=cwd, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, errors="replace")
                log.write(f"$ {' '.join(cmd)}\n{result.stdout}\n")
                if result.returncode != 0:
                    raise StepFailed(f"`{' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd))}`"
                                     f" exited {result.returncode}: {result.stdout.strip()[-300:]}")
                match = re.search(r"OXEN-SECONDS ([0-9.]+)", result.stdout)
                if match:
                    inner = (inner or 0.0) + float(match.group(1))
            wall = time.perf_counter() - start
        return wall, inner

    # -- the dataset --------------------------------------------------------------------------------
    def make_dataset(self):
        src = os.path.join(self.work, "fashion-mnist")
        help_text = self.output([self.tessera, "--help"])
        if re.search(r"^\s+import\s", help_text, re.M):
            how = "tessera import fashion-mnist"
            self.output([self.tessera, "import", "fashion-mnist", "--out", src])
        else:
            how = "Benchmarks/make_fashion_mnist_pngs.py"
            self.output([sys.executable, os.path.join(HERE, "make_fashion_mnist_pngs.py"), src])
        self.src = src
        self.files = sorted(os.path.relpath(os.path.join(d, n), src)
                            for d, _, names in os.walk(src) for n in names)
        self.digests = {}
        total = 0
        for rel in self.files:
            with open(os.path.join(src, rel), "rb") as f:
                data = f.read()
            total += len(data)
            self.digests[rel] = hashlib.sha256(data).hexdigest()
        self.dataset = {"made_by": how, "files": len(self.files), "bytes": total,
                        "disk_kib": self.du([src])}
        self.make_delta()

    def make_delta(self):
        """600 existing PNGs re-encoded with other pixels and 100 new PNGs: the 1% change of version 2."""
        delta = os.path.join(self.work, "delta")
        rng = random.Random(20260)
        step = len(self.files) / CHANGED_FILES
        changed = [self.files[int(i * step)] for i in range(CHANGED_FILES)]
        for k, rel in enumerate(changed + [f"train/{CLASSES[k % 10]}/new-{k}.png" for k in range(NEW_FILES)]):
            path = os.path.join(delta, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(grey_png(rng.randbytes(28 * 28), 28, 28))
        self.delta = delta
        self.changed = changed
        # A second 1% change, of other files, for the one-command row.
        delta2 = os.path.join(self.work, "delta2")
        changed2 = [self.files[int(i * step + step / 2)] for i in range(CHANGED_FILES)]
        for k, rel in enumerate(changed2 + [f"train/{CLASSES[k % 10]}/newer-{k}.png" for k in range(NEW_FILES)]):
            path = os.path.join(delta2, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(grey_png(rng.randbytes(28 * 28), 28, 28))
        self.delta2 = delta2

    # -- helpers ------------------------------------------------------------------------------------
    def du(self, paths):
        existing = [p for p in paths if os.path.exists(p)]
        if not existing:
            return 0
        out = subprocess.run(["du", "-sk", "-c", *existing], capture_output=True, text=True, check=True).stdout
        return int(out.strip().splitlines()[-1].split()[0])

    def copy_tree(self, src, dst):
        subprocess.run(["cp", "-a", src + "/.", dst], check=True)

    def verify_v1(self, repo):
        """The checked-out tree must hold exactly v1's files with v1's bytes."""
        found = {}
        for top in DATA_DIRS:
            for d, _, names in os.walk(os.path.join(repo, top)):
                for n in names:
                    path = os.path.join(d, n)
                    with open(path, "rb") as f:
                        found[os.path.relpath(path, repo)] = hashlib.sha256(f.read()).hexdigest()
        if found == self.digests:
            return None
        missing = len(set(self.digests) - set(found))
        extra = len(set(found) - set(self.digests))
        wrong = sum(1 for k in found if k in self.digests and found[k] != self.digests[k])
        return f"checkout left {missing} of v1's files missing, {extra} extra, {wrong} with wrong bytes"

    # -- one repetition of one tool -----------------------------------------------------------------
    def delete(self, path):
        """Moves a folder to the trash, which only empty_trash deletes: see DELETION_SETTLE_SECONDS."""
        if os.path.exists(path):
            trash = os.path.join(self.work, "trash")
            os.makedirs(trash, exist_ok=True)
            os.rename(path, os.path.join(trash, str(len(os.listdir(trash)))))

    def empty_trash(self):
        """Deletes what delete moved aside and notes when: see DELETION_SETTLE_SECONDS."""
        trash = os.path.join(self.work, "trash")
        if os.path.exists(trash):
            shutil.rmtree(trash, ignore_errors=True)
            subprocess.run(["sync"], check=True)
            self.last_deletion = time.monotonic()

    def run_tool(self, tool, rep):
        repo = os.path.join(self.work, "run", tool.name)
        self.delete(repo)
        os.makedirs(repo)
        self.copy_tree(self.src, repo)
        subprocess.run(["sync"], check=True)
        log = f"{tool.name}-{rep}.log"
        row = {"tool": tool.name, "rep": rep, "loadavg_before": loadavg()}
        try:
            row["add"], row["add_inner"] = self.timed(tool.add_commit(), repo, log)
            row["status"], row["status_inner"] = self.timed(tool.status(), repo, log)
            if hasattr(tool, "start_monitor"):
                tool.start_monitor(repo)
                row["status_monitor"], _ = self.timed(tool.status(), repo, log)
            self.timed(tool.tag_v1(), repo, log)
            if hasattr(tool, "after_v1"):
                tool.after_v1(repo)
            subprocess.run(["cp", "-r", self.delta + "/.", repo], check=True)
            subprocess.run(["sync"], check=True)
            row["change"], row["change_inner"] = self.timed(tool.change_commit(), repo, log)
            if not tool.is_clean(repo):
                raise StepFailed("status is not clean after the version-2 commit (changes were missed)")
            if hasattr(tool, "change_commit_all"):
                subprocess.run(["cp", "-r", self.delta2 + "/.", repo], check=True)
                subprocess.run(["sync"], check=True)
                row["change_all"], _ = self.timed(tool.change_commit_all(), repo, log)
                if not tool.is_clean(repo):
                    raise StepFailed("status is not clean after the version-3 commit (changes were missed)")
            if hasattr(tool, "stop_monitor"):
                tool.stop_monitor(repo)  # checkout is measured without it, as before
            row["store_kib"] = self.du([os.path.join(repo, p) for p in tool.store_paths])
            aside = os.path.join(self.work, "aside", tool.name)
            self.delete(aside)
            os.makedirs(aside)
            for top in DATA_DIRS:
                os.rename(os.path.join(repo, top), os.path.join(aside, top))
            subprocess.run(["sync"], check=True)
            settle = DELETION_SETTLE_SECONDS - (time.monotonic() - self.last_deletion)
            if settle > 0:
                time.sleep(settle)
            row["checkout"], row["checkout_inner"] = self.timed(tool.checkout_v1(), repo, log)
            problem = self.verify_v1(repo)
            if problem:
                raise StepFailed(problem)
        except StepFailed as error:
            row["error"] = str(error)
            self.raw["errors"].append({"tool": tool.name, "rep": rep, "error": str(error)})
            print(f"  {tool.name} rep {rep}: FAILED: {error}", file=sys.stderr)
        finally:
            self.delete(repo)
            self.delete(os.path.join(self.work, "aside", tool.name))
        self.raw["runs"].append(row)
        shown = {k: round(v, 3) for k, v in row.items() if isinstance(v, float)}
        print(f"  rep {rep} {tool.name}: {shown}", file=sys.stderr)

    def run_floor(self, rep):
        """The floor, on a fresh copy like every tool's: all cores, then one thread for reference."""
        repo = os.path.join(self.work, "run", "floor")
        self.delete(repo)
        os.makedirs(repo)
        self.copy_tree(self.src, repo)
        subprocess.run(["sync"], check=True)
        row = {"tool": "floor", "rep": rep, "loadavg_before": loadavg()}
        start = time.perf_counter()
        row["output"] = self.output([self.args.floor_bin, repo]).strip()
        row["add"] = time.perf_counter() - start
        start = time.perf_counter()
        row["one_thread_output"] = self.output([self.args.floor_bin, repo, "1"]).strip()
        row["one_thread"] = time.perf_counter() - start
        self.delete(repo)
        self.raw["runs"].append(row)
        print(f"  rep {rep} floor: {row['add']:.3f} s (one thread {row['one_thread']:.3f} s)", file=sys.stderr)

    def oxen_startup(self):
        samples = []
        for _ in range(3):
            out = self.output(Oxen(self).driver("version"))
            samples.append(float(re.search(r"STARTUP ([0-9.]+)", out).group(1)))
        return statistics.median(samples)

    # -- scale run ----------------------------------------------------------------------------------
    def scale_run(self, count):
        folder = os.path.join(self.work, "scale")
        rng = random.Random(count)
        folders = 1000
        started = time.perf_counter()
        for i in range(count):
            d = os.path.join(folder, f"d{i % folders:03d}")
            if i < folders:
                os.makedirs(d)
            with open(os.path.join(d, f"f{i:07d}.bin"), "wb") as f:
                f.write(rng.randbytes(rng.randint(16, 64)))
        made = time.perf_counter() - started
        subprocess.run(["sync"], check=True)
        result = {"files": count, "folders": folders, "generate_seconds": made, "data_kib": self.du([folder]),
                  "steps": {}}
        start = time.perf_counter()
        floor = self.output([self.args.floor_bin, folder]).strip()
        result["floor_seconds"] = time.perf_counter() - start
        result["floor_output"] = floor
        for name, cmd in (("init", ["init"]), ("add", ["add"]), ("commit", ["commit", "-m", "scale"]),
                          ("status", ["status"])):
            r = subprocess.run(["/usr/bin/time", "-v", self.tessera, *cmd], cwd=folder, env=self.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            step = {"exit": r.returncode}
            for key, pattern in (("max_rss_kib", r"Maximum resident set size \(kbytes\): (\d+)"),
                                 ("elapsed", r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)"),
                                 ("user", r"User time \(seconds\): ([0-9.]+)"),
                                 ("system", r"System time \(seconds\): ([0-9.]+)")):
                m = re.search(pattern, r.stderr)
                step[key] = (clock_seconds(m.group(1)) if key == "elapsed" else float(m.group(1))) if m else None
            if r.returncode != 0:
                step["stderr"] = r.stderr.strip()[-500:]
            result["steps"][name] = step
            print(f"  scale {name}: {step}", file=sys.stderr)
        result["store_kib"] = self.du([os.path.join(folder, ".tessera")])
        shutil.rmtree(folder, ignore_errors=True)
        return result

    # -- the whole run ------------------------------------------------------------------------------
    def run(self):
        args = self.args
        self.raw["started"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        self.raw["uptime_start"] = uptime()
        tools = [TOOLS[name](self) for name in args.tools]
        self.raw["versions"] = {}
        for tool in tools:
            try:
                self.raw["versions"][tool.name] = tool.version()
            except StepFailed as error:
                self.raw["versions"][tool.name] = f"unavailable: {error}"
        self.raw["versions"]["floor"] = "hash_floor.c, " + self.output(["openssl", "version"]).strip()
        self.raw["machine"] = machine()
        self.raw["tessera_binary"] = self.tessera
        print("making the dataset ...", file=sys.stderr)
        self.make_dataset()
        self.raw["dataset"] = self.dataset
        print(f"  {self.dataset}", file=sys.stderr)
        if "oxen" in args.tools:
            self.output(Oxen(self).driver("config", "Store Bench", "bench@example.invalid"))
            self.raw["oxen_startup_seconds"] = self.oxen_startup()
        for rep in range(args.reps):
            self.empty_trash()
            # Rotate the order so no tool always runs first (or right after the heaviest one).
            order = tools + ["floor"]
            order = order[rep % len(order):] + order[:rep % len(order)]
            for tool in order:
                if tool == "floor":
                    self.run_floor(rep)
                else:
                    self.run_tool(tool, rep)
        self.raw["floor_median"] = medians(self.raw, "floor", "add")[0]
        self.raw["floor_one_thread_median"] = medians(self.raw, "floor", "one_thread")[0]
        if args.scale:
            print(f"scale run: {args.scale} files ...", file=sys.stderr)
            self.raw["scale"] = self.scale_run(args.scale)
        self.raw["uptime_end"] = uptime()
        self.raw["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        return self.raw

    def cleanup(self):
        if self.args.keep:
            print(f"kept {self.work}", file=sys.stderr)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def clock_seconds(text):
    seconds = 0.0
    for part in text.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


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


def medians(raw, tool, key):
    values = [r[key] for r in raw["runs"] if r["tool"] == tool and "error" not in r and r.get(key) is not None]
    return (statistics.median(values), values) if values else (None, [])


def fmt(x, digits=2):
    if x is None:
        return "failed"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}f}" if x >= 0.1 else f"{x:.3f}"


def report(raw, args):
    tools = [t for t in args.tools]
    # Oxen's seconds are the time inside liboxen's calls (see oxen_driver); everyone else's are wall.
    med = {t: {k: medians(raw, t, f"{k}_inner" if t == "oxen" else k)[0] for k, _ in MEASUREMENTS} for t in tools}
    size = {t: medians(raw, t, "store_kib")[0] for t in tools}
    lines = []
    w = lines.append
    others = [t for t in tools if t != "tessera"]
    w(f"# Store benchmark: Tessera beside {', '.join(others) or 'the floor'} ({raw['started'][:10]})")
    w("")
    w(f"Fashion-MNIST as {raw['dataset']['files']:,} PNG files ({raw['dataset']['bytes'] / 2**20:.1f} MiB of bytes, "
      f"{raw['dataset']['disk_kib'] / 1024:.0f} MiB on disk), made by {raw['dataset']['made_by']}. "
      f"Median wall-clock seconds of {args.reps} repetitions, each on a fresh copy of the folder (warm page cache), "
      f"tools interleaved and rotated per repetition.")
    w("")
    m = raw["machine"]
    w(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, /tmp on {m['tmp_filesystem']}, "
      f"Linux {m['kernel']}. Shared with other jobs, so the numbers are noisy:")
    w(f"- uptime at start: `{raw['uptime_start']}`")
    w(f"- uptime at end: `{raw['uptime_end']}`")
    w("")
    w("Versions: " + "; ".join(f"{v}" for v in raw["versions"].values()) + f". Tessera binary: `{raw['tessera_binary']}`.")
    w("")
    header = "| tool | " + " | ".join(label for _, label in MEASUREMENTS) + " | store after v2 (MiB) |"
    w(header)
    w("|" + "---|" * (len(MEASUREMENTS) + 2))
    for t in tools:
        cells = [fmt(med[t][k]) if k not in ("status_monitor", "change_all") or t == "tessera" else "n/a"
                 for k, _ in MEASUREMENTS]
        name = "oxen¹" if t == "oxen" else t
        w(f"| {name} | " + " | ".join(cells) + f" | {fmt(size[t] / 1024 if size[t] else None, 1)} |")
    floor = raw["floor_median"]
    w(f"| floor² | {fmt(floor)} |" + " |" * len(MEASUREMENTS))
    w("")
    if "tessera" in tools:
        w("Each tool's time divided by Tessera's (above 1: Tessera is faster by that factor):")
        w("")
        w("| tool | " + " | ".join(label for _, label in MEASUREMENTS) + " | store size |")
        w("|" + "---|" * (len(MEASUREMENTS) + 2))
        tess = med["tessera"]
        for t in tools:
            if t == "tessera":
                continue
            cells = [f"{med[t][k] / tess[k]:.1f}x" if med[t][k] and tess[k] else "n/a" for k, _ in MEASUREMENTS]
            ratio = f"{size[t] / size['tessera']:.1f}x" if size[t] and size["tessera"] else "n/a"
            w(f"| {t} | " + " | ".join(cells) + f" | {ratio} |")
        if tess["add"]:
            w(f"| floor² | {floor / tess['add']:.2f}x |" + " |" * len(MEASUREMENTS))
        w("")
        w("Targets (docs: DESIGN.md, 'Targets we measure ourselves by'):")
        w("")

        def target(text, value, ok):
            w(f"- {text}: {value} — {'met' if ok else 'NOT met'}" if value is not None else f"- {text}: n/a")

        def ratio(a, b):
            return a / b if a and b else None

        r = ratio(med.get("dvc", {}).get("add"), tess["add"])
        target("add+commit at least 10x faster than DVC", r and f"{r:.1f}x", r is not None and r >= 10)
        r = ratio(med.get("oxen", {}).get("add"), tess["add"])
        target("add+commit at least 2x faster than Oxen", r and f"{r:.1f}x", r is not None and r >= 2)
        r = ratio(tess["add"], floor)
        target("add+commit within 3x of the floor", r and f"{r:.2f}x the floor", r is not None and r <= 3)
        r = ratio(tess["status"], tess["add"])
        target("no-op status under 5% of a fresh add (no monitor)", r and f"{100 * r:.1f}%", r is not None and r < 0.05)
        r = ratio(tess["status_monitor"], tess["add"])
        target("no-op status under 5% of a fresh add (file monitor on³)", r and f"{100 * r:.1f}%",
               r is not None and r < 0.05)
        r = ratio(tess["change"], tess["add"])
        target("a commit after changing 1% of the files under 10% of a fresh add (file monitor on³; `add; commit`)",
               r and f"{100 * r:.1f}%", r is not None and r < 0.10)
        r = ratio(tess["change_all"], tess["add"])
        target("the same with one command (file monitor on³; `commit --all`⁴)", r and f"{100 * r:.1f}%",
               r is not None and r < 0.10)
        r = ratio(med.get("dvc", {}).get("checkout"), tess["checkout"])
        target("checkout at least 5x faster than DVC's", r and f"{r:.1f}x", r is not None and r >= 5)
        w("")
    last = [r for r in raw["runs"] if r["tool"] == "floor"][-1]
    w(f"² floor: `Benchmarks/hash_floor.c` walks the folder, then reads and SHA-256-hashes every file with OpenSSL "
      f"(SHA-NI) on {raw['machine']['cores']} threads, on a fresh copy in the same rotation as the tools; "
      f"median {fmt(floor)} s (one thread: {fmt(raw['floor_one_thread_median'])} s). Last output: `{last['output']}`.")
    if "oxen" in tools:
        w("")
        w(f"¹ oxen: PyPI's `oxenai` has no `oxen` CLI, only Python bindings to liboxen (the Rust core of the CLI). "
          f"Each step runs in its own process through them, and the seconds shown are those spent inside the "
          f"liboxen calls, leaving out Python start-up and `import oxen` (median {raw['oxen_startup_seconds']:.2f} s "
          f"per process, which a native CLI would not pay).")
    w("")
    w("What each column runs (in the dataset's root, which holds train/ and test/):")
    w("")
    w("- init + add + commit: git `init; add -A; commit`; git-lfs `init; lfs install --local; lfs track '*.png'; "
      "add -A; commit`; DVC `git init; dvc init; dvc add train test; git add *.dvc .gitignore; git commit`; "
      "Oxen `init; add .; commit`; Tessera `init; add; commit`.")
    w("- no-op status, right after: `git status`, `dvc status`, Oxen `status`, `tessera status`.")
    w(f"- 1% change: {CHANGED_FILES} existing PNGs rewritten with other pixels and {NEW_FILES} new PNGs, then git "
      "`add -A; commit`; DVC `dvc add train test; git add; git commit`; Oxen `add .; commit`; Tessera `add; commit`. "
      "Afterwards each tool's status must be clean, or the run counts as failed.")
    w("- checkout v1 into an empty folder: train/ and test/ moved out of the dataset (stores and pointer files stay), "
      f"then `sync` and a wait until the run's last deletion is {DELETION_SETTLE_SECONDS} s old (nothing is deleted "
      "during a repetition: ext4 without a journal skips inodes freed in the last 60 s, 360 s while their "
      "inode-table block is dirty, when it allocates new ones, which made a checkout after a 61 s wait measure the "
      "deletion); git/git-lfs `checkout -f v1`; DVC "
      "`git checkout -f v1; dvc checkout --force`; Oxen `restore --source <v1 id> train test` (its `checkout <v1>` "
      "refuses in an emptied tree, reporting the deleted files as local changes; HEAD stays at v2); Tessera "
      f"`checkout v1 --force --link {args.tessera_link}`. The tree must then hold exactly v1's 70,000 files, byte "
      "for byte. No tool can reflink on ext4, so DVC and Tessera copy.")
    w("- ³ file monitor: for Tessera, `tessera monitor start` and one `tessera status` after the first commit, "
      "untimed (as enabling git's fsmonitor would be; git 2.39's built-in fsmonitor does not run on Linux, the "
      "other tools have none). The monitored status and the 1% changes ran with it; it was stopped before the "
      "checkout.")
    w(f"- ⁴ another 1% change (Tessera only): after version 2, {CHANGED_FILES} other PNGs rewritten and {NEW_FILES} more "
      "new ones, then `tessera commit --all -m v3`, which stages every change (new files too, unlike `git commit -a`) "
      "and commits in one process; status must be clean afterwards. The other tools have no one-command form "
      "that takes new files (git's `commit -a` skips them).")
    w("- store after v2: `du -sk` of .git (git, git-lfs: includes .git/lfs), .git + .dvc (DVC: includes "
      ".dvc/cache), .oxen, .tessera.")
    if raw["errors"]:
        w("")
        w("Failures:")
        for e in raw["errors"]:
            w(f"- {e['tool']} repetition {e['rep']}: {e['error']}")
    if "scale" in raw:
        s = raw["scale"]
        w("")
        w(f"## Scale: {s['files']:,} files of 16-64 random bytes in {s['folders']} folders "
          f"({s['data_kib'] / 1024:.0f} MiB on disk), Tessera only, one run")
        w("")
        w("| step | wall (s) | user (s) | system (s) | peak memory (MiB) |")
        w("|---|---|---|---|---|")
        for name, step in s["steps"].items():
            rss = step.get("max_rss_kib")
            state = "" if step["exit"] == 0 else f" (exit {step['exit']})"
            w(f"| tessera {name}{state} | {fmt(step.get('elapsed'))} | {fmt(step.get('user'))} | "
              f"{fmt(step.get('system'))} | {fmt(rss / 1024 if rss else None, 1)} |")
        total = sum((s["steps"][k].get("elapsed") or 0) for k in ("init", "add", "commit"))
        w("")
        w(f"init + add + commit: {total:.1f} s; the floor on the same files: {s['floor_seconds']:.1f} s "
          f"(`{s['floor_output']}`); .tessera afterwards: {s['store_kib'] / 1024:.0f} MiB. "
          f"Peak memory from `/usr/bin/time -v` (Maximum resident set size).")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "oxen":
        return oxen_driver(sys.argv[2:])
    parser = argparse.ArgumentParser(description="Tessera's store beside git, git-lfs, DVC and Oxen.")
    parser.add_argument("--tessera", default=os.environ.get("TESSERA", os.path.join(ROOT, ".build/release/tessera")))
    parser.add_argument("--floor-bin", required=True, help="the compiled hash_floor program")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(
        ROOT, "Benchmarks", "results", f"store-{datetime.date.today().isoformat()}.md"))
    parser.add_argument("--scale", type=int, default=0, help="also time Tessera on N tiny files (e.g. 1000000)")
    parser.add_argument("--tools", default="tessera,git,git-lfs,dvc,oxen")
    parser.add_argument("--tessera-link", default="auto", choices=["auto", "copy", "hardlink", "reflink"])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (for its logs)")
    args = parser.parse_args()
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in args.tools:
        if t not in TOOLS:
            parser.error(f"--tools: unknown tool {t!r} (known: {', '.join(TOOLS)})")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if not os.access(args.tessera, os.X_OK):
        parser.error(f"--tessera: {args.tessera} is not an executable (build it, or pass --build)")
    bench = Bench(args)
    try:
        raw = bench.run()
        text = report(raw, args)
    finally:
        bench.cleanup()
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
