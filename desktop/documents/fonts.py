"""The fonts every generated PDF embeds (DejaVu Sans, in resources/fonts/), registered with reportlab once."""

from __future__ import annotations

from functools import cache

from desktop.paths import resource_path

REGULAR, BOLD = "DisclosureDesk-Sans", "DisclosureDesk-Sans-Bold"


@cache
def fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered on first use: reportlab is imported here, not with the package."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(REGULAR, str(resource_path("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(BOLD, str(resource_path("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return REGULAR, BOLD
