"""Our QR matrices are qrcode's, bit for bit, and they scan.

labels.qr chooses the mask its own way; the labels already stuck on devices were drawn
from qrcode's choice, so both must agree on every text a label may carry. The corpus is
generated, not random at each run: a failure names a text that fails again.
"""

import random
from functools import cache

import pytest
import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from inventory.scan.codes import ACTIONS
from labels.qr import qr_matrix

ACCENTED = "àâäçéèêëîïôöùûüÿœæÀÂÇÉÈÊËÎÏÔÙÛÜŸŒÆ«»€°·’"
WORDS = ["Ressourcerie", "ordinateur", "Béthune", "Saint-Étienne", "réemploi", "prêt", "don"]


def library_matrix(text):
    """What the labels drew before labels.qr: qrcode's own choice of mask."""
    code = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def printable_ascii(rng, length):
    return "".join(chr(rng.randrange(32, 127)) for _ in range(length))


def accented(rng, length):
    alphabet = ACCENTED + "abcdefghijklmnopqrstuvwxyz ,.'-0123456789"
    words = " ".join(rng.choice(WORDS) for _ in range(length // 12))
    return (words + " " + "".join(rng.choice(alphabet) for _ in range(length)))[:length]


@cache
def corpus():
    """About 2,900 texts, versions 1 to 10: what labels carry, then anything printable."""
    rng = random.Random(18004)
    texts = [f"RE-{number:06d}" for number in range(1, 1001)]
    texts += [f"https://example.org/d/RE-{number:06d}/" for number in range(1, 100001, 200)]
    texts += [f"http://127.0.0.1:8000/d/RE-{rng.randrange(10**6):06d}/" for _ in range(50)]
    texts += [
        f"{site}-{aisle}{shelf:02d}"
        for site in ("BRU", "BET", "LENS", "ARRAS-NORD")
        for aisle in "ABCDEFGHIJKLMNOPQRST"
        for shelf in range(1, 5)
    ]
    texts += [code for action in ACTIONS for code in action.codes]
    texts += [printable_ascii(rng, rng.randrange(1, 121)) for _ in range(600)]
    texts += [accented(rng, rng.randrange(1, 81)) for _ in range(300)]
    # Long enough for versions 8 to 10 (up to 213 bytes at level M).
    texts += [printable_ascii(rng, rng.randrange(121, 214)) for _ in range(60)]
    texts += [accented(rng, rng.randrange(60, 105)) for _ in range(30)]
    texts += ["0" * 50, "1234567890" * 20, "A" * 60, " " * 40, "ÉÉÉÉ", "€"]
    return texts


@cache
def our_matrices():
    return [qr_matrix(text) for text in corpus()]


def version(matrix):
    return (len(matrix) - 17) // 4


def mask_of(matrix):
    """The mask pattern a matrix declares in its format information (row 8, from the
    right: the 8 lowest bits of the BCH-coded level and mask)."""
    size = len(matrix)
    found = [
        pattern
        for pattern in range(8)
        if all(
            matrix[8][size - 1 - bit]
            == bool(util.BCH_type_info(ERROR_CORRECT_M << 3 | pattern) >> bit & 1)
            for bit in range(8)
        )
    ]
    assert len(found) == 1
    return found[0]


def test_our_matrix_is_qrcodes_for_every_text_of_the_corpus():
    pairs = zip(corpus(), our_matrices(), strict=True)
    different = [text for text, ours in pairs if ours != library_matrix(text)]
    assert different == []


def test_the_corpus_spans_versions_1_to_10_and_every_mask():
    matrices = our_matrices()
    assert len(matrices) > 2500
    assert {version(matrix) for matrix in matrices} == set(range(1, 11))
    assert {mask_of(matrix) for matrix in matrices} == set(range(8))


SCANNED = [
    "RE-000001",
    "https://example.org/d/RE-001234/",
    "BRU-A03",
    "ACTION:READY",
    "Ressourcerie de Saint-Étienne · prêt n° 42 « reconditionné »",
    printable_ascii(random.Random(7), 200),
]


@pytest.mark.parametrize("text", SCANNED)
def test_a_drawn_matrix_scans_back_to_its_text(text):
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp decodes the QR codes")
    from PIL import Image

    matrix = qr_matrix(text)
    quiet, scale = 4, 4
    side = len(matrix) + 2 * quiet
    image = Image.new("L", (side, side), 255)
    image.putdata(
        [
            0
            if 0 <= row - quiet < len(matrix)
            and 0 <= column - quiet < len(matrix)
            and matrix[row - quiet][column - quiet]
            else 255
            for row in range(side)
            for column in range(side)
        ]
    )
    image = image.resize((side * scale, side * scale), Image.NEAREST)
    assert text in [result.text for result in zxingcpp.read_barcodes(image)]
