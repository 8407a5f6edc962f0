"""Bar charts drawn on the server as SVG: no script, no chart library, readable without CSS.

``BarChart`` computes the geometry; ``templates/includes/bar_chart.html`` draws it inside a ``<figure>``
whose SVG is labelled for assistive technology and followed by the same figures as a table, so that a
screen reader (or anyone who prefers numbers) reads the data rather than the drawing.
"""

from dataclasses import dataclass, field

WIDTH = 480
BAR_AREA_HEIGHT = 180
TOP = 20
LABEL_HEIGHT = 40
LEFT = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2

    @property
    def value_y(self) -> float:
        return self.y - 4


@dataclass
class BarChart:
    """A vertical bar chart of ``data`` (label, value), scaled to the largest value."""

    title: str
    data: list[tuple[str, int]]
    value_label: str = ""
    bars: list[Bar] = field(init=False)

    def __post_init__(self):
        count = len(self.data)
        largest = max((value for _label, value in self.data), default=0) or 1
        slot = (WIDTH - 2 * LEFT) / max(count, 1)
        bar_width = max(slot * 0.7, 1)
        self.bars = []
        for index, (label, value) in enumerate(self.data):
            height = BAR_AREA_HEIGHT * value / largest
            self.bars.append(
                Bar(
                    label=str(label),
                    value=value,
                    x=round(LEFT + index * slot + (slot - bar_width) / 2, 1),
                    y=round(TOP + BAR_AREA_HEIGHT - height, 1),
                    width=round(bar_width, 1),
                    height=round(height, 1),
                )
            )

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return TOP + BAR_AREA_HEIGHT + LABEL_HEIGHT

    @property
    def baseline(self) -> int:
        return TOP + BAR_AREA_HEIGHT

    @property
    def label_y(self) -> int:
        return TOP + BAR_AREA_HEIGHT + 16

    @property
    def total(self) -> int:
        return sum(value for _label, value in self.data)

    @property
    def summary(self) -> str:
        """One line for assistive technology: every label and value."""
        return "; ".join(f"{label}: {value}" for label, value in self.data)
