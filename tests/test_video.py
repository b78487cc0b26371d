"""Videos: recording while the job runs, and showing them inline."""

from __future__ import annotations

import base64
import re

import gymnasium as gym
import imageio_ffmpeg
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import RandomAgent, run_job, show_video
from helpers.video import EpisodeRecorder, VideoTooLargeError


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
    assert not (tmp_path / "clip.mp4").exists()  # ffmpeg writes clip.mp4.partial meanwhile
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
    big.write_bytes(b"\0" * 2_000_000)
    with pytest.raises(VideoTooLargeError, match=r"2\.0 MB.*max_megabytes=3"):
        show_video(big, max_megabytes=1)
    assert show_video(big, max_megabytes=3).data.startswith("<video")
