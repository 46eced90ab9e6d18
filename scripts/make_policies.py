#!/usr/bin/env python3
"""Writes the policy files shipped in policies/ from the published tables (docs/POLICY.md describes the format).

The AutoAugment tables are transcribed from torchvision's `AutoAugment._get_policies` (torchvision/transforms/
autoaugment.py@0352a47), which ports the AutoAugment paper's appendix; `None` magnitudes are left out.
Output is in Tessera's canonical encoding (sorted keys, two-space indent, `" : "` separators, whole numbers
without a fraction), so `PolicyFile.encoded()` reproduces every file byte for byte (a test checks this).

Usage: python3 scripts/make_policies.py
"""
import json
import os

N = None
CIFAR10 = [
    (("Invert", 0.1, N), ("Contrast", 0.2, 6)), (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
    (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)), (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
    (("AutoContrast", 0.5, N), ("Equalize", 0.9, N)), (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
    (("Color", 0.4, 3), ("Brightness", 0.6, 7)), (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
    (("Equalize", 0.6, N), ("Equalize", 0.5, N)), (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
    (("Color", 0.7, 7), ("TranslateX", 0.5, 8)), (("Equalize", 0.3, N), ("AutoContrast", 0.4, N)),
    (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)), (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
    (("Solarize", 0.5, 2), ("Invert", 0.0, N)), (("Equalize", 0.2, N), ("AutoContrast", 0.6, N)),
    (("Equalize", 0.2, N), ("Equalize", 0.6, N)), (("Color", 0.9, 9), ("Equalize", 0.6, N)),
    (("AutoContrast", 0.8, N), ("Solarize", 0.2, 8)), (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
    (("Solarize", 0.4, 5), ("AutoContrast", 0.9, N)), (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
    (("AutoContrast", 0.9, N), ("Solarize", 0.8, 3)), (("Equalize", 0.8, N), ("Invert", 0.1, N)),
    (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, N)),
]
SVHN = [
    (("ShearX", 0.9, 4), ("Invert", 0.2, N)), (("ShearY", 0.9, 8), ("Invert", 0.7, N)),
    (("Equalize", 0.6, N), ("Solarize", 0.6, 6)), (("Invert", 0.9, N), ("Equalize", 0.6, N)),
    (("Equalize", 0.6, N), ("Rotate", 0.9, 3)), (("ShearX", 0.9, 4), ("AutoContrast", 0.8, N)),
    (("ShearY", 0.9, 8), ("Invert", 0.4, N)), (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
    (("Invert", 0.9, N), ("AutoContrast", 0.8, N)), (("Equalize", 0.6, N), ("Rotate", 0.9, 3)),
    (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)), (("ShearY", 0.8, 8), ("Invert", 0.7, N)),
    (("Equalize", 0.9, N), ("TranslateY", 0.6, 6)), (("Invert", 0.9, N), ("Equalize", 0.6, N)),
    (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)), (("Invert", 0.8, N), ("TranslateY", 0.0, 2)),
    (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)), (("Invert", 0.6, N), ("Rotate", 0.8, 4)),
    (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)), (("ShearX", 0.1, 6), ("Invert", 0.6, N)),
    (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)), (("ShearY", 0.8, 4), ("Invert", 0.8, N)),
    (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)), (("ShearY", 0.8, 5), ("AutoContrast", 0.7, N)),
    (("ShearX", 0.7, 2), ("Invert", 0.1, N)),
]
IMAGENET = [
    (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, N)),
    (("Equalize", 0.8, N), ("Equalize", 0.6, N)), (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
    (("Equalize", 0.4, N), ("Solarize", 0.2, 4)), (("Equalize", 0.4, N), ("Rotate", 0.8, 8)),
    (("Solarize", 0.6, 3), ("Equalize", 0.6, N)), (("Posterize", 0.8, 5), ("Equalize", 1.0, N)),
    (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)), (("Equalize", 0.6, N), ("Posterize", 0.4, 6)),
    (("Rotate", 0.8, 8), ("Color", 0.4, 0)), (("Rotate", 0.4, 9), ("Equalize", 0.6, N)),
    (("Equalize", 0.0, N), ("Equalize", 0.8, N)), (("Invert", 0.6, N), ("Equalize", 1.0, N)),
    (("Color", 0.6, 4), ("Contrast", 1.0, 8)), (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
    (("Color", 0.8, 8), ("Solarize", 0.8, 7)), (("Sharpness", 0.4, 7), ("Invert", 0.6, N)),
    (("ShearX", 0.6, 5), ("Equalize", 1.0, N)), (("Color", 0.4, 0), ("Equalize", 0.6, N)),
    (("Equalize", 0.4, N), ("Solarize", 0.2, 4)), (("Solarize", 0.6, 5), ("AutoContrast", 0.6, N)),
    (("Invert", 0.6, N), ("Equalize", 1.0, N)), (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
    (("Equalize", 0.8, N), ("Equalize", 0.6, N)),
]
TV_RA_OPS = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
             "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize"]
AA_OPS = ["ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "AutoContrast", "Invert", "Equalize",
          "Solarize", "Posterize", "Contrast", "Color", "Brightness", "Sharpness"]
AUGMIX_ALL_OPS = ["AutoContrast", "Equalize", "Posterize", "Rotate", "Solarize", "ShearX", "ShearY", "TranslateX",
                  "TranslateY", "Brightness", "Color", "Contrast", "Sharpness"]
TV_SOURCE = "torchvision/transforms/autoaugment.py@0352a47 (AutoAugmentPolicy.{}), from the AutoAugment paper appendix"
NEAREST = {"interpolation": "nearest", "fill": [0]}


def sub_policies(table):
    out = []
    for row in table:
        entries = []
        for op, p, m in row:
            entry = {"op": op, "p": p}
            if m is not None:
                entry["magnitude"] = m
            entries.append(entry)
        out.append(entries)
    return out


def autoaugment(name, table, key, dataset):
    return name, {
        "format": 1, "name": name,
        "description": f"AutoAugment policy learned on {dataset}: 25 sub-policies of 2 ops; one sub-policy per "
                       "image, each op applied with its probability; magnitudes are 10-bin indices.",
        "policy": {"kind": "autoaugment", "magnitude": {"convention": "torchvision-bins", "bins": 10,
                                                         "ranges": "standard"},
                   "geometry": NEAREST, "subPolicies": sub_policies(table)},
        "provenance": {"source": TV_SOURCE.format(key)},
    }


FILES = [
    autoaugment("autoaugment-cifar10", CIFAR10, "CIFAR10", "reduced CIFAR-10"),
    autoaugment("autoaugment-svhn", SVHN, "SVHN", "reduced SVHN"),
    autoaugment("autoaugment-imagenet", IMAGENET, "IMAGENET", "reduced ImageNet"),
    ("randaugment-default", {
        "format": 1, "name": "randaugment-default",
        "description": "torchvision RandAugment defaults: N=2 ops drawn with replacement from 14, magnitude bin 9 "
                       "of 31 (9/30 of each range), always applied.",
        "policy": {"kind": "randaugment", "magnitude": {"convention": "torchvision-bins", "bins": 31,
                                                         "ranges": "standard"},
                   "geometry": NEAREST, "numOps": 2, "level": 9, "p": 1, "ops": TV_RA_OPS},
        "provenance": {"source": "torchvision RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31)"},
    }),
    ("trivialaugment-wide", {
        "format": 1, "name": "trivialaugment-wide",
        "description": "TrivialAugmentWide: one op per image, uniform over 14 ops, bin uniform over 31 wide-range "
                       "strengths.",
        "policy": {"kind": "trivialaugment", "magnitude": {"convention": "torchvision-bins", "bins": 31,
                                                            "ranges": "wide"},
                   "geometry": NEAREST, "ops": TV_RA_OPS},
        "provenance": {"source": "torchvision TrivialAugmentWide(num_magnitude_bins=31)"},
    }),
    ("augmix-default", {
        "format": 1, "name": "augmix-default",
        "description": "AugMix defaults (torchvision v2): severity 3, 3 chains of depth 1-3, alpha 1, all 13 ops, "
                       "bilinear.",
        "policy": {"kind": "augmix", "magnitude": {"convention": "torchvision-bins", "bins": 10, "ranges": "augMix"},
                   "geometry": {"interpolation": "bilinear", "fill": [0]},
                   "severity": 3, "width": 3, "depth": -1, "alpha": 1, "ops": AUGMIX_ALL_OPS},
        "provenance": {"source": "torchvision.transforms.v2.AugMix(severity=3, mixture_width=3, chain_depth=-1, "
                                 "alpha=1.0, all_ops=True)"},
    }),
    ("uniformaugment-default", {
        "format": 1, "name": "uniformaugment-default",
        "description": "UniformAugment: 2 ops drawn from the 14 AutoAugment ops; each applied with a probability "
                       "drawn from U(0,1), at a level drawn from U(0,10).",
        "policy": {"kind": "uniformaugment", "magnitude": {"convention": "tf-level", "translatePixels": 100,
                                                            "cutoutPixels": 40},
                   "geometry": NEAREST, "numOps": 2, "ops": AA_OPS},
        "provenance": {"source": "tgilewicz/uniformaugment README (ops_num=2)"},
    }),
    ("cifar-crop-flip-cutout", {
        "format": 1, "name": "cifar-crop-flip-cutout",
        "description": "The default augmentation of the AutoAugment CIFAR training: zero-pad 4 and random crop, "
                       "random horizontal flip, Cutout 16x16.",
        "policy": {"kind": "pipeline", "geometry": NEAREST, "root": {
            "type": "sequence", "p": 1, "children": [
                {"type": "op", "op": "PadCrop", "p": 1, "value": 4},
                {"type": "op", "op": "FlipHorizontal", "p": 0.5},
                {"type": "op", "op": "Cutout", "p": 1, "value": 16},
            ]}},
        "provenance": {"source": "tensorflow/models research/autoaugment/data_utils.py (reference section 1.5)"},
    }),
]


def canonical(value):
    """Whole floats become ints, as Swift's JSONEncoder writes them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policies")
    os.makedirs(out_dir, exist_ok=True)
    for name, doc in FILES:
        text = json.dumps(canonical(doc), indent=2, separators=(",", " : "), sort_keys=True, ensure_ascii=False)
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            f.write(text + "\n")
        print("wrote policies/" + name + ".json")


if __name__ == "__main__":
    main()
