"""Videos: recording while the job runs, and showing them inline."""

from __future__ import annotations

import base64
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import gymnasium as gym
import imageio_ffmpeg
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

import helpers.support.recording
from helpers import RandomAgent, run_job, show_video
from helpers.support import encoder
from helpers.support.notebook import VideoTooLargeError
from helpers.support.recording import (
    PARTIAL_SUFFIX,
    EpisodeRecorder,
    VideoEncodingError,
    new_run_folder,
)


def read_video(path):
    """Return (metadata, frames) of an mp4, decoded by ffmpeg."""
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    frames = [np.frombuffer(f, dtype=np.uint8) for f in reader]
    return meta, frames


def test_each_recorded_episode_gets_a_complete_h264_mp4(tmp_path, agent):
    result = run_job(CorridorEnv(length=5), agent, steps=10, video_dir=tmp_path, record_video=True)
    assert result.video_folder.parent == tmp_path
    assert [e["video"].parent for e in result.episodes] == [result.video_folder] * 2
    assert [e["video"].name for e in result.episodes] == [
        "episode-000000.mp4",
        "episode-000001.mp4",
    ]
    for episode in result.episodes:
        meta, frames = read_video(episode["video"])
        assert len(frames) == episode["steps"] + 1  # the reset frame and one per step
        assert meta["codec"] == "h264"
        assert meta["pix_fmt"].startswith("yuv420p")
        assert meta["fps"] == CorridorEnv.metadata["render_fps"]
        assert meta["size"] == (46, 34)  # 45 x 33 padded to even sizes


def test_the_frames_in_the_video_are_the_episode_frames(tmp_path, agent):
    result = run_job(CorridorEnv(length=5), agent, steps=5, video_dir=tmp_path, record_video=True)
    _, frames = read_video(result.episodes[0]["video"])
    # brightness 0, 20, ..., 100 (the position times 20); the codec may shift it a little
    brightness = [int(f.reshape(34, 46, 3)[:33, :45].mean()) for f in frames]
    assert brightness == pytest.approx([0, 20, 40, 60, 80, 100], abs=3)


def test_space_invaders_video_has_every_frame_at_the_game_frame_rate(tmp_path):
    result = run_job(
        "ALE/SpaceInvaders-v5",
        RandomAgent(),
        steps=120,
        seed=1,
        video_dir=tmp_path,
        record_video=True,
    )
    meta, frames = read_video(result.episodes[0]["video"])
    assert result.episodes[0]["outcome"] == "unfinished"
    assert len(frames) == 121
    assert meta["size"] == (160, 210)
    assert meta["fps"] == 15  # 4 emulator frames a step, 60 frames a second: real speed


def test_cartpole_can_be_recorded_too(tmp_path):
    env = gym.make("CartPole-v1", render_mode="rgb_array")
    result = run_job(env, RandomAgent(), steps=30, seed=0, video_dir=tmp_path, record_video=True)
    meta, frames = read_video(result.episodes[0]["video"])
    assert len(frames) == result.episodes[0]["steps"] + 1
    assert meta["size"] == (600, 400)


def test_the_default_schedule_records_gymnasiums_episodes(tmp_path, agent):
    result = run_job(CorridorEnv(length=1), agent, steps=10, video_dir=tmp_path)
    recorded = [e["episode"] for e in result.episodes if e["video"] is not None]
    assert recorded == [0, 1, 8]
    assert sorted(p.name for p in result.video_folder.iterdir()) == [
        "episode-000000.mp4",
        "episode-000001.mp4",
        "episode-000008.mp4",
    ]


def test_a_schedule_function_picks_the_episodes(tmp_path, agent):
    result = run_job(
        CorridorEnv(length=1),
        agent,
        steps=6,
        video_dir=tmp_path,
        record_video=lambda episode: episode % 2 == 1,
    )
    assert [e["video"] is not None for e in result.episodes] == [False, True] * 3


def test_record_video_false_writes_nothing(tmp_path, agent):
    run_job(CorridorEnv(length=1), agent, steps=3, video_dir=tmp_path / "v", record_video=False)
    assert not (tmp_path / "v").exists()


class Interrupter(RecordingAgent):
    """Raises `error` when asked for its action number `at`."""

    def __init__(self, at: int, error: BaseException) -> None:
        super().__init__()
        self.at, self.error = at, error

    def decision_function(self, observation, action_space):
        if len(self.seen) == self.at:
            raise self.error
        return super().decision_function(observation, action_space)


@pytest.mark.parametrize("error", [KeyboardInterrupt(), RuntimeError("agent bug")])
def test_an_interrupt_keeps_finished_videos_and_leaves_no_partial_file(tmp_path, error):
    env = CorridorEnv(length=4)
    with pytest.raises(type(error)) as caught:
        run_job(
            env, Interrupter(at=10, error=error), steps=50, video_dir=tmp_path, record_video=True
        )
    assert env.closed
    partial = caught.value.partial_result
    assert len(partial.history) == 10
    assert [e["outcome"] for e in partial.episodes] == ["terminated", "terminated"]
    assert sorted(p.name for p in partial.video_folder.iterdir()) == [
        "episode-000000.mp4",
        "episode-000001.mp4",
    ]
    for episode in partial.episodes:
        _, frames = read_video(episode["video"])
        assert len(frames) == 5
    assert "partial_result" in "\n".join(caught.value.__notes__)


def test_recorder_writes_under_a_temporary_name_until_closed(tmp_path):
    recorder = EpisodeRecorder(tmp_path / "clip.mp4", fps=10)
    recorder.add_frame(np.zeros((8, 8, 3), dtype=np.uint8))
    assert not (tmp_path / "clip.mp4").exists()  # the encoder writes clip.mp4.partial meanwhile
    assert recorder.close() == tmp_path / "clip.mp4"
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_recorder_discard_removes_the_partial_file(tmp_path):
    with pytest.raises(ZeroDivisionError), EpisodeRecorder(tmp_path / "clip.mp4", fps=10) as rec:
        rec.add_frame(np.zeros((8, 8, 3), dtype=np.uint8))
        1 / 0  # noqa: B018
    assert list(tmp_path.iterdir()) == []


def test_recorder_rejects_frames_that_are_not_rgb_images(tmp_path):
    recorder = EpisodeRecorder(tmp_path / "clip.mp4", fps=10)
    with pytest.raises(ValueError, match=r"shape \(height, width, 3\)"):
        recorder.add_frame(np.zeros((8, 8), dtype=np.uint8))


def test_recorder_rejects_a_frame_of_another_size(tmp_path):
    recorder = EpisodeRecorder(tmp_path / "clip.mp4", fps=10)
    recorder.add_frame(np.zeros((8, 8, 3), dtype=np.uint8))
    with pytest.raises(ValueError, match="same size"):
        recorder.add_frame(np.zeros((16, 8, 3), dtype=np.uint8))
    recorder.discard()


def test_show_video_embeds_the_file_on_the_video_element(tmp_path, agent):
    result = run_job(CorridorEnv(length=3), agent, steps=3, video_dir=tmp_path, record_video=True)
    path = result.episodes[0]["video"]
    html = show_video(path, width=360).data
    match = re.fullmatch(
        r'<video src="data:video/mp4;base64,([A-Za-z0-9+/=]+)" width="360" [^>]*>'
        r"</video>",
        html,
    )
    assert match, html[:120]
    assert base64.b64decode(match.group(1)) == path.read_bytes()
    assert "<source" not in html


def test_show_video_on_a_missing_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="No video file at"):
        show_video(tmp_path / "nope.mp4")


def test_show_video_on_an_episode_that_was_not_recorded_says_so():
    with pytest.raises(FileNotFoundError, match="not recorded"):
        show_video(None)


def test_show_video_refuses_a_file_too_large_to_embed(tmp_path):
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0\0\0\x20ftypisom" + b"\0" * (2_000_000 - 12))
    with pytest.raises(VideoTooLargeError, match=r"2\.0 MB.*max_megabytes=3"):
        show_video(big, max_megabytes=1)
    assert show_video(big, max_megabytes=3).data.startswith("<video")


def small_video(path, frames=3):
    with EpisodeRecorder(path, fps=10) as recorder:
        for shade in range(frames):
            recorder.add_frame(np.full((16, 16, 3), 40 * shade, dtype=np.uint8))
    return path


# Never lost: a folder per run


def test_a_second_run_never_overwrites_the_first_runs_videos(tmp_path):
    first = run_job(CorridorEnv(length=3), RecordingAgent(), 6, video_dir=tmp_path, seed=1)
    before = {path: path.read_bytes() for path in first.videos}
    second = run_job(CorridorEnv(length=5), RecordingAgent(), 5, video_dir=tmp_path, seed=1)
    assert first.video_folder != second.video_folder
    assert {path: path.read_bytes() for path in first.videos} == before
    assert sorted(p.name for p in first.video_folder.iterdir()) == [p.name for p in first.videos]
    assert len(read_video(second.videos[0])[1]) == 6
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d{6}_CorridorEnv_seed1_\w{8}", second.video_folder.name)


def test_runs_starting_at_the_same_moment_get_folders_of_their_own(tmp_path, monkeypatch):
    monkeypatch.setattr(
        helpers.support.recording.time, "strftime", lambda pattern: "2026-11-24_221530"
    )
    folders: list = []
    threads = [
        threading.Thread(target=lambda: folders.append(new_run_folder(tmp_path, "Pong_seed1")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(folders)) == 8
    assert all(p.name.startswith("2026-11-24_221530_Pong_seed1_") for p in tmp_path.iterdir())


def test_two_processes_recording_into_one_folder_at_once_do_not_collide(tmp_path):
    script = (
        "import sys; sys.path.insert(0, 'tests'); from conftest import CorridorEnv;"
        "from helpers import RandomAgent, run_job;"
        f"r = run_job(CorridorEnv(length=4), RandomAgent(), 12, video_dir={str(tmp_path)!r},"
        " seed=0, record_video=True); print(r.video_folder)"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    runs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    folders = [run.communicate()[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    assert folders[0] != folders[1]
    for folder in folders:
        videos = sorted(os.listdir(folder))
        assert videos == ["episode-000000.mp4", "episode-000001.mp4", "episode-000002.mp4"]


def test_a_video_dir_starting_with_a_tilde_is_in_the_home_folder(tmp_path, monkeypatch, agent):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    result = run_job(CorridorEnv(), agent, 3, video_dir="~/videos", record_video=True)
    assert result.video_folder.parent == tmp_path / "home" / "videos"
    assert not (tmp_path / "~").exists()


def test_a_run_that_records_nothing_leaves_no_empty_folder(tmp_path, agent):
    result = run_job(CorridorEnv(), agent, 3, video_dir=tmp_path, record_video=lambda e: e > 5)
    assert result.videos == []
    assert list(tmp_path.iterdir()) == []


# Never lost: encoder failures


class EncoderKiller(RecordingAgent):
    """Kills the newest encoder process when asked for its action number `at`."""

    def __init__(self, at, processes):
        super().__init__()
        self.at, self.processes = at, processes

    def decision_function(self, observation, action_space):
        if len(self.seen) == self.at:
            self.processes[-1].kill()
            self.processes[-1].wait()
        return super().decision_function(observation, action_space)


def test_a_killed_encoder_is_a_clear_error_and_earlier_videos_stay(tmp_path, monkeypatch):
    processes = []
    popen = subprocess.Popen

    def remembering_popen(*args, **kwargs):
        processes.append(popen(*args, **kwargs))
        return processes[-1]

    monkeypatch.setattr(encoder.subprocess, "Popen", remembering_popen)
    env = CorridorEnv(length=4)
    with pytest.raises(VideoEncodingError, match=r"episode-000001.mp4") as caught:
        run_job(env, EncoderKiller(at=6, processes=processes), 20, video_dir=tmp_path)
    assert env.closed
    partial = caught.value.partial_result
    assert [p.name for p in partial.videos] == ["episode-000000.mp4"]
    assert sorted(p.name for p in partial.video_folder.iterdir()) == ["episode-000000.mp4"]
    assert len(read_video(partial.videos[0])[1]) == 5


def test_a_file_size_limit_is_a_clear_error_and_leaves_no_broken_file(tmp_path):
    script = f"""
import resource, sys
sys.path.insert(0, "tests")
from conftest import CorridorEnv
from helpers import RandomAgent, run_job
from helpers.support.recording import VideoEncodingError

class Big(CorridorEnv):  # the first episode is black (a small video), the next ones noise
    def render(self):
        noise = __import__("numpy").random.default_rng(self.position)
        return noise.integers(0, 255 if self.resets > 1 else 1, (720, 960, 3), dtype="uint8")

# room for the encoder's shared memory (8 MiB at most), not for a video of noise
resource.setrlimit(resource.RLIMIT_FSIZE, (10_000_000, 10_000_000))
try:
    run_job(Big(length=40), RandomAgent(), 200, video_dir={str(tmp_path)!r}, record_video=True)
except VideoEncodingError as err:
    print("ERROR", err)
    print("LISTED", *[p.name for p in err.partial_result.videos])
"""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert "ERROR Could not record episode-" in out.stdout, out.stdout + out.stderr
    listed = out.stdout.split("LISTED")[1].split()
    assert listed == ["episode-000000.mp4"]
    (folder,) = tmp_path.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(listed)
    for name in listed:
        assert len(read_video(folder / name)[1]) == 41


FULL_DISK_SCRIPT = """
import sys, imageio_ffmpeg
sys.path.insert(0, "tests")
from conftest import CorridorEnv
from helpers import RandomAgent, run_job
from helpers.support.recording import VideoEncodingError

class Big(CorridorEnv):  # the first episode is black (a small video), the next ones noise
    def render(self):
        noise = __import__("numpy").random.default_rng(self.position)
        return noise.integers(0, 255 if self.resets > 1 else 1, (240, 320, 3), dtype="uint8")

try:
    run_job(Big(length=40), RandomAgent(), 200, video_dir=sys.argv[1], record_video=True)
except VideoEncodingError as err:
    print("ERROR", err)
    print("LISTED", *[p.name for p in err.partial_result.videos])
    folder = err.partial_result.video_folder
    print("ON DISK", *sorted(p.name for p in folder.iterdir()))
    for path in err.partial_result.videos:  # the disk goes with the namespace: count here
        print("FRAMES", imageio_ffmpeg.count_frames_and_secs(str(path))[0])
"""


def test_a_full_disk_is_a_clear_error_and_earlier_videos_stay(tmp_path):
    """A real full disk: a 300 KB tmpfs, mounted in a mount namespace of this test's own
    (``unshare -Urm``: no root needed), is the video folder."""
    if sys.platform != "linux" or subprocess.run(["unshare", "-Urm", "true"]).returncode:
        pytest.skip("needs Linux's unshare with user namespaces, to mount a small disk")
    disk = tmp_path / "disk"
    disk.mkdir()
    mount_and_run = 'mount -t tmpfs -o size=300k tmpfs "$1" && shift && exec "$@"'
    command = ["unshare", "-Urm", "sh", "-c", mount_and_run, "sh", str(disk)]
    command += [sys.executable, "-c", FULL_DISK_SCRIPT, str(disk)]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    assert "ERROR Could not record episode-000001.mp4" in out.stdout, out.stdout + out.stderr
    assert "the disk is full" in out.stdout
    assert "free some disk space" in out.stdout
    assert "LISTED episode-000000.mp4\n" in out.stdout
    assert "ON DISK episode-000000.mp4\n" in out.stdout  # no broken or partial file
    assert "FRAMES 41\n" in out.stdout  # the earlier video is whole
    assert list(disk.iterdir()) == []  # the small disk was this test's alone


# Never lost: interrupts at any moment


def test_an_interrupt_at_any_moment_leaves_only_complete_videos(tmp_path, monkeypatch):
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    encoders, popen = [], subprocess.Popen
    monkeypatch.setattr(
        encoder.subprocess, "Popen", lambda *a, **k: encoders.append(popen(*a, **k)) or encoders[-1]
    )

    start = time.perf_counter()  # how long a whole run takes here: interrupts fall within it
    run_job(CorridorEnv(length=4), RandomAgent(), 24, video_dir=tmp_path / "whole")
    duration = time.perf_counter() - start
    previous = signal.signal(signal.SIGALRM, interrupt)
    rng = random.Random(0)
    outcomes = set()
    try:
        for attempt in range(30):
            env, folder = CorridorEnv(length=4), tmp_path / str(attempt)
            result = None
            try:
                try:
                    signal.setitimer(signal.ITIMER_REAL, rng.uniform(0.0, 1.1 * duration))
                    result = run_job(env, RandomAgent(), 24, video_dir=folder, record_video=True)
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                outcomes.add("finished")
            except KeyboardInterrupt as err:
                result = getattr(err, "partial_result", None)
                outcomes.add("interrupted")
            assert env.closed or result is None
            assert not list(tmp_path.rglob("*" + PARTIAL_SUFFIX))
            files = sorted(folder.rglob("*.mp4")) if folder.exists() else []
            if result is not None:  # every listed video is there (and nothing else but
                assert set(result.videos) <= set(files)  # one finished as the interrupt came)
                assert len(files) <= len(result.videos) + 1
            listed = {e["video"]: e["steps"] for e in result.episodes} if result else {}
            for video in files:  # every video there is whole
                frames = read_video(video)[1]
                assert frames and len(frames) == listed.get(video, len(frames) - 1) + 1
            running = {process for process in encoders if process.poll() is None}
            assert running <= {kept.process for kept in encoder._SPARE}  # idle, kept for later
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert "interrupted" in outcomes and encoders


KILLED_SCRIPT = """
import sys
sys.path.insert(0, "tests")
from conftest import CorridorEnv
from helpers import RandomAgent, run_job

class Slow(CorridorEnv):  # an episode of 40 steps, filmed: long enough to be killed in
    def step(self, action):
        __import__("time").sleep(0.01)
        return super().step(action)

run_job(Slow(length=40), RandomAgent(), 10_000, video_dir=sys.argv[1], record_video=True)
"""


def test_a_kernel_killed_with_its_process_group_leaves_no_shared_memory(tmp_path):
    """Jupyter kills a kernel that does not stop with its whole process group, Python's
    resource tracker included: the frames' shared memory must not outlive it."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("needs Linux's /dev/shm to look for shared memory left behind")
    noted = (
        "from multiprocessing import shared_memory\n"
        "made = shared_memory.SharedMemory.__init__\n"
        "def noted(self, *args, **kwargs):\n"
        "    made(self, *args, **kwargs)\n"
        "    print('MEMORY', self.name.lstrip('/'), flush=True)\n"
        "shared_memory.SharedMemory.__init__ = noted\n"
    )
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    game = subprocess.Popen(
        [sys.executable, "-c", noted + KILLED_SCRIPT, str(tmp_path)],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        name = game.stdout.readline().split()[-1]
        for _ in range(400):  # until the second video is being written
            if list(tmp_path.rglob("episode-000001.mp4.partial/*")):
                break
            time.sleep(0.025)
    finally:
        os.killpg(game.pid, signal.SIGKILL)
        game.wait()
    assert not (Path("/dev/shm") / name).exists()


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_python_leaves_no_half_written_video(tmp_path, how):
    """Python runs no clean-up when it is killed; the encoder, left alone, removes its file."""
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    game = subprocess.Popen([sys.executable, "-c", KILLED_SCRIPT, str(tmp_path)], env=env)
    try:
        for _ in range(400):  # until the second video is being written
            if list(tmp_path.rglob("episode-000001.mp4.partial/*")):
                break
            time.sleep(0.025)
        else:
            pytest.fail("no second video was started")
    finally:
        game.send_signal(how)
        game.wait()
    for _ in range(200):  # the encoder sees the game gone
        if not list(tmp_path.rglob("*" + PARTIAL_SUFFIX)):
            break
        time.sleep(0.025)
    (folder,) = tmp_path.iterdir()
    assert [p.name for p in folder.iterdir()] == ["episode-000000.mp4"]
    assert read_video(folder / "episode-000000.mp4")[1]


# The recorder


def test_add_frame_after_close_is_a_clear_error_and_keeps_the_video(tmp_path):
    path = small_video(tmp_path / "clip.mp4")
    before = path.read_bytes()
    recorder = EpisodeRecorder(path, fps=10)
    recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))
    recorder.close()
    with pytest.raises(RuntimeError, match="finished: clip.mp4 takes no more frames"):
        recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))
    assert len(read_video(path)[1]) == 1 and path.read_bytes() != before


def test_float_frames_in_0_1_are_scaled_not_black(tmp_path):
    with EpisodeRecorder(tmp_path / "clip.mp4", fps=10) as recorder:
        for _ in range(2):
            recorder.add_frame(np.full((16, 16, 3), 0.5))
    _, frames = read_video(tmp_path / "clip.mp4")
    assert frames[0].mean() == pytest.approx(128, abs=3)


@pytest.mark.parametrize(
    "frame", [np.full((8, 8, 3), 300), np.full((8, 8, 3), -0.5), np.full((8, 8, 3), np.nan)]
)
def test_frames_out_of_the_colour_range_are_a_clear_error(tmp_path, frame):
    with pytest.raises(ValueError, match="colours must be 0..255|NaN"):
        EpisodeRecorder(tmp_path / "clip.mp4", fps=10).add_frame(frame)


def test_integer_frames_in_range_are_accepted(tmp_path):
    with EpisodeRecorder(tmp_path / "clip.mp4", fps=10) as recorder:
        recorder.add_frame(np.full((8, 8, 3), 200))  # int64, as np.full makes it
    assert read_video(tmp_path / "clip.mp4")[1][0].mean() == pytest.approx(200, abs=3)


def test_a_render_that_returns_none_is_a_clear_error(tmp_path):
    class Blind(CorridorEnv):
        def render(self):
            return None

    env = Blind()
    with pytest.raises(ValueError, match=r"Blind.render\(\) returned None, although"):
        run_job(env, RandomAgent(), 3, video_dir=tmp_path, record_video=True)
    assert env.closed and not list(tmp_path.rglob("*"))


# show_video


def test_show_video_refuses_a_file_that_is_not_an_mp4(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("hello")
    with pytest.raises(ValueError, match="notes.mp4 is not an mp4 video"):
        show_video(text)


def test_show_video_refuses_a_partial_file(tmp_path):
    partial = tmp_path / ("episode-000000.mp4" + PARTIAL_SUFFIX)
    partial.write_bytes(b"\0\0\0\x20ftypisom")
    with pytest.raises(ValueError, match="still being written"):
        show_video(partial)


def test_show_video_shows_every_video_of_a_list(tmp_path):
    videos = [small_video(tmp_path / f"{n}.mp4") for n in range(3)]
    html = show_video(videos, width=200).data
    assert html.count("<video ") == 3 and html.count('width="200"') == 3


@pytest.mark.parametrize("width", ["480", None, -5, True])
def test_show_video_width_must_be_a_number(tmp_path, width):
    with pytest.raises(TypeError, match="width must be a number of pixels"):
        show_video(small_video(tmp_path / "clip.mp4"), width=width)


def test_discard_in_the_middle_of_an_episode_throws_the_video_away(tmp_path):
    recorder = EpisodeRecorder(tmp_path / "clip.mp4", fps=10)
    recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))
    recorder.discard()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RuntimeError, match="discarded"):
        recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))


# The recorder used directly, and odd frames


def test_an_empty_frame_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no pixels"):
        with EpisodeRecorder(tmp_path / "empty.mp4", fps=10) as recorder:
            recorder.add_frame(np.zeros((0, 0, 3), dtype=np.uint8))
    assert list(tmp_path.iterdir()) == []


def test_float_frames_keep_the_scale_of_the_first_frame(tmp_path):
    # the first frame says 0..255 (one value above 1): a later frame of 1.0 stays dark
    with EpisodeRecorder(tmp_path / "dark.mp4", fps=10) as recorder:
        recorder.add_frame(np.full((16, 16, 3), 200.0))
        recorder.add_frame(np.full((16, 16, 3), 1.0))
    means = [frame.mean() for frame in read_video(tmp_path / "dark.mp4")[1]]
    assert means[0] == pytest.approx(200, abs=3) and means[1] < 5
    # the first frame says 0..1: a later frame of 200.0 is a clear error, not a white flash
    with pytest.raises(ValueError, match="from 0 to 1.*one scale"):
        with EpisodeRecorder(tmp_path / "mixed.mp4", fps=10) as recorder:
            recorder.add_frame(np.full((16, 16, 3), 0.5))
            recorder.add_frame(np.full((16, 16, 3), 200.0))
    assert not (tmp_path / "mixed.mp4").exists()
    # an all-black first frame reads the same on both scales: the next one decides
    with EpisodeRecorder(tmp_path / "late.mp4", fps=10) as recorder:
        recorder.add_frame(np.zeros((16, 16, 3)))
        recorder.add_frame(np.full((16, 16, 3), 100.0))
    assert read_video(tmp_path / "late.mp4")[1][1].mean() == pytest.approx(100, abs=3)


def test_a_render_fps_given_as_a_numpy_number_sets_the_speed(tmp_path):
    env = CorridorEnv(length=3)
    env.metadata = {**env.metadata, "render_fps": np.int64(4)}
    result = run_job(env, RandomAgent(), 3, video_dir=tmp_path, record_video=True)
    assert read_video(result.videos[0])[0]["fps"] == 4


@pytest.mark.parametrize("fps", [None, "30", float("nan"), float("inf"), 0, -5, True])
def test_a_recorder_refuses_a_frame_rate_that_is_not_a_positive_number(tmp_path, fps):
    with pytest.raises((TypeError, ValueError), match="fps must be"):
        EpisodeRecorder(tmp_path / "clip.mp4", fps=fps)


def test_a_recorder_takes_numpy_frame_rates(tmp_path):
    assert EpisodeRecorder(tmp_path / "a.mp4", fps=np.int64(15)).fps == 15
    assert EpisodeRecorder(tmp_path / "b.mp4", fps=np.float32(12.5)).fps == 12.5


def test_a_recorder_path_must_be_a_file_in_a_folder_that_exists(tmp_path, monkeypatch):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        EpisodeRecorder(tmp_path, fps=10)
    with pytest.raises(FileNotFoundError, match="create it first"):
        EpisodeRecorder(tmp_path / "missing" / "clip.mp4", fps=10)
    with pytest.raises(TypeError, match="name of an mp4 file"):
        EpisodeRecorder(None, fps=10)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert EpisodeRecorder("~/clip.mp4", fps=10).path == tmp_path / "clip.mp4"
    assert list(tmp_path.iterdir()) == []


def test_a_recorder_lost_before_close_stops_the_encoder_and_leaves_no_file(tmp_path):
    import gc

    recorder = EpisodeRecorder(tmp_path / "lost.mp4", fps=10)
    for _ in range(30):
        recorder.add_frame(np.zeros((16, 16, 3), dtype=np.uint8))
    process = recorder._encoder.process
    assert process.poll() is None and (tmp_path / "lost.mp4.partial").exists()
    del recorder
    gc.collect()
    assert process.poll() is not None
    assert list(tmp_path.iterdir()) == []


def test_a_video_dir_with_an_unknown_home_is_named(tmp_path):
    with pytest.raises(ValueError, match="home folder in video_dir"):
        run_job(CorridorEnv(length=3), RandomAgent(), 3, video_dir="~no-such-user-here/videos")


# The encoder process


def test_the_encoders_reason_reaches_the_game_whole(tmp_path):
    video = encoder.VideoEncoder()
    try:
        video.open(tmp_path / "no folder" / "clip.v2.mp4", 8, 8, 10)  # the encoder cannot
        with pytest.raises(
            OSError, match=r"No such file or directory, writing .*no folder/clip\.v2\.mp4"
        ):
            for _ in range(64):  # the ring fills, then the game reads the reply
                video.send(np.zeros((8, 8, 3), dtype=np.uint8))
    finally:
        video.stop()
    assert video.process is None


def test_an_encoder_kept_for_later_serves_the_next_run_and_a_fork_leaves_it_alone(tmp_path):
    first = run_job(CorridorEnv(length=3), RandomAgent(), 5, video_dir=tmp_path, record_video=True)
    assert first.videos and encoder._SPARE
    kept = encoder._SPARE[-1].process
    child = os.fork()
    if child == 0:  # a fork takes no encoder of its parent's, and stops none at its exit
        code = 0 if encoder.spare_encoder().process is None else 1
        import atexit

        atexit._run_exitfuncs()
        os._exit(code)
    assert os.waitpid(child, 0)[1] == 0
    assert kept.poll() is None
    second = run_job(CorridorEnv(length=3), RandomAgent(), 5, video_dir=tmp_path, record_video=True)
    assert second.videos and len(read_video(second.videos[0])[1]) >= 2
    assert kept in {spare.process for spare in encoder._SPARE}  # the same process, used again


def test_a_kept_encoder_writes_where_the_next_run_says_after_a_change_of_folder(
    tmp_path, monkeypatch
):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    run_job(CorridorEnv(length=3), RandomAgent(), 5, video_dir="videos", record_video=True)
    monkeypatch.chdir(tmp_path / "b")  # as %cd does in a notebook
    result = run_job(CorridorEnv(length=3), RandomAgent(), 5, video_dir="videos", record_video=True)
    assert result.videos and all((tmp_path / "b" / video).is_file() for video in result.videos)


def test_a_ctrl_c_sent_to_the_games_process_group_leaves_the_encoder_working(tmp_path):
    """Jupyter interrupts a kernel's whole process group: the encoder is in its own, and
    ignores a Ctrl-C sent to it alone."""
    video = encoder.VideoEncoder()
    try:
        for name in ["before.mp4", "after.mp4"]:
            video.open(tmp_path / name, 16, 16, 10)
            video.send(np.zeros((16, 16, 3), dtype=np.uint8))
            video.send(np.full((16, 16, 3), 255, dtype=np.uint8))
            video.finish()
            assert os.getpgid(video.process.pid) != os.getpgid(0)
            video.process.send_signal(signal.SIGINT)
    finally:
        video.stop()
    assert len(read_video(tmp_path / "after.mp4")[1]) == 2


def test_discarding_a_finished_recorder_leaves_its_encoder_to_the_next_video(tmp_path):
    first = EpisodeRecorder(tmp_path / "first.mp4", fps=10)
    first.add_frame(np.zeros((8, 8, 3), dtype=np.uint8))
    first.close()
    second = EpisodeRecorder(tmp_path / "second.mp4", fps=10)  # takes the encoder kept
    second.add_frame(np.zeros((8, 8, 3), dtype=np.uint8))
    assert second._encoder is first._encoder
    first.discard()  # too late to change anything: first.mp4 stays, second goes on
    second.add_frame(np.full((8, 8, 3), 255, dtype=np.uint8))
    assert second.close() == tmp_path / "second.mp4"
    assert (tmp_path / "first.mp4").is_file() and first.state == "finished"
    assert len(read_video(tmp_path / "second.mp4")[1]) == 2
