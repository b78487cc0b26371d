"""run_job, show_source and the videos under odd input, a real Ctrl-C, and Python versions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import RandomAgent, run_job, show_source, show_video
from helpers.support.checks import InvalidActionError


@pytest.mark.parametrize("schedule", [lambda: True, lambda episode, camera: True])
def test_a_record_video_function_with_the_wrong_arguments_is_named(tmp_path, schedule):
    env = CorridorEnv()
    with pytest.raises(TypeError, match=r"record_video\(episode\).*lambda episode: episode % 10"):
        run_job(env, RandomAgent(), steps=5, record_video=schedule, video_dir=tmp_path)
    assert env.closed and not list(tmp_path.iterdir())


def test_a_record_video_function_of_the_episode_is_accepted(tmp_path):
    result = run_job(
        CorridorEnv(),
        RandomAgent(),
        steps=9,
        record_video=lambda *episode: True,
        video_dir=tmp_path,
    )
    assert len(result.videos) == 3


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (None, r"got None\. Pass one such as show_source\(run_job\)"),
        (5, r"got the number 5\."),
        ("run_job", r"not its name as text: write show_source\(run_job\), without quotes"),
        (len, r"len is built into Python.*no Python source"),
        (RandomAgent(), r"got a RandomAgent\. To see its code, pass its class: show_source\("),
    ],
)
def test_show_source_of_something_without_source_says_what_to_pass(obj, message):
    with pytest.raises(TypeError, match=message):
        show_source(obj)


def test_ctrl_c_while_a_job_is_prepared_leaves_a_partial_result_and_no_folder(tmp_path):
    class InterruptedWhileSeeded(RecordingAgent):
        def seed(self, seed: int) -> None:
            raise KeyboardInterrupt

    env = CorridorEnv()
    with pytest.raises(KeyboardInterrupt) as caught:
        run_job(env, InterruptedWhileSeeded(), 5, seed=1, record_video=True, video_dir=tmp_path)
    assert caught.value.partial_result.history == []
    assert env.closed and not list(tmp_path.iterdir())


def test_a_video_dir_that_is_a_file_is_named(tmp_path):
    blocker = tmp_path / "results.txt"
    blocker.write_text("not a folder")
    env = CorridorEnv()
    with pytest.raises(NotADirectoryError, match=r"results\.txt' is a file, not a folder"):
        run_job(env, RandomAgent(), steps=5, video_dir=blocker, record_video=True)
    assert env.closed


def test_video_paths_start_with_video_dir_as_written_on_every_python(tmp_path, monkeypatch):
    # Python 3.12+ makes the path mkdtemp returns absolute; 3.11 keeps it relative
    absolute_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(
        tempfile,
        "mkdtemp",
        lambda *args, **kwargs: os.path.abspath(absolute_mkdtemp(*args, **kwargs)),
    )
    monkeypatch.chdir(tmp_path)
    result = run_job(CorridorEnv(), RandomAgent(), 3, record_video=True, video_dir="results")
    assert result.video_folder.parent == Path("results")
    assert result.videos[0].is_file()


CHILD = textwrap.dedent(
    """
    import sys
    from helpers import RandomAgent, run_job
    print("started", flush=True)
    try:
        run_job("CartPole-v1", RandomAgent(), 100_000, record_video=True, video_dir=sys.argv[1])
    except KeyboardInterrupt as err:
        print("interrupted after", len(err.partial_result.history), "steps", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
@pytest.mark.parametrize("delay", [0.2, 1.5])
def test_a_real_ctrl_c_leaves_only_whole_videos(tmp_path, delay):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # started from a shell in the background, SIGINT would be ignored: restore it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert child.stdout.readline() == "started\n"
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0 and out.startswith("interrupted after"), err
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert all(path.suffix == ".mp4" for path in files), files
    assert not [path for path in tmp_path.rglob("*.partial")]
    for video in files:
        frames = imageio_ffmpeg.read_frames(str(video))
        meta = next(frames)
        assert meta["fps"] == 50 and sum(1 for _ in frames) >= 1


class Constant:
    """Always chooses `action`."""

    def __init__(self, action):
        self.action = action

    def decision_function(self, observation, action_space):
        return self.action


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (0.5, r"shape \(\) and the space wants \(1,\): return np\.array\(\[0\.5\]\)"),
        (np.array([[0.5]]), r"shape \(1, 1\) and the space wants \(1,\)"),
        (np.array([5.0]), r"between action_space\.low and action_space\.high \(np\.clip"),
        (np.array([np.nan]), r"It holds nan"),
    ],
)
def test_a_refused_box_action_says_whether_its_shape_or_its_values_are_wrong(action, message):
    with pytest.raises(InvalidActionError, match=message):
        run_job("Pendulum-v1", Constant(action), 3, record_video=False)


def test_frames_that_change_size_are_named_with_the_fix(tmp_path):
    class Growing(CorridorEnv):
        def render(self):
            return np.zeros((10 + 2 * self.position, 10, 3), dtype=np.uint8)

    with pytest.raises(ValueError, match=r"render\(\) return frames of one size, or pass record"):
        run_job(Growing(), RandomAgent(), 3, record_video=True, video_dir=tmp_path)
    assert not list(tmp_path.iterdir())


def test_show_video_of_a_list_names_the_episode_that_was_not_filmed(tmp_path):
    result = run_job(
        CorridorEnv(), RandomAgent(), 9, record_video=lambda e: e != 1, video_dir=tmp_path
    )
    with pytest.raises(FileNotFoundError, match=r"Item 1 of the list has no video.*result\.videos"):
        show_video(result.episodes)
    assert show_video(result.videos).data.count("<video") == 2


def test_an_info_dict_updated_in_place_is_recorded_as_it_was_at_each_step():
    class OneInfo(CorridorEnv):
        """Returns the same info dict at every step, updated in place."""

        def reset(self, *, seed=None, options=None):
            observation, _ = super().reset(seed=seed)
            self.info = {"position": 0}
            return observation, self.info

        def step(self, action):
            observation, reward, terminated, truncated, _ = super().step(action)
            self.info["position"] = self.position
            return observation, reward, terminated, truncated, self.info

    result = run_job(OneInfo(length=6), RandomAgent(), 6, record_video=False)
    assert [record["info"]["position"] for record in result.history] == [1, 2, 3, 4, 5, 6]


def test_a_job_that_drew_a_pygame_frame_still_stops_on_sigterm():
    # SDL, under pygame, would turn SIGTERM into a quit event nobody reads: `kill` and
    # `timeout` would no longer stop the job
    child_code = textwrap.dedent(
        """
        import os, signal, time
        from helpers import RandomAgent, run_job

        class Killed(RandomAgent):
            def decision_function(self, observation, action_space):
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.5)
                return super().decision_function(observation, action_space)

        run_job("CartPole-v1", Killed(), 3, record_video=True, video_dir=os.getcwd())
        print("still running after SIGTERM")
        """
    )
    environment = {k: v for k, v in os.environ.items() if k != "SDL_NO_SIGNAL_HANDLERS"}
    child = subprocess.run(
        [sys.executable, "-c", child_code],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=tempfile.mkdtemp(),
    )
    assert child.returncode == -signal.SIGTERM, child.stdout + child.stderr
