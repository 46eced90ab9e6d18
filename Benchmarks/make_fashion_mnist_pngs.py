#!/usr/bin/env python3
"""Write Fashion-MNIST's IDX files as 70,000 28x28 grey PNGs: OUT/{train,test}/<class>/<index>.png.

The same layout and names as `tessera import fashion-mnist` (index = position in its split, class folder
names with '/' and ' ' made '_'), for binaries that lack that command. Standard library only
(gzip, struct, zlib), so the store benchmark needs nothing installed to make its input.

    python3 Benchmarks/make_fashion_mnist_pngs.py OUT [--from /usr/share/datasets/fashion-mnist]
"""
import argparse
import gzip
import os
import struct
import sys
import zlib

CLASSES = ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
           "Ankle_boot"]
SPLITS = [("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          ("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")]


def fail(path, message):
    sys.exit(f"make_fashion_mnist_pngs: {path}: {message}")


def read_idx(directory, stem):
    """Returns (dimensions, data bytes) of one IDX file, gzip-compressed or not."""
    for name, opener in ((stem + ".gz", gzip.open), (stem, open)):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            try:
                with opener(path, "rb") as f:
                    raw = f.read()
            except OSError as error:
                fail(path, f"cannot be read ({error})")
            break
    else:
        fail(os.path.join(directory, stem + ".gz"), "is missing (apt-get install dataset-fashion-mnist)")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        fail(path, "is not an unsigned-byte IDX file (bad magic number)")
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    data = raw[4 + 4 * rank:]
    expected = 1
    for d in dims:
        expected *= d
    if len(data) != expected:
        fail(path, f"holds {len(data)} data bytes but its header {list(dims)} says {expected}")
    return dims, data


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def grey_png(pixels, width, height):
    # Filter type 0 (none) on every row: what most encoders pick for tiny images anyway.
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(rows, 6))
            + png_chunk(b"IEND", b""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to write into; created if missing")
    parser.add_argument("--from", dest="source", default="/usr/share/datasets/fashion-mnist",
                        help="folder holding the four IDX files")
    args = parser.parse_args()
    total = 0
    for split, images_stem, labels_stem in SPLITS:
        (count, rows, cols), images = read_idx(args.source, images_stem)
        (label_count,), labels = read_idx(args.source, labels_stem)
        if count != label_count:
            fail(os.path.join(args.source, labels_stem), f"has {label_count} labels but {count} images")
        for name in CLASSES:
            os.makedirs(os.path.join(args.out, split, name), exist_ok=True)
        size = rows * cols
        for index in range(count):
            label = labels[index]
            if label >= len(CLASSES):
                fail(os.path.join(args.source, labels_stem), f"label {label} at index {index} is not 0...9")
            path = os.path.join(args.out, split, CLASSES[label], f"{index}.png")
            with open(path, "wb") as f:
                f.write(grey_png(images[index * size:(index + 1) * size], cols, rows))
        total += count
    print(f"wrote {total} PNGs to {args.out}")


if __name__ == "__main__":
    main()
