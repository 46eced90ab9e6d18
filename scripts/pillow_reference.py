#!/usr/bin/env python3
"""Writes Pillow's outputs for Tessera's augmentation ops, as raw bytes plus a JSON manifest.

Usage:  pip install pillow && python3 scripts/pillow_reference.py [OUT_DIR]
Default OUT_DIR: Tests/TesseraAugmentTests/Resources/pillow

Inputs are built here from integer arithmetic only (no codecs, no randomness), stored raw next to the outputs
(inputs/<name>.bin, HWC UInt8), and described in manifest.json. Each case names the op, its arguments, the input,
the output shape and its byte range in outputs.bin. The Swift tests (PillowReferenceTests) replay every case.
"""
import json
import os
import sys

from PIL import Image, ImageEnhance, ImageOps
import PIL


def lcg_stream(seed):
    state = seed
    while True:
        state = (state * 1103515245 + 12345) % (1 << 31)
        yield (state >> 16) & 0xFF


def make_input(width, height, channels, seed, lo, hi):
    """A smooth gradient plus noise, squeezed into [lo, hi] so AutoContrast and Equalize have work to do."""
    noise = lcg_stream(seed)
    out = bytearray()
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                gradient = (x * 255 // max(width - 1, 1) * (c + 1) + y * 255 // max(height - 1, 1) * (3 - c)) // 4
                v = (gradient * 3 + next(noise)) // 4
                out.append(lo + v * (hi - lo) // 255)
    return bytes(out)


def make_sparse(width, height):
    """Three grey levels with very unequal counts (Equalize's integer step logic)."""
    out = bytearray()
    for y in range(height):
        for x in range(width):
            i = y * width + x
            out.append(200 if i % 97 == 0 else (50 if i % 5 == 0 else 100))
    return bytes(out)


INPUTS = {
    "grey": (28, 28, 1, make_input(28, 28, 1, seed=7, lo=30, hi=229)),
    "rgb": (33, 25, 3, make_input(33, 25, 3, seed=11, lo=12, hi=240)),
    "sparse": (28, 28, 1, make_sparse(28, 28)),
}


def to_pil(name):
    w, h, c, data = INPUTS[name]
    return Image.frombytes("L" if c == 1 else "RGB", (w, h), data)


RESAMPLE = {"nearest": Image.Resampling.NEAREST, "bilinear": Image.Resampling.BILINEAR}


def fill_for(img, fill):
    if img.mode == "L":
        return fill[0]
    return tuple(fill) if len(fill) == 3 else (fill[0],) * 3


def run(op, img, args):
    if op in ("ShearX", "ShearY", "TranslateX", "TranslateY"):
        v = args["value"]
        coeffs = {
            "ShearX": (1, v, 0, 0, 1, 0),
            "ShearY": (1, 0, 0, v, 1, 0),
            "TranslateX": (1, 0, v, 0, 1, 0),
            "TranslateY": (1, 0, 0, 0, 1, v),
        }[op]
        return img.transform(img.size, Image.Transform.AFFINE, coeffs, RESAMPLE[args["interpolation"]],
                             fillcolor=fill_for(img, args["fill"]))
    if op == "Rotate":
        return img.rotate(args["value"], RESAMPLE[args["interpolation"]], fillcolor=fill_for(img, args["fill"]))
    if op == "AutoContrast":
        return ImageOps.autocontrast(img)
    if op == "Invert":
        return ImageOps.invert(img)
    if op == "Equalize":
        return ImageOps.equalize(img)
    if op == "Solarize":
        return ImageOps.solarize(img, args["value"])
    if op == "SolarizeAdd":  # timm's solarize_add
        add, thresh = args["value"], args["threshold"]
        lut = [min(255, i + add) if i < thresh else i for i in range(256)]
        return img.point(lut * (3 if img.mode == "RGB" else 1))
    if op == "Posterize":
        return ImageOps.posterize(img, args["value"])
    if op in ("Contrast", "Color", "Brightness", "Sharpness"):
        return getattr(ImageEnhance, op)(img).enhance(args["value"])
    if op == "SamplePairing":  # blend with the top-bottom mirror of the same input
        other = img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        return Image.blend(img, other, args["value"])
    if op == "FlipHorizontal":
        return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if op == "FlipVertical":
        return img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    if op == "Resize":
        return img.resize((args["width"], args["height"]), RESAMPLE[args["interpolation"]])
    raise ValueError(op)


def cases():
    grey_fill, rgb_fill = [128], [125, 122, 113]
    for name in ("grey", "rgb"):
        fill_choices = [[0], grey_fill if name == "grey" else rgb_fill]
        for interp in ("nearest", "bilinear"):
            for fill in fill_choices:
                for op, values in (("ShearX", (0.3, -0.3, 0.1, -0.07)), ("ShearY", (0.3, -0.21, 0.05)),
                                   ("TranslateX", (5, -7, 3.6, -2.4, 40)), ("TranslateY", (4, -6, 2.5))):
                    for v in values:
                        yield name, op, {"value": v, "interpolation": interp, "fill": fill}
                for v in (30, -17.5, 90, 180, 270, -90, 45, 1.5, 359.5, 0, 720):
                    yield name, "Rotate", {"value": v, "interpolation": interp, "fill": fill}
        for op in ("AutoContrast", "Invert", "Equalize", "FlipHorizontal", "FlipVertical"):
            yield name, op, {}
        for v in (128, 0, 256, 77.3, 255, 26):
            yield name, "Solarize", {"value": v}
        for v in (0, 40, 110):
            yield name, "SolarizeAdd", {"value": v, "threshold": 128}
        for v in range(1, 9):
            yield name, "Posterize", {"value": v}
        for op in ("Contrast", "Color", "Brightness", "Sharpness"):
            for v in (0.0, 0.1, 0.28, 0.5, 1.0, 1.37, 1.9, 2.5):
                yield name, op, {"value": v}
        for v in (0.0, 0.4, 0.25, 1.0):
            yield name, "SamplePairing", {"value": v}
        for interp in ("nearest", "bilinear"):
            for (w, h) in ((14, 14), (50, 40), (33, 7)):
                yield name, "Resize", {"width": w, "height": h, "interpolation": interp}
    for op in ("AutoContrast", "Equalize"):
        yield "sparse", op, {}
    yield "sparse", "Contrast", {"value": 1.9}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "Tests", "TesseraAugmentTests", "Resources", "pillow")
    os.makedirs(os.path.join(out_dir, "inputs"), exist_ok=True)
    manifest = {"pillow": PIL.__version__, "inputs": {}, "cases": []}
    for name, (w, h, c, data) in INPUTS.items():
        with open(os.path.join(out_dir, "inputs", name + ".bin"), "wb") as f:
            f.write(data)
        manifest["inputs"][name] = {"file": "inputs/" + name + ".bin", "width": w, "height": h, "channels": c}
    blob = bytearray()
    for name, op, args in cases():
        out = run(op, to_pil(name), args)
        data = out.tobytes()
        manifest["cases"].append({
            "input": name, "op": op, "args": args,
            "width": out.size[0], "height": out.size[1], "channels": len(out.getbands()),
            "offset": len(blob), "length": len(data),
        })
        blob += data
    with open(os.path.join(out_dir, "outputs.bin"), "wb") as f:
        f.write(blob)
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(manifest['cases'])} cases, {len(blob)} bytes, Pillow {PIL.__version__} -> {out_dir}")


if __name__ == "__main__":
    main()
