"""Regenerate the two tiny MP4 fixtures the fake Evolink server returns as video results.

The fake must not need ffmpeg at run time (there is none on the machines), so the files are
made once and committed. PyAV's wheels bundle ffmpeg with libx264; use a throwaway venv:

    python3 -m venv /tmp/mkassets
    /tmp/mkassets/bin/pip install av pillow
    /tmp/mkassets/bin/python tests/fakes/evolink/make_assets.py

It writes `assets/video-5s.mp4` and `assets/video-10s.mp4` (H.264, 160x90, 4 fps, yuv420p,
`moov` before `mdat`), then opens each again and prints its duration and frame count.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av  # type: ignore[import-not-found]  # only in the throwaway venv, never at run time
from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent / "assets"
WIDTH, HEIGHT, FPS = 160, 90, 4


def _frame(index: int, total: int) -> Image.Image:
    """A gradient whose colour drifts with time, plus a bar that shows how far along we are."""
    shift = int(255 * index / max(total - 1, 1))
    gradient = Image.linear_gradient("L").rotate(90).resize((WIDTH, HEIGHT))
    start = Image.new("RGB", (WIDTH, HEIGHT), (shift, 64, 255 - shift))
    end = Image.new("RGB", (WIDTH, HEIGHT), (255 - shift, 192, shift))
    image = Image.composite(start, end, gradient)
    ImageDraw.Draw(image).rectangle((0, HEIGHT - 8, WIDTH * (index + 1) // total, HEIGHT), "white")
    return image


def write_video(path: Path, seconds: int) -> None:
    total = seconds * FPS
    # faststart puts `moov` first, like the files real video services hand out.
    with av.open(str(path), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.time_base = Fraction(1, FPS)
        stream.options = {"crf": "35", "preset": "veryslow", "tune": "stillimage"}
        for index in range(total):
            frame = av.VideoFrame.from_image(_frame(index, total))
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def describe(path: Path) -> str:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        seconds = float(container.duration or 0) / av.time_base
        codec = stream.codec_context.name
        size = f"{stream.codec_context.width}x{stream.codec_context.height}"
    length = path.stat().st_size
    return f"{path.name}: {length} bytes, {codec} {size}, {seconds:.3f} s, {frames} frames"


def main() -> None:
    ASSETS.mkdir(exist_ok=True)
    for seconds in (5, 10):
        path = ASSETS / f"video-{seconds}s.mp4"
        write_video(path, seconds)
        print(describe(path))


if __name__ == "__main__":
    main()
