"""The Django project: environment-driven settings and the URL table, nothing else."""
