/// The Python half of a custom torchvision export: a `v2.Transform` that interprets a Tessera policy document
/// (format 1, embedded as JSON) with `torchvision.transforms.v2.functional` ops. It mirrors
/// `MagnitudeConvention.argument`, `makeOp`, `OpStep.makeOp` and each policy kind's `sample` step by step, so the
/// distributions match Tessera's; the draws come from Python's `random` and torch, not SplitMix64.
enum TorchvisionRuntime {
  static let source = #"""
import json
import math
import random

import torch
from torchvision.transforms import InterpolationMode, v2
from torchvision.transforms.v2 import functional as F

_ENHANCE = {"Contrast", "Color", "Brightness", "Sharpness"}
_GEOMETRIC = {"ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate"}
_INTEGER_STEPS = {"Posterize", "SolarizeAdd", "Cutout", "PadCrop"}


def _linspace(start, end, n, k):
    """torch.linspace(start, end, n)[k] in float32, as torchvision computes its bins; fractional k interpolates."""
    if n <= 1:
        return float(start)
    if float(k).is_integer() and 0 <= k <= n - 1:
        return torch.linspace(start, end, n)[int(k)].item()
    return start + (end - start) * k / (n - 1)


def _rounded_bin_ratio(k, d):
    return torch.round(torch.tensor(float(k), dtype=torch.float32) / torch.tensor(float(d), dtype=torch.float32)).item()


def _max_magnitude(conv):
    return float(conv["bins"] - 1) if conv["convention"] == "torchvision-bins" else 10.0


def _argument(conv, op, m, w, h):
    """The unsigned argument of `op` at magnitude `m` (MagnitudeConvention.argument)."""
    c = conv["convention"]
    if c == "torchvision-bins":
        n, r = conv["bins"], conv.get("ranges", "standard")
        size = min(w, h)

        def lin(a, b):
            return _linspace(a, b, n, m)

        if op in ("ShearX", "ShearY"):
            return lin(0.0, 0.99) if r == "wide" else lin(0.0, 0.3)
        if op in ("TranslateX", "TranslateY"):
            d = w if op == "TranslateX" else h
            if r == "standard":
                return float(int(lin(0.0, 150.0 / 331.0 * d)))
            if r == "wide":
                return float(int(lin(0.0, 32.0)))
            return float(int(lin(0.0, d / 3.0)))
        if op == "Rotate":
            return lin(0.0, 135.0) if r == "wide" else lin(0.0, 30.0)
        if op in _ENHANCE:
            return lin(0.0, 0.99) if r == "wide" else lin(0.0, 0.9)
        if op == "Posterize":
            if r == "standard":
                return 8 - _rounded_bin_ratio(m, (n - 1) / 4)
            if r == "wide":
                return 8 - _rounded_bin_ratio(m, (n - 1) / 6)
            return 4 - _rounded_bin_ratio(m, (n - 1) / 4)
        if op == "Solarize":
            return 255.0 * lin(1.0, 0.0) if r == "augMix" else lin(255.0, 0.0)
        if op == "SolarizeAdd":
            return float(int(lin(0.0, 110.0)))
        if op == "Cutout":
            return float(int(lin(0.0, 0.6 * size))) if r == "wide" else float(int(lin(0.0, 60.0 / 331.0 * size)))
        if op == "SamplePairing":
            return lin(0.0, 0.4)
        return 0.0
    if c == "tf-level":
        f = m / 10
        table = {"ShearX": f * 0.3, "ShearY": f * 0.3,
                 "TranslateX": f * conv.get("translatePixels", 250), "TranslateY": f * conv.get("translatePixels", 250),
                 "Rotate": f * 30, "Posterize": float(int(f * 4)), "Solarize": float(int(f * 256)),
                 "SolarizeAdd": float(int(f * 110)), "Cutout": float(int(f * conv.get("cutoutPixels", 100))),
                 "SamplePairing": f * 0.4}
        if op in _ENHANCE:
            return f * 1.8 + 0.1
        return table.get(op, 0.0)
    # aa-original: the released AutoAugment CIFAR code (float_parameter / int_parameter).
    def flt(top):
        return m * top / 10

    def integer(top):
        return float(int(m * top / 10))

    table = {"ShearX": flt(0.3), "ShearY": flt(0.3), "TranslateX": integer(10), "TranslateY": integer(10),
             "Rotate": integer(30), "Posterize": 4 - integer(4), "Solarize": 256 - integer(256),
             "SolarizeAdd": integer(110), "Cutout": integer(20), "SamplePairing": flt(0.4)}
    if op in _ENHANCE:
        return flt(1.8) + 0.1
    return table.get(op, 0.0)


def _is_signed(conv, op):
    return op in _GEOMETRIC or (op in _ENHANCE and conv["convention"] == "torchvision-bins")


def _fill_samples(fill, channels):
    """Geometry.fillSamples: one value for every channel; a colour on a grey image becomes Pillow's luma."""
    if len(fill) == 0:
        return [0] * channels
    if len(fill) == 1:
        return [fill[0]] * channels
    if channels == 1:
        b = fill[2] if len(fill) > 2 else 0
        return [(fill[0] * 19595 + fill[1] * 38470 + b * 7471 + 0x8000) >> 16]
    if len(fill) == 3 and channels == 4:
        return list(fill) + [255]
    return [fill[i] if i < len(fill) else 255 for i in range(channels)]


class TesseraPolicy(v2.Transform):
    """Applies a Tessera policy (format 1) to one uint8 image tensor (C, H, W) or tv_tensors.Image."""

    def __init__(self, policy):
        super().__init__()
        self.policy = policy
        self.geometry = policy.get("geometry", {"interpolation": "nearest", "fill": [0]})

    # -- one op, fully parameterised ------------------------------------------------------------------------
    def _apply(self, img, op, v=0.0, **extra):
        channels, h, w = img.shape[-3], img.shape[-2], img.shape[-1]
        interp = InterpolationMode.BILINEAR if self.geometry.get("interpolation") == "bilinear" else InterpolationMode.NEAREST
        fill = _fill_samples(self.geometry.get("fill", [0]), channels)
        if op in ("Identity", "SamplePairing"):
            return img
        if op == "ShearX":
            return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[math.degrees(math.atan(v)), 0.0],
                            interpolation=interp, fill=fill, center=[0, 0])
        if op == "ShearY":
            return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[0.0, math.degrees(math.atan(v))],
                            interpolation=interp, fill=fill, center=[0, 0])
        if op == "TranslateX":
            # Pillow's (1, 0, t, 0, 1, 0) samples x + t: the content moves left by t, torchvision's translate right.
            return F.affine(img, angle=0.0, translate=[-v, 0.0], scale=1.0, shear=[0.0, 0.0], interpolation=interp, fill=fill)
        if op == "TranslateY":
            return F.affine(img, angle=0.0, translate=[0.0, -v], scale=1.0, shear=[0.0, 0.0], interpolation=interp, fill=fill)
        if op == "Rotate":
            return F.rotate(img, angle=v, interpolation=interp, fill=fill)
        if op == "AutoContrast":
            return F.autocontrast(img)
        if op == "Invert":
            return F.invert(img)
        if op == "Equalize":
            return F.equalize(img)
        if op == "Solarize":
            return img if v > 255 else F.solarize(img, threshold=float(v))
        if op == "SolarizeAdd":
            t = img.to(torch.int16)
            out = torch.where(t < 128, (t + int(v)).clamp(0, 255), t).to(torch.uint8)
            return img.wrap_like(img, out) if hasattr(img, "wrap_like") else out
        if op == "Posterize":
            return F.posterize(img, bits=int(max(0, min(8, v))))
        if op == "Contrast":
            return F.adjust_contrast(img, max(v, 0.0))
        if op == "Color":
            return F.adjust_saturation(img, max(v, 0.0))
        if op == "Brightness":
            return F.adjust_brightness(img, max(v, 0.0))
        if op == "Sharpness":
            return F.adjust_sharpness(img, max(v, 0.0))
        if op in ("Cutout", "RandomErasing"):
            x, y, bw, bh = extra["box"]
            if bw <= 0 or bh <= 0:
                return img
            value = torch.tensor(fill, dtype=img.dtype).view(-1, 1, 1)
            return F.erase(img, y, x, bh, bw, value)
        if op == "FlipHorizontal":
            return F.horizontal_flip(img)
        if op == "FlipVertical":
            return F.vertical_flip(img)
        if op == "PadCrop":
            p, x, y = extra["padding"], extra["x"], extra["y"]
            padded = F.pad(img, [p, p, p, p], fill=fill)
            return F.crop(padded, y, x, h, w)
        if op == "Resize":
            return F.resize(img, [extra["height"], extra["width"]], interpolation=interp, antialias=True)
        raise ValueError(f"unknown op {op!r}")

    def _cutout_box(self, size, w, h):
        cx, cy = random.randrange(max(w, 1)), random.randrange(max(h, 1))
        half = size // 2
        x0, y0 = max(0, cx - half), max(0, cy - half)
        x1, y1 = min(w, cx + half), min(h, cy + half)
        return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))

    # -- magnitude ops (MagnitudeConvention.makeOp) -------------------------------------------------------------
    def _magnitude_op(self, img, op, m):
        conv = self.policy["magnitude"]
        h, w = img.shape[-2], img.shape[-1]
        negate = _is_signed(conv, op) and random.random() < 0.5
        a = _argument(conv, op, m, w, h)
        v = -a if negate else a
        if op in _ENHANCE and conv["convention"] == "torchvision-bins":
            v = 1.0 + v
        if op == "Cutout":
            return self._apply(img, op, box=self._cutout_box(int(v), w, h))
        return self._apply(img, op, v)

    # -- pipeline op steps (OpStep.makeOp) ----------------------------------------------------------------------
    def _step(self, img, step):
        op = step["op"]
        h, w = img.shape[-2], img.shape[-1]
        v = step.get("value", 0.0)
        if "range" in step:
            lo, hi = step["range"]
            if op in _INTEGER_STEPS:
                a, b = math.ceil(lo), math.floor(hi)
                v = float(random.randint(a, b) if b >= a else a)
            else:
                v = random.uniform(lo, hi)
        if step.get("randomSign") and random.random() < 0.5:
            v = -v
        if op == "Cutout":
            return self._apply(img, op, box=self._cutout_box(int(v), w, h))
        if op == "PadCrop":
            p = max(int(v), 0)
            return self._apply(img, op, padding=p, x=random.randint(0, 2 * p), y=random.randint(0, 2 * p))
        if op == "RandomErasing":
            box = self._erasing_box(w, h, step.get("scale", [0.02, 0.33]), step.get("ratio", [0.3, 3.3]))
            return img if box is None else self._apply(img, op, box=box)
        if op == "Resize":
            return self._apply(img, op, width=step.get("width", w), height=step.get("height", h))
        if op in _ENHANCE and "value" not in step and "range" not in step:
            v = 1.0
        return self._apply(img, op, v)

    def _erasing_box(self, w, h, scale, ratio):
        area = w * h
        lo, hi = math.log(ratio[0]), math.log(ratio[1])
        for _ in range(10):
            erase_area = area * random.uniform(scale[0], scale[1])
            aspect = math.exp(random.uniform(lo, hi))
            bh = int(round(math.sqrt(erase_area * aspect)))
            bw = int(round(math.sqrt(erase_area / aspect)))
            if bh < h and bw < w:
                return (random.randint(0, w - bw), random.randint(0, h - bh), bw, bh)
        return None

    def _node(self, img, node):
        if not random.random() < node.get("p", 1.0):
            return img
        kind = node["type"]
        if kind == "op":
            return self._step(img, node)
        children = node["children"]
        if kind == "sequence":
            for child in children:
                img = self._node(img, child)
            return img
        if kind == "oneOf":
            weights = node.get("weights")
            child = random.choices(children, weights=weights)[0] if weights else random.choice(children)
            return self._node(img, child)
        picked = sorted(random.sample(range(len(children)), min(node["count"], len(children))))
        for i in picked:
            img = self._node(img, children[i])
        return img

    # -- one image --------------------------------------------------------------------------------------------
    def forward(self, img):
        p = self.policy
        kind = p["kind"]
        if kind == "pipeline":
            return self._node(img, p["root"])
        if kind == "autoaugment":
            for entry in random.choice(p["subPolicies"]):
                if random.random() < entry["p"]:
                    img = self._magnitude_op(img, entry["op"], entry.get("magnitude", 0))
            return img
        if kind == "randaugment":
            for _ in range(p["numOps"]):
                op = random.choice(p["ops"])
                if random.random() < p.get("p", 1.0):
                    img = self._magnitude_op(img, op, p["level"])
            return img
        if kind == "trivialaugment":
            op = random.choice(p["ops"])
            return self._magnitude_op(img, op, random.randint(0, int(_max_magnitude(p["magnitude"]))))
        if kind == "uniformaugment":
            for _ in range(p["numOps"]):
                op = random.choice(p["ops"])
                prob = random.random()
                if random.random() < prob:
                    img = self._magnitude_op(img, op, random.random() * _max_magnitude(p["magnitude"]))
            return img
        if kind == "augmix":
            alpha, width = p["alpha"], p["width"]
            m = torch.distributions.Dirichlet(torch.tensor([alpha, alpha])).sample()
            ws = torch.distributions.Dirichlet(torch.tensor([alpha] * width)).sample()
            integer = p["magnitude"]["convention"] == "torchvision-bins"
            mixed = m[0].item() * img.to(torch.float32)
            for i in range(width):
                chain = img
                for _ in range(p["depth"] if p["depth"] > 0 else random.randint(1, 3)):
                    op = random.choice(p["ops"])
                    level = float(random.randrange(max(p["severity"], 1))) if integer else random.uniform(0.1, p["severity"])
                    chain = self._magnitude_op(chain, op, level)
                mixed = mixed + (ws[i].item() * m[1].item()) * chain.to(torch.float32)
            out = mixed.clamp(0, 255).to(torch.uint8)
            return img.wrap_like(img, out) if hasattr(img, "wrap_like") else out
        raise ValueError(f"unknown policy kind {kind!r}")
"""#
}
