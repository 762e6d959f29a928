"""Benchmark: the image-space upload pipeline against a plain Pillow decode.

Generates ``--count`` images (JPEG and PNG, sizes up to 4000x4000, deterministic from
``--seed``) into a work folder once, outside any timing. Then each phase runs in its own child
process, so its peak RSS is its own:

- ``baseline``: read each file and decode it with Pillow (``Image.open(...).load()``);
- ``pipeline``: read each file, ``inspect_and_thumbnail`` it (format sniffing, header checks,
  one verifying decode, a 240 px WEBP thumbnail from that decode), store the original
  content-addressed with ``LocalImageStorage`` (atomic write with fsync) and the thumbnail
  beside it.
- ``service``: the whole image-space upload, ``ImageSpace.upload_many`` on a SQLite database
  made by the migrations: the pipeline above plus dedup, the quota transaction, the image
  row and the shared-file lock, with up to four images decoded at once.

Run from the repository root::

    uv run python bench/images_upload.py --count 1000

The results table is printed as Markdown, ready for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

SIZES = [
    (400, 400),
    (640, 480),
    (800, 800),
    (1000, 1000),
    (1200, 900),
    (1600, 1200),
    (2000, 2000),
    (3000, 2000),
    (3000, 3000),
    (4000, 3000),
    (4000, 4000),
]
SIZE_WEIGHTS = [6, 6, 14, 16, 12, 12, 12, 8, 6, 5, 3]
GENERATOR_VERSION = 2  # bump when the generated images change


def _photo_like(rng: random.Random, width: int, height: int, grain: int) -> Image.Image:
    """A product-photo-like picture: soft background, a few shapes, mild noise.

    The noise is drawn at 1/``grain`` of the size (cheap to make; finer grain means bigger
    files): 2 for photos (JPEG), 4 for PNG, which keeps a 4000x4000 PNG near 1 MB.
    """
    small = (max(width // 8, 1), max(height // 8, 1))
    base = Image.new("RGB", small, tuple(rng.randrange(150, 256) for _ in range(3)))
    draw = ImageDraw.Draw(base)
    for _ in range(rng.randrange(3, 8)):
        x0, y0 = rng.randrange(small[0]), rng.randrange(small[1])
        x1 = min(small[0], x0 + rng.randrange(5, max(small[0] // 2, 6)))
        y1 = min(small[1], y0 + rng.randrange(5, max(small[1] // 2, 6)))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)((x0, y0, x1, y1), fill=colour)
    image = base.filter(ImageFilter.GaussianBlur(2)).resize((width, height), Image.BILINEAR)
    noise_size = (max(width // grain, 1), max(height // grain, 1))
    noise = Image.effect_noise(noise_size, 12).convert("RGB").resize((width, height))
    return Image.blend(image, noise, 0.08)


def generate(folder: Path, count: int, seed: int) -> list[Path]:
    """Write the test images once; reuse them when the manifest says they are there."""
    manifest = folder / "manifest.json"
    if manifest.exists():
        saved = json.loads(manifest.read_text())
        if saved == {**saved, "count": count, "seed": seed, "version": GENERATOR_VERSION}:
            return [folder / name for name in saved["files"]]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    files = []
    for index in range(count):
        width, height = rng.choices(SIZES, SIZE_WEIGHTS)[0]
        if rng.random() < 0.5:
            width, height = height, width
        is_png = rng.random() < 0.3
        image = _photo_like(rng, width, height, grain=4 if is_png else 2)
        name = f"{index:05d}.{'png' if is_png else 'jpg'}"
        buffer = io.BytesIO()
        if is_png:
            image.save(buffer, "PNG", compress_level=6)
        else:
            image.save(buffer, "JPEG", quality=rng.choice([80, 85, 90, 95]))
        (folder / name).write_bytes(buffer.getvalue())
        files.append(name)
    manifest.write_text(
        json.dumps({"count": count, "seed": seed, "version": GENERATOR_VERSION, "files": files})
    )
    return [folder / name for name in files]


def _peak_rss_mb() -> float:
    """Peak RSS of this process's own address space.

    Linux's ``VmHWM`` starts afresh at exec; ``ru_maxrss`` does not (a child inherits the
    parent's peak), so it is only the fallback elsewhere.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_baseline(files: list[Path]) -> dict[str, float]:
    """Read and fully decode every file with Pillow, nothing else."""
    total = 0
    started = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        total += len(data)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    return {"seconds": time.perf_counter() - started, "bytes": total}


def run_pipeline(files: list[Path], store: Path) -> dict[str, float]:
    """Inspect, store and thumbnail every file, as an upload does."""
    from core.images.storage_local import THUMBNAIL_VARIANT, LocalImageStorage, variant_key
    from core.images.thumbs import inspect_and_thumbnail

    storage = LocalImageStorage(store)

    async def upload_all() -> tuple[int, int]:
        total = small = 0
        for path in files:
            data = path.read_bytes()
            total += len(data)
            info, thumb = inspect_and_thumbnail(data)
            small += info.is_small
            key = await storage.put_original(data, info.mime)
            await storage.put(
                variant_key(key, THUMBNAIL_VARIANT), thumb.data, content_type=thumb.mime
            )
        return total, small

    started = time.perf_counter()
    total, small = asyncio.run(upload_all())
    return {"seconds": time.perf_counter() - started, "bytes": total, "small": small}


class _LazyFile:
    """A file opened on its first read, so a batch of 1,000 never holds 1,000 handles."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: io.BufferedReader | None = None

    def read(self, size: int = -1, /) -> bytes:
        if self.handle is None:
            self.handle = self.path.open("rb")
        data = self.handle.read(size)
        if not data:
            self.handle.close()
        return data


def run_service(files: list[Path], store: Path) -> dict[str, float]:
    """Upload every file through the image-space service, as a batch job does."""
    from core import migrate
    from core.actor import Actor
    from core.config import load_settings
    from core.db import create_engine, session_factory
    from core.images.service import ImageSpace
    from core.images.storage_local import LocalImageStorage
    from core.models import Account

    settings = load_settings(env={}, data_dir=store, plugins=[])

    async def upload_all() -> tuple[float, int, int, int]:
        await migrate.upgrade(settings)  # set-up, not timed
        engine = create_engine(settings.effective_database_url)
        sessions = session_factory(engine)
        async with sessions() as session:
            account = Account(name="bench", image_quota_bytes=100 * 2**30)
            session.add(account)
            await session.commit()
            assert account.id is not None
        space = ImageSpace(sessions, settings, LocalImageStorage(store / "images"))
        started = time.perf_counter()
        result = await space.upload_many(
            Actor.system(account.id), [(path.name, _LazyFile(path)) for path in files]
        )
        seconds = time.perf_counter() - started
        await engine.dispose()
        small = sum(1 for item in result.items if item.image and item.image.is_small)
        return seconds, result.usage.used_bytes, small, result.stored

    seconds, total, small, stored = asyncio.run(upload_all())
    if stored != len(files):
        raise SystemExit(f"only {stored} of {len(files)} images were stored")
    return {"seconds": seconds, "bytes": total, "small": small}


PHASES = ("baseline", "pipeline", "service")


def child(phase: str, input_folder: Path, store: Path) -> None:
    """Run one phase in this process and print its numbers as JSON."""
    files = sorted(input_folder.glob("0*.*"))
    rss_before = _peak_rss_mb()
    if phase == "baseline":
        result = run_baseline(files)
    elif phase == "pipeline":
        result = run_pipeline(files, store)
    else:
        result = run_service(files, store)
    result.update(count=len(files), rss_start_mb=rss_before, peak_rss_mb=_peak_rss_mb())
    print(json.dumps(result))


def _run_child(phase: str, input_folder: Path, store: Path) -> dict[str, float]:
    shutil.rmtree(store, ignore_errors=True)
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--input",
            str(input_folder),
            "--store",
            str(store),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="images to generate")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the images")
    parser.add_argument("--workdir", type=Path, default=None, help="reuse this folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each phase")
    parser.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args.phase, args.input, args.store)
        return

    workdir = args.workdir or Path(tempfile.gettempdir()) / "tradewind-bench-images"
    started = time.perf_counter()
    files = generate(workdir / "input", args.count, args.seed)
    print(
        f"generated/reused {len(files)} images in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    store = workdir / "store"
    runs: dict[str, list[dict[str, float]]] = {phase: [] for phase in PHASES}
    for _ in range(args.repeat):  # alternate, so a noisy minute hurts both alike
        for phase in runs:
            runs[phase].append(_run_child(phase, workdir / "input", store))
    stored_mb = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20
    _report(len(files), runs, stored_mb)


def _report(count: int, runs: dict[str, list[dict[str, float]]], stored_mb: float) -> None:
    baseline, pipeline, service = runs["baseline"], runs["pipeline"], runs["service"]
    total_mb = baseline[0]["bytes"] / 2**20
    print(
        f"\n{count} images, {total_mb:.0f} MB of files, {int(pipeline[0]['small'])} under "
        f"800x800; store after the last run: {stored_mb:.0f} MB; {len(baseline)} run(s) each, "
        "median shown, (min-max) of the seconds\n"
    )
    print("| run | seconds | images/s | MB/s | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    medians = {}
    for name, rows in (
        ("baseline: Pillow open + load", baseline),
        ("pipeline: inspect + store + thumbnail", pipeline),
        ("service: ImageSpace.upload_many (SQLite)", service),
    ):
        times = sorted(row["seconds"] for row in rows)
        seconds = medians[name] = statistics.median(times)
        spread = f" ({times[0]:.1f}-{times[-1]:.1f})" if len(times) > 1 else ""
        peak = max(row["peak_rss_mb"] for row in rows)
        print(
            f"| {name} | {seconds:.1f}{spread} | {count / seconds:.1f} | "
            f"{total_mb / seconds:.1f} | {peak:.0f} |"
        )
    ratio = (
        medians["pipeline: inspect + store + thumbnail"] / medians["baseline: Pillow open + load"]
    )
    service_ratio = (
        medians["service: ImageSpace.upload_many (SQLite)"]
        / medians["baseline: Pillow open + load"]
    )
    start_rss = max(row["rss_start_mb"] for row in baseline + pipeline + service)
    print(f"\npipeline time / baseline time: {ratio:.2f}")
    print(f"service time / baseline time: {service_ratio:.2f}")
    print(f"peak RSS of a child before its loop: {start_rss:.0f} MB")


if __name__ == "__main__":
    main()
