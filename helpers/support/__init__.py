"""What a learner never needs to read: the plumbing under the teaching helpers.

- `checks`: the learner-mistake checks (a Gymnasium wrapper) and argument checks,
  each error naming the mistake and its fix.
- `job`: what `run_job` does before and after its loop (`prepare`, `finishing`).
- `agent_checks`: the learning agents' input checks; `plotting`: the drawing under
  `helpers.plots`; `shipped`: the trained agents' files and checks.
- `recording`: the `Camera` wrapper and the recorder (imageio-ffmpeg's `write_frames`).
- `atari_frames`: Atari screens as a player sees them, at the game's real speed.
- `environments`: `make_env` (Atari ids known, clear errors for unknown ids).
- `notebook`, `skipping`, `diagrams`: `show_video`, `show_source`, skipping cells
  without Box2D, the picture of the agent-environment loop.
- `robot_workers`: the robot training's episodes, on worker processes.
- `preflight`: the pre-flight check, ``python -m helpers.support.preflight``.
"""
