"""How fast and how lean is run_job? Prints ratios, measured side by side in one run.

    python benchmarks/bench_run_job.py            # the full measurement (about 3 minutes)
    python benchmarks/bench_run_job.py --quick    # a smaller one (about 20 seconds)

1. run_job without video vs a bare Gymnasium loop        (goal: >= 0.95x)
2. run_job recording every episode vs a bare loop        (goal: >= 0.7x), with the video sizes,
   the CPU per step, and where the time goes: the same run with no frame sent to ffmpeg (what
   the screen costs), and with every frame sent to a process that discards it (what sending
   costs; the rest is the encoder's share)
3. run_job recording every episode vs RecordVideo        (goal: >= 1.5x; needs moviepy)
4. memory growth over 100,000 Space Invaders steps with run_job's defaults (goal: < 100 MB)

Each speed is the best of several alternating repetitions, so that a busy moment of
the machine does not favour either side.
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any
from unittest import mock

import gymnasium as gym
import imageio_ffmpeg

from helpers import RandomAgent, make_env, run_job
from helpers.loop import JobResult
from helpers.support.recording import EpisodeRecorder

ENV_ID = "ALE/SpaceInvaders-v5"
SEED = 42


def random_loop(env: gym.Env, steps: int) -> None:
    """The plainest correct loop: sample, step, reset when an episode ends; then close."""
    env.action_space.seed(SEED)
    env.reset(seed=SEED)
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
    env.close()


def bare_loop(steps: int) -> None:
    """A bare Gymnasium loop, without run_job."""
    random_loop(make_env(ENV_ID), steps)


def record_video_wrapper_loop(steps: int, folder: str) -> None:
    """Gymnasium's own way to record every episode: the RecordVideo wrapper."""
    env = make_env(ENV_ID, render_mode="rgb_array")
    random_loop(
        gym.wrappers.RecordVideo(env, folder, episode_trigger=lambda e: True, disable_logger=True),
        steps,
    )


def discarding_writer(path: str, *args: Any, **kwargs: Any) -> Generator[None, Any, None]:
    """Stands in for imageio_ffmpeg.write_frames: the frames go through a pipe, as to ffmpeg,
    to a process that reads and discards them; the file is an mp4's first two boxes."""
    reader = "import sys\nwhile sys.stdin.buffer.read(1 << 16): pass"
    process = subprocess.Popen([sys.executable, "-c", reader], stdin=subprocess.PIPE)
    try:
        while True:
            frame = yield
            if frame is not None:
                process.stdin.write(frame)
    finally:
        process.stdin.close()
        process.wait()
        Path(path).write_bytes(b"\0\0\0\x08ftyp\0\0\0\x08moov")


def best_time(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def compare(
    name: str,
    ours: Callable[[], object],
    theirs: Callable[[], object],
    repeats: int,
    goal: float | None,
) -> float:
    ours_times, theirs_times = [], []
    for _ in range(repeats):  # alternate, so both meet the same machine
        theirs_times.append(best_time(theirs))
        ours_times.append(best_time(ours))
    ratio = min(theirs_times) / min(ours_times)
    verdict = ""
    if goal is not None:
        verdict = f" (goal >= {goal}x: {'meets' if ratio >= goal else 'MISSES'})"
    print(
        f"{name}: run_job {min(ours_times):.2f} s, reference {min(theirs_times):.2f} s "
        f"-> speed ratio {ratio:.2f}x{verdict}"
    )
    return ratio


def cpu_seconds(work: Callable[[], object]) -> tuple[float, float]:
    """The CPU time `work` takes in this process and in its child processes (ffmpeg).

    On a busy machine, wall-clock ratios move with the load; CPU time tells where
    the work goes.
    """
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.process_time()
    work()
    own = time.process_time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own, (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)


def memory_megabytes(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, from /proc (Linux).

    Not resource.getrusage: its peak survives fork and exec, so a child would
    report its parent's peak.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(steps: int) -> None:
    """Run in a fresh process: the growth of peak memory over one long run_job."""
    make_env(ENV_ID).close()  # load the emulator and the ROM before measuring
    before = memory_megabytes("VmRSS")
    with tempfile.TemporaryDirectory() as folder:
        result = run_job(ENV_ID, RandomAgent(), steps=steps, seed=SEED, video_dir=folder)
        peak = memory_megabytes("VmHWM")
        print(f"{peak - before:.1f} {len(result.history)} {len(result.videos)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repetitions")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message=".*Overwriting existing videos")
    if args.memory_child:
        memory_child(args.memory_child)
        return

    steps, video_steps, repeats = (3_000, 1_000, 2) if args.quick else (20_000, 4_000, 5)
    memory_steps = 20_000 if args.quick else 100_000
    print(f"{ENV_ID}, seed {SEED}, {sys.platform}, Python {sys.version.split()[0]}")

    compare(
        f"1. no video, {steps} steps",
        lambda: run_job(ENV_ID, RandomAgent(), steps, seed=SEED, record_video=False),
        lambda: bare_loop(steps),
        repeats,
        goal=0.95,
    )
    with tempfile.TemporaryDirectory() as base:  # a fresh folder for every repetition
        results = []

        def film() -> JobResult:
            return run_job(
                ENV_ID, RandomAgent(), video_steps, seed=SEED, video_dir=base, record_video=True
            )

        def filmed() -> None:
            results.append(film())

        compare(
            f"2. video of every episode vs no video, {video_steps} steps",
            filmed,
            lambda: bare_loop(video_steps),
            repeats,
            goal=0.7,
        )
        sizes = [path.stat().st_size / 1e3 for path in results[-1].videos]
        steps = [e["steps"] for e in results[-1].episodes if e["video"] is not None]
        print(
            f"   {len(sizes)} videos: "
            f"{sum(sizes):.0f} KB in all, {statistics.mean(sizes):.0f} KB each on average, "
            f"{sum(sizes) / sum(steps):.2f} KB per step (sizes: "
            + ", ".join(f"{size:.0f}" for size in sizes)
            + " KB)"
        )
        bare_cpu, _ = cpu_seconds(lambda: bare_loop(video_steps))
        own_cpu, ffmpeg_cpu = cpu_seconds(filmed)
        print(
            f"   CPU per step: bare loop {bare_cpu / video_steps * 1e6:.0f} us; run_job filming "
            f"{own_cpu / video_steps * 1e6:.0f} us in Python and "
            f"{ffmpeg_cpu / video_steps * 1e6:.0f} us in ffmpeg (on another core when one is free)"
        )

        def screen_only() -> None:
            """Filming with every frame read and checked, none sent to ffmpeg."""
            quiet = logging.getLogger("imageio_ffmpeg")  # "No frames have been written"
            with (
                mock.patch.object(EpisodeRecorder, "_send", lambda self, frame: None),
                mock.patch.object(quiet, "level", logging.ERROR),
            ):
                film()

        compare(
            "   where the time goes: the same, frames read but not sent to ffmpeg",
            screen_only,
            lambda: bare_loop(video_steps),
            repeats,
            goal=None,
        )

        def sent_and_discarded() -> None:
            """Filming with every frame sent through a pipe to a process that discards it."""
            with mock.patch.object(imageio_ffmpeg, "write_frames", discarding_writer):
                film()

        compare(
            "   where the time goes: the same, every frame sent to a process that discards it",
            sent_and_discarded,
            lambda: bare_loop(video_steps),
            repeats,
            goal=None,
        )
        compare(
            f"3. video of every episode vs RecordVideo, {video_steps} steps",
            filmed,
            lambda: record_video_wrapper_loop(video_steps, tempfile.mkdtemp(dir=base)),
            repeats,
            goal=1.5,
        )

    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(memory_steps)],
        capture_output=True,
        text=True,
        check=True,
    )
    growth, history, videos = child.stdout.split()
    verdict = "meets" if float(growth) < 100 else "MISSES"
    print(
        f"4. memory, {memory_steps} steps with defaults ({history} history records, {videos} "
        f"videos): peak growth {float(growth):.1f} MB (goal < 100 MB: {verdict})"
    )


if __name__ == "__main__":
    main()
