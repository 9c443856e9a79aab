#!/usr/bin/python3
"""PIL's pixels for images with transparency: the reference for Anneal's alpha option.

Usage:  /usr/bin/python3 test/golden/generate_alpha.py test/fixtures/alpha test/golden/alpha.json

Writes small PNGs with transparent pixels into the fixtures folder (RGBA with a transparent
background whose stored colour is not black, grey + alpha, and a palette PNG with a tRNS chunk),
then, for each, what torchvision's ImageFolder loader gives, Image.open(f).convert('RGB') (the
reference for alpha "drop"), and PIL's Image.alpha_composite onto opaque white (the reference
for the default, "white"). Deterministic; needs only PIL.
"""
import json
import os
import sys

from PIL import Image

W, H = 12, 8


def rgba_image():
    # A shape drawn on a fully transparent background whose stored colour is (200, 30, 90): drop
    # must keep that colour, white must hide it. Edges are partially transparent.
    im = Image.new('RGBA', (W, H), (200, 30, 90, 0))
    for y in range(H):
        for x in range(W):
            if 3 <= x <= 8 and 2 <= y <= 5:
                a = 255 if (4 <= x <= 7 and 3 <= y <= 4) else 128
                im.putpixel((x, y), ((x * 20) % 256, (y * 30) % 256, 40 + x + y, a))
    return im


def la_image():
    im = Image.new('LA', (W, H))
    for y in range(H):
        for x in range(W):
            im.putpixel((x, y), ((x * 23 + y * 7) % 256, 0 if x < 3 else (x * 25) % 256))
    return im


def palette_image():
    im = Image.new('P', (W, H))
    im.putpalette([10, 20, 30, 250, 0, 0, 0, 250, 0, 0, 0, 250] + [0] * (256 * 3 - 12))
    for y in range(H):
        for x in range(W):
            im.putpixel((x, y), (x + y) % 4)
    im.info['transparency'] = bytes([0, 255, 128, 255])
    return im


def main(folder, out):
    os.makedirs(folder, exist_ok=True)
    result = {}
    for name, im in [('rgba.png', rgba_image()), ('grey-alpha.png', la_image()), ('palette-trns.png', palette_image())]:
        path = os.path.join(folder, name)
        if im.mode == 'P':
            im.save(path, transparency=im.info['transparency'])
        else:
            im.save(path)
        with Image.open(path) as f:
            drop = f.convert('RGB')
        with Image.open(path) as f:
            white = Image.alpha_composite(Image.new('RGBA', (W, H), (255, 255, 255, 255)), f.convert('RGBA')).convert('RGB')
        result[name] = {
            'width': W,
            'height': H,
            'drop': list(drop.tobytes()),
            'white': list(white.tobytes()),
        }
    with open(out, 'w') as f:
        json.dump({'pil': Image.__version__, 'images': result}, f)
        f.write('\n')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
