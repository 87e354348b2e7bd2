"""The benchmark of the contest hot path (`make bench`); see bench/README.md."""
