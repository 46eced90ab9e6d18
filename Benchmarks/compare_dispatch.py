#!/usr/bin/env python3
"""Per-trial dispatch overhead of `tessera search` on Slurm against the local executors, on one machine.

Runs the same small random search (Fashion-MNIST, mlp, 1 epoch on a 2,000-image subset, N trials) three ways:
in-process one at a time, two local worker processes, and two Slurm jobs at a time on a loopback single-node
cluster (scripts/slurm-loopback.sh). Overhead per trial = (elapsed x workers - sum of the trials' own wall
seconds from the ledger) / trials: what it costs to get a trial to a worker and its result back.
Then simulates, from the trial times of a real search (--source-search in --source-store), how wall time
shrinks with 1, 4, 16 and 64 workers (`tessera trials simulate`), with the measured Slurm overhead added.

    python3 Benchmarks/compare_dispatch.py --trials 16 [--source-store DIR --source-search ID]
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd, cwd=None, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return p.stdout, time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", default=os.environ.get("TESSERA", os.path.join(ROOT, ".build/release/tessera")))
    ap.add_argument("--trials", type=int, default=16)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--source-store", help="store holding a real search's ledger, for the simulation")
    ap.add_argument("--source-search", help="that search's id")
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks/results", time.strftime("dispatch-%Y-%m-%d")))
    args = ap.parse_args()
    t = args.tessera
    work = tempfile.mkdtemp(prefix="tessera-dispatch-")
    cluster = os.path.join(work, "slurm")
    try:
        data = os.path.join(work, "fmnist")
        run([t, "import", "fashion-mnist", "--out", data])
        for c in (["init"], ["add"], ["commit", "-m", "v1"], ["tag", "v1"]):
            run([t] + c, cwd=data)
        out, _ = run([os.path.join(ROOT, "scripts/slurm-loopback.sh"), "start", cluster])
        env = dict(os.environ)
        for line in out.splitlines():
            if line.startswith("export "):
                k, v = line[len("export "):].split("=", 1)
                env[k] = v.strip("'\"")
        common = [t, "search", "--rev", "v1", "--space", "randaugment", "--algo", "random", "--budget", f"{args.trials}trials",
                  "--model", "mlp", "--epochs", "1", "--subset", "2000", "--threads", "1", "--skip-final"]
        modes = [("local, in-process, 1 at a time", ["--max-parallel", "1"], 1),
                 ("local, 2 worker processes", ["--max-parallel", "2"], 2),
                 ("slurm, 2 jobs at a time", ["--max-parallel", "2", "--executor", "slurm"], 2)]
        rows = []
        for name, extra, workers in modes:
            overheads, elapsed_all = [], []
            for rep in range(args.reps):
                stdout, elapsed = run(common + extra + ["--out", os.path.join(work, f"out-{len(rows)}-{rep}")], cwd=data, env=env)
                sid = next(l.split()[1] for l in stdout.splitlines() if l.startswith("search ") and "started" in l)
                trials = json.loads(run([t, "trials", "ls", sid, "--json"], cwd=data)[0])
                walls = [r["wallSeconds"] for r in trials if r.get("phase") == "search" and r.get("wallSeconds")]
                overheads.append((elapsed * workers - sum(walls)) / len(walls))
                elapsed_all.append(elapsed)
                print(f"  {name} rep {rep}: {elapsed:.1f} s for {len(walls)} trials, overhead {overheads[-1]:.2f} s/trial",
                      file=sys.stderr)
            rows.append({"mode": name, "workers": workers, "elapsed": statistics.median(elapsed_all),
                         "overhead": statistics.median(overheads), "runs": overheads})
        slurm_overhead = rows[-1]["overhead"]
        sim = None
        if args.source_store and args.source_search:
            sim = json.loads(run([t, "trials", "simulate", args.source_search, "--overhead", f"{max(slurm_overhead, 0):.2f}",
                                  "--json", "--store", args.source_store])[0])
        lines = [f"# Dispatch overhead: Slurm against local executors ({time.strftime('%Y-%m-%d')})", "",
                 f"{args.trials} random-search trials (mlp, 1 epoch, 2,000 Fashion-MNIST images) per run, median of {args.reps} runs, "
                 "on this 2-core machine with a loopback single-node Slurm cluster (slurm 22.05). Overhead per trial = "
                 "(elapsed × workers − Σ trial wall seconds) / trials.", "",
                 "| executor | workers | elapsed (s) | overhead per trial (s) | runs |", "|---|---|---|---|---|"]
        for r in rows:
            lines.append(f"| {r['mode']} | {r['workers']} | {r['elapsed']:.1f} | {r['overhead']:.2f} | "
                         + ", ".join(f"{x:.2f}" for x in r["runs"]) + " |")
        if sim:
            lines += ["", f"Simulated from search {sim['sourceSearch']}'s trial times, with {max(slurm_overhead, 0):.2f} s of Slurm "
                      "overhead per trial (random search and ASHA: 128 trials; PBT: 16 members × 8 steps):", "",
                      "| algorithm | results taken in | workers | wall time | speed-up | utilisation |", "|---|---|---|---|---|---|"]
            for r in sim["rows"]:
                lines.append(f"| {r['algorithm']} | {r['order']} order | {r['workers']} | {r['wallSeconds'] / 60:.1f} min | "
                             f"{r['speedup']:.2f}× | {r['utilisation'] * 100:.0f} % |")
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out + ".md", "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(args.out + ".json", "w") as f:
            json.dump({"rows": rows, "simulation": sim}, f, indent=2)
        print("\n".join(lines))
        print(f"\nwrote {args.out}.md and .json", file=sys.stderr)
    finally:
        subprocess.run([os.path.join(ROOT, "scripts/slurm-loopback.sh"), "stop", cluster])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
