"""How fast and how lean is run_job? Prints ratios, measured side by side in one run.

    python benchmarks/bench_run_job.py            # the full measurement (about 3 minutes)
    python benchmarks/bench_run_job.py --quick    # a smaller one (about 20 seconds)

1. run_job without video vs a bare Gymnasium loop        (goal: >= 0.95x)
2. run_job recording every episode vs a bare loop        (goal: >= 0.7x), with the video sizes,
   the CPU per step in the game's process and in the encoder's, and the same run with no
   frame but the first of each episode sent to the encoder (what reading the screen costs)
3. run_job recording every episode vs RecordVideo        (goal: >= 1.5x; needs moviepy)
4. memory growth over 100,000 Space Invaders steps with run_job's defaults (goal: < 100 MB)

Each speed is the best of several alternating repetitions, so that a busy moment of
the machine does not favour either side.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import gymnasium as gym

from helpers import RandomAgent, make_env, run_job
from helpers.loop import JobResult
from helpers.support import encoder
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


def encoders_cpu() -> dict[int, float]:
    """The CPU seconds of each encoder process kept for the next run, from /proc (Linux)."""
    seconds = {}
    for kept in encoder._SPARE:
        fields = Path(f"/proc/{kept.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        seconds[kept.process.pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return seconds


def cpu_seconds(work: Callable[[], object]) -> tuple[float, float]:
    """The CPU time `work` takes in this process and in its child processes (the encoder,
    which stays for the next run, and any that ended).

    On a busy machine, wall-clock ratios move with the load; CPU time tells where
    the work goes.
    """
    children, kept = resource.getrusage(resource.RUSAGE_CHILDREN), encoders_cpu()
    start = time.process_time()
    work()
    own = time.process_time() - start
    after, kept_after = resource.getrusage(resource.RUSAGE_CHILDREN), encoders_cpu()
    ended = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
    return own, ended + sum(cpu - kept.get(pid, 0) for pid, cpu in kept_after.items())


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
        own_cpu, encoder_cpu = cpu_seconds(filmed)
        print(
            f"   CPU per step: bare loop {bare_cpu / video_steps * 1e6:.0f} us; run_job filming "
            f"{own_cpu / video_steps * 1e6:.0f} us in the game's process and "
            f"{encoder_cpu / video_steps * 1e6:.0f} us in the encoder's (on another core)"
        )

        send = EpisodeRecorder._send

        def screen_only() -> None:
            """Filming with every frame read and checked, and only the first of each episode
            sent to the encoder (a video needs one)."""
            first_only = lambda self, frame: self.frames or send(self, frame)  # noqa: E731
            with mock.patch.object(EpisodeRecorder, "_send", first_only):
                film()

        compare(
            "   where the time goes: the same, frames read but not sent to the encoder",
            screen_only,
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
