#!/usr/bin/env python3
"""Times Pillow and albumentations on the ops of tessera-bench-ops (same inputs, same fixed arguments), one thread,
and prints one JSON object per line: {"library", "op", "image", "images_per_s"}.

Run through Benchmarks/compare_ops.sh, which also runs Tessera and prints the side-by-side table.
Needs: pip install pillow albumentations numpy
"""
import json
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np
from PIL import Image, ImageEnhance, ImageOps

try:
    import cv2
    cv2.setNumThreads(1)
    import albumentations as A
except Exception as error:  # albumentations is optional: its column then shows n/a
    A = None
    print(f"albumentations unavailable: {error}", file=sys.stderr)

SECONDS = float(os.environ.get("BENCH_SECONDS", "0.3"))


def make_input(width, height, channels, seed):
    """Same bytes as tessera-bench-ops' makeInput (gradient plus LCG noise)."""
    state = seed
    out = np.empty(width * height * channels, dtype=np.uint8)
    i = 0
    for y in range(height):
        for x in range(width):
            for c in range(channels):
                state = (state * 1103515245 + 12345) % (1 << 31)
                noise = (state >> 16) & 0xFF
                gradient = (x * 255 // max(width - 1, 1) * (c + 1) + y * 255 // max(height - 1, 1) * (3 - c)) // 4
                v = (gradient * 3 + noise) // 4
                out[i] = 16 + v * (235 - 16) // 255
                i += 1
    shape = (height, width) if channels == 1 else (height, width, channels)
    return out.reshape(shape)


IMAGES = {"28x28 grey": make_input(28, 28, 1, 7), "224x224 RGB": make_input(224, 224, 3, 11)}


def fill(img):
    return 0 if img.mode == "L" else (0, 0, 0)


def pad_crop(img):
    w, h = img.size
    padded = Image.new(img.mode, (w + 8, h + 8), fill(img))
    padded.paste(img, (4, 4))
    return padded.crop((1, 7, 1 + w, 7 + h))


def cutout(img):
    out = img.copy()
    out.paste(fill(img), (4, 4, 20, 20))
    return out


PARTNERS = {}


def partner(img):
    """SamplePairing's second image: the input flipped top to bottom, made once per input (not timed)."""
    key = (img.mode, img.size)
    if key not in PARTNERS:
        PARTNERS[key] = img.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return PARTNERS[key]


def solarize_add(img, addition=40, threshold=128):
    """The AutoAugment reference code's SolarizeAdd: a lookup table applied with Image.point."""
    lut = [min(255, i + addition) if i < threshold else i for i in range(256)]
    return img.point(lut * len(img.getbands()))


PILLOW = {
    "ShearX": lambda im: im.transform(im.size, Image.Transform.AFFINE, (1, 0.3, 0, 0, 1, 0), fillcolor=fill(im)),
    "ShearY": lambda im: im.transform(im.size, Image.Transform.AFFINE, (1, 0, 0, 0.3, 1, 0), fillcolor=fill(im)),
    "TranslateX": lambda im: im.transform(im.size, Image.Transform.AFFINE, (1, 0, 5, 0, 1, 0), fillcolor=fill(im)),
    "TranslateY": lambda im: im.transform(im.size, Image.Transform.AFFINE, (1, 0, 0, 0, 1, 5), fillcolor=fill(im)),
    "Rotate": lambda im: im.rotate(30, fillcolor=fill(im)),
    "RotateBilinear": lambda im: im.rotate(30, Image.Resampling.BILINEAR, fillcolor=fill(im)),
    "AutoContrast": ImageOps.autocontrast,
    "Equalize": ImageOps.equalize,
    "Invert": ImageOps.invert,
    "Solarize": lambda im: ImageOps.solarize(im, 128),
    "SolarizeAdd": solarize_add,
    "Posterize": lambda im: ImageOps.posterize(im, 4),
    "Contrast": lambda im: ImageEnhance.Contrast(im).enhance(1.5),
    "Color": lambda im: ImageEnhance.Color(im).enhance(1.5),
    "Brightness": lambda im: ImageEnhance.Brightness(im).enhance(1.5),
    "Sharpness": lambda im: ImageEnhance.Sharpness(im).enhance(1.5),
    "Cutout": cutout,
    "HorizontalFlip": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "VerticalFlip": lambda im: im.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    "SamplePairing": lambda im: Image.blend(im, partner(im), 0.5),
    "PadCrop": pad_crop,
    "ResizeHalf": lambda im: im.resize((im.width // 2, im.height // 2), Image.Resampling.BILINEAR),
}


def albumentations_ops(height, width):
    """The closest albumentations transform for each op, with its random range pinned to the same argument."""
    if A is None:
        return {}
    near, const = cv2.INTER_NEAREST, cv2.BORDER_CONSTANT
    candidates = {
        "ShearX": lambda: A.Affine(shear={"x": (16.7, 16.7), "y": (0, 0)}, interpolation=near, border_mode=const, p=1),
        "ShearY": lambda: A.Affine(shear={"x": (0, 0), "y": (16.7, 16.7)}, interpolation=near, border_mode=const, p=1),
        "TranslateX": lambda: A.Affine(translate_px={"x": (5, 5), "y": (0, 0)}, interpolation=near,
                                       border_mode=const, p=1),
        "TranslateY": lambda: A.Affine(translate_px={"x": (0, 0), "y": (5, 5)}, interpolation=near,
                                       border_mode=const, p=1),
        "Rotate": lambda: A.Rotate(limit=(30, 30), interpolation=near, border_mode=const, p=1),
        "RotateBilinear": lambda: A.Rotate(limit=(30, 30), interpolation=cv2.INTER_LINEAR, border_mode=const, p=1),
        "AutoContrast": lambda: A.AutoContrast(p=1),
        "Equalize": lambda: A.Equalize(p=1),
        "Invert": lambda: A.InvertImg(p=1),
        "Solarize": lambda: A.Solarize(threshold_range=(0.5, 0.5), p=1),
        "Posterize": lambda: A.Posterize(num_bits=4, p=1),
        "Contrast": lambda: A.RandomBrightnessContrast(brightness_limit=(0, 0), contrast_limit=(0.5, 0.5), p=1),
        "Color": lambda: A.ColorJitter(brightness=(1, 1), contrast=(1, 1), saturation=(1.5, 1.5), hue=(0, 0), p=1),
        "Brightness": lambda: A.RandomBrightnessContrast(brightness_limit=(0.5, 0.5), contrast_limit=(0, 0), p=1),
        "Sharpness": lambda: A.Sharpen(alpha=(0.5, 0.5), lightness=(1, 1), p=1),
        "Cutout": lambda: A.CoarseDropout(num_holes_range=(1, 1), hole_height_range=(16, 16),
                                          hole_width_range=(16, 16), fill=0, p=1),
        "HorizontalFlip": lambda: A.HorizontalFlip(p=1),
        "VerticalFlip": lambda: A.VerticalFlip(p=1),
        "PadCrop": lambda: A.Compose([A.PadIfNeeded(min_height=height + 8, min_width=width + 8, border_mode=const,
                                                    fill=0), A.RandomCrop(height=height, width=width)]),
        "ResizeHalf": lambda: A.Resize(height // 2, width // 2, interpolation=cv2.INTER_LINEAR),
    }
    ops = {}
    for name, make in candidates.items():
        try:
            ops[name] = make()
        except Exception as error:
            print(f"albumentations {name}: {error}", file=sys.stderr)
    return ops


def best_rate(fn, arg):
    """Best of three runs of at least SECONDS of process CPU time (all threads count, so a library that
    quietly used more than one thread would not gain from it); CPU time keeps results fair on a loaded machine."""
    best = 0.0
    for _ in range(3):
        n = 0
        start = time.process_time()
        while True:
            for _ in range(16):
                fn(arg)
            n += 16
            elapsed = time.process_time() - start
            if elapsed >= SECONDS:
                break
        best = max(best, n / elapsed)
    return best


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    for op in PILLOW:
        if only and op != only:
            continue
        for image_name, array in IMAGES.items():
            pil = Image.fromarray(array)
            rate = best_rate(PILLOW[op], pil)
            print(json.dumps({"library": "pillow", "op": op, "image": image_name, "images_per_s": int(rate)}))
            album = albumentations_ops(*array.shape[:2]).get(op)
            if album is not None:
                try:
                    rate = best_rate(lambda a: album(image=a)["image"], array)
                    print(json.dumps({"library": "albumentations", "op": op, "image": image_name,
                                      "images_per_s": int(rate)}))
                except Exception as error:
                    print(f"albumentations {op} {image_name}: {error}", file=sys.stderr)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
