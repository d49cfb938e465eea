"""Developer tools behind `ladder synth` and `ladder bench`: synthetic corpora and the benchmark."""
