"""What a learner never needs to read: the plumbing under the teaching helpers (checks of
a learner's code, the job's set-up, videos, environments, plots, the trained agents,
robot training's workers, the pre-flight check)."""
