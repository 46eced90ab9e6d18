"""Load every `tessera policy export` with the real library and run it (see check_exports.sh)."""
import argparse
import glob
import gzip
import importlib.machinery
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

SAMPLES = 12  # augmented samples per image and library for the strength column
TARGETS = ["torchvision", "timm", "albumentations"]


def test_images():
    """Four 28x28 grey images (Fashion-MNIST's first test images when the Debian package is there) and four
    64x64 RGB images with edges, gradients and flat areas."""
    grey = []
    idx = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
    if os.path.exists(idx):
        with gzip.open(idx) as f:
            data = f.read()
        for i in range(4):
            grey.append(np.frombuffer(data, np.uint8, 784, 16 + 784 * i).reshape(28, 28).copy())
    else:
        rng = np.random.default_rng(1)
        for i in range(4):
            img = np.zeros((28, 28), np.uint8)
            img[4 + i:24, 6:22 - i] = rng.integers(90, 250)
            grey.append(img)
    rgb = []
    yy, xx = np.mgrid[0:64, 0:64]
    for i in range(4):
        img = np.stack([(xx * 4 + i * 30) % 256, (yy * 4) % 256, ((xx + yy) * 2 + 60 * i) % 256], -1).astype(np.uint8)
        img[16 + i * 4:40, 10:30 + i * 5] = [200, 40 * i, 90]
        rgb.append(img)
    return {"grey28": grey, "rgb64": rgb}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# -- loading exports with the real libraries -------------------------------------------------------------------

def torchvision_runner(path):
    # The export is a Python module whatever its file name: load it by path with an explicit source loader.
    name = f"tessera_export_{abs(hash(path))}"
    loader = importlib.machinery.SourceFileLoader(name, path)
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    loader.exec_module(module)
    transform = module.transform

    def apply(img):
        import torch
        out = transform(Image.fromarray(img))
        if isinstance(out, Image.Image):
            return np.array(out)
        assert isinstance(out, torch.Tensor) and out.dtype == torch.uint8, f"output {type(out)} {getattr(out, 'dtype', '')}"
        arr = out.numpy()
        return arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    return apply


def timm_runner(path):
    from timm.data.auto_augment import augment_and_mix_transform, auto_augment_transform, rand_augment_transform
    spec = open(path).readline().strip()
    if spec.startswith("rand"):
        transform = rand_augment_transform(spec, {})
    elif spec.startswith("augmix"):
        transform = augment_and_mix_transform(spec, {})
    else:
        transform = auto_augment_transform(spec, {})

    def apply(img):
        pil = Image.fromarray(img)
        # timm's default fill is an RGB tuple: grey images go through RGB and back, as timm's own pipeline does.
        out = transform(pil.convert("RGB") if pil.mode == "L" else pil)
        arr = np.array(out)
        return np.array(Image.fromarray(arr).convert("L")) if img.ndim == 2 else arr
    return apply


def albumentations_runner(path):
    import albumentations as A
    with open(path) as f:
        transform = A.from_dict(json.load(f))

    def apply(img):
        return transform(image=img)["image"]
    return apply


RUNNERS = {"torchvision": torchvision_runner, "timm": timm_runner, "albumentations": albumentations_runner}


def strength(apply, images, seed):
    """Mean absolute pixel change over SAMPLES draws per image."""
    random.seed(seed)
    np.random.seed(seed)
    try:
        import torch
        torch.manual_seed(seed)
    except ImportError:
        pass
    total, count = 0.0, 0
    for img in images:
        for _ in range(SAMPLES):
            # A copy each time: some albumentations transforms write into their input array.
            out = apply(img.copy())
            assert out.shape == img.shape, f"shape {out.shape} != {img.shape}"
            assert out.dtype == np.uint8, f"dtype {out.dtype}"
            total += np.abs(out.astype(np.int32) - img.astype(np.int32)).mean()
            count += 1
    return total / count


# -- Tessera's own strength, through `tessera augment` -----------------------------------------------------------

def tessera_strengths(tessera, policies, images, work):
    store = os.path.join(work, "store")
    os.makedirs(store)
    for kind, imgs in images.items():
        for i, img in enumerate(imgs):
            os.makedirs(os.path.join(store, "train", kind), exist_ok=True)
            Image.fromarray(img).save(os.path.join(store, "train", kind, f"{i}.png"))
    for cmd in (["init"], ["add"], ["commit", "-m", "check_exports images"]):
        r = run([tessera] + cmd, cwd=store)
        assert r.returncode == 0, r.stderr
    result = {}
    for policy in policies:
        name = os.path.splitext(os.path.basename(policy))[0]
        branch = f"check/{name}"
        r = run([tessera, "augment", "--policy", policy, "--rev", "HEAD", "--copies", str(SAMPLES), "--seed", "1",
                 "--branch", branch, "--json"], cwd=store)
        if r.returncode != 0:
            result[name] = {"error": r.stderr.strip()}
            continue
        r = run([tessera, "checkout", branch, "--force"], cwd=store)
        assert r.returncode == 0, r.stderr
        per = {}
        for kind, imgs in images.items():
            diffs = []
            for i, img in enumerate(imgs):
                for c in range(1, SAMPLES + 1):
                    out = np.array(Image.open(os.path.join(store, "train", kind, f"{i}.aug{c}.png")))
                    diffs.append(np.abs(out.astype(np.int32) - img.astype(np.int32)).mean())
            per[kind] = float(np.mean(diffs))
        result[name] = per
        run([tessera, "checkout", "master", "--force"], cwd=store)
        run([tessera, "checkout", "main", "--force"], cwd=store)
    return result


# -- per-op agreement: exported single ops vs `tessera op` -------------------------------------------------------

OP_CASES = [("Identity", None), ("ShearX", 0.2), ("ShearY", -0.2), ("TranslateX", 3), ("TranslateY", -4),
            ("Rotate", 20), ("AutoContrast", None), ("Invert", None), ("Equalize", None), ("Solarize", 128),
            ("Posterize", 3), ("Contrast", 1.6), ("Color", 0.4), ("Brightness", 1.3), ("Sharpness", 1.8),
            ("FlipHorizontal", None), ("FlipVertical", None)]


def op_agreement(tessera, images, work):
    rows = []
    for op, value in OP_CASES:
        step = {"type": "op", "op": op, "p": 1}
        if value is not None:
            step["value"] = value
        doc = {"format": 1, "name": f"op-{op}", "policy": {"kind": "pipeline", "root": step}}
        pfile = os.path.join(work, f"op-{op}.json")
        with open(pfile, "w") as f:
            json.dump(doc, f)
        row = {"op": op, "value": value}
        for target in ("torchvision", "albumentations"):
            out = os.path.join(work, f"op-{op}.{target}")
            r = run([tessera, "policy", "export", pfile, "--to", target, "-o", out, "--force"])
            if r.returncode != 0:
                row[target] = "export failed"
                continue
            try:
                apply = RUNNERS[target](out)
                stats = []
                for kind, imgs in images.items():
                    for i, img in enumerate(imgs[:2]):
                        src = os.path.join(work, f"in-{kind}-{i}.png")
                        dst = os.path.join(work, f"out-{kind}-{i}.png")
                        Image.fromarray(img).save(src)
                        args = [tessera, "op", op, src, "-o", dst, "--force"]
                        if value is not None:
                            args.insert(3, f"--value={value}")
                        r = run(args)
                        assert r.returncode == 0, r.stderr
                        ref = np.array(Image.open(dst)).astype(np.int32)
                        got = apply(img.copy()).astype(np.int32)
                        stats.append((np.abs(ref - got).mean(), (ref == got).mean()))
                row[target] = f"{100 * np.mean([s[1] for s in stats]):5.1f}% equal, mean |diff| {np.mean([s[0] for s in stats]):.2f}"
            except Exception as e:  # noqa: BLE001 - report, don't stop the table
                row[target] = f"ERROR {type(e).__name__}: {str(e)[:80]}"
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    tessera = os.path.abspath(args.tessera)
    policies = sorted(glob.glob(os.path.abspath("policies/*.json")))
    images = test_images()
    work = tempfile.mkdtemp(prefix="tessera-check-exports-")
    versions = {}
    import albumentations
    import timm
    import torch
    import torchvision
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__, "timm": timm.__version__,
                "albumentations": albumentations.__version__}
    started = time.time()
    ours = tessera_strengths(tessera, policies, images, work)
    rows = []
    for policy in policies:
        name = os.path.splitext(os.path.basename(policy))[0]
        for target in TARGETS:
            out = os.path.join(work, f"{name}.{target}")
            r = run([tessera, "policy", "export", policy, "--to", target, "-o", out])
            limitations = [l for l in r.stderr.splitlines() if "cannot express:" in l]
            row = {"policy": name, "target": target, "limitations": len(limitations)}
            if r.returncode != 0:
                says_why = "cannot export" in r.stderr
                row.update(status="n/a" if says_why else "FAIL", detail=r.stderr.strip().splitlines()[-1][:150])
                rows.append(row)
                continue
            try:
                apply = RUNNERS[target](out)
                parts = []
                for kind, imgs in images.items():
                    theirs = strength(apply, imgs, seed=1)
                    mine = ours.get(name, {}).get(kind)
                    parts.append(f"{kind} {theirs:5.1f}" + (f" (tessera {mine:5.1f})" if mine is not None else ""))
                row.update(status="pass", detail="; ".join(parts))
            except Exception as e:  # noqa: BLE001 - one failing export must not hide the others
                row.update(status="FAIL", detail=f"{type(e).__name__}: {str(e)[:150]}")
            rows.append(row)
    op_rows = op_agreement(tessera, images, work)
    shutil.rmtree(work, ignore_errors=True)

    lines = [f"# check_exports — {time.strftime('%Y-%m-%d %H:%M')}", "",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()), "",
             "Every shipped policy exported with `tessera policy export`, loaded with the real library and run on "
             "4 Fashion-MNIST 28x28 grey and 4 synthetic 64x64 RGB images. `pass` = loads, runs, keeps shape and "
             "uint8; the detail column is the mean absolute pixel change over "
             f"{SAMPLES} samples per image next to Tessera's own (`tessera augment`, same images). "
             "`n/a` = the exporter refused with a reason (nothing sensible to write).", "",
             "| policy | target | status | limitations | mean abs change: export (tessera) |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['policy']} | {r['target']} | {r['status']} | {r['limitations']} | {r['detail']} |")
    lines += ["", "Per op: a one-op pipeline exported and compared pixel by pixel with `tessera op` "
              "(2 grey + 2 RGB images).", "", "| op | value | torchvision | albumentations |", "|---|---|---|---|"]
    for r in op_rows:
        lines.append(f"| {r['op']} | {'' if r['value'] is None else r['value']} | {r['torchvision']} | {r['albumentations']} |")
    lines += ["", f"Total time {time.time() - started:.1f} s."]
    text = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(text)
    print(text)
    failed = [r for r in rows if r["status"] == "FAIL"]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
