"""The runner: passes over a run's tree (`tree`), what it reads from replies (`reading`), and the
pass's frame (`advance`): the run's lock, its status, and when to look again."""
