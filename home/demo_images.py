"""Pictures and PDFs for the demo content, drawn locally (Pillow, fpdf2): no network."""

import io
import math

from fpdf import FPDF
from PIL import Image, ImageDraw

PALETTES = [
    ((11, 79, 138), (143, 208, 245)),
    ((30, 110, 70), (190, 230, 170)),
    ((150, 60, 20), (250, 200, 140)),
    ((90, 40, 120), (210, 180, 240)),
    ((20, 100, 110), (160, 225, 225)),
    ((120, 90, 10), (245, 225, 150)),
]


def landscape_jpeg(label: str, seed: int, size=(1200, 675)) -> bytes:
    """A simple river-and-hills landscape, different for each label and seed, as JPEG bytes."""
    width, height = size
    dark, light = PALETTES[seed % len(PALETTES)]
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        colour = tuple(int(light[i] * (1 - t) + dark[i] * t) for i in range(3))
        draw.line([(0, y), (width, y)], fill=colour)
    sun_x = width * (0.2 + 0.6 * ((seed * 37) % 100) / 100)
    draw.ellipse([sun_x - 60, 80, sun_x + 60, 200], fill=(255, 236, 170))
    for layer in range(3):
        points = [(0, height)]
        for x in range(0, width + 40, 40):
            y = height * (0.55 + 0.1 * layer) + 40 * math.sin((x / width) * math.pi * (2 + layer) + seed)
            points.append((x, y))
        points.append((width, height))
        shade = tuple(max(0, int(c * (0.8 - 0.2 * layer))) for c in dark)
        draw.polygon(points, fill=shade)
    draw.rectangle([0, height * 0.86, width, height], fill=(70, 130, 180))
    # A few houses on the bank, placed from the label so each picture differs.
    rng = sum(map(ord, label)) + seed
    for number in range(3 + rng % 4):
        x = (rng * (number + 3) * 97) % (width - 120)
        base = height * 0.86
        draw.rectangle([x, base - 60, x + 70, base], fill=(245, 240, 230))
        draw.polygon([(x - 8, base - 60), (x + 35, base - 100), (x + 78, base - 60)], fill=(160, 60, 45))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def simple_pdf(title: str, lines: list[str]) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 10, title)
    pdf.ln(4)
    pdf.set_font("helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 7, line)
        pdf.ln(1)
    return bytes(pdf.output())
