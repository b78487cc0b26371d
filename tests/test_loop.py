"""run_job: the loop itself (observations, episodes, training hooks, seeds)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from conftest import CorridorEnv, RecordingAgent

from helpers import RandomAgent, run_job
from helpers.support.checks import LearnerChecks


def test_the_observation_from_reset_is_the_first_one_the_agent_sees(corridor, agent):
    run_job(corridor, agent, steps=7, record_video=False)
    # Episodes of 3 steps: each starts from its reset observation (1000, 2000, 3000),
    # never from the last observation of the episode before.
    assert agent.seen == [1000, 1001, 1002, 2000, 2001, 2002, 3000]


def test_terminated_episodes_are_reported_as_terminated(corridor, agent):
    result = run_job(corridor, agent, steps=6, record_video=False)
    assert [e["outcome"] for e in result.episodes] == ["terminated", "terminated"]
    assert [h["terminated"] for h in result.history] == [False, False, True] * 2
    assert not any(h["truncated"] for h in result.history)


def test_truncated_episodes_are_kept_apart_from_terminated_ones(agent):
    env = gym.wrappers.TimeLimit(CorridorEnv(length=100), max_episode_steps=4)
    result = run_job(env, agent, steps=8, record_video=False)
    assert [e["outcome"] for e in result.episodes] == ["truncated", "truncated"]
    assert [h["truncated"] for h in result.history] == [False, False, False, True] * 2
    assert not any(h["terminated"] for h in result.history)


def test_an_episode_cut_off_by_the_end_of_steps_is_reported_unfinished(corridor, agent):
    result = run_job(corridor, agent, steps=8, record_video=False)
    assert [(e["episode"], e["steps"], e["outcome"]) for e in result.episodes] == [
        (0, 3, "terminated"),
        (1, 3, "terminated"),
        (2, 2, "unfinished"),
    ]
    assert result.returns == [3.0, 3.0]


def test_no_empty_episode_is_reported_when_steps_end_with_an_episode(corridor, agent):
    result = run_job(corridor, agent, steps=6, record_video=False)
    assert len(result.episodes) == 2


def test_episode_returns_add_up_the_rewards(agent):
    result = run_job(CorridorEnv(length=4), agent, steps=4, record_video=False)
    assert result.episodes[0]["return"] == sum(h["reward"] for h in result.history) == 4.0


@pytest.mark.parametrize(
    ("episodes_per_train", "expected_calls"),
    [(1, 6), (2, 3), (4, 1), (7, 0), (0, 0)],
)
def test_train_on_history_fires_after_every_n_finished_episodes(
    agent, episodes_per_train, expected_calls
):
    run_job(
        CorridorEnv(length=3),
        agent,
        steps=20,
        episodes_per_train=episodes_per_train,
        record_video=False,
    )
    assert len(agent.trainings) == expected_calls
    for batch in agent.trainings:
        # each call gets exactly the steps of the episodes finished since the last one
        assert len(batch) == 3 * episodes_per_train
    seen_episodes = [h["episode"] for batch in agent.trainings for h in batch]
    assert seen_episodes == sorted(seen_episodes)
    assert len(set(seen_episodes)) == expected_calls * episodes_per_train


def test_train_gets_every_step_as_a_transition(corridor, agent):
    run_job(corridor, agent, steps=4, record_video=False)
    first, third, fourth = agent.transitions[0], agent.transitions[2], agent.transitions[3]
    assert (first["observation"], first["action"], first["next_observation"]) == (1000, 1, 1001)
    assert third["terminated"] and not third["truncated"]
    assert fourth["observation"] == 2000
    assert len(agent.transitions) == 4


def test_an_agent_with_only_a_decision_function_is_enough(corridor):
    class Minimal:
        def decision_function(self, observation, action_space):
            return 0

    result = run_job(corridor, Minimal(), steps=5, record_video=False)
    assert len(result.history) == 5


def test_observations_are_left_out_of_the_history_unless_asked(corridor, agent):
    result = run_job(corridor, agent, steps=4, record_video=False)
    assert all("observation" not in h for h in result.history)
    kept = run_job(
        CorridorEnv(length=3), agent, steps=4, record_video=False, keep_observations=True
    )
    assert [h["observation"] for h in kept.history] == [1001, 1002, 1003, 2001]


def test_history_records_the_documented_fields(corridor, agent):
    result = run_job(corridor, agent, steps=2, record_video=False)
    assert result.history[1] == {
        "episode": 0,
        "step": 1,
        "action": 1,
        "reward": 1.0,
        "terminated": False,
        "truncated": False,
        "info": {"position": 2},
    }


def test_parameters_record_the_call(corridor, agent):
    result = run_job(corridor, agent, steps=2, episodes_per_train=3, seed=5, record_video=False)
    assert result.parameters["steps"] == 2
    assert result.parameters["episodes_per_train"] == 3
    assert result.parameters["seed"] == 5
    assert result.parameters["env"] == "CorridorEnv"


def test_the_environment_is_closed_after_the_job(corridor, agent):
    run_job(corridor, agent, steps=2, record_video=False)
    assert corridor.closed


def test_verbose_prints_a_line_per_episode(corridor, agent, capsys):
    run_job(corridor, agent, steps=4, verbose=True, record_video=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Episode 0 terminated after 3 steps, return 3",
        "Episode 1 unfinished after 1 steps, return 1",
    ]


def _trace(seed: int | None):
    result = run_job(
        "ALE/SpaceInvaders-v5", RandomAgent(), steps=600, seed=seed, record_video=False
    )
    return (
        [int(h["action"]) for h in result.history],
        [h["reward"] for h in result.history],
        [(e["episode"], e["steps"], e["outcome"]) for e in result.episodes],
    )


def test_the_same_seed_gives_the_same_run():
    first, second = _trace(7), _trace(7)
    assert first == second
    assert sum(first[1]) > 0  # the run did something worth comparing


def test_another_seed_gives_another_run():
    assert _trace(7)[0] != _trace(8)[0]


def test_the_seed_reaches_the_model(corridor, agent):
    run_job(corridor, agent, steps=1, seed=3, record_video=False)
    assert agent.seeds == [3]


def test_random_agent_samples_the_space_it_is_given():
    space = gym.spaces.Discrete(6, seed=0)
    actions = {int(RandomAgent().decision_function(None, space)) for _ in range(200)}
    assert actions == set(range(6))


def test_result_summary_is_short(corridor, agent):
    result = run_job(corridor, agent, steps=4, record_video=False)
    assert (
        repr(result) == "JobResult(env='CorridorEnv', steps=4, episodes=2 (1 finished), videos=0)"
    )


def test_the_progress_bar_prints_the_same_text_on_every_run(capsys):
    outputs = []
    for _ in range(2):
        run_job(CorridorEnv(length=5), RandomAgent(), steps=40, progress=True, record_video=False)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    frames = outputs[0].split("\r")[1:]
    assert len(frames) == 22  # 0%, every 5% (2 steps), and the final redraw on closing
    assert frames[-1] == "CorridorEnv: 100%|█████████████████████████| 40/40 steps\n"


class ReusingEnv(CorridorEnv):
    """Updates one state array in place and returns it, as many hand-written envs do."""

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.state = np.zeros(2)
        return self.state, {}

    def step(self, action):
        _, reward, terminated, truncated, info = super().step(action)
        self.state += 1
        return self.state, reward, terminated, truncated, info


def test_kept_observations_are_copies_that_later_steps_cannot_change(agent):
    result = run_job(ReusingEnv(length=5), agent, 3, record_video=False, keep_observations=True)
    assert [h["observation"].tolist() for h in result.history] == [[1, 1], [2, 2], [3, 3]]


@pytest.mark.parametrize(
    "space",
    [
        gym.spaces.Box(-1, 1, (2, 3)),
        gym.spaces.MultiDiscrete([3, 4]),
        gym.spaces.MultiBinary(3),
        gym.spaces.Dict({"a": gym.spaces.Discrete(2), "b": gym.spaces.Box(0, 1, (2,))}),
        gym.spaces.Tuple((gym.spaces.Discrete(2), gym.spaces.Box(0, 1, (2,)))),
    ],
)
def test_unusual_observation_and_action_spaces_run_and_keep_their_observations(space):
    class Spacey(CorridorEnv):
        def __init__(self):
            super().__init__(length=4)
            self.observation_space = self.action_space = space
            space.seed(0)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            return self.observation_space.sample(), {}

        def step(self, action):
            assert self.action_space.contains(action)
            _, reward, terminated, truncated, info = super().step(1)
            return self.observation_space.sample(), reward, terminated, truncated, info

    env = Spacey()
    result = run_job(env, RandomAgent(), 6, seed=0, keep_observations=True, record_video=False)
    assert len(result.history) == 6 and result.returns == [4.0]
    assert all(env.observation_space.contains(h["observation"]) for h in result.history)


def test_train_sees_the_state_before_and_after_each_step_when_the_env_reuses_its_array():
    class QStyle(RandomAgent):
        def __init__(self):
            self.pairs = []

        def train(self, transition):
            self.pairs.append((transition["observation"][0], transition["next_observation"][0]))

    agent = QStyle()
    run_job(ReusingEnv(length=3), agent, 7, seed=0, record_video=False)
    # episodes of 3 steps; each reset starts again from 0
    assert agent.pairs == [(0, 1), (1, 2), (2, 3), (0, 1), (1, 2), (2, 3), (0, 1)]


def test_observations_of_an_ordinary_env_are_not_copied_after_the_first_steps(agent):
    class Fresh(CorridorEnv):
        def step(self, action):
            _, reward, terminated, truncated, info = super().step(action)
            return np.array([self.position]), reward, terminated, truncated, info

    env = Fresh(length=10)
    run_job(env, agent, 8, record_video=False)
    handed = [t["next_observation"] for t in agent.transitions]
    seen = [t["observation"] for t in agent.transitions]
    # from the fourth observation on, the agent acts on the environment's own arrays
    assert all(seen[i] is handed[i - 1] for i in range(4, 8))
    assert [o[0] for o in seen[1:]] == list(range(1, 8))


class BadClose(CorridorEnv):
    def close(self):
        super().close()
        raise RuntimeError("close failed")


def test_a_close_that_fails_after_a_good_run_keeps_the_result():
    with pytest.raises(
        RuntimeError, match=r"close\(\) of BadClose raised.*partial_result"
    ) as caught:
        run_job(BadClose(), RandomAgent(), 5, record_video=False)
    assert len(caught.value.partial_result.history) == 5
    assert caught.value.partial_result.returns is not None


def test_a_close_that_fails_after_a_failed_run_leaves_the_run_s_error_first(tmp_path):
    class Clumsy(RecordingAgent):
        def decision_function(self, observation, action_space):
            if len(self.seen) == 2:
                raise KeyError("the agent's own bug")
            return super().decision_function(observation, action_space)

    env = BadClose()
    with pytest.raises(KeyError, match="the agent's own bug") as caught:
        run_job(env, Clumsy(), 5, video_dir=tmp_path, record_video=True)
    assert len(caught.value.partial_result.history) == 2
    assert any("Closing BadClose failed too" in note for note in caught.value.__notes__)
    assert env.closed  # close was called
    videos = list(tmp_path.rglob("*"))
    assert not [v for v in videos if v.is_file()]  # the half-filmed episode was removed


def test_an_episode_whose_video_cannot_be_finished_stays_in_the_result(tmp_path, monkeypatch):
    from helpers.support.recording import VideoEncodingError

    def broken_close(self):
        raise VideoEncodingError("ffmpeg was killed")

    monkeypatch.setattr("helpers.support.recording.EpisodeRecorder.close", broken_close)
    with pytest.raises(VideoEncodingError) as caught:
        run_job(CorridorEnv(length=3), RandomAgent(), 5, video_dir=tmp_path, record_video=True)
    partial = caught.value.partial_result
    assert len(partial.history) == 3
    assert partial.episodes == [
        {
            "episode": 0,
            "steps": 3,
            "return": partial.episodes[0]["return"],
            "outcome": "terminated",
            "video": None,
        }
    ]
    assert len(partial.returns) == 1


def test_an_env_that_repeats_a_number_is_not_taken_for_one_that_reuses_its_array(
    agent, monkeypatch
):
    class Still(CorridorEnv):
        def step(self, action):
            _, reward, terminated, truncated, info = super().step(action)
            return 5, reward, terminated, truncated, info  # the same int object every step

    hooks = []
    unshared = LearnerChecks.unshared

    def spy(self, observation):
        hooks.append(self)
        return unshared(self, observation)

    monkeypatch.setattr(LearnerChecks, "unshared", spy)
    run_job(Still(length=10), agent, 6, record_video=False)
    assert hooks and not hooks[0].reuses
    assert [t["next_observation"] for t in agent.transitions] == [5] * 6


def test_a_close_that_fails_after_a_wrong_argument_leaves_the_argument_s_error_first():
    env = BadClose()
    with pytest.raises(ValueError, match="steps must be a positive whole number") as caught:
        run_job(env, RandomAgent(), 0, record_video=False)
    assert env.closed
    assert any("Closing the environment failed too" in note for note in caught.value.__notes__)
