"""Atari videos show what a player sees, at the real speed, without changing the game."""

from __future__ import annotations

import random
import signal

import gymnasium as gym
import imageio_ffmpeg
import numpy as np
import pytest

from helpers import RandomAgent, make_env, run_job
from helpers.support.atari_frames import FlickerFreeScreen, atari_step_rate

SEED = 3
STEPS = 150


def decoded_frames(path):
    reader = imageio_ffmpeg.read_frames(str(path))
    meta = next(reader)
    width, height = meta["size"]
    return meta, [np.frombuffer(f, dtype=np.uint8).reshape(height, width, 3) for f in reader]


def emulator_frames(actions, seed, frameskip=4):
    """Every emulator frame of the same episode, one `act` at a time (frameskip=1)."""
    env = make_env("ALE/SpaceInvaders-v5", render_mode="rgb_array", frameskip=1)
    env.reset(seed=seed)
    frames = [env.render()]
    for action in actions:
        for _ in range(frameskip):
            env.step(action)
            frames.append(env.render())
    env.close()
    return frames


@pytest.fixture(scope="module")
def space_invaders_video(tmp_path_factory):
    result = run_job(
        "ALE/SpaceInvaders-v5",
        RandomAgent(),
        steps=STEPS,
        seed=SEED,
        video_dir=tmp_path_factory.mktemp("videos"),
        record_video=True,
    )
    return result, decoded_frames(result.episodes[0]["video"])


def test_the_video_shows_sprites_drawn_on_alternate_frames(space_invaders_video):
    result, (_, video) = space_invaders_video
    actions = [h["action"] for h in result.history]
    frames = emulator_frames(actions, SEED)
    assert len(video) == STEPS + 1
    flickering = 0
    for step in range(1, STEPS + 1):
        last, before_last = frames[4 * step].astype(int), frames[4 * step - 1].astype(int)
        # pixels lit only on the frame before the last: bombs and lazers that render() misses
        only_before = (before_last.sum(axis=2) - last.sum(axis=2)) > 150
        if not only_before.any():
            continue
        flickering += 1
        shown = video[step].astype(int).sum(axis=2)[only_before]
        seen_by_player = np.maximum(before_last, last).sum(axis=2)[only_before]
        seen_by_render = last.sum(axis=2)[only_before]
        # the video is much closer to what a player sees than to the last frame alone
        assert np.abs(shown - seen_by_player).mean() < np.abs(shown - seen_by_render).mean() / 3
    assert flickering > STEPS // 4  # the episode had many of them to check


def test_the_video_matches_the_frame_by_frame_emulation(space_invaders_video):
    result, (_, video) = space_invaders_video
    frames = emulator_frames([h["action"] for h in result.history], SEED)
    for step in (1, 50, STEPS):
        expected = np.maximum(frames[4 * step - 1], frames[4 * step]).astype(int)
        assert np.abs(video[step].astype(int) - expected).mean() < 4  # only the codec's loss


def test_filming_changes_nothing_in_the_game(tmp_path):
    def trace(**video):
        result = run_job(
            "ALE/SpaceInvaders-v5",
            RandomAgent(),
            steps=400,
            seed=11,
            keep_observations=True,
            **video,
        )
        return result

    filmed = trace(video_dir=tmp_path, record_video=True)
    plain = trace(record_video=False)
    assert filmed.videos
    assert [h["reward"] for h in filmed.history] == [h["reward"] for h in plain.history]
    assert [h["action"] for h in filmed.history] == [h["action"] for h in plain.history]
    assert all(
        np.array_equal(a["observation"], b["observation"])
        for a, b in zip(filmed.history, plain.history, strict=True)
    )
    assert filmed.episodes == [
        {**e, "video": f["video"]} for e, f in zip(plain.episodes, filmed.episodes, strict=True)
    ]


def test_the_environment_gets_its_own_emulator_back(tmp_path):
    env = make_env("ALE/SpaceInvaders-v5", render_mode="rgb_array")
    emulator = env.unwrapped.ale
    run_job(env, RandomAgent(), steps=30, seed=0, video_dir=tmp_path, record_video=True)
    assert env.unwrapped.ale is emulator


@pytest.mark.parametrize(
    ("frameskip", "fps"), [(4, 15), (1, 60), (2, 30), (5, 12), ((2, 5), 20), ((3, 5), 17)]
)
def test_the_frame_rate_is_the_real_speed_of_the_game(tmp_path, frameskip, fps):
    env = make_env("ALE/SpaceInvaders-v5", render_mode="rgb_array", frameskip=frameskip)
    assert float(atari_step_rate(env)) == pytest.approx(
        60 / np.mean(range(*frameskip) if isinstance(frameskip, tuple) else [frameskip])
    )
    result = run_job(env, RandomAgent(), steps=8, seed=0, video_dir=tmp_path, record_video=True)
    meta, frames = decoded_frames(result.videos[0])
    assert round(meta["fps"]) == fps
    assert len(frames) == 9


@pytest.mark.parametrize(
    ("frameskip", "obs_type"),
    [(1, "rgb"), (3, "rgb"), ((2, 5), "rgb"), (4, "grayscale"), (4, "ram")],
)
def test_every_frame_skip_shows_the_last_two_emulator_frames(frameskip, obs_type):
    """The right frames whatever the frame skip (random ones too) and the observations."""
    env = make_env(
        "ALE/SpaceInvaders-v5", render_mode="rgb_array", frameskip=frameskip, obs_type=obs_type
    )
    env.reset(seed=5)
    screen = FlickerFreeScreen(env)
    screen.start()
    emulator = screen.ale
    history = []
    for step in range(40):
        env.step(1 + step % 5)  # fire and move
        history.append(screen.frame().copy())
    screen.stop()
    # replay every emulator frame from the same seed, remembering the last two
    replay = make_env("ALE/SpaceInvaders-v5", render_mode="rgb_array", frameskip=frameskip)
    replay.reset(seed=5)
    assert replay.unwrapped.ale is not emulator
    previous = last = replay.render()
    ale = replay.unwrapped.ale
    act = ale.act
    frames: list[np.ndarray] = []

    def watched(*args):
        nonlocal previous, last
        reward = act(*args)
        previous, last = last, ale.getScreenRGB()
        return reward

    replay.unwrapped.ale = type(
        "Ale", (), {"act": staticmethod(watched), "__getattr__": lambda s, n: getattr(ale, n)}
    )()
    for step in range(40):
        replay.step(1 + step % 5)
        frames.append(np.maximum(previous, last))
    assert all(np.array_equal(a, b) for a, b in zip(history, frames, strict=True))
    env.close()


def test_wrappers_that_repeat_steps_count_in_the_frame_rate(tmp_path):
    env = gym.wrappers.MaxAndSkipObservation(
        make_env("ALE/SpaceInvaders-v5", render_mode="rgb_array", frameskip=1), skip=4
    )
    assert atari_step_rate(env) == 15
    result = run_job(env, RandomAgent(), 10, seed=0, video_dir=tmp_path, record_video=True)
    meta, frames = decoded_frames(result.videos[0])
    assert meta["fps"] == 15 and len(frames) == 11


def test_an_interrupt_while_filming_gives_the_emulator_back_and_keeps_only_whole_videos(
    tmp_path,
):
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    rng = random.Random(1)
    try:
        for attempt in range(8):
            env = make_env("ALE/SpaceInvaders-v5", render_mode="rgb_array")
            emulator = env.unwrapped.ale
            result = None
            try:
                try:
                    signal.setitimer(signal.ITIMER_REAL, rng.uniform(0.05, 0.6))
                    result = run_job(
                        env, RandomAgent(), 1500, seed=attempt, video_dir=tmp_path / str(attempt)
                    )
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
            except KeyboardInterrupt as err:
                result = getattr(err, "partial_result", None)
            assert env.unwrapped.ale is emulator
            assert not list(tmp_path.rglob("*.partial"))
            if result is not None:
                assert set(result.videos) <= set((tmp_path / str(attempt)).rglob("*.mp4"))
                for episode in result.episodes:
                    if episode["video"] is not None:
                        frames = decoded_frames(episode["video"])[1]
                        assert len(frames) == episode["steps"] + 1
    finally:
        signal.signal(signal.SIGALRM, previous)
